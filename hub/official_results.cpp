#include "hub/official_results.h"

#include <map>

#include "storage/change_log.h"
#include "records/csv_header.h"
#include "records/csv_sheet.h"
#include "records/iin.h"
#include "records/row_rules.h"
#include "storage/store.h"
#include "util/i18n.h"

namespace epsync::hub {

namespace {

struct ResultRow {
  int line;
  std::string iin, date;
  std::int64_t score;
};

// The line's problems with the IIN, test date and score, each as "line N: field: reason".
void check_row(const ResultRow& row, const std::string& score, const Date& today, ResultsOutcome& out) {
  if (auto spoiled = iin_spoiled_by_spreadsheet(row.iin)) out.errors.push_back(trf("line {}: {}", row.line, *spoiled));
  else if (Status s = validate_iin(row.iin); !s.ok()) out.errors.push_back(trf("line {}: {}", row.line, s.message()));
  if (auto why = date_problem(row.date)) out.errors.push_back(trf("line {}: {}", row.line, "test_date: " + *why));
  else if (auto d = parse_input_date(row.date); *d > today)
    out.errors.push_back(trf("line {}: test_date: {} is in the future", row.line, display_date(*d)));
  const bool digits = !score.empty() && score.size() <= 3 && score.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoll(score) > 200)
    out.errors.push_back(trf("line {}: score: must be a whole number from 0 to 200", row.line));
}

// The file's rows, or every problem found in it into out.errors (then nothing is written). The file
// may come from a spreadsheet: `;` or `,`, UTF-8 or Windows-1251, header names in three languages.
std::vector<ResultRow> parse_results(std::string_view text, const Date& today, ResultsOutcome& out) {
  auto sheet = read_sheet(text);
  if (!sheet.ok()) {
    out.errors.push_back(sheet.status().message());
    return {};
  }
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < sheet->header.fields.size(); ++i)
    col[canonical_column(sheet->header.fields[i]).value_or("?" + sheet->header.fields[i])] = i;
  if (col.size() != 3 || !col.count("iin") || !col.count("test_date") || !col.count("score")) {
    out.errors.push_back(tr("line 1: the header must be iin,test_date,score"));
    return {};
  }
  std::vector<ResultRow> rows;
  for (const auto& rec : sheet->rows) {
    if (rec.fields.size() != 3) {
      out.errors.push_back(trf("line {}: has {} fields, expected 3", rec.line, rec.fields.size()));
      continue;
    }
    ResultRow row{rec.line, rec.fields[col["iin"]], rec.fields[col["test_date"]], 0};
    const std::string& score = rec.fields[col["score"]];
    check_row(row, score, today, out);
    // Stored as ISO whichever accepted form the file writes (DD.MM.YYYY from a spreadsheet).
    if (auto d = parse_input_date(row.date)) row.date = format_date(*d);
    const bool digits = !score.empty() && score.size() <= 3 && score.find_first_not_of("0123456789") == std::string::npos;
    row.score = digits ? std::stoll(score) : -1;
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
      out.unknown.push_back(trf("line {}: iin: no trainee with this IIN is enrolled at any centre", row.line));
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
