#include "support/fault_vfs.h"

#include <sqlite3.h>

#include <atomic>
#include <cstring>

namespace epsync::test {

namespace {

sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_vfs;
std::atomic<int> g_countdown{-1};
std::atomic<int> g_injected{0};

struct FaultFile {
  sqlite3_file base;   // must be first: SQLite sees this
  sqlite3_file* real;  // the default VFS's file, allocated right after us
};

sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f)->real; }

bool should_fail() {
  int c = g_countdown.load();
  if (c < 0) return false;
  if (c == 0) {
    ++g_injected;
    return true;  // stays at 0: every later write fails too, like a full or dead disk
  }
  g_countdown.store(c - 1);
  return false;
}

int x_close(sqlite3_file* f) {
  int rc = real_of(f)->pMethods->xClose(real_of(f));
  return rc;
}
int x_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return real_of(f)->pMethods->xRead(real_of(f), buf, n, off);
}
int x_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (should_fail()) return SQLITE_IOERR_WRITE;
  return real_of(f)->pMethods->xWrite(real_of(f), buf, n, off);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (should_fail()) return SQLITE_IOERR_TRUNCATE;
  return real_of(f)->pMethods->xTruncate(real_of(f), size);
}
int x_sync(sqlite3_file* f, int flags) {
  if (should_fail()) return SQLITE_IOERR_FSYNC;
  return real_of(f)->pMethods->xSync(real_of(f), flags);
}
int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return real_of(f)->pMethods->xFileSize(real_of(f), size);
}
int x_lock(sqlite3_file* f, int l) { return real_of(f)->pMethods->xLock(real_of(f), l); }
int x_unlock(sqlite3_file* f, int l) { return real_of(f)->pMethods->xUnlock(real_of(f), l); }
int x_check_reserved(sqlite3_file* f, int* out) {
  return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}
int x_file_control(sqlite3_file* f, int op, void* arg) {
  return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}
int x_sector_size(sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
int x_device_chars(sqlite3_file* f) {
  return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}
int x_shm_map(sqlite3_file* f, int pg, int sz, int extend, void volatile** p) {
  return real_of(f)->pMethods->xShmMap(real_of(f), pg, sz, extend, p);
}
int x_shm_lock(sqlite3_file* f, int off, int n, int flags) {
  return real_of(f)->pMethods->xShmLock(real_of(f), off, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
int x_shm_unmap(sqlite3_file* f, int del) { return real_of(f)->pMethods->xShmUnmap(real_of(f), del); }

const sqlite3_io_methods g_methods = {
    2,           x_close,        x_read,           x_write,       x_truncate,
    x_sync,      x_file_size,    x_lock,           x_unlock,      x_check_reserved,
    x_file_control, x_sector_size, x_device_chars, x_shm_map,     x_shm_lock,
    x_shm_barrier, x_shm_unmap,  nullptr,          nullptr,
};

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  auto* ff = reinterpret_cast<FaultFile*>(f);
  ff->real = reinterpret_cast<sqlite3_file*>(ff + 1);
  int rc = g_real->xOpen(g_real, name, ff->real, flags, out_flags);
  // SQLite calls xClose only when pMethods is set, so leave it null on failure.
  ff->base.pMethods = (rc == SQLITE_OK && ff->real->pMethods) ? &g_methods : nullptr;
  return rc;
}

int x_delete(sqlite3_vfs*, const char* name, int sync) { return g_real->xDelete(g_real, name, sync); }
int x_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_real->xAccess(g_real, name, flags, out);
}
int x_full_path(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_real->xFullPathname(g_real, name, n, out);
}

}  // namespace

void register_fault_vfs() {
  if (g_real) return;
  g_real = sqlite3_vfs_find(nullptr);
  std::memcpy(&g_vfs, g_real, sizeof g_vfs);
  g_vfs.iVersion = 1;  // only the v1 methods below are wrapped; the rest come from the copy
  g_vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + g_real->szOsFile;
  g_vfs.zName = kFaultVfsName;
  g_vfs.pNext = nullptr;
  g_vfs.xOpen = x_open;
  g_vfs.xDelete = x_delete;
  g_vfs.xAccess = x_access;
  g_vfs.xFullPathname = x_full_path;
  sqlite3_vfs_register(&g_vfs, 0);
}

void fault_vfs_fail_after(int n) {
  g_injected = 0;
  g_countdown = n;
}

int fault_vfs_faults_injected() { return g_injected.load(); }

}  // namespace epsync::test
