// Internal to storage/: a replicated row as merge and capture see it (values and per-cell
// versions by column position), read and written with prepared statements kept per connection.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/hlc.h"
#include "storage/sqlite.h"
#include "storage/status.h"
#include "storage/value.h"

namespace epsync {

struct DataModel;

// A cell's current version. Sites are the store's interned keys (Store::site_key).
struct CellVersion {
  HlcTime hlc = 0;  // 0: never written
  std::int64_t site = 0;
  HlcTime prev_hlc = 0;  // the version its writer overwrote
  std::int64_t prev_site = 0;
};

struct RowState {
  bool exists = false;
  std::vector<Value> values;          // by column position in TableDef::columns
  std::vector<CellVersion> versions;  // same positions
};

std::string pack_versions(const std::vector<CellVersion>& v);
// False when the blob is damaged.
bool unpack_versions(std::string_view blob, std::vector<CellVersion>& out);

class RowStore {
 public:
  RowStore(Db& db, const DataModel& model) : db_(db), model_(model) {}
  // The row, or a RowState with exists = false and empty cells.
  Result<RowState> load(int table, const std::string& row_id);
  // Inserts the whole row, or updates the cells whose bit is set in `changed`, plus versions.
  Status write(int table, const std::string& row_id, const RowState& row, std::uint64_t changed);
  // Inserts the row unless one with this id exists; false then, and nothing is written. Lets a
  // merge create new rows (the common case in a catch-up) without reading first.
  Result<bool> insert_if_new(int table, const std::string& row_id, const RowState& row);

 private:
  Db& db_;
  const DataModel& model_;
  std::map<int, std::unique_ptr<Stmt>> select_, insert_, insert_new_;
  Stmt* insert_statement(int table, bool if_new);
  std::map<std::pair<int, std::uint64_t>, std::unique_ptr<Stmt>> update_;
};

}  // namespace epsync
