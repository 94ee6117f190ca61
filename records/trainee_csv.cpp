#include "records/trainee_csv.h"

#include <algorithm>
#include <map>

#include "records/csv.h"
#include "records/records.h"

namespace epsync {

Result<std::string> export_trainees_csv(Store& store) {
  auto trainees = list_trainees(store);
  if (!trainees.ok()) return trainees.status();
  std::string out = csv_line(kTraineeCsvColumns);
  for (const auto& t : trainees.value())
    out += csv_line({t.id, t.iin, t.surname, t.given_name, t.patronymic, t.birth_date, t.sex, t.phone,
                     t.sector, t.status});
  return out;
}

namespace {

// The position of each column in the header (columns may come in any order); problems go to
// outcome.errors.
std::map<std::string, size_t> header_index(const CsvRecord& header, ImportOutcome& outcome) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const std::string& name = header.fields[i];
    if (std::find(kTraineeCsvColumns.begin(), kTraineeCsvColumns.end(), name) == kTraineeCsvColumns.end())
      outcome.errors.push_back("line 1: " + name + ": unknown column");
    else if (index.count(name))
      outcome.errors.push_back("line 1: " + name + ": column appears twice");
    else
      index[name] = i;
  }
  for (const char* needed : {"iin", "surname", "given_name", "birth_date", "sex"})
    if (!index.count(needed)) outcome.errors.push_back(std::string("line 1: ") + needed + ": required column is missing");
  return index;
}

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

}  // namespace

Result<ImportOutcome> import_trainees_csv(Store& store, const std::string& center,
                                          std::string_view text, const Date& today) {
  ImportOutcome outcome;
  auto parsed = parse_csv(text);
  if (!parsed.ok()) {
    outcome.errors.push_back(parsed.status().message());
    return outcome;
  }
  auto& records = parsed.value();
  if (records.empty()) {
    outcome.errors.push_back("line 1: the file is empty; expected a header line");
    return outcome;
  }
  std::map<std::string, size_t> index = header_index(records[0], outcome);
  if (!outcome.errors.empty()) return outcome;

  std::vector<std::pair<int, TraineeFields>> rows;
  std::map<std::string, int> first_line_of_iin;
  for (size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& rec = records[r];
    std::string at = "line " + std::to_string(rec.line) + ": ";
    if (rec.fields.size() != records[0].fields.size()) {
      outcome.errors.push_back(at + "has " + std::to_string(rec.fields.size()) + " fields, the header has " +
                               std::to_string(records[0].fields.size()));
      continue;
    }
    TraineeFields f = trainee_of(rec, index);
    auto errors = validate_trainee(f, nullptr, FieldStyle::kColumn, today);
    for (const auto& e : errors) outcome.errors.push_back(at + e);
    if (!errors.empty()) continue;
    if (f.status.value_or("active") == "active") {
      auto [it, fresh] = first_line_of_iin.emplace(*f.iin, rec.line);
      if (!fresh) {
        outcome.errors.push_back(at + "iin: the same IIN is already on line " + std::to_string(it->second));
        continue;
      }
      auto existing = active_trainee_with_iin(store, center, *f.iin);
      if (!existing.ok()) return existing.status();
      if (existing.value()) {
        outcome.errors.push_back(at + "iin: an active trainee with this IIN is already enrolled here");
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
      outcome.errors.push_back("line " + std::to_string(line) + ": " + id.status().message());
      return outcome;  // the transaction rolls back
    }
  }
  EPSYNC_RETURN_IF_ERROR(w.commit());
  outcome.imported = static_cast<int>(rows.size());
  return outcome;
}

}  // namespace epsync
