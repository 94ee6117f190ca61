#include "records/trainee_csv.h"

#include <map>

#include "records/records.h"
#include "util/i18n.h"

namespace epsync {

Result<std::string> export_trainees_csv(Store& store, bool for_excel) {
  auto trainees = list_trainees(store);
  if (!trainees.ok()) return trainees.status();
  const char sep = for_excel ? ';' : ',';
  std::string out = for_excel ? "\xEF\xBB\xBF" : "";
  out += csv_line(kTraineeCsvColumns, sep);
  for (const auto& t : trainees.value()) {
    std::vector<std::string> cells = {t.id, t.iin, t.surname, t.given_name, t.patronymic, t.birth_date, t.sex,
                                      t.phone, t.sector, t.status};
    if (for_excel)
      for (size_t i = 0; i < cells.size(); ++i) cells[i] = excel_text_cell(cells[i], kTraineeCsvColumns[i] == "iin");
    out += csv_line(cells, sep);
  }
  return out;
}

namespace {

// A line's fields; an empty optional cell is left unset, an empty required one is kept (and refused).
TraineeFields trainee_of(const CsvRecord& rec, const std::map<std::string, size_t>& index) {
  TraineeFields f;
  auto cell = [&](const char* name, std::optional<std::string>& out, bool keep_empty) {
    auto it = index.find(name);
    if (it == index.end()) return;
    const std::string& v = rec.fields[it->second];
    if (!v.empty() || keep_empty) out = v;
  };
  cell("iin", f.iin, true);
  cell("surname", f.surname, true);
  cell("given_name", f.given_name, true);
  cell("patronymic", f.patronymic, false);
  cell("birth_date", f.birth_date, true);
  cell("sex", f.sex, true);
  cell("phone", f.phone, false);
  cell("sector", f.sector, false);
  cell("status", f.status, false);
  return f;
}

// The line's problems as "field: reason". An IIN a spreadsheet spoiled is reported as such, and
// the line's other fields are still checked (without the IIN cross-checks).
std::vector<std::string> problems_of(TraineeFields& f, const Date& today) {
  std::optional<std::string> spoiled = f.iin ? iin_spoiled_by_spreadsheet(*f.iin) : std::nullopt;
  if (!spoiled) return validate_trainee(f, nullptr, FieldStyle::kColumn, today);
  TraineeFields rest = f;
  rest.iin = std::nullopt;
  std::vector<std::string> errors{*spoiled};
  for (auto& e : validate_trainee(rest, nullptr, FieldStyle::kColumn, today))
    if (e.rfind("iin:", 0) != 0) errors.push_back(std::move(e));  // "iin: is required": it was not given
  return errors;
}

}  // namespace

Result<ImportOutcome> import_trainees(Store& store, const std::string& center, const Sheet& sheet,
                                      const Date& today) {
  ImportOutcome outcome;
  outcome.kind = CsvKind::kTrainees;
  std::map<std::string, size_t> index = header_index(sheet.header, columns_of_kind(CsvKind::kTrainees), outcome.errors);
  if (!outcome.errors.empty()) return outcome;

  std::vector<std::pair<int, TraineeFields>> rows;
  std::map<std::string, int> first_line_of_iin;
  for (const CsvRecord& rec : sheet.rows) {
    if (rec.fields.size() != sheet.header.fields.size()) {
      outcome.errors.push_back(trf("line {}: has {} fields, the header has {}", rec.line, rec.fields.size(),
                                   sheet.header.fields.size()));
      continue;
    }
    TraineeFields f = trainee_of(rec, index);
    auto errors = problems_of(f, today);
    for (const auto& e : errors) outcome.errors.push_back(trf("line {}: {}", rec.line, e));
    if (!errors.empty()) continue;
    if (f.status.value_or("active") == "active") {
      auto [it, fresh] = first_line_of_iin.emplace(*f.iin, rec.line);
      if (!fresh) {
        outcome.errors.push_back(trf("line {}: iin: the same IIN is already on line {}", rec.line, it->second));
        continue;
      }
      auto existing = active_trainee_with_iin(store, center, *f.iin);
      if (!existing.ok()) return existing.status();
      if (existing.value()) {
        outcome.errors.push_back(
            trf("line {}: iin: an active trainee with this IIN is already enrolled here", rec.line));
        continue;
      }
    }
    rows.emplace_back(rec.line, std::move(f));
  }
  if (!outcome.errors.empty()) return outcome;

  WriteTxn w(store);
  EPSYNC_RETURN_IF_ERROR(w.begin());
  Records records_writer(w, center, today);
  for (const auto& [line, f] : rows) {
    auto id = records_writer.add_trainee(f, FieldStyle::kColumn);
    if (!id.ok()) {
      if (id.status().code() != Status::Code::kInvalidInput) return id.status();
      outcome.errors.push_back(trf("line {}: {}", line, id.status().message()));
      return outcome;  // the transaction rolls back
    }
  }
  EPSYNC_RETURN_IF_ERROR(w.commit());
  outcome.imported = static_cast<int>(rows.size());
  return outcome;
}

}  // namespace epsync
