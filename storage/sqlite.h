// A small RAII layer over the SQLite C API: a connection, prepared statements with bound
// parameters, and transactions that roll back unless committed. Errors come back as Status.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "storage/status.h"
#include "storage/value.h"

struct sqlite3;
struct sqlite3_stmt;

namespace epsync {

class Db;

// A prepared statement. Parameters are 1-based as in SQLite; columns are 0-based.
class Stmt {
 public:
  Stmt() = default;
  Stmt(Stmt&& o) noexcept;
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  Stmt& bind(int i, std::int64_t v);
  Stmt& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Stmt& bind(int i, double v);
  Stmt& bind(int i, std::string_view v);
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Stmt& bind_null(int i);
  Stmt& bind_blob(int i, std::string_view bytes);
  Stmt& bind(int i, const Value& v);
  // Without a copy, for hot paths: the caller keeps the bytes alive and unchanged until the
  // statement is reset (run() resets before it returns).
  Stmt& bind_ref(int i, std::string_view v);
  Stmt& bind_ref(int i, const std::string& v) { return bind_ref(i, std::string_view(v)); }
  Stmt& bind_blob_ref(int i, std::string_view bytes);
  Stmt& bind_ref(int i, const Value& v);

  // Advances one row: true when a row is available, false when done.
  Result<bool> step();
  // Runs to completion, ignoring rows; then resets for reuse.
  Status run();
  // run() for a statement whose every parameter is bound before each run: the bindings are left
  // as they are rather than cleared one by one (a 64-row insert has over a thousand). Text bound
  // by reference must not be read again, so never step it without binding everything first.
  Status run_all_rebound();
  void reset();  // reset and clear bindings, ready for the next use
  void rewind();  // reset, keeping the bindings

  bool column_is_null(int c) const;
  std::int64_t column_int(int c) const;
  double column_double(int c) const;
  std::string column_text(int c) const;
  std::string column_blob(int c) const;
  // The text without a copy; valid until the next step(), reset() or column_* call on this column.
  std::string_view column_view(int c) const;
  std::string_view column_blob_view(int c) const;  // the same for a BLOB
  Value column_value(int c) const;
  int column_count() const;

 private:
  Status run_to_end(bool clear_bindings);
  friend class Db;
  Stmt(Db* db, sqlite3_stmt* s) : db_(db), stmt_(s) {}
  Db* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Db {
 public:
  struct OpenOptions {
    bool create = false;     // create the file when missing
    bool read_only = false;
    int busy_timeout_ms = 5000;
    std::string vfs;         // SQLite VFS name; empty for the default (tests inject faults here)
  };

  static Result<std::unique_ptr<Db>> open(const std::string& path, const OpenOptions& opt);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Status exec(std::string_view sql);  // one or more statements, no parameters
  Result<Stmt> prepare(std::string_view sql);
  // A statement prepared once per connection and reused (reset before it is handed out).
  Result<Stmt*> cached(const std::string& sql);
  // cached() for statements whose caller binds every parameter and runs them with
  // run_all_rebound(): handed out without clearing the last run's bindings.
  Result<Stmt*> cached_all_rebound(const std::string& sql);

  // The Status for the connection's most recent error, with `rc` as its primary code.
  Status error(int rc, std::string_view context = {}) const;

  std::int64_t changes() const;  // rows touched by the last statement

  // A consistent copy of the whole database to `dest` (SQLite online backup API), taken while
  // other connections keep writing. Written to a temporary beside `dest` (PrivateFile: 0600, or
  // 0660 in the shared state directory) and renamed into place when complete; SQLite creates no
  // journal or WAL file for the copy.
  Status backup_to(const std::string& dest);
  sqlite3* handle() { return db_; }

  // Makes `fn` callable from SQL on this connection as name(text) -> text, for as long as the
  // connection lives; NULL gives NULL. `fn` must depend on its argument only (SQLite may reuse a
  // result). Defining a name a second time changes nothing, so callers define before each use.
  Status define_text_function(const std::string& name, std::string (*fn)(std::string_view));
  const std::string& path() const { return path_; }

 private:
  Result<Stmt*> from_cache(const std::string& sql, bool clear_bindings);
  Db() = default;
  sqlite3* db_ = nullptr;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
  std::unordered_set<std::string> functions_;
};

// BEGIN IMMEDIATE (or DEFERRED for readers) ... COMMIT; rolls back in the destructor
// unless commit() succeeded, so an early return can never leave half a write behind.
class Txn {
 public:
  enum class Kind { kDeferred, kImmediate };
  explicit Txn(Db& db) : db_(db) {}
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  ~Txn();
  Status begin(Kind kind = Kind::kImmediate);
  Status commit();
  void rollback();
  bool active() const { return active_; }

 private:
  Db& db_;
  bool active_ = false;
};

}  // namespace epsync
