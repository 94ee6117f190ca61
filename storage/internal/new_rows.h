// Internal to storage/: first writes of rows new to this store, written many per statement. A
// catch-up is mostly such writes, and one multi-row INSERT per 64 of them keeps SQLite's cursors
// open across rows instead of opening, seeking and closing them per row (B2b 1.6 s -> see
// docs/BENCHMARKS.md).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "storage/change_log.h"
#include "storage/internal/log_record.h"
#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

class NewRowRun {
 public:
  static constexpr std::size_t kMaxQueued = 512;

  explicit NewRowRun(Store& store) : store_(store) {}
  bool empty() const { return queued_.empty(); }
  bool full() const { return queued_.size() >= kMaxQueued; }
  // A run holds each row once: a second write to a queued row must wait for the flush.
  bool holds(std::string_view row_id) const { return ids_.count(row_id) > 0; }
  // Queues a received change's record (it points into the RowChange, which the caller keeps
  // alive until the run is flushed). The caller has checked that the change is the next of its
  // site (so its log record cannot exist yet) and that it carries the row's owner (so it can
  // create the row).
  void add(LogRecord row);

  // Appends the queued log records in order, then creates the rows. A row that exists after all
  // (it was written here before its first write arrived) goes to `existing` to be merged.
  // `applied` counts the cells of the rows created.
  Status flush(const std::function<Status(const LogRecord&)>& existing, std::int64_t& applied);

 private:
  Status append_logs();
  Status create_rows(int table, const std::vector<const LogRecord*>& rows,
                     const std::function<Status(const LogRecord&)>& existing, std::int64_t& applied);

  Store& store_;
  std::vector<LogRecord> queued_;
  std::unordered_set<std::string_view> ids_;  // into the queued changes
};

}  // namespace epsync
