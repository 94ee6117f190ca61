#include "records/csv_import.h"

#include "records/check_csv.h"
#include "records/trainee_csv.h"
#include "util/i18n.h"

namespace epsync {

Result<ImportOutcome> import_csv(Store& store, const std::string& center, std::string_view bytes, const Date& today,
                                 const CsvImportOptions& options) {
  ImportOutcome outcome;
  auto sheet = read_sheet(bytes, options.encoding);
  if (!sheet.ok()) {
    if (sheet.status().code() != Status::Code::kInvalidInput) return sheet.status();
    outcome.errors.push_back(sheet.status().message());
    return outcome;
  }
  std::optional<CsvKind> kind = options.kind ? options.kind : detect_kind(sheet->header);
  if (!kind) {
    outcome.errors.push_back(
        trf("line {}: the header does not say what the file holds; give --kind trainees, korean, tests, medical or "
            "documents",
            sheet->header.line));
    return outcome;
  }
  if (*kind == CsvKind::kTrainees) return import_trainees(store, center, sheet.value(), today);
  return import_checks(store, center, sheet.value(), *kind, today);
}

}  // namespace epsync
