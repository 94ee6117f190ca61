// The language of the texts (SPEC §10) for the administrators' and registrars' side commands:
// --lang, else [ui] lang of agent.toml or hub.toml, else LANG. A bad [ui] lang is refused with the
// file and line, yet never stops --help. Through the real binary, in kk, ru and en.
#include <doctest/doctest.h>

#include "cli/cli_fixture.h"

using namespace epsync::test;

namespace {

// agent.toml for the scratch centre, with `ui` as its [ui] section's body ("" for none).
std::string agent_toml(const Centre& c, const std::string& ui) {
  std::string path = c.dir.file("agent.toml");
  std::string text = "[center]\nid = \"ALM-014\"\n[store]\npath = \"" + c.db + "\"\n";
  if (!ui.empty()) text += "[ui]\n" + ui + "\n";
  write_file_bytes(path, text);
  return path;
}

std::string hub_toml(const Centre& c, const std::string& ui) {
  std::string path = c.dir.file("hub.toml");
  write_file_bytes(path, "[tls]\nca = \"ca.crt\"\ncert = \"hub.crt\"\nkey = \"hub.key\"\n[store]\npath = \"" +
                             c.dir.file("hub.db") + "\"\n[ui]\n" + ui + "\n");
  return path;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("config: [ui] lang = \"ru\" makes status speak Russian; --lang still wins") {
  Centre c;
  c.init();
  std::string cfg = agent_toml(c, "lang = \"ru\"");
  auto ru = c.run_other({"status", "--config", cfg});
  REQUIRE_MESSAGE(ru.exit_code == 0, ru.err);
  CHECK(has(ru.out, "последняя синхронизация"));
  CHECK(has(ru.out, "ни разу"));
  CHECK(has(ru.out, "0 изменений ещё не подтверждено хабом"));
  CHECK(!has(ru.out, "last sync"));
  // Values stay as they are: the centre id, the site id.
  CHECK(has(ru.out, "ALM-014"));

  auto en = c.run_other({"status", "--config", cfg, "--lang", "en"});
  REQUIRE(en.exit_code == 0);
  CHECK(has(en.out, "last sync"));
  CHECK(has(en.out, "never"));
  // JSON keys stay English whatever the language.
  auto j = c.run_other({"status", "--config", cfg, "--json"});
  REQUIRE(j.exit_code == 0);
  CHECK(nlohmann::json::parse(j.out).contains("last_sync"));
}

TEST_CASE("config: a bad [ui] lang is refused naming the file, the line and the key; --help still works") {
  Centre c;
  c.init();
  const std::string before = c.snapshot();
  std::string cfg = agent_toml(c, "lang = \"de\"");
  auto r = c.run_other({"status", "--config", cfg});
  CHECK(r.exit_code == 2);
  CHECK_MESSAGE(has(r.err, cfg + ":6: ui.lang: must be one of kk, ru, en, got 'de'"), r.err);
  auto add = c.run_other({"trainee", "add", "--config", cfg, "--iin", kAliyaIin, "--surname", "Test", "--given-name",
                          "Aliya", "--birth-date", "1995-01-01", "--sex", "F"});
  CHECK(add.exit_code == 2);
  CHECK(c.snapshot() == before);

  std::string number = agent_toml(c, "lang = 7");
  CHECK(has(c.run_other({"status", "--config", number}).err, ":6: ui.lang: must be a quoted string"));

  // A broken configuration never stops --help (the language then comes from the environment).
  auto help = c.run_other({"status", "--help", "--config", cfg});
  CHECK_MESSAGE(help.exit_code == 0, help.err);
  CHECK(has(help.out, "--config"));
}

TEST_CASE("config: [ui] lang in hub.toml sets the hub commands' language (kk)") {
  Centre c;
  std::string cfg = hub_toml(c, "lang = \"kk\"");
  auto add = c.run_other({"hub", "center", "add", "ALM-014", "--region", "almaty", "--name", "Almaty", "--config", cfg});
  REQUIRE_MESSAGE(add.exit_code == 0, add.err);
  CHECK(has(add.out, "ALM-014"));
  CHECK(!has(add.out, "registered centre"));
  auto list = c.run_other({"hub", "center", "list", "--config", cfg});
  REQUIRE(list.exit_code == 0);
  CHECK(has(list.out, "1 орталық"));
  auto bad = c.run_other({"hub", "center", "list", "--config", hub_toml(c, "lang = \"kz\"")});
  CHECK(bad.exit_code == 2);
  CHECK(has(bad.err, "hub.toml:8: ui.lang: must be one of kk, ru, en, got 'kz'"));
}

TEST_CASE("lang: status and the hub's lists in Kazakh and Russian with --lang") {
  Centre c;
  c.init();
  auto kk = c.epsync({"status", "--lang", "kk"});
  REQUIRE_MESSAGE(kk.exit_code == 0, kk.err);
  CHECK(has(kk.out, "соңғы синхрондау"));
  CHECK(has(kk.out, "әлі болған жоқ"));

  std::string hub_db = c.dir.file("hub.db");
  auto hub = [&](std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(hub_db);
    return c.run_other(std::move(args));
  };
  REQUIRE(hub({"hub", "center", "add", "ALM-014", "--region", "almaty", "--name", "Almaty"}).exit_code == 0);
  REQUIRE(hub({"hub", "center", "add", "AST-001", "--region", "astana", "--name", "Astana"}).exit_code == 0);
  CHECK(has(hub({"hub", "center", "list", "--lang", "ru"}).out, "2 центра"));
  CHECK(has(hub({"hub", "center", "list", "--lang", "kk", "--health"}).out, "ЕШ БАЙЛАНЫСҚА ШЫҚПАҒАН"));
  CHECK(has(hub({"hub", "duplicates", "--lang", "ru"}).out, "0 ИИН"));
  CHECK(has(hub({"hub", "quarantine", "--lang", "kk"}).out, "карантинде"));
  auto report = hub({"hub", "report", "--lang", "ru"});
  REQUIRE_MESSAGE(report.exit_code == 0, report.err);
  CHECK(has(report.out, "регион"));
  CHECK(has(report.out, "слушатели"));
  CHECK(has(report.out, "всего"));
  auto refused = hub({"hub", "report", "--by", "city", "--lang", "kk"});
  CHECK(refused.exit_code == 2);
  CHECK(has(refused.err, "'city'"));
  CHECK(!has(refused.err, "must be"));
}
