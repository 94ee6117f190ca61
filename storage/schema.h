// The replicated data model of SPEC §3 as data: which tables and columns replicate, which columns
// are safety-relevant for the conflict log, and the forward migrations keyed on PRAGMA user_version.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.h"

namespace epsync {

class Db;

enum class ColumnType { kText, kInteger };

struct ColumnDef {
  std::string name;
  ColumnType type = ColumnType::kText;
  bool safety_relevant = false;  // conflicts on it are logged for human review (SPEC §4)
};

struct TableDef {
  std::string name;
  bool reference = false;           // hub-owned, routed to every centre (center, rules)
  // Every replicated column except `id`, incl. center_id and deleted. Positions are stored in
  // logs and version blobs: new columns are only ever appended.
  std::vector<ColumnDef> columns;
  const ColumnDef* column(std::string_view name) const;
  int column_index(std::string_view name) const;  // -1 if unknown

  // A hub looks up a column for every cell it receives. Slot name_slot(name) holds the column's
  // position + 1, -1 if no column hashes there, 0 (the default) if a full scan is needed.
  std::array<std::int8_t, 64> by_slot{};
  static std::size_t name_slot(std::string_view name);
};

// Owner recorded on reference rows: they belong to no single centre and go to all of them.
inline constexpr std::string_view kReferenceOwner = "*";
// Every replicated row carries these besides its own columns.
inline constexpr std::string_view kOwnerColumn = "center_id";
inline constexpr std::string_view kDeletedColumn = "deleted";  // the replicated tombstone

// Positions are stored in the change log: new tables are only ever appended.
const std::vector<TableDef>& replicated_tables();
const TableDef* find_table(std::string_view name);
int table_index(std::string_view name);  // -1 if unknown
// The local (not replicated) column of each replicated table holding its cells' versions.
inline constexpr std::string_view kVersionsColumn = "versions";

// PRAGMA application_id of an epsync store ("EPSY").
inline constexpr int kApplicationId = 0x45505359;
// The schema this build writes; older stores are migrated forward on open.
int latest_schema_version();

// Applies every migration from the store's user_version up to `target` (default: latest), each
// in its own transaction. Refuses a store whose version is newer than this build knows.
Status migrate(Db& db, int target = -1);

// The guard trigger calls this SQL function; it is registered on each epsync connection and is
// true only while change capture or merge is writing. Anything else is refused.
inline constexpr const char* kCaptureGuardFunction = "epsync_capture_active";

}  // namespace epsync
