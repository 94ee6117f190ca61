#include "storage/set_aside_notice.h"

#include "storage/schema.h"

namespace epsync {

Status note_set_aside(Store& s, std::int64_t site_seq, const std::string& reason) {
  auto st = s.db().cached(
      "INSERT OR REPLACE INTO quarantine_notice (site_seq, reason, received_ms) VALUES (?, ?, ?)");
  if (!st.ok()) return st.status();
  (*st)->bind(1, site_seq).bind(2, reason.substr(0, 300)).bind(3, s.clock().physical_now());
  return (*st)->run();
}

Result<std::int64_t> set_aside_count(Store& s) {
  auto q = s.db().prepare("SELECT count(*) FROM quarantine_notice");
  if (!q.ok()) return q.status();
  auto r = q->step();
  if (!r.ok()) return r.status();
  return r.value() ? q->column_int(0) : 0;
}

Result<std::vector<SetAsideNotice>> set_aside_notices(Store& s) {
  auto key = s.known_site_key(s.site_id());
  if (!key.ok()) return key.status();
  auto st = s.db().prepare(
      "SELECT n.site_seq, n.received_ms, n.reason, coalesce(l.tbl, -1), coalesce(l.row_id, '') "
      "FROM quarantine_notice n LEFT JOIN change_log l ON l.site = ? AND l.site_seq = n.site_seq "
      "ORDER BY n.site_seq");
  if (!st.ok()) return st.status();
  st->bind(1, key.value());
  std::vector<SetAsideNotice> out;
  for (;;) {
    auto r = st->step();
    if (!r.ok()) return r.status();
    if (!r.value()) break;
    SetAsideNotice n;
    n.site_seq = st->column_int(0);
    n.received_ms = st->column_int(1);
    n.reason = st->column_text(2);
    const auto table = st->column_int(3);
    if (table >= 0 && static_cast<std::size_t>(table) < s.model().tables.size()) n.table = s.model().table(static_cast<int>(table)).name;
    n.row_id = st->column_text(4);
    out.push_back(std::move(n));
  }
  return out;
}

}  // namespace epsync
