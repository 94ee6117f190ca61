// Import and export through the real binary: RFC 4180 details, all-or-nothing imports with every
// bad line reported, the Kazakh/Russian round trip, and backups taken while another process writes.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "cli/cli_fixture.h"
#include "records/date.h"
#include "records/iin.h"

using namespace epsync;
using namespace epsync::test;
using nlohmann::json;

namespace {

std::string without_ids(const std::string& csv) {
  // Drops the first field of each line (the id, which import does not keep).
  std::string out;
  size_t pos = 0;
  while (pos < csv.size()) {
    size_t end = csv.find('\n', pos);
    std::string line = csv.substr(pos, end - pos);
    out += line.substr(line.find(',') + 1) + "\n";
    pos = end == std::string::npos ? csv.size() : end + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("csv: Kazakh and Russian names round-trip add -> export -> import -> show") {
  Centre a, b;
  a.init();
  b.init();
  a.ok({"trainee", "add", "--iin", kAliyaIin, "--surname", "Әбілқайыр-Ғалымжанқызы", "--given-name", "Әлия",
        "--patronymic", "Нұрғалиқызы", "--birth-date", "1995-01-01", "--sex", "F", "--sector", "service"});
  a.ok({"trainee", "add", "--iin", kSergeyIin, "--surname", "Ёлкин, \"младший\"", "--given-name", "Һарун Үсен Іңкәр Өмір",
        "--birth-date", "1998-07-15", "--sex", "M", "--phone", "+7 (701) 555-12-34"});
  std::string csv_path = a.dir.file("export.csv");
  a.ok({"export", "--out", csv_path});
  std::string exported = read_file_bytes(csv_path);
  CHECK(exported.find("\"Ёлкин, \"\"младший\"\"\"") != std::string::npos);  // RFC 4180 quoting

  CHECK(b.json({"import", csv_path})["imported"] == 2);
  for (const char* iin : {kAliyaIin, kSergeyIin}) {
    json x = a.json({"trainee", "show", iin}), y = b.json({"trainee", "show", iin});
    for (const char* key : {"iin", "surname", "given_name", "patronymic", "birth_date", "sex", "phone", "sector", "status"})
      CHECK_MESSAGE(x[key] == y[key], key);
    CHECK(x["id"] != y["id"]);  // a fresh row at the new centre
  }
  std::string again = b.ok({"export"});
  CHECK(without_ids(again) == without_ids(exported));
  json j = b.json({"trainee", "show", kAliyaIin});
  CHECK(j["surname"] == "Әбілқайыр-Ғалымжанқызы");
  CHECK(j["patronymic"] == "Нұрғалиқызы");

  json exp = json::parse(b.ok({"export", "--format", "json"}));
  CHECK(exp["trainees"].size() == 2);
  auto bad = b.epsync({"export", "--format", "xml"});
  CHECK(bad.exit_code == 2);
}

TEST_CASE("csv: import takes the BOM Excel writes, CRLF, quoted commas and quotes, any column order") {
  Centre c;
  c.init();
  std::string file = c.dir.file("in.csv");
  write_file_bytes(file, "\xEF\xBB\xBF" "sex,birth_date,iin,surname,given_name,patronymic\r\n"
                         "F,1995-01-01,950101401239,\"Қасымова, Ли\",\"Әлия \"\"Мария\"\"\",\r\n"
                         "M,1998-07-15,980715301236,Ёлкин,Сергей,Петрович\r\n\r\n");
  CHECK(c.json({"import", file})["imported"] == 2);
  json a = c.json({"trainee", "show", kAliyaIin});
  CHECK(a["surname"] == "Қасымова, Ли");
  CHECK(a["given_name"] == "Әлия \"Мария\"");
  CHECK(a["patronymic"].is_null());
  CHECK(c.json({"trainee", "show", kSergeyIin})["patronymic"] == "Петрович");
}

TEST_CASE("csv: a bad file imports nothing and reports every bad line as 'line N: field: reason'") {
  Centre c;
  c.init();
  c.add(kAliyaIin, "Қасымова", "Әлия", "1995-01-01", "F");
  std::string file = c.dir.file("bad.csv");
  write_file_bytes(file,
                   "iin,surname,given_name,birth_date,sex\n"
                   "901130301234,Nurlanov,Arman,1990-11-30,M\n"          // line 2: fine
                   "901130301235,Nurlanov,Arman,1990-11-30,M\n"          // line 3: check digit
                   "840520401234,,Гүлнар,1984-05-20,F\n"                  // line 4: surname missing
                   "\"090201501238\",Өмірзақ,\"Ерлан\n(Ерік)\",2009-02-01,X\n"  // line 5-6: sex
                   "991212301236,Үсенов,Нұрлан,1999-12-13,M\n"            // line 7: IIN vs birth date
                   "901130301234,Nurlanov,Arman,1990-11-30,M\n"          // line 8: repeats line 2
                   "950101401239,Қасымова,Әлия,1995-01-01,F\n"            // line 9: already enrolled
                   "010309601237,Сәрсенбай,Дана\n");                      // line 10: too few fields
  std::string before = c.snapshot();
  auto r = c.epsync({"import", file});
  CHECK(r.exit_code == 2);
  CAPTURE(r.err);
  for (const char* want : {"line 3: iin: the check digit does not match: the number is probably mistyped", "line 4: surname: is required",
                           "line 5: sex: must be F or M",
                           "line 5: given_name: contains a control character",  // the quoted newline
                           "line 7: iin: encodes birth date 1999-12-12, birth_date is 1999-12-13",
                           "line 8: iin: the same IIN is already on line 2",
                           "line 9: iin: an active trainee with this IIN is already enrolled here",
                           "line 10: has 3 fields, the header has 5", "nothing imported: 8 problems"})
    CHECK_MESSAGE(r.err.find(want) != std::string::npos, want);
  CHECK(r.err.find("line 2:") == std::string::npos);
  CHECK(c.snapshot() == before);

  for (auto [content, want] : std::vector<std::pair<std::string, std::string>>{
           {"", "line 1: the file is empty"},
           {"iin,surname,given_name,birth_date,sex,shoe_size\n", "line 1: column 'shoe_size' is not known; expected id, iin, surname, given_name"},
           {"iin,surname,given_name,birth_date\n", "line 1: sex: required column is missing"},
           {"iin,surname,given_name,birth_date,sex\n\"950101401239,x\n", "line 2: a quoted field is never closed"},
           {"iin,surname,given_name,birth_date,sex\n95010140\"1239,x,y,1995-01-01,F\n", "line 2: a quote inside an unquoted field"}}) {
    write_file_bytes(file, content);
    auto rr = c.epsync({"import", file});
    CAPTURE(content);
    CHECK(rr.exit_code == 2);
    CHECK(rr.err.find(want) != std::string::npos);
    CHECK(c.snapshot() == before);
  }
  auto missing = c.epsync({"import", c.dir.file("nope.csv")});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("cannot read the file") != std::string::npos);
}

TEST_CASE("backup: consistent while another process writes") {
  Centre c;
  c.init();
  // A big import (one transaction) runs in another process while we take backups.
  std::string csv = "iin,surname,given_name,birth_date,sex\n";
  const int n = 3000;
  for (int i = 0; i < n; ++i) {
    Date birth = add_days(Date{1990, 1, 1}, i % 3000);
    csv += make_iin(birth, i % 2 ? 'M' : 'F', i) + ",Фамилия" + std::to_string(i) + ",Есім," + format_date(birth) +
           "," + (i % 2 ? "M" : "F") + "\n";
  }
  write_file_bytes(c.dir.file("big.csv"), csv);
  std::atomic<bool> done{false};
  RunResult import_result;
  std::thread writer([&] {
    import_result = c.epsync({"import", c.dir.file("big.csv")});
    done = true;
  });
  std::vector<size_t> counts;
  for (int i = 0; i < 200 && !(done && i >= 3); ++i) {
    std::string copy = c.dir.file("backup" + std::to_string(i) + ".db");
    auto r = c.epsync({"backup", copy});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    auto list = c.run_other({"trainee", "list", "--json", "--db", copy});
    REQUIRE_MESSAGE(list.exit_code == 0, list.err);
    counts.push_back(json::parse(list.out).size());
  }
  writer.join();
  REQUIRE_MESSAGE(import_result.exit_code == 0, import_result.err);
  for (size_t k : counts) CHECK((k == 0 || k == static_cast<size_t>(n)));  // never half an import
  CHECK(counts.size() >= 3);
  MESSAGE("backups taken: " << counts.size() << ", first " << counts.front() << ", last " << counts.back());
  std::string last = c.dir.file("after.db");
  c.ok({"backup", last});
  CHECK(json::parse(c.run_other({"trainee", "list", "--json", "--db", last}).out).size() == static_cast<size_t>(n));
}
