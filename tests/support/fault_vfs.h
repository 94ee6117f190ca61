// A SQLite VFS shim for fault injection (in the spirit of SQLite's own test VFS): it passes every
// call to the default VFS, but once armed it fails the Nth write, sync or truncate with an I/O
// error, so tests can show that a failure at any point leaves no partial write behind.
#pragma once

namespace epsync::test {

inline constexpr const char* kFaultVfsName = "epsync-fault";

void register_fault_vfs();          // idempotent
void fault_vfs_fail_after(int n);   // the (n+1)th write/sync/truncate from now fails; -1 disarms
int fault_vfs_faults_injected();    // how many operations failed since the last arming

}  // namespace epsync::test
