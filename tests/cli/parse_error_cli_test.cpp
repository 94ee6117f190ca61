// Command-line parse errors and --help through the real `epsync` binary: each kind of parse error
// in the reader's words (en, ru, kk) with the command it concerns and exit 2, the store untouched;
// every command's help has an example, the hub's commands name the hub's config, --region its list.
#include <doctest/doctest.h>

#include <filesystem>

#include "cli/cli_fixture.h"
#include "records/regions.h"

using namespace epsync::test;

namespace {

struct Refusal {
  std::vector<std::string> args;
  std::string err;  // the whole of stderr
};

// Runs `args` (then --db, unless the command takes none) against an initialised store: exit 2,
// exactly `want` on stderr, nothing on stdout, the store byte for byte as before, nobody enrolled.
void check_refusal(const Centre& c, const std::vector<std::string>& args, const std::string& want) {
  std::string before = c.snapshot();
  bool takes_db = args.size() > 1 && args[1] != "--lang";
  auto r = c.epsync(args, takes_db);
  std::string cmd;
  for (const auto& a : args) cmd += a + " ";
  CAPTURE(cmd);
  CHECK(r.exit_code == 2);
  CHECK(r.err == want);
  CHECK(r.out.empty());
  CHECK(c.snapshot() == before);
  CHECK(c.run_other({"trainee", "list", "--json", "--db", c.db}).out == "[]\n");
}

std::vector<std::string> with_lang(std::vector<std::string> args, const char* lang) {
  args.push_back("--lang");
  args.push_back(lang);
  return args;
}

// Every command and subcommand there is.
const std::vector<std::vector<std::string>>& all_commands() {
  static const std::vector<std::vector<std::string>> commands = {
      {}, {"init"}, {"trainee"}, {"trainee", "add"}, {"trainee", "update"}, {"trainee", "show"},
      {"trainee", "list"}, {"trainee", "remove"}, {"record"}, {"record", "korean"}, {"record", "test"},
      {"record", "medical"}, {"record", "document"}, {"import"}, {"export"}, {"readiness"}, {"history"},
      {"backup"}, {"quarantine"}, {"sync"}, {"restore"}, {"agent"}, {"status"}, {"hub"}, {"hub", "center"},
      {"hub", "center", "add"}, {"hub", "center", "list"}, {"hub", "duplicates"}, {"hub", "conflicts"},
      {"hub", "conflicts", "list"}, {"hub", "conflicts", "resolve"}, {"hub", "quarantine"},
      {"hub", "import-results"}, {"hub", "report"}};
  return commands;
}

std::string help_of(const Centre& c, std::vector<std::string> command, const char* lang = "en") {
  command.push_back("--help");
  auto r = c.run_other(with_lang(command, lang));
  CHECK(r.exit_code == 0);
  return r.out;
}

}  // namespace

TEST_CASE("cli parse errors: each kind said in English with the command, a suggestion and where to look") {
  Centre c;
  c.init();
  const std::vector<Refusal> refusals = {
      {{"trainee", "add", "--surnam", "Қасымова", "--iin", kAliyaIin},
       "epsync trainee add: unknown option --surnam; did you mean --surname?\nsee: epsync trainee add --help\n"},
      {{"trainee", "add", "--given=Әлия"},
       "epsync trainee add: unknown option --given; did you mean --given-name?\nsee: epsync trainee add --help\n"},
      {{"trainee", "add", "--colour", "red"}, "epsync trainee add: unknown option --colour\nsee: epsync trainee add --help\n"},
      {{"traine", "list"}, "epsync: unknown command 'traine'; did you mean 'trainee'?\nsee: epsync --help\n"},
      {{"trainee", "lst"}, "epsync trainee: unknown command 'lst'; did you mean 'list'?\nsee: epsync trainee --help\n"},
      {{"xyzzy"},
       "epsync: unknown command 'xyzzy'; the commands are: init, trainee, record, import, export, readiness, "
       "history, backup, quarantine, sync, restore, agent, status, hub\nsee: epsync --help\n"},
      {{"trainee", "show", kAliyaIin, "extra"}, "epsync trainee show: unexpected argument 'extra'\nsee: epsync trainee show --help\n"},
      {{"record", "test", kAliyaIin, "--kind", "mock", "--date", "2026-03-14", "--score", "abc"},
       "epsync record test: --score: must be a whole number, got 'abc'\nsee: epsync record test --help\n"},
      {{"record", "test", kAliyaIin, "--kind", "mock", "--date", "2026-03-14", "--score", "0x40"},
       "epsync record test: --score: must be a whole number, got '0x40'\nsee: epsync record test --help\n"},
      {{"record", "korean", kAliyaIin, "--hours", "12.5"},
       "epsync record korean: --hours: must be a whole number, got '12.5'\nsee: epsync record korean --help\n"},
      {{"record", "test", kAliyaIin, "--date", "2026-03-14", "--score", "150"},
       "epsync record test: --kind is required\nsee: epsync record test --help\n"},
      {{"trainee", "show"}, "epsync trainee show: TRAINEE is required\nsee: epsync trainee show --help\n"},
      {{"trainee"},
       "epsync trainee: a command is needed, one of: add, update, show, list, remove\nsee: epsync trainee --help\n"},
      {{"sync", "--wait=maybe"}, "epsync sync: --wait takes no value, got 'maybe'\nsee: epsync sync --help\n"},
      {{"trainee", "add", "--iin", kAliyaIin, "--iin", kSergeyIin},
       "epsync trainee add: --iin is given more than once\nsee: epsync trainee add --help\n"},
  };
  for (const auto& r : refusals) check_refusal(c, r.args, r.err);

  // A missing value: the option is the last word, so --db goes before it.
  auto r = c.run_other({"trainee", "add", "--db", c.db, "--iin"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "epsync trainee add: --iin needs a value\nsee: epsync trainee add --help\n");
  // The hub's commands too: the deepest command given is the one named.
  r = c.run_other({"hub", "conflicts", "resolve", "twelve", "--db", c.dir.file("hub.db")});
  CHECK(r.err == "epsync hub conflicts resolve: ID: must be a whole number, got 'twelve'\n"
                 "see: epsync hub conflicts resolve --help\n");
  CHECK(r.exit_code == 2);
  r = c.run_other({"hub", "centr", "add", "ALM-014", "--db", c.dir.file("hub.db")});
  CHECK(r.err == "epsync hub: unknown command 'centr'; did you mean 'center'?\nsee: epsync hub --help\n");
  CHECK_FALSE(std::filesystem::exists(c.dir.file("hub.db")));
}

TEST_CASE("cli numbers are read as decimal: a leading zero is not octal") {
  Centre c;
  c.init();
  c.add(kAliyaIin, "Қасымова", "Әлия", "1995-01-01", "F");
  c.ok({"record", "test", kAliyaIin, "--kind", "mock", "--date", "2026-03-14", "--score", "050"});
  c.ok({"record", "korean", kAliyaIin, "--hours", "0120"});
  int scores = 0, hours = 0;
  for (const auto& change : c.json({"history", kAliyaIin})) {
    if (change["field"] == "score") scores += change["new"] == 50 ? 1 : 100;
    if (change["field"] == "hours") hours += change["new"] == 120 ? 1 : 100;
  }
  CHECK(scores == 1);
  CHECK(hours == 1);
}

TEST_CASE("cli parse errors: in Russian and Kazakh with --lang, exit 2, the store untouched") {
  Centre c;
  c.init();
  const std::vector<std::vector<std::string>> commands = {
      {"trainee", "add", "--surnam", "Қасымова"},
      {"traine", "list"},
      {"record", "test", kAliyaIin, "--kind", "mock", "--date", "2026-03-14", "--score", "abc"},
      {"record", "test", kAliyaIin, "--date", "2026-03-14", "--score", "150"},
      {"trainee"}};
  const std::vector<std::string> russian = {
      "epsync trainee add: неизвестный параметр --surnam; может быть, --surname?\nсм.: epsync trainee add --help\n",
      "epsync: неизвестная команда 'traine'; может быть, 'trainee'?\nсм.: epsync --help\n",
      "epsync record test: --score: нужно целое число, указано 'abc'\nсм.: epsync record test --help\n",
      "epsync record test: --kind обязателен\nсм.: epsync record test --help\n",
      "epsync trainee: нужна команда, одна из: add, update, show, list, remove\nсм.: epsync trainee --help\n"};
  const std::vector<std::string> kazakh = {
      "epsync trainee add: белгісіз параметр --surnam; --surname болуы мүмкін бе?\nқараңыз: epsync trainee add --help\n",
      "epsync: белгісіз команда 'traine'; 'trainee' болуы мүмкін бе?\nқараңыз: epsync --help\n",
      "epsync record test: --score: бүтін сан болуы керек, берілгені: 'abc'\nқараңыз: epsync record test --help\n",
      "epsync record test: --kind міндетті\nқараңыз: epsync record test --help\n",
      "epsync trainee: команда керек, мыналардың бірі: add, update, show, list, remove\n"
      "қараңыз: epsync trainee --help\n"};
  for (std::size_t i = 0; i < commands.size(); ++i) {
    check_refusal(c, with_lang(commands[i], "ru"), russian[i]);
    check_refusal(c, with_lang(commands[i], "kk"), kazakh[i]);
  }
  auto r = c.run_other({"trainee", "add", "--db", c.db, "--lang", "kk", "--iin"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "epsync trainee add: --iin үшін мән керек\nқараңыз: epsync trainee add --help\n");
}

TEST_CASE("cli --region: help and refusal list the 20 region slugs, and a refused init leaves no store") {
  Centre c;
  for (std::vector<std::string> command : {std::vector<std::string>{"init"}, {"hub", "center", "add"}}) {
    std::string help = help_of(c, command);
    for (const auto& region : epsync::kRegions) CHECK_MESSAGE(help.find(region) != std::string::npos, region);
  }
  auto r = c.epsync({"init", "--center", "ALM-014", "--region", "almaty-city"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.rfind("epsync init: --region: must be one of abai, akmola, ", 0) == 0);
  for (const auto& region : epsync::kRegions) CHECK(r.err.find(region) != std::string::npos);
  CHECK(r.err.find("got 'almaty-city'\nsee: epsync init --help\n") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(c.db));
  r = c.run_other({"hub", "center", "add", "ALM-014", "--region", "Almaty", "--name", "Алматы", "--db",
                   c.dir.file("hub.db")});
  CHECK(r.exit_code == 2);
  CHECK(r.err.rfind("epsync hub center add: --region: must be one of abai, ", 0) == 0);
  CHECK_FALSE(std::filesystem::exists(c.dir.file("hub.db")));
}

TEST_CASE("cli --help: every command shows an example, in each language; the hub's name the hub's config") {
  Centre c;
  for (const auto& command : all_commands()) {
    std::string name = "epsync";
    for (const auto& w : command) name += " " + w;
    CAPTURE(name);
    std::string en = help_of(c, command);
    CHECK(en.find("Usage: " + name) != std::string::npos);
    CHECK(en.find("Example") != std::string::npos);
    CHECK(en.find("\n  " + name) != std::string::npos);  // an example of this very command
    CHECK(help_of(c, command, "ru").find("Пример") != std::string::npos);
    CHECK(help_of(c, command, "kk").find("Мысал") != std::string::npos);
    bool hub_side = !command.empty() && command[0] == "hub";
    bool takes_config = !(command.empty() || command == std::vector<std::string>{"trainee"} ||
                          command == std::vector<std::string>{"record"} ||
                          command == std::vector<std::string>{"hub", "center"});
    CHECK((en.find("\n  --config ") != std::string::npos) == takes_config);
    if (!takes_config) continue;
    CHECK(en.find(hub_side ? "/etc/epsync/hub.toml" : "/etc/epsync/agent.toml") != std::string::npos);
    CHECK(en.find(hub_side ? "agent.toml" : "hub.toml") == std::string::npos);
  }
}

TEST_CASE("cli --help: commands grouped by kind, CLI11's own words translated and in line") {
  Centre c;
  std::string top = help_of(c, {});
  auto records = top.find("Centre records:"), sync = top.find("Sync with the hub:"), hub = top.find("The hub (ministry):");
  REQUIRE(records != std::string::npos);
  REQUIRE(sync != std::string::npos);
  REQUIRE(hub != std::string::npos);
  CHECK(top.find("\n  trainee ") > records);
  CHECK(top.find("\n  trainee ") < sync);
  CHECK(top.find("\n  status ") > sync);
  CHECK(top.find("\n  hub ") > hub);

  std::string ru = help_of(c, {"record", "test"}, "ru");
  CHECK(ru.find("Использование: epsync record test [ПАРАМЕТРЫ] TRAINEE") != std::string::npos);
  CHECK(ru.find("Аргументы:") != std::string::npos);
  CHECK(ru.find("\n  --score ЧИСЛО ОБЯЗАТЕЛЬНО   Балл (EPS-TOPIK 0–200)\n") != std::string::npos);
  std::string kk = help_of(c, {"init"}, "kk");
  CHECK(kk.find("Қолданылуы: epsync init [ПАРАМЕТРЛЕР]") != std::string::npos);
  CHECK(kk.find("\n  --name МӘТІН                Орталықтың атауы\n") != std::string::npos);
}
