// Internal to storage/: the change log record as stored, with interned site keys and column
// positions, shared by capture (change_log.cpp) and merge (merge.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/hlc.h"
#include "storage/row_change.h"
#include "storage/status.h"
#include "storage/store.h"
#include "storage/value.h"

namespace epsync {

struct LogCell {
  int column = 0;  // position in TableDef::columns
  const Value* value = nullptr;  // owned by the row change or row being recorded
  HlcTime prev_hlc = 0;
  std::int64_t prev_site = 0;  // site key, 0 when the cell was empty
};

// A row change as this store's log holds it: the table and columns by position, sites by key.
// Its strings are pointers, not copies: records are built on the hot path of merge, and point
// into the RowChange received (`change`, for merge) or the row being captured.
struct LogRecord {
  int table = 0;
  const std::string* row_id = nullptr;
  const std::string* center = nullptr;
  HlcTime hlc = 0;
  std::int64_t site = 0;  // site key
  std::int64_t site_seq = 0;
  const std::string* op = nullptr;
  std::vector<LogCell> cells;
  const RowChange* change = nullptr;  // the received change it was resolved from; null when captured
};

std::string pack_log_body(const std::vector<LogCell>& cells);

// The columns read_log_rows expects, in order.
inline constexpr const char* kLogColumns = "seq, site, site_seq, tbl, row_id, center, hlc, operator, body";
// Decodes every row of a statement that selects kLogColumns from change_log.
Result<std::vector<RowChange>> read_log_rows(Store& store, Stmt& s);
// False when (site, site_seq) is already in the log.
Result<bool> append_log(Store& store, const LogRecord& r);

}  // namespace epsync
