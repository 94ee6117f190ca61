#include "storage/schema.h"

#include <algorithm>
#include <iterator>
#include <string>

#include "storage/sqlite.h"

namespace epsync {

namespace {

using T = ColumnType;

std::string create_replicated_table(const TableDef& t) {
  // Deliberately permissive: no NOT NULL, CHECK or foreign keys, because a merge must be able to
  // build a row from whichever of its column changes arrive first. Validation happens before a
  // local write and at the hub before a remote one is accepted.
  std::string sql = "CREATE TABLE " + t.name + " (id TEXT PRIMARY KEY NOT NULL";
  for (const auto& c : t.columns) {
    sql += ", " + c.name + (c.type == T::kInteger ? " INTEGER" : " TEXT");
    if (c.name == kDeletedColumn) sql += " NOT NULL DEFAULT 0";
  }
  // Each cell's current version (hlc, site, and the version it overwrote), packed: merge decides
  // last-writer-wins for a whole row from this one read.
  sql += ", " + std::string(kVersionsColumn) + " BLOB);\n";
  for (const char* when : {"INSERT", "UPDATE", "DELETE"}) {
    sql += "CREATE TRIGGER " + t.name + "_guard_" + when + " BEFORE " + when + " ON " + t.name +
           " WHEN NOT " + kCaptureGuardFunction +
           "() BEGIN SELECT RAISE(ABORT, 'epsync: replicated tables are written only through "
           "change capture'); END;\n";
  }
  return sql;
}

// Version 1: the engine's own tables, then the model's replicated tables (and its own SQL).
const char* kSchemaV1 = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value ANY) STRICT;

-- Site ids (128-bit, hex) interned to small integers for compact local storage.
CREATE TABLE site (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE) STRICT;

-- Every row change this store knows, local or received: one record per row and write, holding
-- that write's cells (body, packed). The replicated state is the per-cell last-writer-wins fold
-- of this log. seq is this store's own order ("everything after N"); (site, site_seq) names a
-- row change everywhere; site_seq counts a site's row changes 1, 2, 3...
CREATE TABLE change_log (
  seq INTEGER PRIMARY KEY,
  site INTEGER NOT NULL REFERENCES site (id),
  site_seq INTEGER NOT NULL,
  tbl INTEGER NOT NULL,
  row_id TEXT NOT NULL,
  center TEXT NOT NULL,
  hlc INTEGER NOT NULL,
  operator TEXT NOT NULL DEFAULT '',
  body BLOB NOT NULL,
  UNIQUE (site, site_seq)
) STRICT;
CREATE INDEX change_log_center ON change_log (center, seq);
CREATE INDEX change_log_row ON change_log (row_id);

-- Contiguous prefix of each origin site's row changes held here: a re-sent batch is a no-op.
CREATE TABLE site_hwm (site TEXT PRIMARY KEY NOT NULL, hwm INTEGER NOT NULL) STRICT;

-- Concurrent writes to safety-relevant columns whose value lost; kept for human review.
CREATE TABLE conflict (
  id INTEGER PRIMARY KEY,
  detected_hlc INTEGER NOT NULL,
  tbl TEXT NOT NULL, row_id TEXT NOT NULL, col TEXT NOT NULL, center TEXT NOT NULL,
  winner_val ANY, winner_hlc INTEGER NOT NULL, winner_site TEXT NOT NULL,
  loser_val ANY, loser_hlc INTEGER NOT NULL, loser_site TEXT NOT NULL,
  loser_operator TEXT NOT NULL DEFAULT '',
  resolved_hlc INTEGER, resolution TEXT,
  UNIQUE (tbl, row_id, col, loser_hlc, loser_site)
) STRICT;
)sql";

// Version 2: what sync keeps beside the replicated data.
const char* kSchemaV2 = R"sql(
-- Hub: row changes that were well formed and authorised but failed validation, set aside with
-- their reason (SPEC §4 quarantine). `change` is the row change as it arrived (msgpack).
CREATE TABLE quarantine (
  id INTEGER PRIMARY KEY,
  received_ms INTEGER NOT NULL,
  center TEXT NOT NULL, site TEXT NOT NULL, site_seq INTEGER NOT NULL,
  tbl TEXT NOT NULL, row_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  change BLOB NOT NULL,
  UNIQUE (site, site_seq)
) STRICT;
-- Hub: each centre's health from its last heartbeat (SPEC §4).
CREATE TABLE center_health (
  center TEXT PRIMARY KEY NOT NULL,
  site TEXT NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  agent_version TEXT NOT NULL,
  pending INTEGER NOT NULL,
  last_site_seq INTEGER NOT NULL,
  oldest_pending_age_s INTEGER NOT NULL,
  clock_offset_ms INTEGER NOT NULL,
  free_disk_bytes INTEGER NOT NULL,
  cert_expires_at INTEGER NOT NULL,
  last_error TEXT NOT NULL
) STRICT;
-- Agent: the hub's word that some of our row changes were set aside, for `epsync status`.
CREATE TABLE quarantine_notice (
  site_seq INTEGER PRIMARY KEY,
  reason TEXT NOT NULL,
  received_ms INTEGER NOT NULL
) STRICT;
)sql";

// Version 3: the hub's trust boundary (SPEC §4 authorisation).
const char* kSchemaV3 = R"sql(
-- Hub: the centre each site id belongs to, bound when a verified certificate first presents it
-- (the hub's own sites belong to HUB). A hello for a site bound to another centre is refused.
CREATE TABLE site_owner (
  site TEXT PRIMARY KEY NOT NULL,
  center TEXT NOT NULL,
  bound_ms INTEGER NOT NULL
) STRICT;
-- Hub: row changes refused for good (malformed, or forbidden to their sender), by the name
-- (site, site_seq) the agent sends them under. The refused batch left nothing else behind; when
-- the agent sends the change again it is set aside like a quarantined one, so the queue behind
-- it flows. `change` is the row change as it arrived (msgpack), for the administrator.
CREATE TABLE refused (
  site TEXT NOT NULL, site_seq INTEGER NOT NULL,
  center TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  code TEXT NOT NULL,
  reason TEXT NOT NULL,
  change BLOB NOT NULL,
  PRIMARY KEY (site, site_seq)
) STRICT;
)sql";

// kEngineMigrations[i] takes a store from user_version i to i+1. Never edit a released one; append.
const char* const kEngineMigrations[] = {kSchemaV1, kSchemaV2, kSchemaV3};
constexpr int kEngineVersions = static_cast<int>(sizeof kEngineMigrations / sizeof kEngineMigrations[0]);

// The SQL of the step from user_version `v` to v + 1: the engine's, then the model's.
std::string migration(const DataModel& model, int v) {
  std::string sql = v < kEngineVersions ? kEngineMigrations[v] : "";
  if (v == 0)
    for (const auto& t : model.tables) sql += create_replicated_table(t);
  if (static_cast<std::size_t>(v) < model.migrations.size()) sql += model.migrations[static_cast<std::size_t>(v)];
  return sql;
}

}  // namespace

const ColumnDef* TableDef::column(std::string_view n) const {
  for (const auto& c : columns)
    if (c.name == n) return &c;
  return nullptr;
}

std::size_t TableDef::name_slot(std::string_view n) {
  return (n.size() * 31 + static_cast<unsigned char>(n.front()) * 7 + static_cast<unsigned char>(n.back())) & 63;
}

int TableDef::column_index(std::string_view n) const {
  if (n.empty()) return -1;
  const int slot = by_slot[name_slot(n)];
  if (slot < 0) return -1;
  if (slot > 0) return columns[static_cast<size_t>(slot - 1)].name == n ? slot - 1 : -1;
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == n) return static_cast<int>(i);
  return -1;
}

bool SafetyRule::holds_for(const std::vector<Value>& row) const {
  switch (when) {
    case When::kNever:
      return false;
    case When::kAlways:
      return true;
    case When::kColumnIn: {
      if (column_index < 0) return true;
      const auto* v = std::get_if<std::string>(&row[static_cast<std::size_t>(column_index)]);
      if (!v) return true;
      for (const auto& allowed : values)
        if (*v == allowed) return true;
      return false;
    }
  }
  return true;
}

int DataModel::table_index(std::string_view name) const {
  for (size_t i = 0; i < tables.size(); ++i)
    if (tables[i].name == name) return static_cast<int>(i);
  return -1;
}

const TableDef* DataModel::find_table(std::string_view name) const {
  const int i = table_index(name);
  return i < 0 ? nullptr : &tables[static_cast<size_t>(i)];
}

int DataModel::schema_version() const {
  return std::max(kEngineVersions, static_cast<int>(migrations.size()));
}

void DataModel::index() {
  for (auto& t : tables) {
    // Two names sharing a slot leave it 0, so lookups there scan.
    t.by_slot.fill(-1);
    for (size_t i = 0; i < t.columns.size(); ++i) {
      auto& slot = t.by_slot[TableDef::name_slot(t.columns[i].name)];
      slot = slot == -1 ? static_cast<std::int8_t>(i + 1) : 0;
    }
    for (auto& c : t.columns)
      if (c.safety.when == SafetyRule::When::kColumnIn) c.safety.column_index = t.column_index(c.safety.column);
  }
}

Status migrate(Db& db, const DataModel& model, int target) {
  const int latest = model.schema_version();
  if (target < 0) target = latest;
  auto st = db.prepare("PRAGMA user_version");
  if (!st.ok()) return st.status();
  auto row = st->step();
  if (!row.ok()) return row.status();
  int version = static_cast<int>(st->column_int(0));
  st->reset();
  if (version > latest)
    return Status::Version("store schema version " + std::to_string(version) +
                           " is newer than this epsync understands (" +
                           std::to_string(latest) + "); upgrade epsync");
  for (int v = version; v < target; ++v) {
    Txn txn(db);
    EPSYNC_RETURN_IF_ERROR(txn.begin());
    EPSYNC_RETURN_IF_ERROR(db.exec(migration(model, v)).prefixed(
        "migrating schema " + std::to_string(v) + " -> " + std::to_string(v + 1)));
    EPSYNC_RETURN_IF_ERROR(db.exec("PRAGMA application_id = " + std::to_string(kApplicationId) +
                                   "; PRAGMA user_version = " + std::to_string(v + 1)));
    EPSYNC_RETURN_IF_ERROR(txn.commit());
  }
  return Status::Ok();
}

}  // namespace epsync
