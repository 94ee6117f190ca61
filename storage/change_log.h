// Change capture (SPEC §4): every local insert, update and delete of a replicated table records
// its changed cells, in the same transaction as the row, as a RowChange (row_change.h): the
// unit that travels between sites and that merge.h applies.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/hlc.h"
#include "storage/row_change.h"
#include "storage/status.h"
#include "storage/store.h"
#include "storage/value.h"

namespace epsync {

using Columns = std::vector<std::pair<std::string, Value>>;

// A local write with change capture. Validation of the values is the caller's job (it knows the
// field names the user typed); this checks only that tables and columns exist.
class WriteTxn {
 public:
  explicit WriteTxn(Store& s) : txn_(s) {}
  Status begin() { return txn_.begin(); }
  Status commit() { return txn_.commit(); }

  // A new row owned by `center`; every given column becomes a cell of the change.
  Status insert(const std::string& table, const std::string& row_id, const std::string& center,
                const Columns& cols);
  // Changes the given columns; only values that differ are recorded. NotFound if no such row.
  Status update(const std::string& table, const std::string& row_id, const Columns& cols);
  // Marks the row deleted: a replicated tombstone, never a physical DELETE.
  Status remove(const std::string& table, const std::string& row_id);

  std::int64_t changes_written() const { return written_; }  // cells
  StoreTxn& store_txn() { return txn_; }

 private:
  StoreTxn txn_;
  std::int64_t written_ = 0;
};

// Appends a row change to the log. Returns false when (site, site_seq) is already there.
Result<bool> append_row_change(Store& store, const RowChange& c);

// Row changes with log seq > after_seq, in log order, at most `limit`. When `centers` is given,
// only those owned by one of them (routing); when `site` is given, only those made by that site
// with site_seq > after_site_seq (what a peer has not acknowledged yet).
struct ChangeQuery {
  std::int64_t after_seq = 0;
  std::size_t limit = 10000;
  std::optional<std::vector<std::string>> centers;
  std::optional<std::string> site;
  std::int64_t after_site_seq = 0;
  std::optional<std::string> exclude_site;  // leave out changes made by this site
};
Result<std::vector<RowChange>> read_changes(Store& store, const ChangeQuery& q);

// Every row change to the rows whose ids `row_ids` selects (SQL, a SELECT of ids with ?1 bound
// to `param`), in (hlc, site) order: a row's or a group of rows' audit trail.
Result<std::vector<RowChange>> read_row_changes(Store& store, const std::string& row_ids, const std::string& param);

// The stored values of a row by column position, or nullopt when there is no such row.
Result<std::optional<std::vector<Value>>> stored_row(Store& store, int table, const std::string& row_id);

}  // namespace epsync
