// CSV files in the shapes Excel writes, through the real binary (SPEC §6, §10): `;`, Windows-1251
// bytes, with and without the BOM, Kazakh and Russian headers, IINs that lost their leading zero;
// course hours, tests, medical and document checks by IIN, the kind told from the header; each file
// either imported exactly (the stored values read back from the store file) or refused with the
// right line and the store's bytes unchanged. And `export --excel` read back by `import`.
#include <doctest/doctest.h>

#include "cli/cli_fixture.h"
#include "records/iin.h"
#include "records/model.h"
#include "storage/store.h"

using namespace epsync;
using namespace epsync::test;
using nlohmann::json;

namespace {

// Born 2003: the IIN starts with a zero, as EPS applicants' often do.
const std::string kDanaIin = make_iin(Date{2003, 4, 5}, 'F', 77);

// Rows of a query on the store file, each row's cells joined by '|'.
std::vector<std::string> stored(const Centre& c, const std::string& sql) {
  auto store = Store::open(c.db, eps_store_options());
  REQUIRE_MESSAGE(store.ok(), store.status().message());
  auto st = (*store)->db().prepare(sql);
  REQUIRE_MESSAGE(st.ok(), st.status().message());
  std::vector<std::string> rows;
  for (;;) {
    auto r = st->step();
    REQUIRE(r.ok());
    if (!r.value()) break;
    std::string row;
    for (int i = 0; i < st->column_count(); ++i) row += (i ? "|" : "") + st->column_text(i);
    rows.push_back(row);
  }
  return rows;
}

// Three trainees (Aliya, Sergey, Dana) enrolled by the CLI.
void enrol(const Centre& c) {
  c.init();
  c.add(kAliyaIin, "Қасымова", "Әлия", "1995-01-01", "F");
  c.add(kSergeyIin, "Ёлкин", "Сергей", "1998-07-15", "M");
  c.add(kDanaIin, "Сәрсенбай", "Дана", "2003-04-05", "F");
}

// Imports `bytes` as a file and requires that it was refused, with every `wanted` text on stderr
// and the store's bytes unchanged.
void refused(const Centre& c, const std::string& bytes, const std::vector<std::string>& wanted,
             std::vector<std::string> extra = {}) {
  std::string file = c.dir.file("refused.csv");
  write_file_bytes(file, bytes);
  std::string before = c.snapshot();
  std::vector<std::string> args = {"import", file};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = c.epsync(args);
  CAPTURE(bytes);
  CAPTURE(r.err);
  CHECK(r.exit_code == 2);
  for (const auto& w : wanted) CHECK_MESSAGE(r.err.find(w) != std::string::npos, w);
  CHECK(c.snapshot() == before);
}

}  // namespace

TEST_CASE("csv excel: Russian headers, ';' and Windows-1251 bytes without BOM import exactly") {
  Centre c;
  c.init();
  std::string file = c.dir.file("excel-ru.csv");
  // "ИИН;Фамилия;Имя;Дата рождения;Пол" / "…;Ёлкин;Сергей;…" as Excel saves it in a Russian locale.
  write_file_bytes(file, "\xC8\xC8\xCD;\xD4\xE0\xEC\xE8\xEB\xE8\xFF;\xC8\xEC\xFF;"
                         "\xC4\xE0\xF2\xE0 \xF0\xEE\xE6\xE4\xE5\xED\xE8\xFF;\xCF\xEE\xEB\r\n" +
                             std::string(kSergeyIin) + ";\xA8\xEB\xEA\xE8\xED;\xD1\xE5\xF0\xE3\xE5\xE9;1998-07-15;M\r\n");
  json r = c.json({"import", file});
  CHECK(r["imported"] == 1);
  CHECK(r["kind"] == "trainees");
  json s = c.json({"trainee", "show", kSergeyIin});
  CHECK(s["surname"] == "Ёлкин");
  CHECK(s["given_name"] == "Сергей");
  CHECK(s["birth_date"] == "1998-07-15");
  // The same bytes forced as UTF-8 are refused on the header line; forced Windows-1251 reads them.
  Centre d;
  d.init();
  std::string before = d.snapshot();
  auto forced = d.epsync({"import", file, "--encoding", "utf-8"});
  CHECK(forced.exit_code == 2);
  CHECK(forced.err.find("line 1: the file is not valid UTF-8") != std::string::npos);
  CHECK(d.snapshot() == before);
  CHECK(d.json({"import", file, "--encoding", "windows-1251"})["imported"] == 1);
  CHECK(d.json({"trainee", "show", kSergeyIin})["surname"] == "Ёлкин");
}

TEST_CASE("csv excel: Kazakh headers, UTF-8 with and without BOM, ';' import exactly") {
  for (std::string bom : {"\xEF\xBB\xBF", ""}) {
    Centre c;
    c.init();
    std::string file = c.dir.file("excel-kk.csv");
    write_file_bytes(file, bom + "ЖСН;Тегі;Аты;Әкесінің аты;Туған күні;Жынысы;Сала;Телефон\r\n" + kDanaIin +
                               ";Сәрсенбай;Дана;Нұрланқызы;2003-04-05;F;service;\"=\"\"+7 701 555 12 34\"\"\"\r\n");
    CHECK(c.json({"import", file})["imported"] == 1);
    json s = c.json({"trainee", "show", kDanaIin});
    CHECK(s["iin"] == kDanaIin);
    CHECK(s["surname"] == "Сәрсенбай");
    CHECK(s["patronymic"] == "Нұрланқызы");
    CHECK(s["sector"] == "service");
    CHECK(s["phone"] == "+7 701 555 12 34");
  }
}

TEST_CASE("csv excel: an IIN that lost its leading zero is reported on its line, nothing written") {
  Centre c;
  enrol(c);
  const std::string lost = kDanaIin.substr(1);
  const char* why = "iin: 11 digits — the leading zero was probably lost when the file was opened in a spreadsheet";
  refused(c, "iin;surname;given_name;birth_date;sex\r\n" + std::string(kSergeyIin) + ";A;B;1998-07-15;M\r\n" + lost +
                 ";Сәрсенбай;Дана;2003-04-05;X\r\n",
          {std::string("line 3: ") + why, "line 3: sex: must be", "line 2: iin: an active trainee with this IIN"});
  refused(c, "iin;kind;date;score\r\n" + std::string(kAliyaIin) + ";mock;2026-01-10;120\r\n" + lost +
                 ";mock;2026-01-10;120\r\n",
          {std::string("line 3: ") + why, "nothing imported: 1 problem"});
  CHECK(stored(c, "SELECT count(*) FROM test_result") == std::vector<std::string>{"0"});
}

TEST_CASE("csv checks: each kind imported by IIN, told from its header, values stored exactly") {
  Centre c;
  enrol(c);
  std::string file = c.dir.file("checks.csv");
  write_file_bytes(file, "\xEF\xBB\xBFЖСН;Сағат;Деңгей\r\n" + std::string(kAliyaIin) + ";120;A2\r\n" + kDanaIin +
                             ";40;\r\n" + kAliyaIin + ";160;B1\r\n");
  json r = c.json({"import", file});
  CHECK(r == json{{"imported", 3}, {"kind", "korean"}});
  CHECK(stored(c, "SELECT t.iin, k.hours, coalesce(k.level, '-') FROM korean_course k JOIN trainee t ON t.id = "
                  "k.trainee_id ORDER BY t.iin") ==
        std::vector<std::string>{kDanaIin + "|40|-", std::string(kAliyaIin) + "|160|B1"});  // one course each

  write_file_bytes(file, "ИИН,Вид,Дата,Балл\r\n" + std::string(kSergeyIin) + ",eps-topik,2026-03-01,181\r\n" + kAliyaIin +
                             ",mock,2026-02-10,95\r\n");
  CHECK(c.ok({"import", file}) == "imported 2 test results\n");
  CHECK(stored(c, "SELECT t.iin, r.kind, r.test_date, r.score, r.source FROM test_result r JOIN trainee t ON t.id = "
                  "r.trainee_id ORDER BY t.iin") ==
        std::vector<std::string>{std::string(kAliyaIin) + "|mock|2026-02-10|95|center",
                                 std::string(kSergeyIin) + "|eps-topik|2026-03-01|181|center"});

  write_file_bytes(file, "iin;date;result;valid_until;clinic\r\n" + kDanaIin +
                             ";2026-05-02;fit;2027-05-01;\"Емхана №3; Алматы\"\r\n" + kSergeyIin + ";2026-05-03;pending;;\r\n");
  CHECK(c.json({"import", file})["kind"] == "medical");
  CHECK(stored(c, "SELECT t.iin, m.check_date, m.result, coalesce(m.valid_until, '-'), coalesce(m.clinic, '-') FROM "
                  "medical_check m JOIN trainee t ON t.id = m.trainee_id ORDER BY t.iin") ==
        std::vector<std::string>{kDanaIin + "|2026-05-02|fit|2027-05-01|Емхана №3; Алматы",
                                 std::string(kSergeyIin) + "|2026-05-03|pending|-|-"});

  write_file_bytes(file, "ЖСН;Түрі;Мәртебе;Нөмірі;Берілген күні;Жарамдылық мерзімі;Ескертпе\r\n" + kDanaIin +
                             ";passport;verified;N1234567;2021-01-15;2031-01-14;\r\n" + kDanaIin +
                             ";photo;submitted;;;;3x4, екеуі\r\n");
  CHECK(c.json({"import", file, "--kind", "documents"})["imported"] == 2);
  CHECK(stored(c, "SELECT kind, status, coalesce(number, '-'), coalesce(issued, '-'), coalesce(expires, '-'), "
                  "coalesce(note, '-') FROM document_check ORDER BY kind") ==
        std::vector<std::string>{"passport|verified|N1234567|2021-01-15|2031-01-14|-", "photo|submitted|-|-|-|3x4, екеуі"});

  // --kind names what the header cannot: a tests file given as korean is refused on its header.
  refused(c, "iin;kind;date;score\r\n", {"line 1: column 'kind' is not known; expected iin, hours, level",
                                         "line 1: hours: required column is missing"},
          {"--kind", "korean"});
  refused(c, "iin;colour\r\n", {"line 1: the header does not say what the file holds; give --kind"});
  refused(c, "iin;hours\r\n", {"kind: must be trainees, korean, tests, medical or documents, got 'hours'"},
          {"--kind", "hours"});
  refused(c, "iin;hours\r\n", {"encoding: must be utf-8 or windows-1251, got 'koi8-r'"}, {"--encoding", "koi8-r"});
}

TEST_CASE("csv checks: all or nothing, every bad line reported as 'line N: field: reason'") {
  Centre c;
  enrol(c);
  Centre other;
  other.init();
  const std::string elsewhere = make_iin(Date{1991, 2, 3}, 'M', 5);
  std::string file = c.dir.file("tests.csv");
  std::string before = c.snapshot();
  write_file_bytes(file, "iin;kind;date;score\r\n" +
                             std::string(kAliyaIin) + ";mock;2026-02-10;95\r\n" +   // line 2: fine
                             kSergeyIin + ";eps-topik;2026-03-01;201\r\n" +          // line 3: score
                             kDanaIin + ";mock;2026-02-10;x\r\n" +                   // line 4: score
                             elsewhere + ";mock;2026-02-10;95\r\n" +                 // line 5: not enrolled here
                             "950101401230;mock;2026-02-10;95\r\n" +                 // line 6: check digit
                             kDanaIin + ";;2026-02-10;95\r\n" +                      // line 7: kind missing
                             kDanaIin + ";mock;2026-02-10\r\n" +                     // line 8: too few fields
                             kDanaIin + ";skills;2099-01-01;55\r\n" +               // line 9: a future date
                             kDanaIin + ";skills;2026-02-10;55\r\n");                // line 10: fine
  auto r = c.epsync({"import", file});
  CHECK(r.exit_code == 2);
  CAPTURE(r.err);
  for (const char* want : {"line 3: score: eps-topik scores run from", "line 4: score: must be a whole number, got 'x'",
                           "line 5: iin: no active trainee with this IIN is enrolled at this centre",
                           "line 6: iin: the check digit does not match: the number is probably mistyped", "line 7: kind: is required", "line 8: has 3 fields, the header has 4",
                           "line 9: date: 2099-01-01 is in the future",
                           "nothing imported: 7 problems"})
    CHECK_MESSAGE(r.err.find(want) != std::string::npos, want);
  CHECK(r.err.find("line 2:") == std::string::npos);
  CHECK(r.err.find("line 10:") == std::string::npos);
  CHECK(c.snapshot() == before);
  CHECK(stored(c, "SELECT count(*) FROM test_result") == std::vector<std::string>{"0"});
}

TEST_CASE("csv export --excel: BOM, ';', CRLF, IINs as text; import reads it back exactly") {
  Centre a;
  a.init();
  a.ok({"trainee", "add", "--iin", kDanaIin, "--surname", "Сәрсенбай; \"Дана\"", "--given-name", "Дана", "--birth-date",
        "2003-04-05", "--sex", "F", "--phone", "+7 701 555 12 34", "--sector", "service"});
  a.add(kSergeyIin, "Ёлкин", "Сергей", "1998-07-15", "M");
  std::string path = a.dir.file("excel.csv");
  a.ok({"export", "--excel", "--out", path});
  std::string bytes = read_file_bytes(path);
  CHECK(bytes.rfind("\xEF\xBB\xBFid;iin;surname;given_name;patronymic;birth_date;sex;phone;sector;status\r\n", 0) == 0);
  CHECK(bytes.find(";\"=\"\"" + kDanaIin + "\"\"\";") != std::string::npos);  // Excel shows ="0…" as text
  CHECK(bytes.find(";\"=\"\"+7 701 555 12 34\"\"\";") != std::string::npos);  // not a formula "+7…"
  CHECK(bytes.find("\"Сәрсенбай; \"\"Дана\"\"\"") != std::string::npos);
  size_t lf = 0, crlf = 0;
  for (size_t i = 0; i < bytes.size(); ++i)
    if (bytes[i] == '\n') ++lf, crlf += i > 0 && bytes[i - 1] == '\r';
  CHECK(lf == 3);
  CHECK(crlf == lf);

  Centre b;
  b.init();
  CHECK(b.json({"import", path})["imported"] == 2);
  for (const std::string& iin : {kDanaIin, std::string(kSergeyIin)}) {
    json x = a.json({"trainee", "show", iin}), y = b.json({"trainee", "show", iin});
    for (const char* key : {"iin", "surname", "given_name", "patronymic", "birth_date", "sex", "phone", "sector", "status"})
      CHECK_MESSAGE(x[key] == y[key], key);
  }
  auto bad = a.epsync({"export", "--excel", "--format", "json"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--excel writes CSV") != std::string::npos);
}

TEST_CASE("csv: refusals and results in Russian and Kazakh (--lang)") {
  Centre c;
  enrol(c);
  const std::string lost = kDanaIin.substr(1);
  refused(c, "ИИН;Вид;Дата;Балл\r\n" + std::string(kAliyaIin) + ";mock;2026-01-10;120\r\n" + lost + ";mock;2026-01-10;120\r\n",
          {"строка 3: iin: 11 цифр — вероятно, первый ноль потерялся, когда файл открыли в электронной таблице",
           "epsync: ничего не импортировано: в файле", " 1 ошибка"},
          {"--lang", "ru"});
  refused(c, "ЖСН;Сағат;Түсі\r\n", {"1-жол: 'Түсі' бағаны белгісіз; күтілетін бағандар: iin, hours, level",
                                    "epsync: ештеңе импортталмады"},
          {"--lang", "kk"});
  refused(c, std::string("iin;hours\r\n") + kAliyaIin + ";x\r\n" + kDanaIin + ";-1\r\n",
          {"строка 2: hours: нужно целое число, указано 'x'", "строка 3: hours:", " 2 ошибки"}, {"--lang", "ru"});
  std::string file = c.dir.file("ok.csv");
  write_file_bytes(file, "ИИН;Вид;Дата;Балл\r\n" + std::string(kAliyaIin) + ";mock;2026-01-10;120\r\n" + kDanaIin +
                             ";mock;2026-01-11;130\r\n");
  CHECK(c.ok({"import", file, "--lang", "ru"}) == "импортировано 2 результата теста\n");
  write_file_bytes(file, "ЖСН;Сағат\r\n" + std::string(kAliyaIin) + ";12\r\n");
  CHECK(c.ok({"import", file, "--lang", "kk"}) == "корей тілі курсының 1 жолы импортталды\n");
  CHECK(c.ok({"import", file, "--lang", "en"}) == "imported 1 Korean course line\n");
}
