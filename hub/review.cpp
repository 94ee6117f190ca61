#include "hub/review.h"

#include <map>

#include "storage/change_log.h"
#include "storage/schema.h"

namespace epsync::hub {

Result<std::vector<Duplicate>> duplicate_enrolments(Store& store) {
  auto st = store.db().prepare(
      "SELECT iin, center_id, id FROM trainee WHERE deleted = 0 AND status = 'active' AND iin IN "
      "(SELECT iin FROM trainee WHERE deleted = 0 AND status = 'active' GROUP BY iin "
      " HAVING count(DISTINCT center_id) > 1) ORDER BY iin, center_id, id");
  if (!st.ok()) return st.status();
  std::vector<Duplicate> out;
  for (;;) {
    auto r = st->step();
    if (!r.ok()) return r.status();
    if (!r.value()) break;
    std::string iin = st->column_text(0);
    if (out.empty() || out.back().iin != iin) out.push_back({iin, {}, {}});
    out.back().centers.push_back(st->column_text(1));
    out.back().trainees.push_back(st->column_text(2));
  }
  return out;
}

Result<std::vector<Conflict>> conflicts(Store& store, bool include_resolved) {
  std::string sql =
      "SELECT id, tbl, row_id, col, center, winner_val, loser_val, winner_hlc, loser_hlc, winner_site, loser_site, "
      "loser_operator, resolution FROM conflict";
  if (!include_resolved) sql += " WHERE resolved_hlc IS NULL";
  auto st = store.db().prepare(sql + " ORDER BY id");
  if (!st.ok()) return st.status();
  std::vector<Conflict> out;
  for (;;) {
    auto r = st->step();
    if (!r.ok()) return r.status();
    if (!r.value()) break;
    Conflict c;
    c.id = st->column_int(0);
    c.table = st->column_text(1);
    c.row_id = st->column_text(2);
    c.column = st->column_text(3);
    c.center = st->column_text(4);
    c.winner = st->column_value(5);
    c.loser = st->column_value(6);
    c.winner_hlc = st->column_int(7);
    c.loser_hlc = st->column_int(8);
    c.winner_site = st->column_text(9);
    c.loser_site = st->column_text(10);
    c.loser_operator = st->column_text(11);
    if (!st->column_is_null(12)) c.resolution = st->column_text(12);
    out.push_back(std::move(c));
  }
  return out;
}

Status resolve_conflict(HubStore& hub, std::int64_t id, bool take_loser, const std::string& note) {
  Store& store = hub.store();
  WriteTxn w(store);
  EPSYNC_RETURN_IF_ERROR(w.begin());
  auto st = store.db().prepare("SELECT tbl, row_id, col, loser_val, resolved_hlc IS NOT NULL FROM conflict WHERE id = ?");
  if (!st.ok()) return st.status();
  st->bind(1, id);
  auto r = st->step();
  if (!r.ok()) return r.status();
  if (!r.value()) return Status::NotFound("conflict " + std::to_string(id) + " does not exist");
  if (st->column_int(4)) return Status::InvalidInput("conflict " + std::to_string(id) + " is already resolved");
  std::string table = st->column_text(0), row = st->column_text(1), column = st->column_text(2);
  Value loser = st->column_value(3);
  std::string resolution = take_loser ? "restored the lost value" : "kept the winning value";
  if (take_loser) EPSYNC_RETURN_IF_ERROR(w.update(table, row, {{column, loser}}));
  if (!note.empty()) resolution += ": " + note;
  resolution += " (" + store.operator_name() + ")";
  auto up = store.db().prepare("UPDATE conflict SET resolved_hlc = ?, resolution = ? WHERE id = ?");
  if (!up.ok()) return up.status();
  up->bind(1, store.clock().tick()).bind(2, resolution).bind(3, id);
  EPSYNC_RETURN_IF_ERROR(up->run());
  return w.commit();
}

Result<std::vector<CenterHealth>> center_health(Store& store, std::int64_t now_ms) {
  auto st = store.db().prepare(
      // Pending as of now: the agent's last change it told us of, less what we hold of its site.
      "SELECT c.id, coalesce(c.region, ''), coalesce(c.name, ''), h.last_seen_ms, "
      "max(0, h.last_site_seq - coalesce(m.hwm, 0)), h.oldest_pending_age_s, "
      "h.clock_offset_ms, h.free_disk_bytes, h.cert_expires_at, h.agent_version, h.last_error "
      "FROM center c LEFT JOIN center_health h ON h.center = c.id LEFT JOIN site_hwm m ON m.site = h.site "
      "WHERE c.deleted = 0 ORDER BY c.id");
  if (!st.ok()) return st.status();
  std::vector<CenterHealth> out;
  constexpr std::int64_t kStaleMs = 7LL * 86'400'000;
  for (;;) {
    auto r = st->step();
    if (!r.ok()) return r.status();
    if (!r.value()) break;
    CenterHealth h;
    h.center = st->column_text(0);
    h.region = st->column_text(1);
    h.name = st->column_text(2);
    if (!st->column_is_null(3)) {
      h.last_seen_ms = st->column_int(3);
      h.pending = st->column_int(4);
      h.oldest_pending_age_s = st->column_int(5);
      h.clock_offset_ms = st->column_int(6);
      h.free_disk_bytes = st->column_int(7);
      h.cert_expires_at = st->column_int(8);
      h.agent_version = st->column_text(9);
      h.last_error = st->column_text(10);
    }
    h.stale = !h.last_seen_ms || now_ms - *h.last_seen_ms > kStaleMs;
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace epsync::hub
