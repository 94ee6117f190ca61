// Trainees as CSV: the export format (plain, or for Excel) and an all-or-nothing import that
// reports every bad line as "line N: field: reason". The `id` column export writes is
// informational: import always gives rows new ids, since an id names one row at one centre forever.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "records/csv_header.h"
#include "records/csv_sheet.h"
#include "records/date.h"
#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

// The header export writes; the columns stay English whatever the language (SPEC §10).
inline const std::vector<std::string> kTraineeCsvColumns = {
    "id", "iin", "surname", "given_name", "patronymic", "birth_date", "sex", "phone", "sector", "status"};

// Plain: UTF-8, `,`, CRLF. For Excel (`export --excel`): the UTF-8 BOM, `;` as Excel expects in
// Kazakh and Russian locales, and IINs (and cells Excel would take for formulas) as ="…", which
// Excel shows as text with the leading zero and `epsync import` reads back as the text inside.
Result<std::string> export_trainees_csv(Store& store, bool for_excel = false);

// Imports the sheet's trainees for `center` in one transaction. Status errors are for the store
// (I/O, busy); problems with the file's content come back in ImportOutcome::errors.
Result<ImportOutcome> import_trainees(Store& store, const std::string& center, const Sheet& sheet,
                                      const Date& today);

}  // namespace epsync
