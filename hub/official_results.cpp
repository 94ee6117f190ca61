#include "hub/official_results.h"

#include <map>

#include "storage/change_log.h"
#include "records/csv.h"
#include "records/iin.h"
#include "records/row_rules.h"
#include "util/i18n.h"
#include "storage/store.h"

namespace epsync::hub {

namespace {

struct ResultRow {
  int line;
  std::string iin, date;
  std::int64_t score;
};

// The file's rows, or every problem found in it into out.errors (then nothing is written).
std::vector<ResultRow> parse_results(std::string_view text, const Date& today, ResultsOutcome& out) {
  auto parsed = parse_csv(text);
  if (!parsed.ok()) {
    out.errors.push_back(parsed.status().message());
    return {};
  }
  auto& recs = parsed.value();
  if (recs.empty()) {
    out.errors.push_back("line 1: the file is empty; expected the header iin,test_date,score");
    return {};
  }
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < recs[0].fields.size(); ++i) col[recs[0].fields[i]] = i;
  if (col.size() != 3 || !col.count("iin") || !col.count("test_date") || !col.count("score")) {
    out.errors.push_back("line 1: the header must be iin,test_date,score");
    return {};
  }
  std::vector<ResultRow> rows;
  for (size_t r = 1; r < recs.size(); ++r) {
    const auto& rec = recs[r];
    std::string at = "line " + std::to_string(rec.line) + ": ";
    if (rec.fields.size() != 3) {
      out.errors.push_back(at + "has " + std::to_string(rec.fields.size()) + " fields, expected 3");
      continue;
    }
    ResultRow row{rec.line, rec.fields[col["iin"]], rec.fields[col["test_date"]], 0};
    if (Status s = validate_iin(row.iin); !s.ok()) out.errors.push_back(at + s.message());
    // Stored as ISO whichever accepted form the file writes (DD.MM.YYYY from a spreadsheet).
    if (auto why = date_problem(row.date)) out.errors.push_back(at + "test_date: " + *why);
    else if (auto d = parse_input_date(row.date); *d > today)
      out.errors.push_back(at + "test_date: " + trf("{} is in the future", display_date(*d)));
    else row.date = format_date(*d);
    const std::string& sc = rec.fields[col["score"]];
    bool digits = !sc.empty() && sc.size() <= 3 && sc.find_first_not_of("0123456789") == std::string::npos;
    row.score = digits ? std::stoll(sc) : -1;
    if (row.score < 0 || row.score > 200) out.errors.push_back(at + "score: must be a whole number from 0 to 200");
    rows.push_back(row);
  }
  return rows;
}

// (trainee id, centre) of every active enrolment of an IIN.
Result<std::vector<std::pair<std::string, std::string>>> enrolments(Store& store, const std::string& iin) {
  auto st = store.db().prepare("SELECT id, center_id FROM trainee WHERE iin = ? AND deleted = 0 ORDER BY center_id, id");
  if (!st.ok()) return st.status();
  st->bind(1, iin);
  std::vector<std::pair<std::string, std::string>> trainees;
  for (;;) {
    auto r = st->step();
    if (!r.ok()) return r.status();
    if (!r.value()) break;
    trainees.emplace_back(st->column_text(0), st->column_text(1));
  }
  return trainees;
}

Result<bool> has_official_result(Store& store, const std::string& trainee, const ResultRow& row) {
  auto dup = store.db().prepare(
      "SELECT 1 FROM test_result WHERE trainee_id = ? AND source = 'official' AND kind = 'eps-topik' "
      "AND test_date = ? AND score = ? AND deleted = 0");
  if (!dup.ok()) return dup.status();
  dup->bind(1, trainee).bind(2, row.date).bind(3, row.score);
  return dup->step();
}

}  // namespace

Result<ResultsOutcome> import_official_results(HubStore& hub, std::string_view text, const Date& today) {
  ResultsOutcome out;
  std::vector<ResultRow> rows = parse_results(text, today, out);
  if (!out.errors.empty()) return out;

  Store& store = hub.store();
  WriteTxn w(store);
  EPSYNC_RETURN_IF_ERROR(w.begin());
  for (const auto& row : rows) {
    auto trainees = enrolments(store, row.iin);
    if (!trainees.ok()) return trainees.status();
    if (trainees->empty()) {
      out.unknown.push_back("line " + std::to_string(row.line) + ": iin: no trainee with this IIN is enrolled at any centre");
      continue;
    }
    for (const auto& [trainee, center] : trainees.value()) {
      auto present = has_official_result(store, trainee, row);
      if (!present.ok()) return present.status();
      if (present.value()) {
        ++out.already_present;
        continue;
      }
      EPSYNC_RETURN_IF_ERROR(w.insert("test_result", new_row_id(), center,
                                      {{"trainee_id", trainee}, {"kind", std::string("eps-topik")},
                                       {"test_date", row.date}, {"score", row.score},
                                       {"source", std::string("official")}}));
      ++out.imported;
    }
  }
  EPSYNC_RETURN_IF_ERROR(w.commit());
  return out;
}

}  // namespace epsync::hub
