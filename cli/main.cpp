// The `epsync` command line: parses arguments (CLI11 lives only in this file) and dispatches to
// the command functions. Exit codes: 0 success, 2 invalid input, 1 any other failure.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"

using namespace epsync;
using namespace epsync::cli;

namespace {

// --db, --config and --json are accepted after the command words as well (SPEC §6).
void add_global(CLI::App& app, Global& g, bool with_json) {
  app.add_option("--db", g.db, "Store file (default: the config's store path)");
  app.add_option("--config", g.config, "Agent configuration file (default /etc/epsync/agent.toml)");
  if (with_json) app.add_flag("--json", g.json, "Print JSON instead of text");
}

void trainee_flags(CLI::App& c, TraineeFields& f, bool for_update) {
  c.add_option("--iin", f.iin, "12-digit IIN");
  c.add_option("--surname", f.surname, "Surname (UTF-8: Kazakh and Russian letters welcome)");
  c.add_option("--given-name", f.given_name, "Given name");
  c.add_option("--patronymic", f.patronymic, "Patronymic (optional)");
  c.add_option("--birth-date", f.birth_date, "Birth date, YYYY-MM-DD");
  c.add_option("--sex", f.sex, "F or M");
  c.add_option("--phone", f.phone, "Phone number (optional)");
  c.add_option("--sector", f.sector, "manufacturing|agriculture|construction|fishery|service");
  if (for_update) c.add_option("--status", f.status, "active|withdrawn|departed");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"epsync: offline-first records and sync for EPS training centres"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "epsync 0.1.0");
  Global g;
  std::function<int()> action;
  auto on = [&](CLI::App* c, std::function<int()> fn) { c->callback([&action, fn] { action = fn; }); };

  InitArgs init_args;
  auto* init_cmd = app.add_subcommand("init", "Create this centre's store");
  init_cmd->add_option("--center", init_args.center, "Centre id, like ALM-014")->required();
  init_cmd->add_option("--region", init_args.region, "Region slug (SPEC §8), like almaty")->required();
  init_cmd->add_option("--name", init_args.name, "Centre name");
  add_global(*init_cmd, g, true);
  on(init_cmd, [&] { return cli::init(g, init_args); });

  auto* trainee = app.add_subcommand("trainee", "Enrol, change, show, list and remove trainees");
  trainee->require_subcommand(1);
  TraineeFields add_fields, update_fields;
  std::string ref;
  auto* add = trainee->add_subcommand("add", "Enrol a trainee");
  trainee_flags(*add, add_fields, false);
  add_global(*add, g, true);
  on(add, [&] { return trainee_add(g, add_fields); });
  auto* update = trainee->add_subcommand("update", "Change a trainee's fields or status");
  update->add_option("trainee", ref, "Trainee id (or 6+ character prefix) or IIN")->required();
  trainee_flags(*update, update_fields, true);
  add_global(*update, g, true);
  on(update, [&] { return trainee_update(g, ref, update_fields); });
  auto* show = trainee->add_subcommand("show", "Show one trainee and their readiness");
  show->add_option("trainee", ref, "Trainee id (or prefix) or IIN")->required();
  add_global(*show, g, true);
  on(show, [&] { return trainee_show(g, ref); });
  auto* list = trainee->add_subcommand("list", "List the centre's trainees");
  add_global(*list, g, true);
  on(list, [&] { return trainee_list(g); });
  auto* remove = trainee->add_subcommand("remove", "Remove a trainee (a replicated deletion)");
  remove->add_option("trainee", ref, "Trainee id (or prefix) or IIN")->required();
  add_global(*remove, g, true);
  on(remove, [&] { return trainee_remove(g, ref); });

  auto* record = app.add_subcommand("record", "Record course hours, tests, medical and document checks");
  record->require_subcommand(1);
  RecordArgs ra;
  auto* korean = record->add_subcommand("korean", "Set Korean course hours completed");
  korean->add_option("trainee", ra.trainee, "Trainee id (or prefix) or IIN")->required();
  korean->add_option("--hours", ra.korean.hours, "Hours completed")->required();
  korean->add_option("--level", ra.korean.level, "Course level");
  add_global(*korean, g, true);
  on(korean, [&] { return record_korean(g, ra); });
  auto* test = record->add_subcommand("test", "Record a test result");
  test->add_option("trainee", ra.trainee, "Trainee id (or prefix) or IIN")->required();
  test->add_option("--kind", ra.test.kind, "eps-topik|topik|mock|skills")->required();
  test->add_option("--date", ra.test.date, "Test date, YYYY-MM-DD")->required();
  test->add_option("--score", ra.test.score, "Score (EPS-TOPIK 0-200)")->required();
  add_global(*test, g, true);
  on(test, [&] { return record_test(g, ra); });
  auto* medical = record->add_subcommand("medical", "Record a medical examination");
  medical->add_option("trainee", ra.trainee, "Trainee id (or prefix) or IIN")->required();
  medical->add_option("--date", ra.medical.date, "Examination date, YYYY-MM-DD")->required();
  medical->add_option("--result", ra.medical.result, "fit|unfit|pending")->required();
  medical->add_option("--valid-until", ra.medical.valid_until, "Last day the result is valid");
  medical->add_option("--clinic", ra.medical.clinic, "Clinic name");
  add_global(*medical, g, true);
  on(medical, [&] { return record_medical(g, ra); });
  auto* document = record->add_subcommand("document", "Record a document check");
  document->add_option("trainee", ra.trainee, "Trainee id (or prefix) or IIN")->required();
  document->add_option("--kind", ra.document.kind, "passport|criminal-record|immigration-record|photo|diploma")->required();
  document->add_option("--status", ra.document.status, "missing|submitted|verified|rejected")->required();
  document->add_option("--number", ra.document.number, "Document number");
  document->add_option("--issued", ra.document.issued, "Issue date, YYYY-MM-DD");
  document->add_option("--expires", ra.document.expires, "Expiry date, YYYY-MM-DD");
  document->add_option("--note", ra.document.note, "Note");
  add_global(*document, g, true);
  on(document, [&] { return record_document(g, ra); });

  std::string file;
  auto* import = app.add_subcommand("import", "Import trainees from CSV (all or nothing)");
  import->add_option("file", file, "CSV file with a header line as `epsync export` writes it")->required();
  add_global(*import, g, true);
  on(import, [&] { return import_csv(g, file); });
  ExportArgs ea;
  auto* exp = app.add_subcommand("export", "Export trainees as CSV or JSON");
  exp->add_option("--format", ea.format, "csv (default) or json");
  exp->add_option("--out", ea.out, "Write to FILE instead of standard output");
  add_global(*exp, g, false);
  on(exp, [&] { return export_data(g, ea); });

  std::optional<std::string> as_of;
  auto* ready = app.add_subcommand("readiness", "Which trainees are ready, and what holds the others back");
  ready->add_option("--as-of", as_of, "Reference date, YYYY-MM-DD (default today)");
  add_global(*ready, g, true);
  on(ready, [&] { return readiness(g, as_of); });
  auto* hist = app.add_subcommand("history", "Who changed what about a trainee, when");
  hist->add_option("trainee", ref, "Trainee id (or prefix) or IIN")->required();
  add_global(*hist, g, true);
  on(hist, [&] { return history(g, ref); });
  auto* bak = app.add_subcommand("backup", "Copy the store consistently, also while the agent runs");
  bak->add_option("file", file, "Destination file")->required();
  add_global(*bak, g, true);
  on(bak, [&] { return backup(g, file); });

  auto* set_aside = app.add_subcommand("quarantine", "This centre's changes the hub set aside, and what to do about each");
  set_aside->footer("Example:\n  epsync quarantine --config /etc/epsync/agent.toml");
  add_global(*set_aside, g, true);
  on(set_aside, [&] { return quarantine(g); });

  bool wait = false;
  auto* sync_cmd = app.add_subcommand("sync", "Sync with the hub now (one session; exits 0 only when all is sent and received)");
  sync_cmd->add_flag("--wait", wait, "Wait for the session to finish (a one-shot sync always does)");
  add_global(*sync_cmd, g, true);
  on(sync_cmd, [&] { return sync_now(g, wait); });
  bool force = false;
  auto* restore_cmd = app.add_subcommand("restore", "Re-seed a lost centre store from the hub (new site id, same centre)");
  restore_cmd->add_flag("--force", force, "Move an existing store aside (renamed .before-restore) instead of refusing");
  add_global(*restore_cmd, g, true);
  on(restore_cmd, [&] { return cli::restore(g, force); });
  auto* agent_cmd = app.add_subcommand("agent", "The centre daemon: syncs every interval, after local writes, with backoff");
  add_global(*agent_cmd, g, false);
  on(agent_cmd, [&] { return cli::agent_daemon(g); });
  auto* status_cmd = app.add_subcommand("status", "Centre, pending changes, last sync, last error, clock and certificate");
  add_global(*status_cmd, g, true);
  on(status_cmd, [&] { return cli::status(g); });

  // Hub side. `epsync hub` alone runs the daemon.
  auto* hub = app.add_subcommand("hub", "The hub daemon (without a command) and the hub's commands");
  hub->require_subcommand(0, 1);
  add_global(*hub, g, true);
  hub->callback([&] {
    if (hub->get_subcommands().empty()) action = [&] { return hub_daemon(g); };
  });
  auto* center = hub->add_subcommand("center", "The centre registry");
  center->require_subcommand(1);
  std::string center_id, region, center_name;
  auto* center_add = center->add_subcommand("add", "Register a centre (or update its name and region)");
  center_add->add_option("id", center_id, "Centre id, like ALM-014")->required();
  center_add->add_option("--region", region, "Region slug (SPEC §8)")->required();
  center_add->add_option("--name", center_name, "Centre name")->required();
  add_global(*center_add, g, true);
  on(center_add, [&] { return hub_center_add(g, center_id, region, center_name); });
  bool health = false;
  auto* center_list = center->add_subcommand("list", "List registered centres (with --health: from their heartbeats)");
  center_list->add_flag("--health", health, "Last seen, pending, clock offset, certificate; STALE after 7 days");
  add_global(*center_list, g, true);
  on(center_list, [&] { return hub_center_list(g, health); });
  auto* dups = hub->add_subcommand("duplicates", "IINs enrolled (active) at more than one centre");
  add_global(*dups, g, true);
  on(dups, [&] { return hub_duplicates(g); });
  auto* conflicts = hub->add_subcommand("conflicts", "Lost concurrent writes to safety-relevant fields");
  conflicts->require_subcommand(0, 1);
  bool all_conflicts = false;
  conflicts->add_flag("--all", all_conflicts, "Include resolved ones");
  add_global(*conflicts, g, true);
  conflicts->callback([&] {
    if (conflicts->get_subcommands().empty()) action = [&] { return hub_conflicts(g, all_conflicts); };
  });
  auto* conflicts_list = conflicts->add_subcommand("list", "List conflicts waiting for review");
  conflicts_list->add_flag("--all", all_conflicts, "Include resolved ones");
  add_global(*conflicts_list, g, true);
  on(conflicts_list, [&] { return hub_conflicts(g, all_conflicts); });
  std::int64_t conflict_id = 0;
  bool take_loser = false;
  std::string note;
  auto* resolve = conflicts->add_subcommand("resolve", "Close a conflict: keep the winner, or --take-loser");
  resolve->add_option("id", conflict_id, "Conflict id (from the list)")->required();
  resolve->add_flag("--take-loser", take_loser, "Write the lost value again (it then wins and reaches the centre)");
  resolve->add_option("--note", note, "Why");
  add_global(*resolve, g, true);
  on(resolve, [&] { return hub_conflict_resolve(g, conflict_id, take_loser, note); });
  auto* quarantine = hub->add_subcommand("quarantine", "Changes set aside because they failed validation");
  add_global(*quarantine, g, true);
  on(quarantine, [&] { return hub_quarantine(g); });
  auto* results = hub->add_subcommand("import-results", "Import official EPS-TOPIK results (CSV: iin,test_date,score)");
  results->add_option("file", file, "CSV file")->required();
  add_global(*results, g, true);
  on(results, [&] { return hub_import_results(g, file); });
  std::string by = "region", format = "table";
  auto* report = hub->add_subcommand("report", "Nationwide readiness by region, centre or sector");
  report->add_option("--by", by, "region (default), center or sector");
  report->add_option("--as-of", as_of, "Reference date, YYYY-MM-DD (default today)");
  report->add_option("--format", format, "table (default), csv or json");
  add_global(*report, g, true);
  on(report, [&] { return hub_report(g, by, as_of, format); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  return action ? action() : 2;
}
