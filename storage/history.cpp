#include "storage/history.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace epsync {

Result<std::vector<HistoryEntry>> trainee_history(Store& store, const std::string& trainee_id) {
  static const char* kChildren[] = {"korean_course", "test_result", "medical_check", "document_check"};
  std::string sql =
      "SELECT hlc, operator, site, tbl, row_id, col, val FROM change_log WHERE "
      "(tbl = 'trainee' AND row_id = ?1)";
  for (const char* child : kChildren)
    sql += std::string(" OR (tbl = '") + child + "' AND row_id IN (SELECT id FROM " + child +
           " WHERE trainee_id = ?1))";
  sql += " ORDER BY hlc, site";
  auto st = store.db().prepare(sql);
  if (!st.ok()) return st.status();
  st->bind(1, trainee_id);
  std::vector<HistoryEntry> out;
  std::map<std::tuple<std::string, std::string, std::string>, Value> last;  // per cell
  for (;;) {
    auto r = st->step();
    if (!r.ok()) return r.status();
    if (!r.value()) break;
    HistoryEntry e;
    e.hlc = st->column_int(0);
    e.op = st->column_text(1);
    e.site = st->column_text(2);
    e.table = st->column_text(3);
    e.row_id = st->column_text(4);
    e.column = st->column_text(5);
    e.new_value = st->column_value(6);
    auto key = std::make_tuple(e.table, e.row_id, e.column);
    auto it = last.find(key);
    if (it != last.end()) e.old_value = it->second;
    last[key] = e.new_value;
    // The owner and the initial "not deleted" flag are bookkeeping of row creation, not edits.
    if (e.column == "center_id" || e.column == "trainee_id") continue;
    if (e.column == "deleted" && is_null(e.old_value) && e.new_value == Value(std::int64_t{0})) continue;
    out.push_back(std::move(e));
  }
  // Name each row by what it is rather than by its id.
  std::map<std::pair<std::string, std::string>, std::string> subjects;
  for (auto& e : out) {
    auto key = std::make_pair(e.table, e.row_id);
    auto it = subjects.find(key);
    if (it == subjects.end()) {
      std::string subject = e.table == "korean_course" ? "korean course" : e.table;
      const char* sql = e.table == "document_check" ? "SELECT kind FROM document_check WHERE id = ?"
                        : e.table == "test_result"  ? "SELECT kind || ' test ' || test_date FROM test_result WHERE id = ?"
                        : e.table == "medical_check" ? "SELECT 'medical ' || check_date FROM medical_check WHERE id = ?"
                                                     : nullptr;
      if (sql) {
        auto st = store.db().cached(sql);
        if (!st.ok()) return st.status();
        (*st)->bind(1, e.row_id);
        auto r = (*st)->step();
        if (!r.ok()) return r.status();
        if (r.value() && !(*st)->column_is_null(0)) subject = (*st)->column_text(0);
        (*st)->reset();
      }
      it = subjects.emplace(key, subject).first;
    }
    e.subject = it->second;
  }
  return out;
}

}  // namespace epsync
