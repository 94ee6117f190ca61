#include "records/csv_sheet.h"

#include <iconv.h>

#include <algorithm>
#include <cerrno>

#include "util/i18n.h"

namespace epsync {

namespace {

int line_at(std::string_view text, size_t offset) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

// The offset of the first byte that is not part of valid UTF-8 (overlong forms, surrogates and
// code points past U+10FFFF included), or npos.
size_t first_invalid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return i;
    std::uint32_t cp = len == 1 ? b : len == 2 ? (b & 0x1Fu) : len == 3 ? (b & 0x0Fu) : (b & 0x07u);
    for (size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c >> 6) != 0x2) return i;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    const std::uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

// What the bytes are when they are no CSV text at all, as a refusal; Ok otherwise.
Status not_text(std::string_view bytes) {
  if (bytes.substr(0, 2) == "\xFF\xFE" || bytes.substr(0, 2) == "\xFE\xFF")
    return Status::InvalidInput(
        tr("line 1: the file is UTF-16 (\"Unicode text\"); save it from the spreadsheet as \"CSV UTF-8\" or "
           "\"CSV (semicolon delimited)\""));
  if (bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4))
    return Status::InvalidInput(
        tr("line 1: the file is a spreadsheet workbook (.xlsx), not CSV; save it as \"CSV UTF-8\""));
  if (size_t nul = bytes.find('\0'); nul != std::string_view::npos)
    return Status::InvalidInput(trf("line {}: the file holds a NUL byte; it is not a CSV text file", line_at(bytes, nul)));
  return Status::Ok();
}

// `;` when the header line (outside quotes) has more of them than commas: what Excel writes in
// locales whose decimal separator is the comma.
char separator_of(std::string_view text) {
  int commas = 0, semicolons = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    else if (!quoted && (c == '\n' || c == '\r')) break;
    else if (!quoted && c == ',') ++commas;
    else if (!quoted && c == ';') ++semicolons;
  }
  return semicolons > commas ? ';' : ',';
}

std::string trimmed(const std::string& s) {
  size_t b = 0, e = s.size();
  auto space = [&](size_t i) { return s[i] == ' ' || s[i] == '\t'; };
  while (b < e && space(b)) ++b;
  while (e > b && space(e - 1)) --e;
  return s.substr(b, e - b);
}

// The file's text in UTF-8, the BOM removed, and the encoding it was in.
Result<std::pair<std::string, CsvEncoding>> decode(std::string_view bytes, CsvEncoding wanted) {
  const bool bom = bytes.substr(0, 3) == "\xEF\xBB\xBF";
  if (wanted == CsvEncoding::kWindows1251) {
    if (bom)
      return Status::InvalidInput(
          tr("line 1: the file starts with the UTF-8 byte-order mark, so it is not Windows-1251; leave out --encoding"));
    auto text = windows1251_to_utf8(bytes);
    if (!text.ok()) return text.status();
    return std::pair{std::move(text).value(), wanted};
  }
  if (bom) bytes.remove_prefix(3);
  size_t bad = first_invalid_utf8(bytes);
  if (bad == std::string_view::npos) return std::pair{std::string(bytes), CsvEncoding::kUtf8};
  if (wanted == CsvEncoding::kUtf8 || bom)
    return Status::InvalidInput(
        trf("line {}: the file is not valid UTF-8; if it was saved as Windows-1251, give --encoding windows-1251",
            line_at(bytes, bad)));
  auto text = windows1251_to_utf8(bytes);
  if (!text.ok()) return text.status();
  return std::pair{std::move(text).value(), CsvEncoding::kWindows1251};
}

}  // namespace

std::optional<CsvEncoding> csv_encoding_named(std::string_view name) {
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? char(c + 32) : c; });
  if (n == "utf-8" || n == "utf8") return CsvEncoding::kUtf8;
  if (n == "windows-1251" || n == "cp1251" || n == "windows1251") return CsvEncoding::kWindows1251;
  return std::nullopt;
}

Result<std::string> windows1251_to_utf8(std::string_view bytes) {
  iconv_t cd = iconv_open("UTF-8", "WINDOWS-1251");
  if (cd == reinterpret_cast<iconv_t>(-1)) return Status::IoError("iconv cannot convert from WINDOWS-1251");
  std::string out(bytes.size() * 3 + 4, '\0');  // every Windows-1251 byte is at most 3 UTF-8 bytes
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size(), out_left = out.size();
  char* dst = out.data();
  size_t r = iconv(cd, &in, &in_left, &dst, &out_left);
  const int err = errno;
  iconv_close(cd);
  if (r == static_cast<size_t>(-1)) {
    if (err != EILSEQ && err != EINVAL) return Status::IoError("iconv failed converting from WINDOWS-1251");
    const size_t at = bytes.size() - in_left;
    return Status::InvalidInput(
        trf("line {}: the file is neither UTF-8 nor Windows-1251 (byte 0x{:02X} means nothing in either)",
            line_at(bytes, at), static_cast<unsigned>(static_cast<unsigned char>(bytes[at]))));
  }
  out.resize(out.size() - out_left);
  return out;
}

std::string excel_text_value(std::string cell) {
  if (cell.size() < 3 || cell.compare(0, 2, "=\"") != 0 || cell.back() != '"') return cell;
  std::string inner, body = cell.substr(2, cell.size() - 3);
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '"') {
      inner += body[i];
    } else if (i + 1 < body.size() && body[i + 1] == '"') {
      inner += '"';
      ++i;
    } else {
      return cell;  // a lone quote: not Excel's text formula, keep what was written
    }
  }
  return inner;
}

std::string excel_text_cell(const std::string& value, bool always) {
  if (value.empty() || (!always && std::string_view("=+-@").find(value.front()) == std::string_view::npos))
    return value;
  std::string out = "=\"";
  for (char c : value) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::optional<std::string> iin_spoiled_by_spreadsheet(std::string_view iin) {
  const bool digits = !iin.empty() && iin.find_first_not_of("0123456789") == std::string_view::npos;
  if (digits && iin.size() == 11)
    return tr("iin: 11 digits — the leading zero was probably lost when the file was opened in a spreadsheet; "
              "format the column as text and put the zero back");
  const bool scientific = iin.find_first_of("eE") != std::string_view::npos && iin.find('+') != std::string_view::npos &&
                          iin.find_first_not_of("0123456789.,eE+") == std::string_view::npos;
  if (scientific)
    return tr("iin: the spreadsheet wrote the number in exponent form and rounded it; format the column as text "
              "and type the IINs again");
  return std::nullopt;
}

Result<Sheet> read_sheet(std::string_view bytes, CsvEncoding encoding) {
  EPSYNC_RETURN_IF_ERROR(not_text(bytes));
  auto decoded = decode(bytes, encoding);
  if (!decoded.ok()) return decoded.status();
  Sheet sheet;
  sheet.encoding = decoded->second;
  sheet.separator = separator_of(decoded->first);
  auto parsed = parse_csv(decoded->first, sheet.separator);
  if (!parsed.ok()) return parsed.status();
  auto& records = parsed.value();
  if (records.empty()) return Status::InvalidInput(tr("line 1: the file is empty; expected a header line"));
  sheet.header = std::move(records.front());
  for (auto& name : sheet.header.fields) name = trimmed(excel_text_value(name));
  sheet.rows.reserve(records.size() - 1);
  for (size_t i = 1; i < records.size(); ++i) {
    bool blank = true;
    for (auto& cell : records[i].fields) {
      cell = excel_text_value(std::move(cell));
      blank = blank && cell.find_first_not_of(" \t") == std::string::npos;
    }
    // ";;;;": the empty rows Excel writes where cells were only formatted carry no record.
    if (!blank) sheet.rows.push_back(std::move(records[i]));
  }
  return sheet;
}

}  // namespace epsync
