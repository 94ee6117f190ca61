// Course hours, tests, medical and document checks from a CSV file (SPEC §6): each line names its
// trainee by `iin` (the active trainee at this centre) and carries the columns of the matching
// `epsync record` command. Written through the same Records writers as the CLI, all in one
// transaction: one bad line and nothing is written, every bad line reported as "line N: field: reason".
#pragma once

#include <string>

#include "records/csv_header.h"
#include "records/csv_sheet.h"
#include "records/date.h"
#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

// `kind` is korean, tests, medical or documents. Status errors are for the store (I/O, busy);
// problems with the file's content come back in ImportOutcome::errors.
Result<ImportOutcome> import_checks(Store& store, const std::string& center, const Sheet& sheet, CsvKind kind,
                                    const Date& today);

}  // namespace epsync
