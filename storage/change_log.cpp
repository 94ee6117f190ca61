#include "storage/change_log.h"

#include "storage/schema.h"

namespace epsync {

namespace {

// Table and column names are never bound parameters in SQL, so every one that reaches a
// statement is first checked against the schema registry.
Result<const TableDef*> known_table(const std::string& table) {
  const TableDef* t = find_table(table);
  if (!t) return Status::InvalidInput("unknown table '" + table + "'");
  return t;
}

Status known_column(const TableDef& t, const std::string& column) {
  if (column == "id" || !t.column(column))
    return Status::InvalidInput("unknown column '" + column + "' in table " + t.name);
  return Status::Ok();
}

Change change_from_row(const Stmt& st) {
  Change c;
  c.seq = st.column_int(0);
  c.table = st.column_text(1);
  c.row_id = st.column_text(2);
  c.column = st.column_text(3);
  c.value = st.column_value(4);
  c.hlc = st.column_int(5);
  c.site = st.column_text(6);
  c.site_seq = st.column_int(7);
  c.prev_hlc = st.column_is_null(8) ? 0 : st.column_int(8);
  c.prev_site = st.column_text(9);
  c.center = st.column_text(10);
  c.op = st.column_text(11);
  return c;
}

}  // namespace

Result<bool> append_change(Db& db, const Change& c) {
  auto st = db.cached(
      "INSERT OR IGNORE INTO change_log (tbl, row_id, col, val, hlc, site, site_seq, prev_hlc, "
      "prev_site, center, operator) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  Stmt& s = **st;
  s.bind(1, c.table).bind(2, c.row_id).bind(3, c.column).bind(4, c.value).bind(5, c.hlc);
  s.bind(6, c.site).bind(7, c.site_seq);
  if (c.prev_hlc != 0) s.bind(8, c.prev_hlc).bind(9, c.prev_site);
  s.bind(10, c.center).bind(11, c.op);
  EPSYNC_RETURN_IF_ERROR(s.run());
  return db.changes() > 0;
}

Result<std::optional<CellVersion>> cell_winner(Db& db, const std::string& table,
                                               const std::string& row_id,
                                               const std::string& column) {
  auto st = db.cached(
      "SELECT hlc, site, val FROM change_log WHERE tbl = ? AND row_id = ? AND col = ? "
      "ORDER BY hlc DESC, site DESC LIMIT 1");
  if (!st.ok()) return st.status();
  Stmt& s = **st;
  s.bind(1, table).bind(2, row_id).bind(3, column);
  auto row = s.step();
  if (!row.ok()) return row.status();
  std::optional<CellVersion> out;
  if (row.value()) out = CellVersion{s.column_int(0), s.column_text(1), s.column_value(2)};
  s.reset();
  return out;
}

Status WriteTxn::record(const std::string& table, const std::string& row_id,
                        const std::string& center, const std::string& column, const Value& v) {
  Store& store = txn_.store();
  auto prev = cell_winner(store.db(), table, row_id, column);
  if (!prev.ok()) return prev.status();
  Change c;
  c.table = table;
  c.row_id = row_id;
  c.column = column;
  c.value = v;
  c.hlc = store.clock().tick();
  c.site = store.site_id();
  c.site_seq = txn_.next_local_seq();
  if (prev.value()) {
    c.prev_hlc = prev.value()->hlc;
    c.prev_site = prev.value()->site;
  }
  c.center = center;
  c.op = store.operator_name();
  auto added = append_change(store.db(), c);
  if (!added.ok()) return added.status();
  if (!added.value()) return Status::IoError("change sequence reused: the store's meta is damaged");
  ++written_;
  return Status::Ok();
}

Status WriteTxn::insert(const std::string& table, const std::string& row_id,
                        const std::string& center, const Columns& cols) {
  if (!txn_.active()) return Status::IoError("write outside a transaction");
  auto t = known_table(table);
  if (!t.ok()) return t.status();
  std::string names = "id, center_id, deleted", params = "?, ?, 0";
  for (const auto& [name, value] : cols) {
    EPSYNC_RETURN_IF_ERROR(known_column(*t.value(), name));
    if (name == kOwnerColumn || name == kDeletedColumn)
      return Status::InvalidInput(name + " is set by epsync, not by the caller");
    names += ", " + name;
    params += ", ?";
  }
  Db& db = txn_.db();
  auto st = db.cached("INSERT INTO " + table + " (" + names + ") VALUES (" + params + ")");
  if (!st.ok()) return st.status();
  Stmt& s = **st;
  s.bind(1, row_id).bind(2, center);
  int i = 3;
  for (const auto& [name, value] : cols) s.bind(i++, value);
  Status run = s.run();
  if (!run.ok()) {
    if (run.code() == Status::Code::kInvalidInput)
      return Status::AlreadyExists(table + " row " + row_id + " already exists");
    return run;
  }
  EPSYNC_RETURN_IF_ERROR(record(table, row_id, center, std::string(kOwnerColumn), center));
  EPSYNC_RETURN_IF_ERROR(record(table, row_id, center, std::string(kDeletedColumn), std::int64_t{0}));
  for (const auto& [name, value] : cols)
    EPSYNC_RETURN_IF_ERROR(record(table, row_id, center, name, value));
  return Status::Ok();
}

Status WriteTxn::update(const std::string& table, const std::string& row_id, const Columns& cols) {
  if (!txn_.active()) return Status::IoError("write outside a transaction");
  auto t = known_table(table);
  if (!t.ok()) return t.status();
  Db& db = txn_.db();
  for (const auto& [name, value] : cols) {
    EPSYNC_RETURN_IF_ERROR(known_column(*t.value(), name));
    if (name == kOwnerColumn) return Status::InvalidInput("the owning centre of a row never changes");
  }
  auto cur = db.cached("SELECT center_id FROM " + table + " WHERE id = ?");
  if (!cur.ok()) return cur.status();
  (*cur)->bind(1, row_id);
  auto found = (*cur)->step();
  if (!found.ok()) return found.status();
  if (!found.value()) return Status::NotFound(table + " row " + row_id + " not found");
  std::string center = (*cur)->column_text(0);
  (*cur)->reset();

  for (const auto& [name, value] : cols) {
    auto get = db.cached("SELECT " + name + " FROM " + table + " WHERE id = ?");
    if (!get.ok()) return get.status();
    (*get)->bind(1, row_id);
    auto r = (*get)->step();
    if (!r.ok()) return r.status();
    Value old = (*get)->column_value(0);
    (*get)->reset();
    if (old == value) continue;
    auto set = db.cached("UPDATE " + table + " SET " + name + " = ? WHERE id = ?");
    if (!set.ok()) return set.status();
    (*set)->bind(1, value).bind(2, row_id);
    EPSYNC_RETURN_IF_ERROR((*set)->run());
    EPSYNC_RETURN_IF_ERROR(record(table, row_id, center, name, value));
  }
  return Status::Ok();
}

Status WriteTxn::remove(const std::string& table, const std::string& row_id) {
  return update(table, row_id, {{std::string(kDeletedColumn), std::int64_t{1}}});
}

Result<std::vector<Change>> read_changes(Db& db, const ChangeQuery& q) {
  std::string sql =
      "SELECT seq, tbl, row_id, col, val, hlc, site, site_seq, prev_hlc, prev_site, center, "
      "operator FROM change_log WHERE ";
  if (q.site) {
    sql += "site = ?1 AND site_seq > ?2 ";
  } else {
    sql += "seq > ?1 ";
  }
  if (q.centers) {
    sql += "AND center IN (";
    for (size_t i = 0; i < q.centers->size(); ++i) sql += (i ? ", ?" : "?") + std::to_string(i + 10);
    sql += ") ";
  }
  sql += q.site ? "ORDER BY site_seq LIMIT ?3" : "ORDER BY seq LIMIT ?3";
  auto st = db.prepare(sql);
  if (!st.ok()) return st.status();
  Stmt& s = st.value();
  if (q.site) {
    s.bind(1, *q.site).bind(2, q.after_site_seq);
  } else {
    s.bind(1, q.after_seq);
  }
  s.bind(3, static_cast<std::int64_t>(q.limit));
  if (q.centers)
    for (size_t i = 0; i < q.centers->size(); ++i) s.bind(static_cast<int>(i + 10), (*q.centers)[i]);
  std::vector<Change> out;
  for (;;) {
    auto r = s.step();
    if (!r.ok()) return r.status();
    if (!r.value()) break;
    out.push_back(change_from_row(s));
  }
  return out;
}

}  // namespace epsync
