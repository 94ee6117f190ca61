// The `epsync` command line: parses arguments (CLI11 lives only in this file) and dispatches to
// the command functions. Exit codes: 0 success, 2 invalid input, 1 any other failure.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "epsync/version.h"
#include "records/vocabulary.h"
#include "util/i18n.h"

using namespace epsync;
using namespace epsync::cli;

namespace {

// The parser being built: the global flags every command takes, and the action of the command
// given, chosen by its callback while parsing.
struct Parser {
  CLI::App app{"epsync: offline-first records and sync for EPS training centres"};
  Global g;
  std::function<int()> action;
  std::string lang;  // chosen before parsing (choose_language); kept here so CLI11 accepts it

  // --db, --config and --json are accepted after the command words as well (SPEC §6); then `c`,
  // when it is the command given, runs `fn`.
  void on(CLI::App* c, std::function<int()> fn, bool with_json = true) {
    c->add_option("--db", g.db, "Store file (default: the config's store path)");
    c->add_option("--config", g.config, "Agent configuration file (default /etc/epsync/agent.toml)");
    if (with_json) c->add_flag("--json", g.json, "Print JSON instead of text");
    c->add_option("--lang", lang, "Language of the texts: kk, ru or en (default: $LANG)");
    if (fn) c->callback([this, fn] { action = fn; });
  }
};

// Arguments live as long as the parser's callbacks that read them.
template <class T>
std::shared_ptr<T> kept(T initial = T{}) {
  return std::make_shared<T>(std::move(initial));
}

void trainee_flags(CLI::App& c, TraineeFields& f, bool for_update) {
  c.add_option("--iin", f.iin, "12-digit IIN");
  c.add_option("--surname", f.surname, "Surname (UTF-8: Kazakh and Russian letters welcome)");
  c.add_option("--given-name", f.given_name, "Given name");
  c.add_option("--patronymic", f.patronymic, "Patronymic (optional)");
  c.add_option("--birth-date", f.birth_date, tr("Birth date: DD.MM.YYYY or YYYY-MM-DD"));
  c.add_option("--sex", f.sex, trf("Sex: {}", accepted_words_help(Enum::kSex)));
  c.add_option("--phone", f.phone, "Phone number (optional)");
  c.add_option("--sector", f.sector, trf("Sector (optional): {}", accepted_words_help(Enum::kSector)));
  if (for_update) c.add_option("--status", f.status, trf("Status: {}", accepted_words_help(Enum::kTraineeStatus)));
}

void trainee_ref(CLI::App* c, std::string& ref, const char* what = "Trainee id (or prefix) or IIN") {
  c->add_option("trainee", ref, what)->required();
}

void add_init(Parser& p) {
  auto a = kept<InitArgs>();
  auto* init_cmd = p.app.add_subcommand("init", "Create this centre's store");
  init_cmd->add_option("--center", a->center, "Centre id, like ALM-014")->required();
  init_cmd->add_option("--region", a->region, "Region slug (SPEC §8), like almaty")->required();
  init_cmd->add_option("--name", a->name, "Centre name");
  p.on(init_cmd, [&p, a] { return cli::init(p.g, *a); });
}

void add_trainee(Parser& p) {
  auto* trainee = p.app.add_subcommand("trainee", "Enrol, change, show, list and remove trainees");
  trainee->require_subcommand(1);
  auto add_fields = kept<TraineeFields>(), update_fields = kept<TraineeFields>();
  auto ref = kept<std::string>();
  auto* add = trainee->add_subcommand("add", "Enrol a trainee");
  trainee_flags(*add, *add_fields, false);
  p.on(add, [&p, add_fields] { return trainee_add(p.g, *add_fields); });
  auto* update = trainee->add_subcommand("update", "Change a trainee's fields or status");
  trainee_ref(update, *ref, "Trainee id (or 6+ character prefix) or IIN");
  trainee_flags(*update, *update_fields, true);
  p.on(update, [&p, ref, update_fields] { return trainee_update(p.g, *ref, *update_fields); });
  auto* show = trainee->add_subcommand("show", "Show one trainee and their readiness");
  trainee_ref(show, *ref);
  p.on(show, [&p, ref] { return trainee_show(p.g, *ref); });
  p.on(trainee->add_subcommand("list", "List the centre's trainees"), [&p] { return trainee_list(p.g); });
  auto* remove = trainee->add_subcommand("remove", "Remove a trainee (a replicated deletion)");
  trainee_ref(remove, *ref);
  p.on(remove, [&p, ref] { return trainee_remove(p.g, *ref); });
}

void add_record(Parser& p) {
  auto* record = p.app.add_subcommand("record", "Record course hours, tests, medical and document checks");
  record->require_subcommand(1);
  auto ra = kept<RecordArgs>();
  auto* korean = record->add_subcommand("korean", "Set Korean course hours completed");
  trainee_ref(korean, ra->trainee);
  korean->add_option("--hours", ra->korean.hours, "Hours completed")->required();
  korean->add_option("--level", ra->korean.level, "Course level");
  p.on(korean, [&p, ra] { return record_korean(p.g, *ra); });
  auto* test = record->add_subcommand("test", "Record a test result");
  trainee_ref(test, ra->trainee);
  test->add_option("--kind", ra->test.kind, trf("Test: {}", accepted_words_help(Enum::kTestKind)))->required();
  test->add_option("--date", ra->test.date, tr("Test date: DD.MM.YYYY or YYYY-MM-DD"))->required();
  test->add_option("--score", ra->test.score, "Score (EPS-TOPIK 0-200)")->required();
  p.on(test, [&p, ra] { return record_test(p.g, *ra); });
  auto* medical = record->add_subcommand("medical", "Record a medical examination");
  trainee_ref(medical, ra->trainee);
  medical->add_option("--date", ra->medical.date, tr("Examination date: DD.MM.YYYY or YYYY-MM-DD"))->required();
  medical->add_option("--result", ra->medical.result, trf("Result: {}", accepted_words_help(Enum::kMedicalResult)))
      ->required();
  medical->add_option("--valid-until", ra->medical.valid_until,
                      tr("Last day the result is valid: DD.MM.YYYY or YYYY-MM-DD"));
  medical->add_option("--clinic", ra->medical.clinic, "Clinic name");
  p.on(medical, [&p, ra] { return record_medical(p.g, *ra); });
  auto* document = record->add_subcommand("document", "Record a document check");
  trainee_ref(document, ra->trainee);
  document->add_option("--kind", ra->document.kind, trf("Document: {}", accepted_words_help(Enum::kDocumentKind)))
      ->required();
  document->add_option("--status", ra->document.status,
                       trf("Status of the document: {}", accepted_words_help(Enum::kDocumentStatus)))
      ->required();
  document->add_option("--number", ra->document.number, "Document number");
  document->add_option("--issued", ra->document.issued, tr("Issue date: DD.MM.YYYY or YYYY-MM-DD"));
  document->add_option("--expires", ra->document.expires, tr("Expiry date: DD.MM.YYYY or YYYY-MM-DD"));
  document->add_option("--note", ra->document.note, "Note");
  p.on(document, [&p, ra] { return record_document(p.g, *ra); });
}

// CSV in and out, readiness, history and backup: what a registrar reads from the store.
void add_store_commands(Parser& p) {
  auto file = kept<std::string>(), ref = kept<std::string>();
  auto* import = p.app.add_subcommand("import", "Import trainees from CSV (all or nothing)");
  import->add_option("file", *file, "CSV file with a header line as `epsync export` writes it")->required();
  p.on(import, [&p, file] { return import_csv(p.g, *file); });
  auto ea = kept<ExportArgs>();
  auto* exp = p.app.add_subcommand("export", "Export trainees as CSV or JSON");
  exp->add_option("--format", ea->format, "csv (default) or json");
  exp->add_option("--out", ea->out, "Write to FILE instead of standard output");
  p.on(exp, [&p, ea] { return export_data(p.g, *ea); }, false);
  auto as_of = kept<std::optional<std::string>>();
  auto* ready = p.app.add_subcommand("readiness", "Which trainees are ready, and what holds the others back");
  ready->add_option("--as-of", *as_of, tr("Reference date: DD.MM.YYYY or YYYY-MM-DD (default today)"));
  p.on(ready, [&p, as_of] { return readiness(p.g, *as_of); });
  auto* hist = p.app.add_subcommand("history", "Who changed what about a trainee, when");
  trainee_ref(hist, *ref);
  p.on(hist, [&p, ref] { return history(p.g, *ref); });
  auto* bak = p.app.add_subcommand("backup", "Copy the store consistently, also while the agent runs");
  bak->add_option("file", *file, "Destination file")->required();
  p.on(bak, [&p, file] { return backup(p.g, *file); });
}

// The centre's side of sync: now, restore, the daemon, status and what the hub set aside.
void add_sync(Parser& p) {
  auto* set_aside = p.app.add_subcommand("quarantine", "This centre's changes the hub set aside, and what to do about each");
  set_aside->footer("Example:\n  epsync quarantine --config /etc/epsync/agent.toml");
  p.on(set_aside, [&p] { return quarantine(p.g); });
  auto wait = kept<bool>(false);
  auto* sync_cmd = p.app.add_subcommand("sync", "Sync with the hub now (one session; exits 0 only when all is sent and received)");
  sync_cmd->add_flag("--wait", *wait, "Wait for the session to finish (a one-shot sync always does)");
  p.on(sync_cmd, [&p, wait] { return sync_now(p.g, *wait); });
  auto force = kept<bool>(false);
  auto* restore_cmd = p.app.add_subcommand("restore", "Re-seed a lost centre store from the hub (new site id, same centre)");
  restore_cmd->add_flag("--force", *force, "Move an existing store aside (renamed .before-restore) instead of refusing");
  p.on(restore_cmd, [&p, force] { return cli::restore(p.g, *force); });
  p.on(p.app.add_subcommand("agent", "The centre daemon: syncs every interval, after local writes, with backoff"),
       [&p] { return cli::agent_daemon(p.g); }, false);
  p.on(p.app.add_subcommand("status", "Centre, pending changes, last sync, last error, clock and certificate"),
       [&p] { return cli::status(p.g); });
}

void add_hub_conflicts(Parser& p, CLI::App* hub) {
  auto* conflicts = hub->add_subcommand("conflicts", "Lost concurrent writes to safety-relevant fields");
  conflicts->require_subcommand(0, 1);
  auto all = kept<bool>(false);
  conflicts->add_flag("--all", *all, "Include resolved ones");
  p.on(conflicts, {});
  conflicts->callback([&p, conflicts, all] {
    if (conflicts->get_subcommands().empty()) p.action = [&p, all] { return hub_conflicts(p.g, *all); };
  });
  auto* list = conflicts->add_subcommand("list", "List conflicts waiting for review");
  list->add_flag("--all", *all, "Include resolved ones");
  p.on(list, [&p, all] { return hub_conflicts(p.g, *all); });
  struct Resolve {
    std::int64_t id = 0;
    bool take_loser = false;
    std::string note;
  };
  auto r = kept<Resolve>();
  auto* resolve = conflicts->add_subcommand("resolve", "Close a conflict: keep the winner, or --take-loser");
  resolve->add_option("id", r->id, "Conflict id (from the list)")->required();
  resolve->add_flag("--take-loser", r->take_loser, "Write the lost value again (it then wins and reaches the centre)");
  resolve->add_option("--note", r->note, "Why");
  p.on(resolve, [&p, r] { return hub_conflict_resolve(p.g, r->id, r->take_loser, r->note); });
}

// Hub side. `epsync hub` alone runs the daemon.
void add_hub(Parser& p) {
  auto* hub = p.app.add_subcommand("hub", "The hub daemon (without a command) and the hub's commands");
  hub->require_subcommand(0, 1);
  p.on(hub, {});
  hub->callback([&p, hub] {
    if (hub->get_subcommands().empty()) p.action = [&p] { return hub_daemon(p.g); };
  });
  auto* center = hub->add_subcommand("center", "The centre registry");
  center->require_subcommand(1);
  struct Centre {
    std::string id, region, name;
  };
  auto c = kept<Centre>();
  auto* center_add = center->add_subcommand("add", "Register a centre (or update its name and region)");
  center_add->add_option("id", c->id, "Centre id, like ALM-014")->required();
  center_add->add_option("--region", c->region, "Region slug (SPEC §8)")->required();
  center_add->add_option("--name", c->name, "Centre name")->required();
  p.on(center_add, [&p, c] { return hub_center_add(p.g, c->id, c->region, c->name); });
  auto health = kept<bool>(false);
  auto* center_list = center->add_subcommand("list", "List registered centres (with --health: from their heartbeats)");
  center_list->add_flag("--health", *health, "Last seen, pending, clock offset, certificate; STALE after 7 days");
  p.on(center_list, [&p, health] { return hub_center_list(p.g, *health); });
  p.on(hub->add_subcommand("duplicates", "IINs enrolled (active) at more than one centre"),
       [&p] { return hub_duplicates(p.g); });
  add_hub_conflicts(p, hub);
  p.on(hub->add_subcommand("quarantine", "Changes set aside because they failed validation"),
       [&p] { return hub_quarantine(p.g); });
  auto file = kept<std::string>();
  auto* results = hub->add_subcommand("import-results", "Import official EPS-TOPIK results (CSV: iin,test_date,score)");
  results->add_option("file", *file, "CSV file")->required();
  p.on(results, [&p, file] { return hub_import_results(p.g, *file); });
  struct Report {
    std::string by = "region", format = "table";
    std::optional<std::string> as_of;
  };
  auto rp = kept<Report>();
  auto* report = hub->add_subcommand("report", "Nationwide readiness by region, centre or sector");
  report->add_option("--by", rp->by, "region (default), center or sector");
  report->add_option("--as-of", rp->as_of, tr("Reference date: DD.MM.YYYY or YYYY-MM-DD (default today)"));
  report->add_option("--format", rp->format, "table (default), csv or json");
  p.on(report, [&p, rp] { return hub_report(p.g, rp->by, rp->as_of, rp->format); });
}

// --lang anywhere on the line, else the environment's locale, else English (SPEC §10). Chosen before
// the parser is built, so that its help texts are already in that language.
std::optional<Lang> choose_language(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i], value;
    if (arg == "--lang" && i + 1 < argc) value = argv[i + 1];
    else if (arg.starts_with("--lang=")) value = arg.substr(7);
    else continue;
    if (auto l = parse_lang(value)) return l;
    set_current_lang(lang_from_environment().value_or(Lang::kEn));
    std::cerr << "epsync: " << trf("--lang: must be kk, ru or en, got '{}'", value) << "\n";
    return std::nullopt;
  }
  return lang_from_environment().value_or(Lang::kEn);
}

}  // namespace

int main(int argc, char** argv) {
  auto lang = choose_language(argc, argv);
  if (!lang) return 2;
  set_current_lang(*lang);
  Parser p;
  p.app.add_option("--lang", p.lang, "Language of the texts: kk, ru or en (default: $LANG)");
  p.app.require_subcommand(1);
  p.app.set_version_flag("--version", std::string("epsync ") + kVersion);
  add_init(p);
  add_trainee(p);
  add_record(p);
  add_store_commands(p);
  add_sync(p);
  add_hub(p);
  try {
    p.app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return p.app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return p.app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return p.app.exit(e);
  } catch (const CLI::ParseError& e) {
    p.app.exit(e);
    return 2;
  }
  return p.action ? p.action() : 2;
}
