#include "records/trainee_ids.h"

#include <algorithm>

namespace epsync {

namespace {

std::size_t common_prefix(const std::string& a, const std::string& b) {
  auto [ia, ib] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  return static_cast<std::size_t>(ia - a.begin());
}

}  // namespace

ShortIds::ShortIds(std::vector<std::string> ids) : sorted_(std::move(ids)) {
  std::sort(sorted_.begin(), sorted_.end());
  sorted_.erase(std::unique(sorted_.begin(), sorted_.end()), sorted_.end());
}

Result<ShortIds> ShortIds::load(Store& store) {
  auto st = store.db().prepare("SELECT id FROM trainee WHERE deleted = 0 ORDER BY id");
  if (!st.ok()) return st.status();
  std::vector<std::string> ids;
  for (;;) {
    auto r = st->step();
    if (!r.ok()) return r.status();
    if (!r.value()) break;
    ids.push_back(st->column_text(0));
  }
  return ShortIds(std::move(ids));
}

std::string ShortIds::of(const std::string& id) const {
  // In sorted order the ids sharing the longest prefix with `id` are its neighbours.
  auto at = std::lower_bound(sorted_.begin(), sorted_.end(), id);
  std::size_t shared = 0;
  if (at != sorted_.begin()) shared = common_prefix(id, *std::prev(at));
  if (at != sorted_.end() && *at == id) ++at;
  if (at != sorted_.end()) shared = std::max(shared, common_prefix(id, *at));
  return id.substr(0, std::max(kMinLength, shared + 1));
}

}  // namespace epsync
