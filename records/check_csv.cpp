#include "records/check_csv.h"

#include <map>
#include <optional>

#include "records/iin.h"
#include "records/records.h"
#include "util/i18n.h"

namespace epsync {

namespace {

// One line's cells by English column name; an empty cell counts as not given.
struct Cells {
  const CsvRecord& rec;
  const std::map<std::string, size_t>& index;

  std::optional<std::string> get(const char* name) const {
    auto it = index.find(name);
    if (it == index.end() || rec.fields[it->second].empty()) return std::nullopt;
    return rec.fields[it->second];
  }
  std::string text(const char* name) const { return get(name).value_or(""); }
};

std::string without_spaces_around(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The active trainee at this centre that each IIN names, looked up once per IIN.
class TraineeByIin {
 public:
  TraineeByIin(Store& store, std::string center) : store_(store), center_(std::move(center)) {}
  Result<std::optional<std::string>> find(const std::string& iin) {
    if (auto it = known_.find(iin); it != known_.end()) return it->second;
    auto id = active_trainee_with_iin(store_, center_, iin);
    if (id.ok()) known_.emplace(iin, id.value());
    return id;
  }

 private:
  Store& store_;
  std::string center_;
  std::map<std::string, std::optional<std::string>> known_;
};

// The trainee id the line's IIN names, or its problem ("iin: …") added to `problems`.
Result<std::optional<std::string>> trainee_of(const Cells& c, TraineeByIin& trainees, std::vector<std::string>& problems) {
  const std::string iin = without_spaces_around(c.text("iin"));
  if (iin.empty()) return std::optional<std::string>{};  // reported as a missing required cell
  if (auto spoiled = iin_spoiled_by_spreadsheet(iin)) {
    problems.push_back(*spoiled);
    return std::optional<std::string>{};
  }
  if (Status s = validate_iin(iin); !s.ok()) {
    problems.push_back(s.message());
    return std::optional<std::string>{};
  }
  auto id = trainees.find(iin);
  if (!id.ok()) return id.status();
  if (!id.value()) problems.push_back(tr("iin: no active trainee with this IIN is enrolled at this centre"));
  return id;
}

// A whole-number cell (hours, score); its problem added to `problems` otherwise.
std::int64_t whole_number(const Cells& c, const char* column, std::vector<std::string>& problems) {
  auto cell = c.get(column);
  if (!cell) return 0;
  const std::string v = without_spaces_around(*cell);
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos) {
    problems.push_back(trf("{}: must be a whole number, got '{}'", column, *cell));
    return 0;
  }
  return std::stoll(v);
}

// The column of a kind that holds a whole number: korean hours, a test's score.
const char* number_column(CsvKind kind) {
  return kind == CsvKind::kKorean ? "hours" : kind == CsvKind::kTests ? "score" : nullptr;
}

// Writes one line through the same writer as `epsync record KIND`; its refusal names the field.
Result<std::string> write_line(Records& r, CsvKind kind, const std::string& trainee, const Cells& c,
                               std::int64_t number) {
  switch (kind) {
    case CsvKind::kKorean:
      return r.record_korean(trainee, KoreanInput{number, c.get("level")});
    case CsvKind::kTests:
      return r.record_test(trainee, TestInput{c.text("kind"), c.text("date"), number});
    case CsvKind::kMedical:
      return r.record_medical(trainee, MedicalInput{c.text("date"), c.text("result"), c.get("valid_until"), c.get("clinic")});
    case CsvKind::kDocuments:
      return r.record_document(trainee, DocumentInput{c.text("kind"), c.text("status"), c.get("number"), c.get("issued"),
                                                      c.get("expires"), c.get("note")});
    case CsvKind::kTrainees:
      break;
  }
  return Status::InvalidInput("trainees are not checks");
}

}  // namespace

Result<ImportOutcome> import_checks(Store& store, const std::string& center, const Sheet& sheet, CsvKind kind,
                                    const Date& today) {
  ImportOutcome outcome;
  outcome.kind = kind;
  const CsvColumns& columns = columns_of_kind(kind);
  std::map<std::string, size_t> index = header_index(sheet.header, columns, outcome.errors);
  if (!outcome.errors.empty()) return outcome;

  WriteTxn w(store);
  EPSYNC_RETURN_IF_ERROR(w.begin());
  Records writer(w, center, today);
  TraineeByIin trainees(store, center);
  for (const CsvRecord& rec : sheet.rows) {
    if (rec.fields.size() != sheet.header.fields.size()) {
      outcome.errors.push_back(trf("line {}: has {} fields, the header has {}", rec.line, rec.fields.size(),
                                   sheet.header.fields.size()));
      continue;
    }
    const Cells cells{rec, index};
    std::vector<std::string> problems;
    for (const auto& needed : columns.required)
      if (!cells.get(needed.c_str())) problems.push_back(trf("{}: is required", needed));
    auto trainee = trainee_of(cells, trainees, problems);
    if (!trainee.ok()) return trainee.status();
    const char* numeric = number_column(kind);
    const std::int64_t number = numeric ? whole_number(cells, numeric, problems) : 0;
    if (problems.empty() && trainee.value()) {
      auto written = write_line(writer, kind, *trainee.value(), cells, number);
      if (!written.ok()) {
        const auto code = written.status().code();
        if (code != Status::Code::kInvalidInput && code != Status::Code::kNotFound) return written.status();
        problems.push_back(written.status().message());
      }
    }
    for (const auto& p : problems) outcome.errors.push_back(trf("line {}: {}", rec.line, p));
    if (problems.empty()) ++outcome.imported;
  }
  if (!outcome.errors.empty()) {
    outcome.imported = 0;
    return outcome;  // the transaction rolls back: all or nothing
  }
  EPSYNC_RETURN_IF_ERROR(w.commit());
  return outcome;
}

}  // namespace epsync
