#include "storage/change_log.h"

#include "storage/internal/log_record.h"
#include "storage/internal/pack.h"
#include "storage/internal/row_state.h"
#include "storage/schema.h"

namespace epsync {

namespace {

// Table and column names are never bound parameters in SQL, so every one that reaches a
// statement is first checked against the schema registry.
Result<int> known_table(const DataModel& model, const std::string& table) {
  int t = model.table_index(table);
  if (t < 0) return Status::InvalidInput("unknown table '" + table + "'");
  return t;
}

Result<int> known_column(const TableDef& t, const std::string& column) {
  int i = t.column_index(column);
  if (i < 0) return Status::InvalidInput("unknown column '" + column + "' in table " + t.name);
  return i;
}

}  // namespace

// ---- the log record ----

std::string pack_log_body(const std::vector<LogCell>& cells) {
  // Sized once: grown byte by byte, a typical body was reallocated four times.
  std::size_t size = 0;
  for (const auto& c : cells) {
    size += 32;  // column, tag, a number and the previous version as varints: at most 25
    if (auto* t = std::get_if<std::string>(c.value)) size += t->size();
  }
  std::string body;
  body.reserve(size);
  for (const auto& c : cells) {
    pack::put_varint(body, static_cast<std::uint64_t>(c.column));
    pack::put_value(body, *c.value);
    pack::put_varint(body, static_cast<std::uint64_t>(c.prev_hlc));
    pack::put_varint(body, static_cast<std::uint64_t>(c.prev_site));
  }
  return body;
}

Result<bool> append_log(Store& store, const LogRecord& r) {
  auto st = store.db().cached(
      "INSERT OR IGNORE INTO change_log (site, site_seq, tbl, row_id, center, hlc, operator, body) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  Stmt& s = **st;
  const std::string body = pack_log_body(r.cells);
  s.bind(1, r.site).bind(2, r.site_seq).bind(3, r.table).bind_ref(4, *r.row_id).bind_ref(5, *r.center);
  s.bind(6, r.hlc).bind_ref(7, *r.op).bind_blob_ref(8, body);
  EPSYNC_RETURN_IF_ERROR(s.run());
  return store.db().changes() > 0;
}

Result<bool> append_row_change(Store& store, const RowChange& c) {
  auto t = known_table(store.model(), c.table);
  if (!t.ok()) return t.status();
  const TableDef& def = store.model().table(t.value());
  auto site = store.site_key(c.site);
  if (!site.ok()) return site.status();
  std::vector<LogCell> cells;
  for (const auto& cell : c.cells) {
    auto i = known_column(def, cell.column);
    if (!i.ok()) return i.status();
    std::int64_t prev_site = 0;
    if (!cell.prev_site.empty()) {
      auto k = store.site_key(cell.prev_site);
      if (!k.ok()) return k.status();
      prev_site = k.value();
    }
    cells.push_back({i.value(), &cell.value, cell.prev_hlc, prev_site});
  }
  return append_log(store, {t.value(), &c.row_id, &c.center, c.hlc, site.value(), c.site_seq, &c.op, std::move(cells), &c});
}

// ---- capture ----

namespace {

// Records one local row change: the row itself and its log record, with fresh versions.
Status capture(StoreTxn& txn, int table, const std::string& row_id, RowState& row,
               std::uint64_t changed, std::int64_t& written) {
  Store& store = txn.store();
  auto me = store.site_key(store.site_id());
  if (!me.ok()) return me.status();
  HlcTime hlc = store.clock().tick();
  LogRecord record{table, &row_id, nullptr, hlc, me.value(), 0, &store.operator_name(), {}};
  std::vector<LogCell>& cells = record.cells;
  for (size_t i = 0; i < row.values.size(); ++i) {
    if (!(changed & (std::uint64_t{1} << i))) continue;
    CellVersion& v = row.versions[i];
    cells.push_back({static_cast<int>(i), &row.values[i], v.hlc, v.hlc ? v.site : 0});
    v = CellVersion{hlc, me.value(), v.hlc, v.hlc ? v.site : 0};
  }
  if (cells.empty()) return Status::Ok();
  EPSYNC_RETURN_IF_ERROR(store.rows().write(table, row_id, row, changed));
  record.center = &std::get<std::string>(row.values[0]);
  record.site_seq = txn.next_local_seq();
  auto added = append_log(store, record);
  if (!added.ok()) return added.status();
  if (!added.value()) return Status::IoError("change sequence reused: the store's meta is damaged");
  written += static_cast<std::int64_t>(cells.size());
  return Status::Ok();
}

}  // namespace

Status WriteTxn::insert(const std::string& table, const std::string& row_id, const std::string& center,
                        const Columns& cols) {
  if (!txn_.active()) return Status::IoError("write outside a transaction");
  auto t = known_table(txn_.store().model(), table);
  if (!t.ok()) return t.status();
  const TableDef& def = txn_.store().model().table(t.value());
  if (row_id.empty()) return Status::InvalidInput("a row needs an id");
  auto row = txn_.store().rows().load(t.value(), row_id);
  if (!row.ok()) return row.status();
  if (row->exists) return Status::AlreadyExists(table + " row " + row_id + " already exists");
  std::uint64_t changed = 0;
  auto set = [&](int i, const Value& v) {
    row->values[static_cast<size_t>(i)] = v;
    changed |= std::uint64_t{1} << i;
  };
  set(def.column_index(kOwnerColumn), center);
  set(def.column_index(kDeletedColumn), std::int64_t{0});
  for (const auto& [name, value] : cols) {
    auto i = known_column(def, name);
    if (!i.ok()) return i.status();
    if (name == kOwnerColumn || name == kDeletedColumn)
      return Status::InvalidInput(name + " is set by epsync, not by the caller");
    set(i.value(), value);
  }
  return capture(txn_, t.value(), row_id, row.value(), changed, written_);
}

Status WriteTxn::update(const std::string& table, const std::string& row_id, const Columns& cols) {
  if (!txn_.active()) return Status::IoError("write outside a transaction");
  auto t = known_table(txn_.store().model(), table);
  if (!t.ok()) return t.status();
  const TableDef& def = txn_.store().model().table(t.value());
  std::vector<int> indexes;
  for (const auto& [name, value] : cols) {
    auto i = known_column(def, name);
    if (!i.ok()) return i.status();
    if (name == kOwnerColumn) return Status::InvalidInput("the owning centre of a row never changes");
    indexes.push_back(i.value());
  }
  auto row = txn_.store().rows().load(t.value(), row_id);
  if (!row.ok()) return row.status();
  if (!row->exists) return Status::NotFound(table + " row " + row_id + " not found");
  if (!std::holds_alternative<std::string>(row->values[0]))
    return Status::Corrupt(table + " row " + row_id + " has no owner yet; it cannot be edited here");
  std::uint64_t changed = 0;
  for (size_t k = 0; k < cols.size(); ++k) {
    auto i = static_cast<size_t>(indexes[k]);
    if (row->values[i] == cols[k].second) continue;
    row->values[i] = cols[k].second;
    changed |= std::uint64_t{1} << i;
  }
  return capture(txn_, t.value(), row_id, row.value(), changed, written_);
}

Status WriteTxn::remove(const std::string& table, const std::string& row_id) {
  return update(table, row_id, {{std::string(kDeletedColumn), std::int64_t{1}}});
}

// ---- reading ----

Result<std::vector<RowChange>> read_row_changes(Store& store, const std::string& row_ids, const std::string& param) {
  auto st = store.db().prepare(std::string("SELECT ") + kLogColumns + " FROM change_log WHERE row_id IN (" + row_ids +
                               ") ORDER BY hlc, site");
  if (!st.ok()) return st.status();
  st->bind(1, param);
  return read_log_rows(store, st.value());
}

Result<std::optional<std::vector<Value>>> stored_row(Store& store, int table, const std::string& row_id) {
  auto row = store.rows().load(table, row_id);
  if (!row.ok()) return row.status();
  if (!row->exists) return std::optional<std::vector<Value>>{};
  return std::optional<std::vector<Value>>{std::move(row->values)};
}

Result<std::vector<RowChange>> read_changes(Store& store, const ChangeQuery& q) {
  std::string sql = std::string("SELECT ") + kLogColumns + " FROM change_log WHERE ";
  std::int64_t site_key = 0;
  if (q.site) {
    auto k = store.known_site_key(*q.site);
    if (!k.ok()) return k.status();
    if (k.value() == 0) return std::vector<RowChange>{};  // nothing from a site never seen
    site_key = k.value();
    sql += "site = ?1 AND site_seq > ?2 ";
  } else {
    sql += "seq > ?1 ";
  }
  std::int64_t excluded = 0;
  if (q.exclude_site) {
    auto k = store.known_site_key(*q.exclude_site);
    if (!k.ok()) return k.status();
    excluded = k.value();
    if (excluded) sql += "AND site != ?4 ";
  }
  if (q.centers) {
    sql += "AND center IN (";
    for (size_t i = 0; i < q.centers->size(); ++i) sql += (i ? ", ?" : "?") + std::to_string(i + 10);
    sql += ") ";
  }
  sql += q.site ? "ORDER BY site_seq LIMIT ?3" : "ORDER BY seq LIMIT ?3";
  auto st = store.db().prepare(sql);
  if (!st.ok()) return st.status();
  Stmt& s = st.value();
  if (q.site) {
    s.bind(1, site_key).bind(2, q.after_site_seq);
  } else {
    s.bind(1, q.after_seq);
  }
  s.bind(3, static_cast<std::int64_t>(q.limit));
  if (excluded) s.bind(4, excluded);
  if (q.centers)
    for (size_t i = 0; i < q.centers->size(); ++i) s.bind(static_cast<int>(i + 10), (*q.centers)[i]);
  return read_log_rows(store, s);
}

}  // namespace epsync
