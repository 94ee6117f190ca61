// Merge (SPEC §4): applies row changes made elsewhere. Per-cell last-writer-wins on (hlc, site);
// idempotent and order-independent, so any set of batches applied in any order, any number of
// times, yields the same state. Lost concurrent writes to safety-relevant columns go to the
// conflict log; per-site high-water marks make a re-sent batch a cheap no-op.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/change_log.h"
#include "storage/schema.h"
#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

class NewRowRun;   // storage/internal/new_rows.h
struct LogRecord;  // storage/internal/log_record.h

struct MergeOptions {
  // Refuse changes stamped further than this ahead of our clock (0: no bound). The hub sets it
  // (SPEC §4, default 5 min) so a centre whose clock is a year fast cannot win every conflict.
  std::int64_t max_ahead_ms = 0;
};

// Counted in cells.
struct MergeStats {
  std::int64_t applied = 0;     // new cells that now hold their place
  std::int64_t superseded = 0;  // new cells recorded but already outranked by a later write
  std::int64_t duplicates = 0;  // cells of row changes this store already had
  std::int64_t conflicts = 0;   // lost concurrent writes logged for review
};

// Where a row change's names point in the model: its table's position and, cell by cell, its
// columns' positions. The hub resolves each change once, when it checks it, and merges with that.
struct ChangeIndex {
  int table = -1;
  std::array<std::int8_t, 64> columns{};  // columns[k]: the position of cell k's column
};

// Checks a row change's shape (known table and columns, origin, sequence, timestamp) without
// touching a store, and resolves its names into `at`. The hub runs it on every change before
// anything is applied.
Status resolve_row_change(const DataModel& model, const RowChange& c, ChangeIndex& at);
Status validate_row_change(const DataModel& model, const RowChange& c);

// Applies row changes inside a StoreTxn the caller owns, so one transaction can take many
// batches (the hub's group commit). Call finish() before committing.
//
// The first writes of new rows, arriving in order, are queued and written many per statement:
// a change handed to apply() must stay alive until the next set_aside() or finish(), and an
// error may surface from a later call than the change's own. Either way the caller rolls back.
class Merger {
 public:
  explicit Merger(StoreTxn& txn, MergeOptions opt = {});
  ~Merger();
  Merger(const Merger&) = delete;
  Merger& operator=(const Merger&) = delete;
  // Applies one row change. A clock-skew refusal (kClockSkew) concerns this change alone and
  // leaves nothing of it applied; the caller may carry on. A change to a row whose stored owner
  // is not the owner it carries fails with kForbidden (see forbidden()). Any other error: roll
  // back.
  Status apply(const RowChange& c);
  // The same for a change the caller has checked and resolved (resolve_row_change).
  Status apply(const RowChange& c, const ChangeIndex& at);
  // Counts a row change as received without applying it (the hub's quarantine), so the changes
  // after it keep flowing and a re-send is recognised as a duplicate.
  Status set_aside(const RowChange& c);
  Status finish();  // writes what is queued and saves the advanced high-water marks
  // The stored values of the row `c` writes to, by column position, as merged so far (first writes
  // still queued are written first); nullopt when the row does not exist yet. For checks that need
  // the row before the change is applied (the hub's row rules and owner check).
  Result<std::optional<std::vector<Value>>> stored_values(const RowChange& c, const ChangeIndex& at);
  // Whether this store already holds `c` by its site's high-water mark (a re-send).
  Result<bool> holds(const RowChange& c);
  const MergeStats& stats() const { return stats_; }  // complete after finish()
  // After an apply() or finish() that failed with kForbidden: the change that wrote a row owned by
  // another centre than the one it claims (it may be an earlier change than the call's own).
  const RowChange* forbidden() const { return forbidden_; }

 private:
  Status flush_new_rows();
  Result<bool> has_early(const std::string& site, std::int64_t site_key);
  // A write to a safety-relevant column that lost to, or overwrote, one made without seeing it.
  struct LostWrite;
  Result<LogRecord> log_record(const RowChange& c, const ChangeIndex& at);
  Result<bool> create_row(const LogRecord& r);
  Status merge_cells(const LogRecord& r);
  Status log_conflicts(const RowChange& c, const TableDef& def, const std::vector<Value>& row,
                       const std::vector<LostWrite>& lost);
  Result<std::int64_t> hwm(const std::string& site);
  Status advance_hwm(const std::string& site, std::int64_t site_key, std::int64_t seq);
  Result<bool> outranks(HlcTime a_hlc, const std::string& a_site, HlcTime b_hlc, std::int64_t b_site);
  Result<std::string> operator_of(const std::string& row_id, std::int64_t site, HlcTime hlc);

  StoreTxn& txn_;
  MergeOptions opt_;
  std::unordered_map<std::string, std::int64_t> hwm_;
  std::unordered_map<std::string, bool> dirty_;
  // Sites with changes stored beyond their high-water mark (arrived out of order). Starts
  // pessimistic for a site whose log this merger has not seen in order yet.
  std::unordered_map<std::string, bool> early_;
  std::unique_ptr<NewRowRun> new_rows_;
  MergeStats stats_;
  const RowChange* forbidden_ = nullptr;
};

// Applies a batch in its own transaction: all of it or, on error, none of it.
Result<MergeStats> merge_batch(Store& store, const std::vector<RowChange>& batch, MergeOptions opt = {});

// The high-water mark this store holds for a site (0 if none).
Result<std::int64_t> site_high_water_mark(Store& store, const std::string& site);

}  // namespace epsync
