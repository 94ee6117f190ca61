#include "storage/merge.h"

#include "storage/internal/log_record.h"
#include "storage/internal/new_rows.h"
#include "storage/internal/row_state.h"
#include "storage/schema.h"

namespace epsync {

Status resolve_row_change(const DataModel& model, const RowChange& c, ChangeIndex& at) {
  at.table = model.table_index(c.table);
  if (at.table < 0) return Status::InvalidInput("change for unknown table '" + c.table + "'");
  const TableDef& t = model.table(at.table);
  if (c.site.empty() || c.site_seq <= 0 || c.row_id.empty() || c.hlc <= 0 || c.center.empty())
    return Status::InvalidInput("change without a valid origin, sequence, row id, owner or timestamp");
  if (c.row_id.size() > 64) return Status::InvalidInput("change with an overlong row id");
  if (c.cells.empty()) return Status::InvalidInput("change without cells");
  std::uint64_t seen = 0;
  for (std::size_t k = 0; k < c.cells.size(); ++k) {
    const CellChange& cell = c.cells[k];
    int i = t.column_index(cell.column);
    if (i < 0) return Status::InvalidInput("change for unknown column '" + cell.column + "' in " + c.table);
    if (seen & (std::uint64_t{1} << i)) return Status::InvalidInput("change names column " + cell.column + " twice");
    seen |= std::uint64_t{1} << i;
    if (cell.column == kOwnerColumn && cell.value != Value(c.center))
      return Status::InvalidInput("change sets an owner other than the one it carries");
    at.columns[k] = static_cast<std::int8_t>(i);  // k < 64: no column is named twice
  }
  return Status::Ok();
}

Status validate_row_change(const DataModel& model, const RowChange& c) {
  ChangeIndex at;
  return resolve_row_change(model, c, at);
}

// A write to a safety-relevant column that lost to, or overwrote, one made without seeing it.
struct Merger::LostWrite {
  int column;
  bool incoming_lost;
  Value loser_value, winner_value;
  CellVersion loser, winner;
};

Merger::Merger(StoreTxn& txn, MergeOptions opt)
    : txn_(txn), opt_(opt), new_rows_(std::make_unique<NewRowRun>(txn.store())) {}
Merger::~Merger() = default;

Result<std::int64_t> Merger::hwm(const std::string& site) {
  auto it = hwm_.find(site);
  if (it != hwm_.end()) return it->second;
  auto v = site_high_water_mark(txn_.store(), site);
  if (!v.ok()) return v.status();
  hwm_[site] = v.value();
  return v.value();
}

Result<bool> Merger::has_early(const std::string& site, std::int64_t site_key) {
  auto known = early_.find(site);
  if (known != early_.end()) return known->second;
  auto cur = hwm(site);
  if (!cur.ok()) return cur.status();
  // Once per site and merger, before this merger adds any of the site's changes: has an
  // earlier merge stored changes beyond the mark?
  auto st = txn_.db().cached("SELECT 1 FROM change_log WHERE site = ? AND site_seq > ? LIMIT 1");
  if (!st.ok()) return st.status();
  (*st)->bind(1, site_key).bind(2, cur.value());
  auto row = (*st)->step();
  if (!row.ok()) return row.status();
  early_[site] = row.value();
  (*st)->reset();
  return row.value();
}

Status Merger::advance_hwm(const std::string& site, std::int64_t site_key, std::int64_t seq) {
  auto cur = hwm(site);
  if (!cur.ok()) return cur.status();
  auto early = has_early(site, site_key);
  if (!early.ok()) return early.status();
  if (seq != cur.value() + 1) {
    early_[site] = true;  // a gap remains below this change
    return Status::Ok();
  }
  std::int64_t h = seq;
  hwm_[site] = h;
  dirty_[site] = true;
  // In-order delivery, the normal case, needs no look-ahead.
  if (!early_[site]) return Status::Ok();
  // Changes that arrived early (out of order) may now extend the contiguous prefix.
  auto st = txn_.db().cached("SELECT 1 FROM change_log WHERE site = ? AND site_seq = ?");
  if (!st.ok()) return st.status();
  for (;;) {
    (*st)->bind(1, site_key).bind(2, h + 1);
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

Status Merger::flush_new_rows() {
  return new_rows_->flush([this](const LogRecord& r) { return merge_cells(r); }, stats_.applied);
}

Status Merger::finish() {
  EPSYNC_RETURN_IF_ERROR(flush_new_rows());
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

Result<bool> Merger::outranks(HlcTime a_hlc, const std::string& a_site, HlcTime b_hlc, std::int64_t b_site) {
  if (a_hlc != b_hlc) return a_hlc > b_hlc;
  auto b = txn_.store().site_uuid(b_site);  // equal timestamps are rare: resolve only then
  if (!b.ok()) return b.status();
  return a_site > b.value();
}

Result<std::string> Merger::operator_of(const std::string& row_id, std::int64_t site, HlcTime hlc) {
  auto st = txn_.db().cached("SELECT operator FROM change_log WHERE row_id = ? AND site = ? AND hlc = ? LIMIT 1");
  if (!st.ok()) return st.status();
  (*st)->bind(1, row_id).bind(2, site).bind(3, hlc);
  auto r = (*st)->step();
  if (!r.ok()) return r.status();
  std::string op = r.value() ? (*st)->column_text(0) : "";
  (*st)->reset();
  return op;
}

Status Merger::apply(const RowChange& c) {
  ChangeIndex at;
  EPSYNC_RETURN_IF_ERROR(resolve_row_change(txn_.store().model(), c, at));
  return apply(c, at);
}

Result<LogRecord> Merger::log_record(const RowChange& c, const ChangeIndex& at) {
  Store& store = txn_.store();
  auto site = store.site_key(c.site);
  if (!site.ok()) return site.status();
  LogRecord r{at.table, &c.row_id, &c.center, c.hlc, site.value(), c.site_seq, &c.op, {}, &c};
  r.cells.reserve(c.cells.size());
  for (std::size_t k = 0; k < c.cells.size(); ++k) {
    const CellChange& cell = c.cells[k];
    std::int64_t prev_site = 0;
    if (!cell.prev_site.empty()) {
      auto key = store.site_key(cell.prev_site);
      if (!key.ok()) return key.status();
      prev_site = key.value();
    }
    r.cells.push_back({at.columns[k], &cell.value, cell.prev_hlc, prev_site});
  }
  return r;
}

Status Merger::apply(const RowChange& c, const ChangeIndex& at) {
  const auto cells = static_cast<std::int64_t>(c.cells.size());
  auto h = hwm(c.site);
  if (!h.ok()) return h.status();
  if (c.site_seq <= h.value()) {
    stats_.duplicates += cells;
    return Status::Ok();
  }
  Store& store = txn_.store();
  EPSYNC_RETURN_IF_ERROR(store.clock().observe(c.hlc, opt_.max_ahead_ms));
  auto record = log_record(c, at);
  if (!record.ok()) return record.status();
  LogRecord& r = record.value();
  auto early = has_early(c.site, r.site);
  if (!early.ok()) return early.status();
  const bool first_write = r.cells.front().column == 0;  // only a row's first write carries its owner
  if (first_write && c.site_seq == h.value() + 1 && !early.value() && !new_rows_->holds(c.row_id)) {
    // The next change of its site and a row's first write: its log record cannot exist yet, and
    // the row most likely does not. Queue it; the run is written many rows per statement.
    if (new_rows_->full()) EPSYNC_RETURN_IF_ERROR(flush_new_rows());
    hwm_[c.site] = c.site_seq;
    dirty_[c.site] = true;
    new_rows_->add(std::move(r));
    return Status::Ok();
  }
  EPSYNC_RETURN_IF_ERROR(flush_new_rows());  // what follows reads the log and rows as they are
  auto added = append_log(store, r);
  if (!added.ok()) return added.status();
  if (!added.value()) {  // arrived before, out of order
    stats_.duplicates += cells;
    return Status::Ok();
  }
  EPSYNC_RETURN_IF_ERROR(advance_hwm(c.site, r.site, c.site_seq));
  if (first_write) {
    auto created = create_row(r);
    if (!created.ok() || created.value()) return created.status();
  }
  return merge_cells(r);
}

// A row's first write carries its owner: tries creating the row without reading first. False
// when the row exists already (written before its first write arrived).
Result<bool> Merger::create_row(const LogRecord& r) {
  Store& store = txn_.store();
  const TableDef& def = store.model().table(r.table);
  RowState fresh;
  fresh.values.resize(def.columns.size());
  fresh.versions.resize(def.columns.size());
  for (const auto& lc : r.cells) {
    fresh.values[static_cast<size_t>(lc.column)] = *lc.value;
    fresh.versions[static_cast<size_t>(lc.column)] = {r.hlc, r.site, lc.prev_hlc, lc.prev_site};
  }
  auto inserted = store.rows().insert_if_new(r.table, *r.row_id, fresh);
  if (!inserted.ok()) return inserted.status();
  if (inserted.value()) stats_.applied += static_cast<std::int64_t>(r.cells.size());
  return inserted.value();
}

// Merges a change's cells into the row as stored (or into a new row), cell by cell.
Status Merger::merge_cells(const LogRecord& r) {
  const RowChange& c = *r.change;
  Store& store = txn_.store();
  const TableDef& def = store.model().table(r.table);
  auto loaded = store.rows().load(r.table, c.row_id);
  if (!loaded.ok()) return loaded.status();
  RowState& row = loaded.value();
  // A row's owner never changes (SPEC §4): a change claiming another owner than the stored one is
  // refused, whoever sends it. (A row written before its first write arrived has no owner yet.)
  const Value& owner = row.values[0];
  const auto* owner_id = std::get_if<std::string>(&owner);
  if (!is_null(owner) && (!owner_id || *owner_id != c.center)) {
    forbidden_ = &c;
    return Status::Forbidden("change " + std::to_string(c.site_seq) + " writes a " + c.table +
                             " row its sender does not own");
  }
  std::uint64_t changed = 0;
  std::vector<LostWrite> lost;
  for (const auto& lc : r.cells) {
    auto i = static_cast<size_t>(lc.column);
    CellVersion& w = row.versions[i];
    bool wins = true;
    if (w.hlc != 0) {
      auto o = outranks(c.hlc, c.site, w.hlc, w.site);
      if (!o.ok()) return o.status();
      wins = o.value();
    }
    CellVersion incoming{c.hlc, r.site, lc.prev_hlc, lc.prev_site};
    if (w.hlc != 0 && def.columns[i].safety.possible()) {
      if (wins && !(lc.prev_hlc == w.hlc && lc.prev_site == w.site)) {
        // The incoming write overwrites a value its writer never saw.
        lost.push_back({lc.column, false, row.values[i], *lc.value, w, incoming});
      } else if (!wins && !(w.prev_hlc == c.hlc && w.prev_site == r.site)) {
        // The incoming write loses to one made without seeing it.
        lost.push_back({lc.column, true, *lc.value, row.values[i], incoming, w});
      }
    }
    if (wins) {
      row.values[i] = *lc.value;
      w = incoming;
      changed |= std::uint64_t{1} << i;
      stats_.applied += 1;
    } else {
      stats_.superseded += 1;
    }
  }
  if (changed) EPSYNC_RETURN_IF_ERROR(store.rows().write(r.table, c.row_id, row, changed));
  return lost.empty() ? Status::Ok() : log_conflicts(c, def, row.values, lost);
}

// Logs lost writes to safety-relevant columns for review; `row` is the row as merged.
Status Merger::log_conflicts(const RowChange& c, const TableDef& def, const std::vector<Value>& row,
                             const std::vector<LostWrite>& lost) {
  Store& store = txn_.store();
  auto st = txn_.db().cached(
      "INSERT OR IGNORE INTO conflict (detected_hlc, tbl, row_id, col, center, winner_val, "
      "winner_hlc, winner_site, loser_val, loser_hlc, loser_site, loser_operator) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  for (const auto& l : lost) {
    // Some columns are safety-relevant only for some rows (by the row as merged).
    if (!def.columns[static_cast<size_t>(l.column)].safety.holds_for(row)) continue;
    auto winner_site = store.site_uuid(l.winner.site);
    auto loser_site = store.site_uuid(l.loser.site);
    if (!winner_site.ok()) return winner_site.status();
    if (!loser_site.ok()) return loser_site.status();
    std::string loser_op = c.op;
    if (!l.incoming_lost) {
      auto op = operator_of(c.row_id, l.loser.site, l.loser.hlc);
      if (!op.ok()) return op.status();
      loser_op = op.value();
    }
    Stmt& s = **st;
    s.bind(1, store.clock().last()).bind(2, c.table).bind(3, c.row_id);
    s.bind(4, def.columns[static_cast<size_t>(l.column)].name).bind(5, c.center);
    s.bind(6, l.winner_value).bind(7, l.winner.hlc).bind(8, winner_site.value());
    s.bind(9, l.loser_value).bind(10, l.loser.hlc).bind(11, loser_site.value()).bind(12, loser_op);
    EPSYNC_RETURN_IF_ERROR(s.run());
    ++stats_.conflicts;
  }
  return Status::Ok();
}

Result<std::optional<std::vector<Value>>> Merger::stored_values(const RowChange& c, const ChangeIndex& at) {
  EPSYNC_RETURN_IF_ERROR(flush_new_rows());
  return stored_row(txn_.store(), at.table, c.row_id);
}

Result<bool> Merger::holds(const RowChange& c) {
  auto h = hwm(c.site);
  if (!h.ok()) return h.status();
  return c.site_seq <= h.value();
}

Status Merger::set_aside(const RowChange& c) {
  EPSYNC_RETURN_IF_ERROR(flush_new_rows());
  auto h = hwm(c.site);
  if (!h.ok()) return h.status();
  if (c.site_seq != h.value() + 1) return Status::Ok();
  auto key = txn_.store().site_key(c.site);
  if (!key.ok()) return key.status();
  return advance_hwm(c.site, key.value(), c.site_seq);
}

Result<MergeStats> merge_batch(Store& store, const std::vector<RowChange>& batch, MergeOptions opt) {
  StoreTxn txn(store);
  EPSYNC_RETURN_IF_ERROR(txn.begin());
  Merger merger(txn, opt);
  for (const auto& c : batch) EPSYNC_RETURN_IF_ERROR(merger.apply(c));
  EPSYNC_RETURN_IF_ERROR(merger.finish());
  EPSYNC_RETURN_IF_ERROR(txn.commit());
  return merger.stats();
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
