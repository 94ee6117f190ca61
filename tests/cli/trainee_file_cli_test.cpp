// The registrar finding a trainee and reading the whole file through the real binary: --search by
// name in any case or by IIN prefix, short ids that tell apart trainees enrolled in the same
// millisecond and that every command takes, `trainee show` with every record, in three languages.
#include <doctest/doctest.h>

#include <functional>
#include <set>
#include <sstream>

#include "cli/cli_fixture.h"
#include "records/iin.h"
#include "records/model.h"
#include "records/records.h"
#include "storage/change_log.h"

using namespace epsync;
using namespace epsync::test;
using nlohmann::json;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Writes through the library into the centre's store, as the hub's import of official results or a
// bulk import writes: many rows in one transaction, within a millisecond or two.
void write_directly(const Centre& c, const std::function<void(Records&)>& fn) {
  auto s = Store::open(c.db, eps_store_options());
  REQUIRE(s.ok());
  WriteTxn w(*s.value());
  REQUIRE(w.begin().ok());
  Records r(w, "ALM-014", Date{2026, 12, 6});
  fn(r);
  REQUIRE(w.commit().ok());
}

TraineeFields person(int serial, const std::string& surname) {
  TraineeFields f;
  f.iin = make_iin(Date{1996, 3, 4}, 'M', serial);
  f.surname = surname;
  f.given_name = "Ерлан";
  f.birth_date = "1996-03-04";
  f.sex = "M";
  return f;
}

}  // namespace

TEST_CASE("cli: trainee list --search finds by any part of a name in any case, or by IIN prefix") {
  Centre c;
  c.init();
  c.add(kAliyaIin, "Қасымова", "Әлия", "1995-01-01", "F");
  c.add(kSergeyIin, "Нурланов", "Сергей", "1998-07-15", "M");
  std::string out = c.ok({"trainee", "list", "--search", "нурлан"});
  CHECK(has(out, "Нурланов Сергей"));
  CHECK_FALSE(has(out, "Қасымова"));
  CHECK(has(out, "1 trainee found"));
  CHECK(has(c.ok({"trainee", "list", "--search", "ҚАСЫМ"}), "Қасымова Әлия"));
  CHECK(has(c.ok({"trainee", "list", "--search", "әлия"}), "Қасымова Әлия"));
  json by_iin = c.json({"trainee", "list", "--search", "9807"});
  REQUIRE(by_iin.size() == 1);
  CHECK(by_iin[0]["iin"] == kSergeyIin);
  CHECK(by_iin[0]["short_id"].get<std::string>().size() >= 8);
  std::string none = c.ok({"trainee", "list", "--search", "Бекзат"});
  CHECK(has(none, "0 trainees found"));
  std::string before = c.snapshot();
  auto empty = c.epsync({"trainee", "list", "--search", "  "});
  CHECK(empty.exit_code == 2);
  CHECK(has(empty.err, "search: give part of a name"));
  CHECK(c.snapshot() == before);
}

TEST_CASE("cli: show takes a name that matches one trainee; several are listed, writes want an id") {
  Centre c;
  c.init();
  std::string aliya = c.add(kAliyaIin, "Нурланова", "Әлия", "1995-01-01", "F");
  std::string sergey = c.add(kSergeyIin, "Нурланов", "Сергей", "1998-07-15", "M");
  CHECK(c.json({"trainee", "show", "сергей"})["id"] == sergey);
  CHECK(has(c.ok({"history", "Әлия"}), "surname: (empty) -> Нурланова"));
  std::string before = c.snapshot();
  auto several = c.epsync({"trainee", "show", "Нурланов"});
  CHECK(several.exit_code == 2);
  CHECK(has(several.err, "matches 2 trainees"));
  for (const auto& t : c.json({"trainee", "list"})) CHECK(has(several.err, t["short_id"].get<std::string>()));
  auto nobody = c.epsync({"trainee", "show", "Бекзат"});
  CHECK(nobody.exit_code == 2);
  CHECK(has(nobody.err, "no trainee's name or IIN matches 'Бекзат'"));
  auto write_by_name = c.epsync({"trainee", "update", "Сергей", "--phone", "+7 701 000 00 00"});
  CHECK(write_by_name.exit_code == 2);
  CHECK(has(write_by_name.err, "epsync trainee list --search \"Сергей\""));
  CHECK(c.snapshot() == before);
  CHECK(aliya != sergey);
}

TEST_CASE("cli: 300 trainees enrolled at once get unique short ids, and each works with every command") {
  Centre c;
  c.init();
  write_directly(c, [](Records& r) {
    std::set<std::string> iins;
    for (int i = 0, serial = 1; i < 300; ++i) {
      TraineeFields f;
      do f = person(serial++, "Фамилия" + std::to_string(i));
      while (!iins.insert(*f.iin).second);  // make_iin skips onto the next serial
      REQUIRE(r.add_trainee(f, FieldStyle::kFlag).ok());
    }
  });
  std::istringstream lines(c.ok({"trainee", "list"}));
  std::vector<std::string> shorts;
  for (std::string line; std::getline(lines, line);)
    if (line.find("  ") != std::string::npos) shorts.push_back(line.substr(0, line.find("  ")));
  REQUIRE(shorts.size() == 300);
  CHECK(std::set<std::string>(shorts.begin(), shorts.end()).size() == 300);
  std::set<std::string> ids;
  for (const auto& s : shorts) {
    CHECK(s.size() >= 8);
    auto r = c.epsync({"trainee", "show", s, "--json"});
    REQUIRE_MESSAGE(r.exit_code == 0, s << ": " << r.err);
    std::string id = json::parse(r.out)["id"];
    CHECK(id.rfind(s, 0) == 0);
    ids.insert(id);
  }
  CHECK(ids.size() == 300);
  const std::string& one = shorts[150];
  c.ok({"trainee", "update", one, "--phone", "+7 701 000 00 00"});
  c.ok({"record", "korean", one, "--hours", "40"});
  CHECK(has(c.ok({"history", one}), "phone: (empty) -> +7 701 000 00 00"));
  c.ok({"trainee", "remove", one});
  CHECK(c.json({"trainee", "list"}).size() == 299);
}

TEST_CASE("cli: trainee show prints the whole file, the official result marked") {
  Centre c;
  c.init();
  c.add(kAliyaIin, "Қасымова", "Әлия", "1995-01-01", "F");
  c.ok({"record", "korean", kAliyaIin, "--hours", "320", "--level", "B2"});
  c.ok({"record", "test", kAliyaIin, "--kind", "mock", "--date", "2026-02-01", "--score", "120"});
  c.ok({"record", "medical", kAliyaIin, "--date", "2026-05-01", "--result", "fit", "--valid-until", "2027-05-01",
        "--clinic", "Клиника №1"});
  c.ok({"record", "document", kAliyaIin, "--kind", "passport", "--status", "verified", "--number", "N1234567",
        "--issued", "2021-03-01", "--expires", "2031-03-01", "--note", "копия в деле"});
  // The hub writes an official EPS-TOPIK result with source official; it reaches the centre so.
  write_directly(c, [](Records& r) { REQUIRE(r.record_test(kAliyaIin, {"eps-topik", "2026-04-18", 156, "official"}).ok()); });

  std::string text = c.ok({"trainee", "show", kAliyaIin});
  CHECK(has(text, "320 hours, level B2"));
  CHECK(has(text, "2026-04-18  eps-topik  score 156  OFFICIAL result from the hub"));
  CHECK(has(text, "2026-02-01  mock  score 120  entered at the centre"));
  CHECK(has(text, "2026-05-01  fit  valid until 2027-05-01  clinic Клиника №1"));
  CHECK(has(text, "passport  verified  number N1234567  issued 2021-03-01  expires 2031-03-01"));
  CHECK(has(text, "note: копия в деле"));
  CHECK(has(text, "criminal-record certificate is not recorded"));

  json j = c.json({"trainee", "show", kAliyaIin});
  for (const char* key : {"id", "iin", "surname", "korean", "tests", "medical", "documents", "ready", "blockers"})
    CHECK_MESSAGE(j.contains(key), key);
  CHECK(j["korean"]["hours"] == 320);
  REQUIRE(j["tests"].size() == 2);
  CHECK(j["tests"][0]["source"] == "official");
  CHECK(j["tests"][0]["score"] == 156);
  CHECK(j["medical"][0]["clinic"] == "Клиника №1");
  CHECK(j["documents"][0]["number"] == "N1234567");
  CHECK(j["ready"] == false);
  CHECK(j["blockers"].size() == 2);
}

TEST_CASE("cli: the trainee's file, lists and readiness in Russian and Kazakh") {
  Centre c;
  c.init();
  c.add(kAliyaIin, "Қасымова", "Әлия", "1995-01-01", "F");
  c.ok({"record", "korean", kAliyaIin, "--hours", "5"});
  std::string ru = c.ok({"trainee", "show", kAliyaIin, "--lang", "ru"});
  CHECK(has(ru, "ИИН"));
  CHECK(has(ru, "5 часов"));
  CHECK(has(ru, "Тесты"));
  CHECK(has(ru, "нет записей"));
  CHECK(has(ru, "не готов"));
  CHECK(has(c.ok({"trainee", "list", "--search", "қасым", "--lang", "ru"}), "найден 1 слушатель"));
  CHECK(has(c.ok({"readiness", "--as-of", "2026-06-01", "--lang", "ru"}), "Готовы 0 из 1 слушателя на 2026-06-01"));
  std::string kk = c.ok({"trainee", "show", kAliyaIin, "--lang", "kk"});
  CHECK(has(kk, "ЖСН"));
  CHECK(has(kk, "Медициналық тексерулер"));
  CHECK(has(kk, "дайын емес"));
  CHECK(has(c.ok({"record", "korean", kAliyaIin, "--hours", "6", "--lang", "kk"}), "корей тілі курсы жазылды"));
  CHECK(has(c.ok({"history", kAliyaIin, "--lang", "kk"}), "корей тілі курсы, hours: 5 -> 6"));
  auto refused = c.epsync({"trainee", "update", "Қасымова", "--phone", "1234567", "--lang", "ru"});
  CHECK(refused.exit_code == 2);
  CHECK(has(refused.err, "не идентификатор и не ИИН"));
}
