#include "records/set_aside.h"

#include "storage/set_aside_notice.h"

namespace epsync {

namespace {

// The trainee a row of `table` is about: the row itself for a trainee, else its trainee_id.
Result<std::string> trainee_of_row(Store& s, const std::string& table, const std::string& row_id) {
  if (table == "trainee") return row_id;
  if (table.empty()) return std::string();
  auto t = s.db().prepare("SELECT trainee_id FROM " + table + " WHERE id = ?");  // a schema name
  if (!t.ok()) return t.status();
  t->bind(1, row_id);
  auto r = t->step();
  if (!r.ok()) return r.status();
  return r.value() ? t->column_text(0) : std::string();
}

}  // namespace

Result<std::vector<SetAsideChange>> set_aside_changes(Store& s) {
  auto notices = set_aside_notices(s);
  if (!notices.ok()) return notices.status();
  std::vector<SetAsideChange> out;
  for (auto& n : notices.value()) {
    auto trainee = trainee_of_row(s, n.table, n.row_id);
    if (!trainee.ok()) return trainee.status();
    out.push_back({n.site_seq, n.received_ms, std::move(n.table), std::move(n.row_id), std::move(trainee).value(),
                   std::move(n.reason)});
  }
  return out;
}

}  // namespace epsync
