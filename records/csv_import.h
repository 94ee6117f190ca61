// `epsync import FILE.csv`: reads the file as a spreadsheet saved it (records/csv_sheet.h), tells
// from its header what it holds unless told, and imports it all or nothing as trainees
// (records/trainee_csv.h) or checks (records/check_csv.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "records/csv_header.h"
#include "records/csv_sheet.h"
#include "records/date.h"
#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

struct CsvImportOptions {
  std::optional<CsvKind> kind;  // nullopt: detected from the header
  CsvEncoding encoding = CsvEncoding::kDetect;
};

// Status errors are for the store (I/O, busy); problems with the file's content, its encoding
// included, come back in ImportOutcome::errors, and then nothing was written.
Result<ImportOutcome> import_csv(Store& store, const std::string& center, std::string_view bytes, const Date& today,
                                 const CsvImportOptions& options);

}  // namespace epsync
