// Row changes seen in place: views into a change log row as SQLite holds it. The agent streams
// its own changes onto the wire through these, without building a RowChange (and its strings)
// for each one; read_log_rows builds RowChanges from the same decoding.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "storage/row_change.h"
#include "storage/hlc.h"
#include "storage/sqlite.h"
#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

// Fills `out` from the current row of a statement that selects kLogColumns from change_log.
// The views last until the statement steps again or the store forgets its sites (a rollback).
Status view_log_row(Store& store, const Stmt& s, RowChangeView& out);

// One site's row changes with site_seq > after_site_seq, in order, read one at a time.
class SiteChangeScan {
 public:
  static Result<SiteChangeScan> open(Store& store, const std::string& site, std::int64_t after_site_seq);
  SiteChangeScan(SiteChangeScan&& o) noexcept : store_(o.store_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  SiteChangeScan& operator=(SiteChangeScan&&) = delete;
  ~SiteChangeScan();
  // Reads the next change into `out`; false once there are no more.
  Result<bool> next(RowChangeView& out);

 private:
  SiteChangeScan(Store& store, Stmt* stmt) : store_(&store), stmt_(stmt) {}
  Store* store_;
  Stmt* stmt_;  // the connection's cached statement; null for a site this store never saw
};

}  // namespace epsync
