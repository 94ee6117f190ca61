#include "storage/dump.h"

#include "storage/schema.h"

namespace epsync {

Result<std::string> canonical_dump(Store& store, std::optional<std::string> center) {
  std::string out;
  for (const auto& t : store.model().tables) {
    std::string cols = "id";
    for (const auto& c : t.columns) cols += ", " + c.name;
    std::string sql = "SELECT " + cols + " FROM " + t.name;
    if (center && !t.reference) sql += " WHERE center_id = ?";
    sql += " ORDER BY id";
    auto st = store.db().prepare(sql);
    if (!st.ok()) return st.status();
    if (center && !t.reference) st->bind(1, *center);
    out += "[" + t.name + "]\n";
    for (;;) {
      auto r = st->step();
      if (!r.ok()) return r.status();
      if (!r.value()) break;
      for (int i = 0; i < st->column_count(); ++i) {
        if (i) out += '|';
        out += to_literal(st->column_value(i));
      }
      out += '\n';
    }
  }
  return out;
}

}  // namespace epsync
