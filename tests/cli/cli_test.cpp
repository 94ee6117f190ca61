// The real `epsync` binary in a temporary directory: each command's happy path and each class of
// bad input, with the store left byte-for-byte unchanged by every refusal.
#include <doctest/doctest.h>

#include <filesystem>

#include "cli/cli_fixture.h"

using namespace epsync::test;
using nlohmann::json;

namespace {

// Runs a command that must be refused as invalid input (exit 2) with `needle` in its message,
// and checks that the store did not change at all.
void refused(const Centre& c, const std::vector<std::string>& args, const std::string& needle, int code = 2) {
  std::string before = c.snapshot();
  auto r = c.epsync(args);
  std::string cmd;
  for (const auto& a : args) cmd += a + " ";
  CAPTURE(cmd);
  CAPTURE(r.err);
  CHECK(r.exit_code == code);
  CHECK(r.err.find(needle) != std::string::npos);
  CHECK(c.snapshot() == before);
}

}  // namespace

TEST_CASE("cli: every command and subcommand answers --help") {
  Centre c;
  for (std::vector<std::string> cmd :
       {std::vector<std::string>{}, {"init"}, {"trainee"}, {"trainee", "add"}, {"trainee", "update"},
        {"trainee", "show"}, {"trainee", "list"}, {"trainee", "remove"}, {"record"}, {"record", "korean"},
        {"record", "test"}, {"record", "medical"}, {"record", "document"}, {"import"}, {"export"},
        {"readiness"}, {"history"}, {"backup"}}) {
    cmd.push_back("--help");
    auto r = c.epsync(cmd, false);
    CAPTURE(cmd.size() > 1 ? cmd[0] + " " + cmd[1] : cmd[0]);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Usage") != std::string::npos);
  }
}

TEST_CASE("cli: init creates a centre store - wrong ids, regions and files are refused") {
  Centre c;
  refused(c, {"init", "--center", "alm 14", "--region", "almaty"}, "center: must be");
  refused(c, {"init", "--center", "ALM-014", "--region", "atlantis"}, "region: must be one of");
  CHECK_FALSE(std::filesystem::exists(c.db));
  auto j = c.json({"init", "--center", "ALM-014", "--region", "almaty", "--name", "Алматы колледжі"});
  CHECK(j["center"] == "ALM-014");
  CHECK(j["site_id"].get<std::string>().size() == 32);
  c.ok({"init", "--center", "ALM-014", "--region", "almaty"});  // idempotent
  refused(c, {"init", "--center", "AST-001", "--region", "astana"}, "already belongs to centre ALM-014");

  write_file_bytes(c.dir.file("notes.db"), "not a database, just notes");
  auto r = c.run_other({"trainee", "list", "--db", c.dir.file("notes.db")});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("not an epsync store") != std::string::npos);
  CHECK(read_file_bytes(c.dir.file("notes.db")) == "not a database, just notes");
  auto missing = c.run_other({"trainee", "list", "--db", c.dir.file("nope.db")});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("epsync init") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(c.dir.file("nope.db")));
}

TEST_CASE("cli: init refuses HUB, the hub's own name, as the hub's registry does, and leaves no file") {
  Centre c;
  auto r = c.epsync({"init", "--center", "HUB", "--region", "almaty"});
  CAPTURE(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("center: must not be HUB") != std::string::npos);
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    CHECK_FALSE(std::filesystem::exists(c.db + suffix));
  CHECK(std::filesystem::is_empty(c.dir.path()));

  // One rule: the hub's registry refuses it with the same words.
  auto hub = c.run_other({"hub", "center", "add", "HUB", "--region", "almaty", "--name", "Hub", "--db",
                          c.dir.file("hub.db")});
  CHECK(hub.exit_code == 2);
  CHECK(hub.err.find("center: must not be HUB") != std::string::npos);
}

TEST_CASE("cli: trainee add, show, list, update and remove") {
  Centre c;
  c.init();
  std::string id = c.add(kAliyaIin, "Қасымова", "Әлия", "1995-01-01", "F");
  CHECK(id.size() == 32);

  json shown = c.json({"trainee", "show", kAliyaIin});
  for (const char* key : {"id", "iin", "surname", "given_name", "birth_date", "sex", "status"})
    CHECK_MESSAGE(shown.contains(key), key);
  CHECK(shown["id"] == id);
  CHECK(shown["surname"] == "Қасымова");
  CHECK(shown["status"] == "active");
  CHECK(shown["ready"] == false);
  CHECK(c.json({"trainee", "show", id.substr(0, 8)})["id"] == id);  // by id prefix

  c.ok({"trainee", "update", kAliyaIin, "--phone", "+7 701 123 45 67", "--patronymic", "Серікқызы"});
  shown = c.json({"trainee", "show", id});
  CHECK(shown["phone"] == "+7 701 123 45 67");
  CHECK(shown["patronymic"] == "Серікқызы");
  CHECK(c.ok({"trainee", "show", kAliyaIin}).find("Қасымова Әлия Серікқызы") != std::string::npos);

  c.add(kSergeyIin, "Ёлкин", "Сергей", "1998-07-15", "M");
  json list = c.json({"trainee", "list"});
  REQUIRE(list.size() == 2);
  for (const auto& t : list)
    for (const char* key : {"id", "iin", "surname", "given_name", "birth_date", "sex", "status"})
      CHECK_MESSAGE(t.contains(key), key);

  c.ok({"trainee", "update", kSergeyIin, "--status", "withdrawn"});
  CHECK(c.json({"trainee", "show", kSergeyIin})["status"] == "withdrawn");
  c.ok({"trainee", "remove", kSergeyIin});
  CHECK(c.json({"trainee", "list"}).size() == 1);
  refused(c, {"trainee", "show", kSergeyIin}, "no trainee with IIN");
}

TEST_CASE("cli: bad trainee input is refused with the field and the rule, and writes nothing") {
  Centre c;
  c.init();
  c.add(kAliyaIin, "Қасымова", "Әлия", "1995-01-01", "F");
  const std::vector<std::string> base = {"trainee", "add", "--surname", "Ахметов", "--given-name", "Ерлан"};
  auto add = [&](std::vector<std::string> extra) {
    auto a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  // A check digit that does not match: a probable typing mistake, never the digit that would pass.
  refused(c, add({"--iin", "980715301235", "--birth-date", "1998-07-15", "--sex", "M"}),
          "--iin: the check digit does not match: the number is probably mistyped — compare it with the identity card");
  CHECK(c.epsync(add({"--iin", "980715301235", "--birth-date", "1998-07-15", "--sex", "M"})).err.find('6') ==
        std::string::npos);
  refused(c, add({"--iin", "98071530123", "--birth-date", "1998-07-15", "--sex", "M"}), "iin: must be 12 digits");
  refused(c, add({"--iin", "98071530123x", "--birth-date", "1998-07-15", "--sex", "M"}), "iin: must contain digits only");
  refused(c, add({"--iin", kSergeyIin, "--birth-date", "1998-07-16", "--sex", "M"}),
          "iin: encodes birth date 1998-07-15, --birth-date is 1998-07-16");
  refused(c, add({"--iin", kSergeyIin, "--birth-date", "1998-07-15", "--sex", "F"}), "iin: encodes sex M, --sex is F");
  refused(c, add({"--iin", kSergeyIin, "--birth-date", "1998-02-30", "--sex", "M"}),
          "--birth-date: must be a date as DD.MM.YYYY or YYYY-MM-DD, got '1998-02-30'");
  refused(c, add({"--iin", kSergeyIin, "--birth-date", "15.7.1998", "--sex", "M"}),
          "--birth-date: must be a date as DD.MM.YYYY or YYYY-MM-DD, got '15.7.1998'");
  refused(c, add({"--iin", "991212301236", "--birth-date", "2099-12-12", "--sex", "M"}), "--birth-date: 2099-12-12 is in the future");
  refused(c, add({"--iin", kSergeyIin, "--birth-date", "1998-07-15", "--sex", "X"}), "sex: must be F or M");
  refused(c, add({"--iin", kSergeyIin, "--birth-date", "1998-07-15", "--sex", "M", "--sector", "mining"}), "sector: must be one of");
  refused(c, add({"--iin", kSergeyIin, "--birth-date", "1998-07-15", "--sex", "M", "--phone", "call me"}), "phone:");
  refused(c, add({"--iin", kSergeyIin, "--birth-date", "1998-07-15"}), "sex: is required");
  refused(c, add({"--iin", kSergeyIin, "--birth-date", "1998-07-15", "--sex", "M", "--colour", "red"}), "--colour");
  refused(c, {"trainee", "add", "--iin", kSergeyIin, "--surname", "", "--given-name", "Е", "--birth-date",
              "1998-07-15", "--sex", "M"}, "surname: is required");
  refused(c, {"trainee", "add", "--iin", kSergeyIin, "--surname", std::string("A\x01") + "b", "--given-name", "Е",
              "--birth-date", "1998-07-15", "--sex", "M"}, "surname: contains a control character");
  refused(c, {"trainee", "add", "--iin", kSergeyIin, "--surname", "\xff\xfe", "--given-name", "Е",
              "--birth-date", "1998-07-15", "--sex", "M"}, "surname: is not valid UTF-8");
  // A second active enrolment of the same IIN at this centre.
  refused(c, {"trainee", "add", "--iin", kAliyaIin, "--surname", "Қасымова", "--given-name", "Әлия",
              "--birth-date", "1995-01-01", "--sex", "F"}, "iin: an active trainee with this IIN is already enrolled");
  // Updates are validated the same way.
  refused(c, {"trainee", "update", kAliyaIin, "--status", "gone"}, "status: must be one of");
  refused(c, {"trainee", "update", kAliyaIin, "--birth-date", "1995-01-02"}, "iin: encodes birth date 1995-01-01");
  refused(c, {"trainee", "update", kAliyaIin, "--surname", ""}, "surname: cannot be cleared");
  refused(c, {"trainee", "update", "000000000000", "--phone", "12345"}, "no trainee with IIN");
  refused(c, {"trainee", "update", "abc", "--phone", "12345"}, "at least 6 characters");
}

TEST_CASE("cli: record korean, test, medical and document - bad values are refused") {
  Centre c;
  c.init();
  c.add(kAliyaIin, "Қасымова", "Әлия", "1995-01-01", "F");
  std::string course = c.json({"record", "korean", kAliyaIin, "--hours", "120", "--level", "beginner"})["id"];
  CHECK(c.json({"record", "korean", kAliyaIin, "--hours", "180"})["id"] == course);  // one course row
  c.ok({"record", "test", kAliyaIin, "--kind", "eps-topik", "--date", "2026-01-15", "--score", "150"});
  c.ok({"record", "medical", kAliyaIin, "--date", "2026-02-01", "--result", "fit", "--valid-until", "2099-02-01",
        "--clinic", "Емхана №4"});
  std::string passport = c.json({"record", "document", kAliyaIin, "--kind", "passport", "--status", "submitted"})["id"];
  CHECK(c.json({"record", "document", kAliyaIin, "--kind", "passport", "--status", "verified", "--number", "N123",
                "--issued", "2020-01-01", "--expires", "2099-01-01"})["id"] == passport);
  c.ok({"record", "document", kAliyaIin, "--kind", "criminal-record", "--status", "verified"});
  c.ok({"record", "document", kAliyaIin, "--kind", "immigration-record", "--status", "verified"});
  CHECK(c.json({"trainee", "show", kAliyaIin})["ready"] == true);

  refused(c, {"record", "test", kAliyaIin, "--kind", "eps-topik", "--date", "2026-01-15", "--score", "201"},
          "score: eps-topik scores run from 0 to 200, got 201");
  refused(c, {"record", "test", kAliyaIin, "--kind", "eps-topik", "--date", "2026-01-15", "--score", "-1"}, "score:");
  refused(c, {"record", "test", kAliyaIin, "--kind", "eps-topik", "--date", "2026-01-15", "--score", "lots"}, "--score");
  refused(c, {"record", "test", kAliyaIin, "--kind", "ielts", "--date", "2026-01-15", "--score", "5"}, "kind: must be one of");
  refused(c, {"record", "test", kAliyaIin, "--kind", "topik", "--date", "2099-01-15", "--score", "5"}, "date: 2099-01-15 is in the future");
  refused(c, {"record", "medical", kAliyaIin, "--date", "2026-02-01", "--result", "healthy"}, "result: must be one of");
  refused(c, {"record", "medical", kAliyaIin, "--date", "2026-02-01", "--result", "fit"}, "--valid-until: is required");
  refused(c, {"record", "medical", kAliyaIin, "--date", "2026-02-01", "--result", "fit", "--valid-until", "2026-01-01"},
          "--valid-until: 2026-01-01 is before");
  refused(c, {"record", "document", kAliyaIin, "--kind", "visa", "--status", "verified"}, "kind: must be one of");
  refused(c, {"record", "document", kAliyaIin, "--kind", "passport", "--status", "ok"}, "status: must be one of");
  refused(c, {"record", "document", kAliyaIin, "--kind", "passport", "--status", "verified", "--issued", "2020-01-01",
              "--expires", "2019-01-01"}, "expires: 2019-01-01 is not after");
  refused(c, {"record", "korean", kAliyaIin, "--hours", "-5"}, "hours: must be between");
  refused(c, {"record", "korean", "000000000000", "--hours", "5"}, "no trainee with IIN");
}

TEST_CASE("cli: readiness lists each trainee with blockers in words") {
  Centre c;
  c.init();
  c.add(kAliyaIin, "Қасымова", "Әлия", "1995-01-01", "F");
  json r = c.json({"readiness", "--as-of", "2026-06-01"});
  REQUIRE(r["readiness"].size() == 1);
  const json& row = r["readiness"][0];
  for (const char* key : {"id", "iin", "ready", "blockers"}) CHECK_MESSAGE(row.contains(key), key);
  CHECK(row["ready"] == false);
  std::vector<std::string> blockers = row["blockers"];
  CHECK(blockers.size() == 5);
  CHECK(blockers[0] == "no EPS-TOPIK or TOPIK result recorded");
  CHECK(c.ok({"readiness", "--as-of", "2026-06-01"}).find("0 of 1 trainees ready on 2026-06-01") != std::string::npos);
  refused(c, {"readiness", "--as-of", "tomorrow"}, "as-of: must be a date");
}

TEST_CASE("cli: history shows who changed what, from what to what") {
  Centre c;
  c.init();
  c.add(kAliyaIin, "Қасымова", "Әлия", "1995-01-01", "F");
  c.ok({"trainee", "update", kAliyaIin, "--surname", "Қасымова-Ли"});
  c.ok({"record", "document", kAliyaIin, "--kind", "criminal-record", "--status", "submitted"});
  c.ok({"record", "document", kAliyaIin, "--kind", "criminal-record", "--status", "verified"});
  json h = c.json({"history", kAliyaIin});
  bool surname = false, doc = false;
  for (const auto& e : h) {
    CHECK(e["operator"] == "registrar-test");
    if (e["field"] == "surname" && e["new"] == "Қасымова-Ли") surname = e["old"] == "Қасымова";
    if (e["subject"] == "criminal-record" && e["field"] == "status" && e["new"] == "verified")
      doc = e["old"] == "submitted";
  }
  CHECK(surname);
  CHECK(doc);
  std::string text = c.ok({"history", kAliyaIin});
  CHECK(text.find("surname: Қасымова -> Қасымова-Ли") != std::string::npos);
  CHECK(text.find("criminal-record status: submitted -> verified") != std::string::npos);
}

TEST_CASE("cli: --config supplies the store path - bad configuration files are explained") {
  Centre c;
  std::string cfg = c.dir.file("agent.toml");
  write_file_bytes(cfg, "[center]\nid = \"ALM-014\"\n[store]\npath = \"" + c.db + "\"\n[sync]\ninterval_seconds = 30\n");
  auto r = c.run_other({"init", "--center", "ALM-014", "--region", "almaty", "--config", cfg});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(std::filesystem::exists(c.db));
  CHECK(c.run_other({"trainee", "list", "--config", cfg, "--json"}).out == "[]\n");

  write_file_bytes(cfg, "[center]\nid = \"ALM-014\"\n[store]\npath = \"" + c.db + "\"\nbackup = \"x\"\n");
  r = c.run_other({"trainee", "list", "--config", cfg});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(cfg + ":5: store.backup: unknown key") != std::string::npos);
  write_file_bytes(cfg, "[center]\nid = \"ALM-014\"\n[store]\npath = \"" + c.db + "\"\n[sync]\ninterval_seconds = \"soon\"\n");
  r = c.run_other({"trainee", "list", "--config", cfg});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(":6: sync.interval_seconds: must be a whole number") != std::string::npos);
  write_file_bytes(cfg, "[center\nid = 1");
  r = c.run_other({"trainee", "list", "--config", cfg});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(cfg + ":1") != std::string::npos);
  write_file_bytes(cfg, "[store]\npath = \"x.db\"\n");
  r = c.run_other({"trainee", "list", "--config", cfg});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("center.id: required key is missing") != std::string::npos);
  write_file_bytes(cfg, "[center]\nid = \"ALM-014\"\n# Алматы\n[store]\npath = \"x.db\"\n");
  r = c.run_other({"trainee", "list", "--config", cfg});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(cfg + ":3: only ASCII is allowed") != std::string::npos);
  r = c.run_other({"trainee", "list", "--config", c.dir.file("missing.toml")});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("cannot read the configuration file") != std::string::npos);
}
