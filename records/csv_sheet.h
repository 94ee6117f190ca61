// A CSV file as a spreadsheet program saved it (SPEC §10): UTF-8 with or without the BOM, or
// Windows-1251; `,` or `;` between fields, read from the header line; cells Excel keeps as text
// with ="…" unwrapped. Every CSV reader (centre import, the hub's official results) starts here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "records/csv.h"
#include "storage/status.h"

namespace epsync {

enum class CsvEncoding { kDetect, kUtf8, kWindows1251 };

// "utf-8" or "windows-1251" (also "utf8", "cp1251"), any case; nullopt for anything else.
std::optional<CsvEncoding> csv_encoding_named(std::string_view name);

struct Sheet {
  CsvEncoding encoding = CsvEncoding::kUtf8;  // what the bytes were (never kDetect)
  char separator = ',';
  CsvRecord header;               // as written, trimmed
  std::vector<CsvRecord> rows;    // the lines after the header with any cell filled, in UTF-8
};

// The file's bytes as a sheet. Refusals (InvalidInput, "line N: reason") say what the file is
// when it is not CSV text: neither UTF-8 nor Windows-1251, UTF-16, an Excel workbook, empty.
Result<Sheet> read_sheet(std::string_view bytes, CsvEncoding encoding = CsvEncoding::kDetect);

// The text of a Windows-1251 file in UTF-8 (glibc's iconv); the refusal names the line of the
// first byte Windows-1251 does not define.
Result<std::string> windows1251_to_utf8(std::string_view bytes);

// The ="…" Excel evaluates to the text inside (how `export --excel` keeps an IIN's leading zero
// and a phone's "+"); any other cell unchanged.
std::string excel_text_value(std::string cell);
// The cell as `export --excel` writes it: IINs and anything Excel would take for a formula or a
// number it may mangle (leading = + - @) wrapped as ="…".
std::string excel_text_cell(const std::string& value, bool always);

// For an IIN cell a spreadsheet changed (11 digits: the leading zero dropped; 9,50101E+11: written
// as a rounded number), the problem as "iin: …"; nullopt otherwise. Such a cell is reported, never
// repaired: only the registrar can tell whether the rest of that column survived.
std::optional<std::string> iin_spoiled_by_spreadsheet(std::string_view iin);

}  // namespace epsync
