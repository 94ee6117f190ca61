// Change capture (SPEC §4): every local insert, update and delete of a replicated table writes one
// change record per column, in the same transaction as the row. A Change is also the unit that
// travels between sites and that merge.h applies.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/hlc.h"
#include "storage/status.h"
#include "storage/store.h"
#include "storage/value.h"

namespace epsync {

struct Change {
  std::string table;
  std::string row_id;
  std::string column;
  Value value;
  HlcTime hlc = 0;
  std::string site;           // the site that made the change
  std::int64_t site_seq = 0;  // its position in that site's contiguous sequence (1, 2, ...)
  HlcTime prev_hlc = 0;       // the version the writer overwrote; 0 and "" for an empty cell
  std::string prev_site;
  std::string center;         // the row's owner: a centre id, or kReferenceOwner
  std::string op;             // operator: who made it (an account name, never trainee data)
  std::int64_t seq = 0;       // position in the log it was read from; local, not replicated

  bool operator==(const Change&) const = default;
};

using Columns = std::vector<std::pair<std::string, Value>>;

// The version that currently wins a cell, if the cell has ever been written.
struct CellVersion {
  HlcTime hlc = 0;
  std::string site;
  Value value;
};

// A local write with change capture. Validation of the values is the caller's job (it knows the
// field names the user typed); this checks only that tables and columns exist.
class WriteTxn {
 public:
  explicit WriteTxn(Store& s) : txn_(s) {}
  Status begin() { return txn_.begin(); }
  Status commit() { return txn_.commit(); }

  // A new row owned by `center`; every given column becomes a change record.
  Status insert(const std::string& table, const std::string& row_id, const std::string& center,
                const Columns& cols);
  // Changes the given columns; only values that differ are recorded. NotFound if no such row.
  Status update(const std::string& table, const std::string& row_id, const Columns& cols);
  // Marks the row deleted: a replicated tombstone, never a physical DELETE.
  Status remove(const std::string& table, const std::string& row_id);

  std::int64_t changes_written() const { return written_; }
  StoreTxn& store_txn() { return txn_; }

 private:
  Status record(const std::string& table, const std::string& row_id, const std::string& center,
                const std::string& column, const Value& v);
  StoreTxn txn_;
  std::int64_t written_ = 0;
};

// Appends one change to the log. Returns false when (site, site_seq) is already there.
Result<bool> append_change(Db& db, const Change& c);

Result<std::optional<CellVersion>> cell_winner(Db& db, const std::string& table,
                                               const std::string& row_id, const std::string& column);

// Changes with log seq > after_seq, in log order, at most `limit`. When `centers` is given, only
// changes owned by one of those (routing); when `site` is given, only changes made by that site
// with site_seq > after_site_seq (what a peer has not acknowledged yet).
struct ChangeQuery {
  std::int64_t after_seq = 0;
  std::size_t limit = 10000;
  std::optional<std::vector<std::string>> centers;
  std::optional<std::string> site;
  std::int64_t after_site_seq = 0;
};
Result<std::vector<Change>> read_changes(Db& db, const ChangeQuery& q);

}  // namespace epsync
