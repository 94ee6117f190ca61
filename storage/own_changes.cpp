#include "storage/own_changes.h"

#include <optional>
#include <string>

namespace epsync {

namespace {

// One aggregate (or, with `order`, one column of the first row) over this site's own changes
// after `after`: NULL when there are none, or when this site has written nothing yet.
Result<std::optional<std::int64_t>> own_changes(Store& s, const char* aggregate, std::int64_t after,
                                                const char* order = "") {
  auto key = s.known_site_key(s.site_id());
  if (!key.ok()) return key.status();
  if (!key.value()) return std::optional<std::int64_t>{};
  auto st = s.db().cached(std::string("SELECT ") + aggregate + " FROM change_log WHERE site = ? AND site_seq > ?" + order);
  if (!st.ok()) return st.status();
  (*st)->bind(1, key.value()).bind(2, after);
  auto r = (*st)->step();
  if (!r.ok()) return r.status();
  std::optional<std::int64_t> v;
  if (r.value() && !(*st)->column_is_null(0)) v = (*st)->column_int(0);
  (*st)->reset();
  return v;
}

}  // namespace

Result<std::int64_t> pending_changes(Store& s, std::int64_t acked) {
  auto n = own_changes(s, "count(*)", acked);
  if (!n.ok()) return n.status();
  return n->value_or(0);
}

Result<std::int64_t> last_own_site_seq(Store& s) {
  auto n = own_changes(s, "max(site_seq)", 0);
  if (!n.ok()) return n.status();
  return n->value_or(0);
}

Result<std::int64_t> oldest_pending_age_s(Store& s, std::int64_t acked) {
  // This site stamps its changes in sequence order, so the oldest is the first: one index seek
  // instead of min(hlc) over every pending record (0.1-0.2 s before a catch-up's first batch).
  auto oldest = own_changes(s, "hlc", acked, " ORDER BY site_seq LIMIT 1");
  if (!oldest.ok()) return oldest.status();
  if (!oldest.value()) return std::int64_t{0};
  std::int64_t age = (s.clock().physical_now() - hlc_millis(**oldest)) / 1000;
  return age < 0 ? 0 : age;
}

}  // namespace epsync
