#include "records/history.h"

#include <map>
#include <tuple>

#include "storage/change_log.h"

namespace epsync {

Result<std::vector<HistoryEntry>> trainee_history(Store& store, const std::string& trainee_id) {
  static const char* kChildren[] = {"korean_course", "test_result", "medical_check", "document_check"};
  std::string rows = "SELECT ?1";  // the trainee, and the rows of their courses, tests and checks
  for (const char* child : kChildren) rows += std::string(" UNION ALL SELECT id FROM ") + child + " WHERE trainee_id = ?1";
  auto changes = read_row_changes(store, rows, trainee_id);
  if (!changes.ok()) return changes.status();

  std::vector<HistoryEntry> out;
  std::map<std::tuple<std::string, std::string, std::string>, Value> last;  // per cell
  struct Subject {
    std::string words, kind, date;
  };
  std::map<std::pair<std::string, std::string>, Subject> subjects;
  for (const auto& c : changes.value()) {
    if (c.table != "trainee" && c.table != "korean_course" && c.table != "test_result" &&
        c.table != "medical_check" && c.table != "document_check")
      continue;
    // Name each row by what it is rather than by its id.
    auto key = std::make_pair(c.table, c.row_id);
    auto sub = subjects.find(key);
    if (sub == subjects.end()) {
      Subject subject{c.table == "korean_course" ? "korean course" : c.table, "", ""};
      const char* q = c.table == "document_check" ? "SELECT kind, NULL FROM document_check WHERE id = ?"
                      : c.table == "test_result"  ? "SELECT kind, test_date FROM test_result WHERE id = ?"
                      : c.table == "medical_check" ? "SELECT NULL, check_date FROM medical_check WHERE id = ?"
                                                   : nullptr;
      if (q) {
        auto s = store.db().cached(q);
        if (!s.ok()) return s.status();
        (*s)->bind(1, c.row_id);
        auto r = (*s)->step();
        if (!r.ok()) return r.status();
        if (r.value()) {
          subject.kind = (*s)->column_text(0);
          subject.date = (*s)->column_text(1);
        }
        (*s)->reset();
        if (c.table == "document_check" && !subject.kind.empty()) subject.words = subject.kind;
        if (c.table == "test_result" && !subject.kind.empty()) subject.words = subject.kind + " test " + subject.date;
        if (c.table == "medical_check" && !subject.date.empty()) subject.words = "medical " + subject.date;
      }
      sub = subjects.emplace(key, subject).first;
    }
    for (const auto& cell : c.cells) {
      HistoryEntry e;
      e.hlc = c.hlc;
      e.op = c.op;
      e.site = c.site;
      e.table = c.table;
      e.row_id = c.row_id;
      e.column = cell.column;
      e.subject = sub->second.words;
      e.subject_kind = sub->second.kind;
      e.subject_date = sub->second.date;
      e.new_value = cell.value;
      auto cell_key = std::make_tuple(c.table, c.row_id, cell.column);
      auto it = last.find(cell_key);
      if (it != last.end()) e.old_value = it->second;
      last[cell_key] = cell.value;
      // The owner, the parent link and the initial "not deleted" flag are bookkeeping of row
      // creation, not edits.
      if (e.column == "center_id" || e.column == "trainee_id") continue;
      if (e.column == "deleted" && is_null(e.old_value) && e.new_value == Value(std::int64_t{0})) continue;
      out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace epsync
