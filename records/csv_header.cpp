#include "records/csv_header.h"

#include <algorithm>

#include "util/i18n.h"

namespace epsync {

namespace {

// One column and the names a registrar may give it, written as normalised() leaves them.
struct ColumnNames {
  const char* column;
  std::vector<std::string_view> names;
};

const std::vector<ColumnNames>& known_columns() {
  static const std::vector<ColumnNames> table = {
      {"id", {"id"}},
      {"iin", {"iin", "жсн", "иин"}},
      {"surname", {"surname", "тегі", "фамилия"}},
      {"given_name", {"given name", "аты", "имя"}},
      {"patronymic", {"patronymic", "әкесінің аты", "отчество"}},
      {"birth_date", {"birth date", "туған күні", "дата рождения"}},
      {"sex", {"sex", "жынысы", "пол"}},
      {"phone", {"phone", "телефон"}},
      {"sector", {"sector", "сала", "отрасль"}},
      {"status", {"status", "мәртебе", "статус"}},
      {"hours", {"hours", "сағат", "сағат саны", "часы", "часов"}},
      {"level", {"level", "деңгей", "уровень"}},
      {"kind", {"kind", "түрі", "вид", "тип"}},
      {"date", {"date", "күні", "дата"}},
      {"test_date", {"test date", "тест күні", "дата теста"}},
      {"score", {"score", "балл", "ұпай"}},
      {"result", {"result", "нәтиже", "результат"}},
      {"valid_until", {"valid until", "дейін жарамды", "годен до"}},
      {"clinic", {"clinic", "емхана", "клиника"}},
      {"number", {"number", "нөмірі", "номер"}},
      {"issued", {"issued", "берілген күні", "дата выдачи"}},
      {"expires", {"expires", "жарамдылық мерзімі", "срок действия"}},
      {"note", {"note", "ескертпе", "примечание"}},
  };
  return table;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Lower case for Latin and Cyrillic, Kazakh letters included (Ә Ғ Қ Ң Ө Ұ Ү Һ І).
std::uint32_t lower(std::uint32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
  const bool paired = (cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF) || (cp >= 0x4D0 && cp <= 0x4FF);
  if (paired && cp % 2 == 0) return cp + 1;
  return cp;
}

// Lower case, `_` and `-` as spaces, runs of spaces (the no-break space too) as one, trimmed: the
// names "Given_name", "given name" and " GIVEN-NAME " are one name.
std::string normalised(std::string_view s) {
  std::string out;
  bool pending_space = false;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = b;
    size_t len = 1;
    if ((b >> 5) == 0x6 && i + 1 < s.size()) {
      cp = ((b & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
      len = 2;
    } else if ((b >> 4) == 0xE && i + 2 < s.size()) {
      cp = ((b & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
      len = 3;
    } else if (b >= 0x80) {
      out.append(s.substr(i, 1));  // anything longer is copied as it is
      ++i;
      continue;
    }
    i += len;
    if (cp == ' ' || cp == '_' || cp == '-' || cp == '\t' || cp == 0xA0) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    append_utf8(out, lower(cp));
  }
  return out;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::optional<CsvKind> csv_kind_named(std::string_view name) {
  for (CsvKind k : {CsvKind::kTrainees, CsvKind::kKorean, CsvKind::kTests, CsvKind::kMedical, CsvKind::kDocuments})
    if (csv_kind_name(k) == name) return k;
  return std::nullopt;
}

std::string_view csv_kind_name(CsvKind kind) {
  switch (kind) {
    case CsvKind::kTrainees: return "trainees";
    case CsvKind::kKorean: return "korean";
    case CsvKind::kTests: return "tests";
    case CsvKind::kMedical: return "medical";
    case CsvKind::kDocuments: return "documents";
  }
  return "trainees";
}

std::optional<std::string> canonical_column(std::string_view header_cell) {
  const std::string name = normalised(header_cell);
  for (const auto& c : known_columns())
    if (std::find(c.names.begin(), c.names.end(), name) != c.names.end()) return std::string(c.column);
  return std::nullopt;
}

std::optional<CsvKind> detect_kind(const CsvRecord& header) {
  std::vector<std::string> names;
  for (const auto& cell : header.fields)
    if (auto c = canonical_column(cell)) names.push_back(*c);
  auto has = [&](const char* n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  if (has("surname") || has("given_name") || has("birth_date") || has("sex")) return CsvKind::kTrainees;
  if (has("hours")) return CsvKind::kKorean;
  if (has("score")) return CsvKind::kTests;
  if (has("result")) return CsvKind::kMedical;
  if (has("kind") || has("status")) return CsvKind::kDocuments;
  return std::nullopt;
}

const CsvColumns& columns_of_kind(CsvKind kind) {
  static const CsvColumns trainees{
      {"id", "iin", "surname", "given_name", "patronymic", "birth_date", "sex", "phone", "sector", "status"},
      {"iin", "surname", "given_name", "birth_date", "sex"}};
  static const CsvColumns korean{{"iin", "hours", "level"}, {"iin", "hours"}};
  static const CsvColumns tests{{"iin", "kind", "date", "score"}, {"iin", "kind", "date", "score"}};
  static const CsvColumns medical{{"iin", "date", "result", "valid_until", "clinic"}, {"iin", "date", "result"}};
  static const CsvColumns documents{{"iin", "kind", "status", "number", "issued", "expires", "note"},
                                    {"iin", "kind", "status"}};
  switch (kind) {
    case CsvKind::kTrainees: return trainees;
    case CsvKind::kKorean: return korean;
    case CsvKind::kTests: return tests;
    case CsvKind::kMedical: return medical;
    case CsvKind::kDocuments: return documents;
  }
  return trainees;
}

std::map<std::string, size_t> header_index(const CsvRecord& header, const CsvColumns& columns,
                                           std::vector<std::string>& errors) {
  const std::vector<std::string>& all = columns.all;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    if (header.fields[i].empty()) continue;  // the empty columns a spreadsheet leaves at the end
    auto name = canonical_column(header.fields[i]);
    if (!name || std::find(all.begin(), all.end(), *name) == all.end())
      errors.push_back(trf("line {}: column '{}' is not known; expected {}", header.line, header.fields[i], joined(all)));
    else if (!index.emplace(*name, i).second)
      errors.push_back(trf("line {}: {}: column appears twice", header.line, *name));
  }
  for (const auto& needed : columns.required)
    if (!index.count(needed)) errors.push_back(trf("line {}: {}: required column is missing", header.line, needed));
  return index;
}

}  // namespace epsync
