#include "records/center_registry.h"

namespace epsync {

Result<std::optional<std::string>> registered_region(Store& s, const std::string& center) {
  auto st = s.db().prepare("SELECT region FROM center WHERE id = ?");
  if (!st.ok()) return st.status();
  st->bind(1, center);
  auto row = st->step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::optional<std::string>{};
  return std::optional<std::string>{st->column_text(0)};
}

}  // namespace epsync
