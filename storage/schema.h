// The schema mechanism: how a replicated data model is described (tables, columns, types, when a
// lost write is safety-relevant), the lookups the engine runs on it, and the forward migrations
// keyed on PRAGMA user_version. The model itself is the domain's (records/model.h); the engine
// receives it when a store is opened and names none of its tables.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.h"
#include "storage/value.h"

namespace epsync {

class Db;

enum class ColumnType { kText, kInteger };

// When a lost concurrent write to a column goes to the conflict log for human review (SPEC §4).
struct SafetyRule {
  enum class When { kNever, kAlways, kColumnIn };
  When when = When::kNever;
  // kColumnIn: only while column `column` of the same row holds one of `values`. A row whose
  // column has not arrived yet (null) errs on the side of keeping the conflict.
  std::string column;
  std::vector<std::string> values;
  int column_index = -1;  // of `column`, filled by DataModel::index()

  bool possible() const { return when != When::kNever; }
  // Whether a lost write to this column of `row` (values by column position) is logged.
  bool holds_for(const std::vector<Value>& row) const;
};

struct ColumnDef {
  std::string name;
  ColumnType type = ColumnType::kText;
  SafetyRule safety;
};

struct TableDef {
  std::string name;
  bool reference = false;           // hub-owned, routed to every centre
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

// A replicated data model: handed to Store::open, it must outlive every store opened with it.
struct DataModel {
  // Positions are stored in the change log: new tables are only ever appended.
  std::vector<TableDef> tables;
  // migrations[i] is the model's own SQL (indexes, ...) run in the step from user_version i to
  // i + 1, after the engine's SQL for that step (the first step creates the tables above).
  std::vector<std::string> migrations;

  const TableDef* find_table(std::string_view name) const;
  int table_index(std::string_view name) const;  // -1 if unknown
  const TableDef& table(int index) const { return tables[static_cast<std::size_t>(index)]; }
  // The schema this build writes; older stores are migrated forward on open.
  int schema_version() const;
  // Fills the lookups (column slots, safety columns). Call once, after the tables are complete.
  void index();
};

// Owner recorded on reference rows: they belong to no single centre and go to all of them.
inline constexpr std::string_view kReferenceOwner = "*";
// Every replicated row carries these besides its own columns: the owner first, the tombstone.
inline constexpr std::string_view kOwnerColumn = "center_id";
inline constexpr std::string_view kDeletedColumn = "deleted";  // the replicated tombstone
// The local (not replicated) column of each replicated table holding its cells' versions.
inline constexpr std::string_view kVersionsColumn = "versions";

// PRAGMA application_id of an epsync store ("EPSY").
inline constexpr int kApplicationId = 0x45505359;

// Applies every migration from the store's user_version up to `target` (default: latest), each
// in its own transaction. Refuses a store whose version is newer than this build knows.
Status migrate(Db& db, const DataModel& model, int target = -1);

// The guard trigger calls this SQL function; it is registered on each epsync connection and is
// true only while change capture or merge is writing. Anything else is refused.
inline constexpr const char* kCaptureGuardFunction = "epsync_capture_active";

}  // namespace epsync
