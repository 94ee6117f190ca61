#include "records/csv.h"

#include "util/i18n.h"

namespace epsync {

Result<std::vector<CsvRecord>> parse_csv(std::string_view t, char sep) {
  if (t.substr(0, 3) == "\xEF\xBB\xBF") t.remove_prefix(3);
  std::vector<CsvRecord> out;
  size_t i = 0;
  int line = 1;
  while (i < t.size()) {
    CsvRecord rec;
    rec.line = line;
    for (;;) {  // one field per iteration
      std::string field;
      if (i < t.size() && t[i] == '"') {
        int opened = line;
        ++i;
        for (;;) {
          if (i >= t.size())
            return Status::InvalidInput(trf("line {}: a quoted field is never closed", opened));
          char c = t[i++];
          if (c == '"') {
            if (i < t.size() && t[i] == '"') {
              field += '"';
              ++i;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          field += c;
        }
        if (i < t.size() && t[i] != sep && t[i] != '\n' && t[i] != '\r')
          return Status::InvalidInput(trf("line {}: text after a closing quote", line));
      } else {
        while (i < t.size() && t[i] != sep && t[i] != '\n' && t[i] != '\r') {
          if (t[i] == '"')
            return Status::InvalidInput(
                trf("line {}: a quote inside an unquoted field (quote the whole field)", line));
          field += t[i++];
        }
      }
      rec.fields.push_back(std::move(field));
      if (i < t.size() && t[i] == sep) {
        ++i;
        continue;
      }
      break;
    }
    if (i < t.size() && t[i] == '\r') ++i;
    if (i < t.size() && t[i] == '\n') {
      ++i;
      ++line;
    }
    // A blank line carries no record (a trailing newline, or a spreadsheet's empty row).
    if (!(rec.fields.size() == 1 && rec.fields[0].empty())) out.push_back(std::move(rec));
  }
  return out;
}

std::string csv_line(const std::vector<std::string>& fields, char sep) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += sep;
    const std::string& f = fields[i];
    bool quote = f.find_first_of(",;\"\r\n") != std::string::npos ||
                 (!f.empty() && (f.front() == ' ' || f.back() == ' '));
    if (!quote) {
      out += f;
      continue;
    }
    out += '"';
    for (char c : f) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out + "\r\n";
}

}  // namespace epsync
