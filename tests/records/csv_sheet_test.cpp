// CSV as spreadsheets save it (SPEC §10): separators and encodings detected, Excel's ="…" read as
// text, header names in English, Kazakh and Russian, the kind of file told from its header, and
// IINs a spreadsheet spoiled. Windows-1251 fixtures are written here as literal bytes.
#include <doctest/doctest.h>

#include "records/csv_header.h"
#include "records/csv_sheet.h"

using namespace epsync;

namespace {

// "ИИН;Фамилия;Имя;Дата рождения;Пол" and one line "…;Ёлкин;Сергей;…" in Windows-1251.
const std::string kCp1251Header = "\xC8\xC8\xCD;\xD4\xE0\xEC\xE8\xEB\xE8\xFF;\xC8\xEC\xFF;"
                                  "\xC4\xE0\xF2\xE0 \xF0\xEE\xE6\xE4\xE5\xED\xE8\xFF;\xCF\xEE\xEB\r\n";
const std::string kCp1251Line = "980715301236;\xA8\xEB\xEA\xE8\xED;\xD1\xE5\xF0\xE3\xE5\xE9;1998-07-15;M\r\n";

}  // namespace

TEST_CASE("csv sheet: Windows-1251 with ';' is detected and read as UTF-8") {
  auto sheet = read_sheet(kCp1251Header + kCp1251Line);
  REQUIRE_MESSAGE(sheet.ok(), sheet.status().message());
  CHECK(sheet->encoding == CsvEncoding::kWindows1251);
  CHECK(sheet->separator == ';');
  CHECK(sheet->header.fields == std::vector<std::string>{"ИИН", "Фамилия", "Имя", "Дата рождения", "Пол"});
  REQUIRE(sheet->rows.size() == 1);
  CHECK(sheet->rows[0].line == 2);
  CHECK(sheet->rows[0].fields == std::vector<std::string>{"980715301236", "Ёлкин", "Сергей", "1998-07-15", "M"});

  // Forced: the same bytes as UTF-8 are refused with the line of the first bad byte.
  auto forced = read_sheet("iin;surname\r\n1;ok\r\n2;" + std::string("\xA8\xEB") + "\r\n", CsvEncoding::kUtf8);
  REQUIRE_FALSE(forced.ok());
  CHECK(forced.status().message().rfind("line 3: the file is not valid UTF-8", 0) == 0);
  auto as_1251 = read_sheet("iin;surname\r\n2;\xA8\xEB\r\n", CsvEncoding::kWindows1251);
  REQUIRE(as_1251.ok());
  CHECK(as_1251->rows[0].fields[1] == "Ёл");
  CHECK(windows1251_to_utf8("\xB9 \xE0\xFF").value() == "№ ая");
}

TEST_CASE("csv sheet: UTF-8 with and without BOM, and files that are no CSV text") {
  for (std::string bom : {"", "\xEF\xBB\xBF"}) {
    auto sheet = read_sheet(bom + "ЖСН,Тегі\n950101401239,\"Қасымова; Ли\"\n");
    REQUIRE(sheet.ok());
    CHECK(sheet->encoding == CsvEncoding::kUtf8);
    CHECK(sheet->separator == ',');  // the ';' inside quotes does not count
    CHECK(sheet->header.fields[0] == "ЖСН");
    CHECK(sheet->rows[0].fields[1] == "Қасымова; Ли");
  }
  // The rows of empty cells Excel writes below a table carry no record; line numbers stay true.
  auto padded = read_sheet("iin;hours\r\n;\r\n950101401239;12\r\n ; \r\n;\r\n");
  REQUIRE(padded.ok());
  REQUIRE(padded->rows.size() == 1);
  CHECK(padded->rows[0].line == 3);
  // A ';' file whose header quotes a comma.
  CHECK(read_sheet("\"a,b\";c;d\n1;2;3\n")->separator == ';');

  auto refusal = [](std::string bytes, CsvEncoding e = CsvEncoding::kDetect) {
    auto r = read_sheet(bytes, e);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Status::Code::kInvalidInput);
    return r.status().message();
  };
  CHECK(refusal("iin\n1\n\x98\n") == "line 3: the file is neither UTF-8 nor Windows-1251 (byte 0x98 means nothing in either)");
  CHECK(refusal(std::string("\xFF\xFEi\0n\0", 6)).find("UTF-16") != std::string::npos);
  CHECK(refusal(std::string("PK\x03\x04\x14\0", 6)).find("workbook (.xlsx)") != std::string::npos);
  CHECK(refusal(std::string("iin\n12\0\n", 8)) == "line 2: the file holds a NUL byte; it is not a CSV text file");
  CHECK(refusal("\xEF\xBB\xBFiin\n\xC0\n").rfind("line 2: the file is not valid UTF-8", 0) == 0);
  CHECK(refusal("\xEF\xBB\xBFiin\n", CsvEncoding::kWindows1251).find("byte-order mark") != std::string::npos);
  CHECK(refusal("") == "line 1: the file is empty; expected a header line");
  CHECK(refusal("\n\r\n") == "line 1: the file is empty; expected a header line");
}

TEST_CASE("csv sheet: ;-separated lines round-trip through csv_line, Excel's =\"…\" read as the text") {
  std::vector<std::string> fields = {"a;b", "c,d", "e\"f", "=\"012\"", ""};
  auto back = parse_csv(csv_line(fields, ';'), ';');
  REQUIRE(back.ok());
  CHECK(back.value()[0].fields == fields);

  CHECK(excel_text_value("=\"012345678901\"") == "012345678901");
  CHECK(excel_text_value("=\"say \"\"hi\"\"\"") == "say \"hi\"");
  CHECK(excel_text_value("=\"a\"b\"") == "=\"a\"b\"");  // not Excel's text formula: kept
  CHECK(excel_text_value("=SUM(A1)") == "=SUM(A1)");
  CHECK(excel_text_cell("012345678901", true) == "=\"012345678901\"");
  CHECK(excel_text_cell("+7 701 555", false) == "=\"+7 701 555\"");
  CHECK(excel_text_cell("=HYPERLINK(\"x\")", false) == "=\"=HYPERLINK(\"\"x\"\")\"");
  CHECK(excel_text_cell("Ёлкин", false) == "Ёлкин");
  for (std::string v : {"012345678901", "+7 701", "=\"q\"", "-", "@x", "plain", ""})
    CHECK(excel_text_value(excel_text_cell(v, true)) == v);

  auto sheet = read_sheet("iin;phone\r\n\"=\"\"012345678901\"\"\";\"=\"\"+7 701\"\"\"\r\n");
  REQUIRE(sheet.ok());
  CHECK(sheet->rows[0].fields == std::vector<std::string>{"012345678901", "+7 701"});
}

TEST_CASE("csv header: names in three languages, any case, spaces or underscores") {
  for (auto [cell, column] : std::vector<std::pair<std::string, std::string>>{
           {"iin", "iin"}, {"ИИН", "iin"}, {"жсн", "iin"}, {" ЖСН ", "iin"},
           {"Фамилия", "surname"}, {"ТЕГІ", "surname"}, {"Given_Name", "given_name"}, {"given name", "given_name"},
           {"given-name", "given_name"}, {"Аты", "given_name"}, {"ИМЯ", "given_name"},
           {"ӘКЕСІНІҢ АТЫ", "patronymic"}, {"Отчество", "patronymic"}, {"Дата_рождения", "birth_date"},
           {"Туған  күні", "birth_date"}, {"birth_date", "birth_date"}, {"Жынысы", "sex"}, {"ПОЛ", "sex"},
           {"Телефон", "phone"}, {"Сала", "sector"}, {"Отрасль", "sector"}, {"Мәртебе", "status"}, {"Статус", "status"},
           {"Сағат", "hours"}, {"Часы", "hours"}, {"Деңгей", "level"}, {"Балл", "score"}, {"Ұпай", "score"},
           {"Нәтиже", "result"}, {"Годен до", "valid_until"}, {"Емхана", "clinic"}, {"Түрі", "kind"}, {"Вид", "kind"},
           {"Дата выдачи", "issued"}, {"Срок действия", "expires"}, {"Примечание", "note"}, {"Тест күні", "test_date"},
           {"Дата\xC2\xA0теста", "test_date"}}) {
    CAPTURE(cell);
    CHECK(canonical_column(cell) == column);
  }
  CHECK_FALSE(canonical_column("shoe size").has_value());
  CHECK_FALSE(canonical_column("").has_value());
  CHECK_FALSE(canonical_column("iin;surname").has_value());

  std::vector<std::string> errors;
  CsvRecord header{1, {"ИИН", "Сағат", "уровень", "цвет", "часы", ""}};
  auto index = header_index(header, columns_of_kind(CsvKind::kKorean), errors);
  CHECK(index.at("iin") == 0);
  CHECK(index.at("level") == 2);
  CHECK(errors == std::vector<std::string>{"line 1: column 'цвет' is not known; expected iin, hours, level",
                                           "line 1: hours: column appears twice"});
  errors.clear();
  header_index(CsvRecord{1, {"iin", "kind", "date"}}, columns_of_kind(CsvKind::kTests), errors);
  CHECK(errors == std::vector<std::string>{"line 1: score: required column is missing"});
}

TEST_CASE("csv header: the kind of file from its header") {
  auto kind = [](std::vector<std::string> names) { return detect_kind(CsvRecord{1, std::move(names)}); };
  CHECK(kind({"id", "iin", "surname", "given_name", "birth_date", "sex", "status"}) == CsvKind::kTrainees);
  CHECK(kind({"ИИН", "Фамилия"}) == CsvKind::kTrainees);
  CHECK(kind({"ЖСН", "Сағат", "Деңгей"}) == CsvKind::kKorean);
  CHECK(kind({"iin", "kind", "date", "score"}) == CsvKind::kTests);
  CHECK(kind({"ИИН", "Дата", "Результат", "Годен до"}) == CsvKind::kMedical);
  CHECK(kind({"iin", "kind", "status", "number"}) == CsvKind::kDocuments);
  CHECK(kind({"iin", "Статус"}) == CsvKind::kDocuments);
  CHECK_FALSE(kind({"iin", "colour"}).has_value());
  for (const char* name : {"trainees", "korean", "tests", "medical", "documents"})
    CHECK(csv_kind_name(*csv_kind_named(name)) == name);
  CHECK_FALSE(csv_kind_named("Tests").has_value());
}

TEST_CASE("csv sheet: an IIN a spreadsheet spoiled is reported, never repaired") {
  auto lost = iin_spoiled_by_spreadsheet("31231401235");
  REQUIRE(lost.has_value());
  CHECK(lost->rfind("iin: 11 digits — the leading zero was probably lost", 0) == 0);
  CHECK(iin_spoiled_by_spreadsheet("9,50101E+11").value().find("exponent form") != std::string::npos);
  CHECK(iin_spoiled_by_spreadsheet("9.50101e+11").has_value());
  for (const char* fine : {"950101401239", "012345678901", "1234567890", "1234567890123", "12345678901x", ""})
    CHECK_FALSE(iin_spoiled_by_spreadsheet(fine).has_value());
}
