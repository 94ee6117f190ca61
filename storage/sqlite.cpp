#include "storage/sqlite.h"

#include <sqlite3.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "storage/private_file.h"

namespace epsync {

namespace {

// A failure SQLite reports because the system refused this user a file: the store, its -wal or
// -shm, or the directory they live in. The last system error is consulted only for the codes
// where SQLite reports such a refusal, so that a stale one never relabels a busy store.
bool refused_by_system(sqlite3* db, int rc) {
  switch (rc & 0xff) {
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return true;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR: {
      int err = db ? sqlite3_system_errno(db) : 0;
      return err == EACCES || err == EPERM;
    }
    default:
      return false;
  }
}

}  // namespace

std::string to_literal(const Value& v) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "NULL"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", d);
      return buf;
    }
    std::string operator()(const std::string& s) const {
      std::string out = "'";
      for (char c : s) {
        if (c == '\'') out += '\'';
        out += c;
      }
      return out + "'";
    }
  };
  return std::visit(Visitor{}, v);
}

// ---- Stmt ----

Stmt::Stmt(Stmt&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    db_ = o.db_;
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}
Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt& Stmt::bind(int i, std::int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, std::string_view v) {
  sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
Stmt& Stmt::bind_blob(int i, std::string_view v) {
  sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bind_ref(int i, std::string_view v) {
  sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
  return *this;
}
Stmt& Stmt::bind_blob_ref(int i, std::string_view v) {
  sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_STATIC);
  return *this;
}
Stmt& Stmt::bind_ref(int i, const Value& v) {
  if (auto* p = std::get_if<std::string>(&v)) return bind_ref(i, std::string_view(*p));
  return bind(i, v);
}
Stmt& Stmt::bind_null(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}
Stmt& Stmt::bind(int i, const Value& v) {
  if (auto* p = std::get_if<std::int64_t>(&v)) return bind(i, *p);
  if (auto* p = std::get_if<double>(&v)) return bind(i, *p);
  if (auto* p = std::get_if<std::string>(&v)) return bind(i, std::string_view(*p));
  return bind_null(i);
}

Result<bool> Stmt::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status s = db_->error(rc);
  sqlite3_reset(stmt_);
  return s;
}

Status Stmt::run() { return run_to_end(true); }

Status Stmt::run_all_rebound() { return run_to_end(false); }

Status Stmt::run_to_end(bool clear_bindings) {
  for (;;) {
    auto r = step();
    if (!r.ok() || !r.value()) {
      if (clear_bindings) reset();
      else rewind();
      return r.ok() ? Status::Ok() : r.status();
    }
  }
}

void Stmt::rewind() { sqlite3_reset(stmt_); }

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Stmt::column_is_null(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
std::int64_t Stmt::column_int(int c) const { return sqlite3_column_int64(stmt_, c); }
double Stmt::column_double(int c) const { return sqlite3_column_double(stmt_, c); }
std::string Stmt::column_text(int c) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, c))) : std::string();
}
std::string_view Stmt::column_view(int c) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
  return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, c))) : std::string_view();
}
std::string_view Stmt::column_blob_view(int c) const {
  auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, c));
  return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, c))) : std::string_view();
}
std::string Stmt::column_blob(int c) const {
  auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, c));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, c))) : std::string();
}
Value Stmt::column_value(int c) const {
  switch (sqlite3_column_type(stmt_, c)) {
    case SQLITE_INTEGER: return column_int(c);
    case SQLITE_FLOAT: return column_double(c);
    case SQLITE_NULL: return std::monostate{};
    default: return column_text(c);  // TEXT; BLOBs are never stored by epsync
  }
}
int Stmt::column_count() const { return sqlite3_column_count(stmt_); }

// ---- Db ----

Result<std::unique_ptr<Db>> Db::open(const std::string& path, const OpenOptions& opt) {
  // Memory statistics take a global mutex on every allocation SQLite makes, thousands per merged
  // batch; epsync never reads them. Only possible before SQLite initialises (else a no-op).
  static const bool configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
  (void)configured;
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (opt.read_only) {
    flags |= SQLITE_OPEN_READONLY;
  } else {
    flags |= SQLITE_OPEN_READWRITE;
    if (opt.create) flags |= SQLITE_OPEN_CREATE;
  }
  std::unique_ptr<Db> db(new Db());
  db->path_ = path;
  int rc = sqlite3_open_v2(path.c_str(), &db->db_, flags, opt.vfs.empty() ? nullptr : opt.vfs.c_str());
  if (rc != SQLITE_OK) {
    if (refused_by_system(db->db_, rc)) return Status::PermissionDenied(path);
    if ((rc & 0xff) == SQLITE_CANTOPEN)
      return Status::NotFound("cannot open " + path + ": no such file or not accessible");
    return db->error(rc, path);
  }
  sqlite3_busy_timeout(db->db_, opt.busy_timeout_ms);
  sqlite3_extended_result_codes(db->db_, 1);
  return db;
}

Db::~Db() {
  cache_.clear();  // statements must be finalized before the connection closes
  sqlite3_close_v2(db_);
}

namespace {

struct TextFunction {
  std::string (*fn)(std::string_view);
};

void call_text_function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  const auto* text = sqlite3_value_text(argv[0]);
  if (!text) return sqlite3_result_null(ctx);
  const auto* f = static_cast<const TextFunction*>(sqlite3_user_data(ctx));
  const std::string out = f->fn(std::string_view(reinterpret_cast<const char*>(text),
                                                 static_cast<std::size_t>(sqlite3_value_bytes(argv[0]))));
  sqlite3_result_text64(ctx, out.data(), out.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

}  // namespace

Status Db::define_text_function(const std::string& name, std::string (*fn)(std::string_view)) {
  if (functions_.count(name)) return Status::Ok();
  // SQLite owns the holder from here: it deletes it when the connection closes or the call fails.
  int rc = sqlite3_create_function_v2(db_, name.c_str(), 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                      new TextFunction{fn}, call_text_function, nullptr, nullptr,
                                      [](void* p) { delete static_cast<TextFunction*>(p); });
  if (rc != SQLITE_OK) return error(rc, "defining the SQL function " + name);
  functions_.insert(name);
  return Status::Ok();
}

Status Db::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  sqlite3_free(err);  // the same text is still available from sqlite3_errmsg
  return error(rc);
}

Result<Stmt> Db::prepare(std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                              &s, nullptr);
  if (rc != SQLITE_OK) return error(rc, "prepare");
  return Stmt(this, s);
}

Result<Stmt*> Db::cached(const std::string& sql) { return from_cache(sql, true); }

Result<Stmt*> Db::cached_all_rebound(const std::string& sql) {
  // A 64-row insert has over a thousand parameters; clearing them is wasted when all are bound.
  return from_cache(sql, false);
}

Result<Stmt*> Db::from_cache(const std::string& sql, bool clear_bindings) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    auto st = prepare(sql);
    if (!st.ok()) return st.status();
    it = cache_.emplace(sql, std::make_unique<Stmt>(std::move(st).value())).first;
  } else if (clear_bindings) {
    it->second->reset();
  } else {
    it->second->rewind();
  }
  return it->second.get();
}

Status Db::error(int rc, std::string_view context) const {
  std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  if (!context.empty()) msg = std::string(context) + ": " + msg;
  // The -wal or -shm beside the store, or the directory, not this user's to write.
  if (refused_by_system(db_, rc)) return Status::PermissionDenied(path_);
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return Status::Corrupt(msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Busy(msg);
    case SQLITE_CONSTRAINT:
      return Status::InvalidInput(msg);
    case SQLITE_CANTOPEN:
      return Status::NotFound(msg);
    default:
      return Status::IoError(msg);
  }
}

namespace {

// Copies `src` into the empty file `path` (created by PrivateFile, so already of its final mode). SQLite gets
// the file without SQLITE_OPEN_CREATE and with NOFOLLOW, so it can only write into that file.
// With journal_mode=OFF it creates no -journal beside it: a copy that fails half-way is thrown
// away whole, so a rollback journal would protect nothing.
Status copy_into(sqlite3* src, const std::string& path) {
  sqlite3* out = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, nullptr);
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(out, "PRAGMA journal_mode = OFF", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = out ? sqlite3_errmsg(out) : sqlite3_errstr(rc);
    sqlite3_close(out);
    return Status::IoError("cannot open " + path + ": " + msg);
  }
  // One step copies every page under a single read transaction: a snapshot, while WAL lets
  // writers go on.
  sqlite3_backup* b = sqlite3_backup_init(out, "main", src, "main");
  if (!b) {
    std::string msg = sqlite3_errmsg(out);
    sqlite3_close(out);
    return Status::IoError("backup: " + msg);
  }
  rc = sqlite3_backup_step(b, -1);
  int finish = sqlite3_backup_finish(b);
  std::string msg = sqlite3_errmsg(out);
  sqlite3_close(out);
  if (rc != SQLITE_DONE || finish != SQLITE_OK) return Status::IoError("backup: " + msg);
  return Status::Ok();
}

}  // namespace

Status Db::backup_to(const std::string& dest) {
  auto file = PrivateFile::create_beside(dest);
  if (!file.ok()) return file.status();
  EPSYNC_RETURN_IF_ERROR(copy_into(db_, file->temp_path()));
  // The pages came from a WAL store, so the header says WAL (bytes 18 and 19 are 2). Letting
  // SQLite switch the copy to a rollback journal would create -wal and -shm files beside it;
  // writing the two bytes is what that switch does once the (here empty) WAL is checkpointed, and
  // leaves a single self-contained file that opens read-only, e.g. from a write-protected stick.
  const unsigned char rollback[2] = {1, 1};
  if (::pwrite(file->fd(), rollback, 2, 18) != 2)
    return Status::IoError(dest + ": cannot write " + file->temp_path());
  return file->commit();
}

std::int64_t Db::changes() const { return sqlite3_changes64(db_); }

// ---- Txn ----

Status Txn::begin(Kind kind) {
  Status s = db_.exec(kind == Kind::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
  active_ = s.ok();
  return s;
}

Status Txn::commit() {
  if (!active_) return Status::IoError("commit without an open transaction");
  Status s = db_.exec("COMMIT");
  if (!s.ok()) {
    rollback();  // e.g. an I/O error during commit: leave nothing half-done
    return s;
  }
  active_ = false;
  return s;
}

void Txn::rollback() {
  if (!active_) return;
  active_ = false;
  if (!sqlite3_get_autocommit(db_.handle())) db_.exec("ROLLBACK");
}

Txn::~Txn() { rollback(); }

}  // namespace epsync
