// CSV as RFC 4180 has it (quoted fields, "" inside quotes, embedded separators and newlines, CRLF
// or LF), UTF-8 with or without the byte-order mark Excel writes; the separator is `,` or, as
// spreadsheets in Kazakh and Russian locales write it, `;` (records/csv_sheet.h detects which).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "storage/status.h"

namespace epsync {

struct CsvRecord {
  int line = 0;  // the physical line the record starts on (1-based), for error messages
  std::vector<std::string> fields;
};

// Parses a whole file. A structural error (an unterminated quote, a stray quote inside an
// unquoted field) is reported as "line N: reason".
Result<std::vector<CsvRecord>> parse_csv(std::string_view text, char separator = ',');

// One record, fields quoted only where needed, terminated by CRLF as RFC 4180 says.
std::string csv_line(const std::vector<std::string>& fields, char separator = ',');

}  // namespace epsync
