#include "storage/merge.h"

#include "storage/schema.h"

namespace epsync {

namespace {

bool outranks(HlcTime a_hlc, const std::string& a_site, HlcTime b_hlc, const std::string& b_site) {
  return a_hlc != b_hlc ? a_hlc > b_hlc : a_site > b_site;
}

}  // namespace

Result<std::int64_t> Merger::hwm(const std::string& site) {
  auto it = hwm_.find(site);
  if (it != hwm_.end()) return it->second;
  auto st = txn_.db().cached("SELECT hwm FROM site_hwm WHERE site = ?");
  if (!st.ok()) return st.status();
  (*st)->bind(1, site);
  auto row = (*st)->step();
  if (!row.ok()) return row.status();
  std::int64_t v = row.value() ? (*st)->column_int(0) : 0;
  (*st)->reset();
  hwm_[site] = v;
  return v;
}

Status Merger::advance_hwm(const std::string& site, std::int64_t seq) {
  auto cur = hwm(site);
  if (!cur.ok()) return cur.status();
  if (seq != cur.value() + 1) return Status::Ok();  // a gap remains below this change
  std::int64_t h = seq;
  // Changes that arrived early (out of order) may now extend the contiguous prefix.
  auto st = txn_.db().cached("SELECT 1 FROM change_log WHERE site = ? AND site_seq = ?");
  if (!st.ok()) return st.status();
  for (;;) {
    (*st)->bind(1, site).bind(2, h + 1);
    auto row = (*st)->step();
    if (!row.ok()) return row.status();
    bool more = row.value();
    (*st)->reset();
    if (!more) break;
    ++h;
  }
  hwm_[site] = h;
  dirty_[site] = true;
  return Status::Ok();
}

Status Merger::finish() {
  auto st = txn_.db().cached(
      "INSERT INTO site_hwm (site, hwm) VALUES (?, ?) "
      "ON CONFLICT (site) DO UPDATE SET hwm = max(hwm, excluded.hwm)");
  if (!st.ok()) return st.status();
  for (const auto& [site, dirty] : dirty_) {
    if (!dirty) continue;
    (*st)->bind(1, site).bind(2, hwm_[site]);
    EPSYNC_RETURN_IF_ERROR((*st)->run());
  }
  dirty_.clear();
  return Status::Ok();
}

Result<bool> Merger::is_safety_relevant(const Change& c) {
  const TableDef* t = find_table(c.table);
  const ColumnDef* col = t ? t->column(c.column) : nullptr;
  if (!col || !col->safety_relevant) return false;
  if (c.table != "document_check") return true;
  // Only the criminal-record and immigration-record statuses are safety-relevant. If the row's
  // kind has not arrived yet, err on the side of keeping the conflict.
  auto st = txn_.db().cached("SELECT kind FROM document_check WHERE id = ?");
  if (!st.ok()) return st.status();
  (*st)->bind(1, c.row_id);
  auto row = (*st)->step();
  if (!row.ok()) return row.status();
  bool relevant = true;
  if (row.value() && !(*st)->column_is_null(0)) {
    std::string kind = (*st)->column_text(0);
    relevant = kind == "criminal-record" || kind == "immigration-record";
  }
  (*st)->reset();
  return relevant;
}

Status Merger::note_conflict(const Change& winner, const Change& loser) {
  auto st = txn_.db().cached(
      "INSERT OR IGNORE INTO conflict (detected_hlc, tbl, row_id, col, center, winner_val, "
      "winner_hlc, winner_site, loser_val, loser_hlc, loser_site, loser_operator) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  Stmt& s = **st;
  s.bind(1, txn_.store().clock().last()).bind(2, loser.table).bind(3, loser.row_id);
  s.bind(4, loser.column).bind(5, loser.center).bind(6, winner.value).bind(7, winner.hlc);
  s.bind(8, winner.site).bind(9, loser.value).bind(10, loser.hlc).bind(11, loser.site);
  s.bind(12, loser.op);
  return s.run();
}

Status Merger::apply(const Change& c, MergeStats& stats) {
  const TableDef* t = find_table(c.table);
  if (!t) return Status::InvalidInput("change for unknown table '" + c.table + "'");
  if (c.column == "id" || !t->column(c.column))
    return Status::InvalidInput("change for unknown column '" + c.column + "' in " + c.table);
  if (c.site.empty() || c.site_seq <= 0 || c.row_id.empty() || c.hlc <= 0)
    return Status::InvalidInput("change without a valid origin, sequence, row id or timestamp");

  auto h = hwm(c.site);
  if (!h.ok()) return h.status();
  if (c.site_seq <= h.value()) {
    ++stats.duplicates;
    return Status::Ok();
  }
  EPSYNC_RETURN_IF_ERROR(txn_.store().clock().observe(c.hlc, opt_.max_ahead_ms));

  Db& db = txn_.db();
  auto current = cell_winner(db, c.table, c.row_id, c.column);
  if (!current.ok()) return current.status();
  auto added = append_change(db, c);
  if (!added.ok()) return added.status();
  if (!added.value()) {  // arrived before, out of order
    ++stats.duplicates;
    return Status::Ok();
  }
  EPSYNC_RETURN_IF_ERROR(advance_hwm(c.site, c.site_seq));

  const auto& w = current.value();
  bool wins = !w || outranks(c.hlc, c.site, w->hlc, w->site);
  if (wins) {
    auto ins = db.cached("INSERT OR IGNORE INTO " + c.table + " (id) VALUES (?)");
    if (!ins.ok()) return ins.status();
    (*ins)->bind(1, c.row_id);
    EPSYNC_RETURN_IF_ERROR((*ins)->run());
    auto set = db.cached("UPDATE " + c.table + " SET " + c.column + " = ? WHERE id = ?");
    if (!set.ok()) return set.status();
    (*set)->bind(1, c.value).bind(2, c.row_id);
    EPSYNC_RETURN_IF_ERROR((*set)->run());
    ++stats.applied;
  } else {
    ++stats.superseded;
  }

  if (!w) return Status::Ok();
  auto relevant = is_safety_relevant(c);
  if (!relevant.ok()) return relevant.status();
  if (!relevant.value()) return Status::Ok();

  Change winner_c, loser_c;
  if (wins) {
    // The incoming write overwrote what we held; it was concurrent unless its writer had seen it.
    if (c.prev_hlc == w->hlc && c.prev_site == w->site) return Status::Ok();
    winner_c = c;
    loser_c = c;
    loser_c.value = w->value;
    loser_c.hlc = w->hlc;
    loser_c.site = w->site;
    loser_c.op.clear();
    auto op = db.cached("SELECT operator FROM change_log WHERE tbl=? AND row_id=? AND col=? AND "
                        "hlc=? AND site=?");
    if (!op.ok()) return op.status();
    (*op)->bind(1, c.table).bind(2, c.row_id).bind(3, c.column).bind(4, w->hlc).bind(5, w->site);
    auto r = (*op)->step();
    if (!r.ok()) return r.status();
    if (r.value()) loser_c.op = (*op)->column_text(0);
    (*op)->reset();
  } else {
    // The incoming write lost; it was concurrent unless a later write here had overwritten it.
    auto seen = db.cached("SELECT 1 FROM change_log WHERE tbl=? AND row_id=? AND col=? AND "
                          "prev_hlc=? AND prev_site=? LIMIT 1");
    if (!seen.ok()) return seen.status();
    (*seen)->bind(1, c.table).bind(2, c.row_id).bind(3, c.column).bind(4, c.hlc).bind(5, c.site);
    auto r = (*seen)->step();
    if (!r.ok()) return r.status();
    bool overwritten_knowingly = r.value();
    (*seen)->reset();
    if (overwritten_knowingly) return Status::Ok();
    winner_c = c;
    winner_c.value = w->value;
    winner_c.hlc = w->hlc;
    winner_c.site = w->site;
    loser_c = c;
  }
  ++stats.conflicts;
  return note_conflict(winner_c, loser_c);
}

Result<MergeStats> merge_batch(Store& store, const std::vector<Change>& batch, MergeOptions opt) {
  StoreTxn txn(store);
  EPSYNC_RETURN_IF_ERROR(txn.begin());
  Merger merger(txn, opt);
  MergeStats stats;
  for (const auto& c : batch) EPSYNC_RETURN_IF_ERROR(merger.apply(c, stats));
  EPSYNC_RETURN_IF_ERROR(merger.finish());
  EPSYNC_RETURN_IF_ERROR(txn.commit());
  return stats;
}

Result<std::int64_t> site_high_water_mark(Store& store, const std::string& site) {
  auto st = store.db().cached("SELECT hwm FROM site_hwm WHERE site = ?");
  if (!st.ok()) return st.status();
  (*st)->bind(1, site);
  auto row = (*st)->step();
  if (!row.ok()) return row.status();
  std::int64_t v = row.value() ? (*st)->column_int(0) : 0;
  (*st)->reset();
  return v;
}

}  // namespace epsync
