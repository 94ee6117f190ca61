// Trainees as CSV: the export format and an all-or-nothing import that reports every bad line as
// "line N: field: reason". The `id` column export writes is informational: import always gives
// rows new ids, since an id names one row at one centre forever.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "records/date.h"
#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

inline const std::vector<std::string> kTraineeCsvColumns = {
    "id", "iin", "surname", "given_name", "patronymic", "birth_date", "sex", "phone", "sector", "status"};

Result<std::string> export_trainees_csv(Store& store);

struct ImportOutcome {
  int imported = 0;
  std::vector<std::string> errors;  // non-empty: nothing was written
};

// Imports for `center` in one transaction. Status errors are for the store (I/O, busy); problems
// with the file's content come back in ImportOutcome::errors.
Result<ImportOutcome> import_trainees_csv(Store& store, const std::string& center,
                                          std::string_view text, const Date& today);

}  // namespace epsync
