// The `epsync` command line: parses arguments (CLI11 lives only in this file) and dispatches to
// the command functions. Exit codes: 0 success, 2 invalid input, 1 any other failure.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "agent/config.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/help_examples.h"
#include "cli/parse_errors.h"
#include "epsync/version.h"
#include "hub/hub_config.h"
#include "records/vocabulary.h"
#include "records/regions.h"
#include "util/i18n.h"

using namespace epsync;
using namespace epsync::cli;

namespace {

// The parser being built: the global flags every command takes, and the action of the command
// given, chosen by its callback while parsing.
struct Parser {
  CLI::App app{tr("epsync: offline-first records and sync for EPS training centres"), "epsync"};
  Global g;
  std::function<int()> action;
  std::string lang;  // chosen before parsing (choose_language); kept here so CLI11 accepts it
  // --config names the agent's file, or the hub's for the hub's commands.
  std::string config_help = trf("Agent configuration file (default {})", kDefaultAgentConfig);

  // --db, --config and --json are accepted after the command words as well (SPEC §6); then `c`,
  // when it is the command given, runs `fn`.
  void on(CLI::App* c, std::function<int()> fn, bool with_json = true) {
    c->add_option("--db", g.db, tr("Store file (default: the config's store path)"));
    c->add_option("--config", g.config, config_help);
    if (with_json) c->add_flag("--json", g.json, tr("Print JSON instead of text"));
    c->add_option("--lang", lang, tr("Language of the texts: kk, ru or en (default: $LANG)"));
    if (fn) c->callback([this, fn] { action = fn; });
  }
};

// Arguments live as long as the parser's callbacks that read them.
template <class T>
std::shared_ptr<T> kept(T initial = T{}) {
  return std::make_shared<T>(std::move(initial));
}

void trainee_flags(CLI::App& c, TraineeFields& f, bool for_update) {
  c.add_option("--iin", f.iin, tr("12-digit IIN"));
  c.add_option("--surname", f.surname, tr("Surname (Kazakh and Russian letters welcome)"));
  c.add_option("--given-name", f.given_name, tr("Given name"));
  c.add_option("--patronymic", f.patronymic, tr("Patronymic (optional)"));
  c.add_option("--birth-date", f.birth_date, tr("Birth date: DD.MM.YYYY or YYYY-MM-DD"));
  c.add_option("--sex", f.sex, trf("Sex: {}", accepted_words_help(Enum::kSex)));
  c.add_option("--phone", f.phone, tr("Phone number (optional)"));
  c.add_option("--sector", f.sector, trf("Sector (optional): {}", accepted_words_help(Enum::kSector)));
  if (for_update) c.add_option("--status", f.status, trf("Status: {}", accepted_words_help(Enum::kTraineeStatus)));
}

void trainee_ref(CLI::App* c, std::string& ref, const char* what = N_("Trainee id (or prefix) or IIN")) {
  c->add_option("TRAINEE", ref, tr(what))->required();
}

// CLI11 reads numbers as C does (010 is eight, 0x10 sixteen); a registrar means decimal, so the
// text must be digits, and leading zeros are dropped before CLI11 converts it.
CLI::Validator decimal() {
  auto whole = [](std::string& text) {
    std::size_t sign = text.starts_with('-') ? 1 : 0;
    if (text.size() == sign || text.find_first_not_of("0123456789", sign) != std::string::npos)
      return trf("must be a whole number, got '{}'", text);
    text.erase(sign, std::min(text.find_first_not_of('0', sign), text.size() - 1) - sign);
    return std::string();
  };
  return CLI::Validator(whole, "");
}

// The 20 region slugs, a few to a line, for --region's help and its refusal.
std::string region_list(const char* between) {
  std::string out;
  for (std::size_t i = 0; i < kRegions.size(); ++i)
    out += (i == 0 ? "" : i % 5 == 0 ? between : ", ") + kRegions[i];
  return out;
}

// --region takes one of the 20 slugs; anything else is refused while parsing, with the list.
void add_region(CLI::App* c, std::string& region) {
  auto known = [](std::string& slug) {
    return is_region(slug) ? std::string() : trf("must be one of {}, got '{}'", region_list(", "), slug);
  };
  c->add_option("--region", region, trf("Region, one of:\n{}", region_list(",\n")))
      ->required()
      ->check(CLI::Validator(known, ""));
}

void add_init(Parser& p) {
  auto a = kept<InitArgs>();
  auto* init_cmd = p.app.add_subcommand("init", tr("Create this centre's store"));
  init_cmd->add_option("--center", a->center, tr("Centre id, like ALM-014"))->required();
  add_region(init_cmd, a->region);
  init_cmd->add_option("--name", a->name, tr("Centre name"));
  p.on(init_cmd, [&p, a] { return cli::init(p.g, *a); });
}

void add_trainee(Parser& p) {
  auto* trainee = p.app.add_subcommand("trainee", tr("Enrol, change, show, list and remove trainees"));
  trainee->require_subcommand(1);
  auto add_fields = kept<TraineeFields>(), update_fields = kept<TraineeFields>();
  auto ref = kept<std::string>();
  auto* add = trainee->add_subcommand("add", tr("Enrol a trainee"));
  trainee_flags(*add, *add_fields, false);
  p.on(add, [&p, add_fields] { return trainee_add(p.g, *add_fields); });
  auto* update = trainee->add_subcommand("update", tr("Change a trainee's fields or status"));
  trainee_ref(update, *ref, N_("Trainee id (or 6+ character prefix) or IIN"));
  trainee_flags(*update, *update_fields, true);
  p.on(update, [&p, ref, update_fields] { return trainee_update(p.g, *ref, *update_fields); });
  auto* show = trainee->add_subcommand("show", tr("Show one trainee and their readiness"));
  trainee_ref(show, *ref);
  p.on(show, [&p, ref] { return trainee_show(p.g, *ref); });
  auto* list = trainee->add_subcommand("list", tr("List the centre's trainees"));
  auto search = kept<std::optional<std::string>>();
  list->add_option("--search", *search, tr("Part of a name (any case), or the first digits of an IIN"));
  p.on(list, [&p, search] { return trainee_list(p.g, *search); });
  auto* remove = trainee->add_subcommand("remove", tr("Remove a trainee (a replicated deletion)"));
  trainee_ref(remove, *ref);
  p.on(remove, [&p, ref] { return trainee_remove(p.g, *ref); });
}

void add_record(Parser& p) {
  auto* record = p.app.add_subcommand("record", tr("Record course hours, tests, medical and document checks"));
  record->require_subcommand(1);
  auto ra = kept<RecordArgs>();
  auto* korean = record->add_subcommand("korean", tr("Set Korean course hours completed"));
  trainee_ref(korean, ra->trainee);
  korean->add_option("--hours", ra->korean.hours, tr("Hours completed"))->required()->transform(decimal());
  korean->add_option("--level", ra->korean.level, tr("Course level"));
  p.on(korean, [&p, ra] { return record_korean(p.g, *ra); });
  auto* test = record->add_subcommand("test", tr("Record a test result"));
  trainee_ref(test, ra->trainee);
  test->add_option("--kind", ra->test.kind, trf("Test: {}", accepted_words_help(Enum::kTestKind)))->required();
  test->add_option("--date", ra->test.date, tr("Test date: DD.MM.YYYY or YYYY-MM-DD"))->required();
  test->add_option("--score", ra->test.score, tr("Score (EPS-TOPIK 0-200)"))->required()->transform(decimal());
  p.on(test, [&p, ra] { return record_test(p.g, *ra); });
  auto* medical = record->add_subcommand("medical", tr("Record a medical examination"));
  trainee_ref(medical, ra->trainee);
  medical->add_option("--date", ra->medical.date, tr("Examination date: DD.MM.YYYY or YYYY-MM-DD"))->required();
  medical->add_option("--result", ra->medical.result, trf("Result: {}", accepted_words_help(Enum::kMedicalResult)))
      ->required();
  medical->add_option("--valid-until", ra->medical.valid_until,
                      tr("Last day the result is valid: DD.MM.YYYY or YYYY-MM-DD"));
  medical->add_option("--clinic", ra->medical.clinic, tr("Clinic name"));
  p.on(medical, [&p, ra] { return record_medical(p.g, *ra); });
  auto* document = record->add_subcommand("document", tr("Record a document check"));
  trainee_ref(document, ra->trainee);
  document->add_option("--kind", ra->document.kind, trf("Document: {}", accepted_words_help(Enum::kDocumentKind)))
      ->required();
  document->add_option("--status", ra->document.status,
                       trf("Status of the document: {}", accepted_words_help(Enum::kDocumentStatus)))
      ->required();
  document->add_option("--number", ra->document.number, tr("Document number"));
  document->add_option("--issued", ra->document.issued, tr("Issue date: DD.MM.YYYY or YYYY-MM-DD"));
  document->add_option("--expires", ra->document.expires, tr("Expiry date: DD.MM.YYYY or YYYY-MM-DD"));
  document->add_option("--note", ra->document.note, tr("Note"));
  p.on(document, [&p, ra] { return record_document(p.g, *ra); });
}

// CSV in and out, readiness, history and backup: what a registrar reads from the store.
void add_store_commands(Parser& p) {
  auto file = kept<std::string>(), ref = kept<std::string>();
  auto ia = kept<ImportArgs>();
  auto* import = p.app.add_subcommand(
      "import", tr("Import trainees, course hours, tests, medical or document checks from CSV (all or nothing)"));
  import->add_option("FILE", ia->file, tr("CSV file with a header line (`,` or `;`; English, Kazakh or Russian names)"))
      ->required();
  import->add_option("--kind", ia->kind, tr("trainees|korean|tests|medical|documents (default: from the header)"));
  import->add_option("--encoding", ia->encoding, tr("utf-8|windows-1251 (default: detected)"));
  p.on(import, [&p, ia] { return import_csv(p.g, *ia); });
  auto ea = kept<ExportArgs>();
  auto* exp = p.app.add_subcommand("export", tr("Export trainees as CSV or JSON"));
  exp->add_option("--format", ea->format, tr("csv (default) or json"));
  exp->add_option("--out", ea->out, tr("Write to FILE instead of standard output"));
  exp->add_flag("--excel", ea->excel, tr("CSV for Excel: UTF-8 with BOM, `;`, IINs kept as text"));
  p.on(exp, [&p, ea] { return export_data(p.g, *ea); }, false);
  auto as_of = kept<std::optional<std::string>>();
  auto* ready = p.app.add_subcommand("readiness", tr("Which trainees are ready, and what holds the others back"));
  ready->add_option("--as-of", *as_of, tr("Reference date: DD.MM.YYYY or YYYY-MM-DD (default today)"));
  p.on(ready, [&p, as_of] { return readiness(p.g, *as_of); });
  auto* hist = p.app.add_subcommand("history", tr("Who changed what about a trainee, when"));
  trainee_ref(hist, *ref);
  p.on(hist, [&p, ref] { return history(p.g, *ref); });
  auto* bak = p.app.add_subcommand("backup", tr("Copy the store consistently, also while the agent runs"));
  bak->add_option("FILE", *file, tr("Destination file"))->required();
  p.on(bak, [&p, file] { return backup(p.g, *file); });
}

// The centre's side of sync: now, restore, the daemon, status and what the hub set aside.
void add_sync(Parser& p) {
  auto* set_aside = p.app.add_subcommand("quarantine", tr("This centre's changes the hub set aside, and what to do about each"));
  p.on(set_aside, [&p] { return quarantine(p.g); });
  auto wait = kept<bool>(false);
  auto* sync_cmd = p.app.add_subcommand("sync", tr("Sync with the hub now (one session; exits 0 only when all is sent and received)"));
  sync_cmd->add_flag("--wait", *wait, tr("Wait for the session to finish (a one-shot sync always does)"));
  p.on(sync_cmd, [&p, wait] { return sync_now(p.g, *wait); });
  auto force = kept<bool>(false);
  auto* restore_cmd = p.app.add_subcommand("restore", tr("Re-seed a lost centre store from the hub (new site id, same centre)"));
  restore_cmd->add_flag("--force", *force, tr("Move an existing store aside (renamed .before-restore) instead of refusing"));
  p.on(restore_cmd, [&p, force] { return cli::restore(p.g, *force); });
  p.on(p.app.add_subcommand("agent", tr("The centre daemon: syncs every interval, after local writes, with backoff")),
       [&p] { return cli::agent_daemon(p.g); }, false);
  p.on(p.app.add_subcommand("status", tr("Centre, pending changes, last sync, last error, clock and certificate")),
       [&p] { return cli::status(p.g); });
}

void add_hub_conflicts(Parser& p, CLI::App* hub) {
  auto* conflicts = hub->add_subcommand("conflicts", tr("Lost concurrent writes to safety-relevant fields"));
  conflicts->require_subcommand(0, 1);
  auto all = kept<bool>(false);
  conflicts->add_flag("--all", *all, tr("Include resolved ones"));
  p.on(conflicts, {});
  conflicts->callback([&p, conflicts, all] {
    if (conflicts->get_subcommands().empty()) p.action = [&p, all] { return hub_conflicts(p.g, *all); };
  });
  auto* list = conflicts->add_subcommand("list", tr("List conflicts waiting for review"));
  list->add_flag("--all", *all, tr("Include resolved ones"));
  p.on(list, [&p, all] { return hub_conflicts(p.g, *all); });
  struct Resolve {
    std::int64_t id = 0;
    bool take_loser = false;
    std::string note;
  };
  auto r = kept<Resolve>();
  auto* resolve = conflicts->add_subcommand("resolve", tr("Close a conflict: keep the winner, or --take-loser"));
  resolve->add_option("ID", r->id, tr("Conflict id (from the list)"))->required()->transform(decimal());
  resolve->add_flag("--take-loser", r->take_loser, tr("Write the lost value again (it then wins and reaches the centre)"));
  resolve->add_option("--note", r->note, tr("Why"));
  p.on(resolve, [&p, r] { return hub_conflict_resolve(p.g, r->id, r->take_loser, r->note); });
}

// Hub side. `epsync hub` alone runs the daemon.
void add_hub(Parser& p) {
  p.config_help = trf("Hub configuration file (default {})", hub::kDefaultHubConfig);
  auto* hub = p.app.add_subcommand("hub", tr("The hub daemon (without a command) and the hub's commands"));
  hub->require_subcommand(0, 1);
  p.on(hub, {});
  hub->callback([&p, hub] {
    if (hub->get_subcommands().empty()) p.action = [&p] { return hub_daemon(p.g); };
  });
  auto* center = hub->add_subcommand("center", tr("The centre registry"));
  center->require_subcommand(1);
  struct Centre {
    std::string id, region, name;
  };
  auto c = kept<Centre>();
  auto* center_add = center->add_subcommand("add", tr("Register a centre (or update its name and region)"));
  center_add->add_option("ID", c->id, tr("Centre id, like ALM-014"))->required();
  add_region(center_add, c->region);
  center_add->add_option("--name", c->name, tr("Centre name"))->required();
  p.on(center_add, [&p, c] { return hub_center_add(p.g, c->id, c->region, c->name); });
  auto health = kept<bool>(false);
  auto* center_list = center->add_subcommand("list", tr("List registered centres (with --health: from their heartbeats)"));
  center_list->add_flag("--health", *health, tr("Last seen, pending, clock offset, certificate; STALE after 7 days"));
  p.on(center_list, [&p, health] { return hub_center_list(p.g, *health); });
  p.on(hub->add_subcommand("duplicates", tr("IINs enrolled (active) at more than one centre")),
       [&p] { return hub_duplicates(p.g); });
  add_hub_conflicts(p, hub);
  p.on(hub->add_subcommand("quarantine", tr("Changes set aside because they failed validation")),
       [&p] { return hub_quarantine(p.g); });
  auto file = kept<std::string>();
  auto* results = hub->add_subcommand("import-results", tr("Import official EPS-TOPIK results (CSV: iin,test_date,score)"));
  results->add_option("FILE", *file, tr("CSV file"))->required();
  p.on(results, [&p, file] { return hub_import_results(p.g, *file); });
  struct Report {
    std::string by = "region", format = "table";
    std::optional<std::string> as_of;
  };
  auto rp = kept<Report>();
  auto* report = hub->add_subcommand("report", tr("Nationwide readiness by region, centre or sector"));
  report->add_option("--by", rp->by, tr("region (default), center or sector"));
  report->add_option("--as-of", rp->as_of, tr("Reference date: DD.MM.YYYY or YYYY-MM-DD (default today)"));
  report->add_option("--format", rp->format, tr("table (default), csv or json"));
  p.on(report, [&p, rp] { return hub_report(p.g, rp->by, rp->as_of, rp->format); });
}

// --lang anywhere on the line, else [ui] lang of the configuration, else the environment's locale,
// else English (SPEC §10). Chosen before the parser is built, so that its help texts are already
// in that language.
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
  if (auto configured = configured_language(argc, argv)) return configured;
  return lang_from_environment().value_or(Lang::kEn);
}

// The group a top-level command is listed under in `epsync --help`.
std::string group_of(const std::string& command) {
  static const std::vector<std::pair<const char*, const char*>> groups = {
      {"init", N_("Centre records")},  {"trainee", N_("Centre records")},   {"record", N_("Centre records")},
      {"import", N_("Centre records")}, {"export", N_("Centre records")},   {"readiness", N_("Centre records")},
      {"history", N_("Centre records")}, {"backup", N_("Centre records")},  {"sync", N_("Sync with the hub")},
      {"restore", N_("Sync with the hub")}, {"agent", N_("Sync with the hub")}, {"status", N_("Sync with the hub")},
      {"quarantine", N_("Sync with the hub")}, {"hub", N_("The hub (ministry)")}};
  for (const auto& [name, group] : groups)
    if (command == name) return tr(group);
  return tr("Commands");
}

std::vector<CLI::App*> subcommands_of(CLI::App& app) {
  return app.get_subcommands([](CLI::App*) { return true; });
}

// Every command, once all are built: --lang taken everywhere (choose_language has read it already),
// its examples, its options under one translated heading, and subcommands under the heading of
// their kind (CLI11 copies a parent's group and footer into each subcommand it creates, so these
// are set here rather than along the way).
void finish_commands(Parser& p, CLI::App& app, const std::string& command) {
  if (app.get_option_no_throw("--lang") == nullptr)
    app.add_option("--lang", p.lang, tr("Language of the texts: kk, ru or en (default: $LANG)"));
  app.footer(examples_footer(command));
  for (auto* opt : app.get_options()) opt->group(tr("Options"));  // arguments too: one group, one spacing
  for (auto* sub : subcommands_of(app)) {
    sub->group(command.empty() ? group_of(sub->get_name()) : tr("Commands"));
    finish_commands(p, *sub, command.empty() ? sub->get_name() : command + " " + sub->get_name());
  }
}

// CLI11's formatter, but columns lined up by letters rather than bytes, so that a Kazakh or
// Russian word in an option's line (ТЕКСТ, МІНДЕТТІ) does not push its description out of line.
class LetterAlignedFormatter : public CLI::Formatter {
 public:
  std::string make_option(const CLI::Option* opt, bool is_positional) const override {
    std::string out = "  " + make_option_name(opt, is_positional) + make_option_opts(opt);
    std::size_t letters = 0, width = get_column_width();
    for (char c : out) letters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // UTF-8 lead bytes
    if (letters >= width) (out += '\n'), letters = 0;
    out.append(width - letters, ' ');
    for (char c : make_option_desc(opt)) {
      out += c;
      if (c == '\n') out.append(width, ' ');
    }
    return out + "\n";
  }
};

// CLI11's own words in help (one formatter, which every command copies from epsync itself).
void translate_help_words(CLI::App& app) {
  auto f = std::make_shared<LetterAlignedFormatter>();
  app.formatter(f);
  f->label("Usage", tr("Usage"));
  f->label("OPTIONS", tr("OPTIONS"));
  f->label("SUBCOMMAND", tr("COMMAND"));
  f->label("SUBCOMMANDS", tr("COMMANDS"));
  f->label("Positionals", tr("Arguments"));
  f->label("REQUIRED", tr("REQUIRED"));
  f->label("TEXT", tr("TEXT"));
  f->label("INT", tr("NUMBER"));
}

// The commands given, outermost (epsync itself) first.
std::vector<CLI::App*> given_commands(CLI::App& root) {
  std::vector<CLI::App*> chain{&root};
  for (auto subs = root.get_subcommands(); !subs.empty(); subs = chain.back()->get_subcommands())
    chain.push_back(subs.front());
  return chain;
}

CommandShape shape_of(const std::vector<CLI::App*>& chain, std::size_t depth) {
  CommandShape shape{"epsync", {}, {}};
  for (std::size_t i = 1; i <= depth; ++i) shape.path += " " + chain[i]->get_name();
  for (auto* opt : chain[depth]->get_options())
    for (const auto& name : opt->get_lnames()) shape.options.push_back("--" + name);
  for (auto* sub : subcommands_of(*chain[depth])) shape.commands.push_back(sub->get_name());
  return shape;
}

// The deepest command given that has the option (or argument) `name`.
std::size_t owner_of(const std::vector<CLI::App*>& chain, const std::string& name) {
  for (std::size_t i = chain.size(); i-- > 0;)
    if (chain[i]->get_option_no_throw(name) != nullptr) return i;
  return chain.size() - 1;
}

struct Located {
  std::size_t depth = 0;
  ParseFailure failure;
};

// Words nobody took: the deepest command left with some names the first of them (what follows an
// unknown option or command is usually its value or its own arguments).
Located leftover(const std::vector<CLI::App*>& chain) {
  for (std::size_t i = chain.size(); i-- > 0;) {
    auto words = chain[i]->remaining(false);
    if (words.empty()) continue;
    if (words[0].size() > 1 && words[0][0] == '-') return {i, {ParseProblem::kUnknownOption, words[0], {}, {}}};
    bool has_commands = !subcommands_of(*chain[i]).empty();
    return {i, {has_commands ? ParseProblem::kUnknownCommand : ParseProblem::kUnexpectedArgument, words[0], {}, {}}};
  }
  return {chain.size() - 1, {ParseProblem::kMissingCommand, {}, {}, {}}};
}

// A value CLI11 could not convert: "Could not convert: --score = abc".
Located unconvertible(const std::vector<CLI::App*>& chain, const std::string& what) {
  auto head = what.find(": "), eq = what.find(" = ");
  if (head == std::string::npos || eq == std::string::npos || eq < head)
    return {chain.size() - 1, {ParseProblem::kOther, {}, {}, what}};
  std::string name = what.substr(head + 2, eq - head - 2), value = what.substr(eq + 3);
  std::size_t depth = owner_of(chain, name);
  const CLI::Option* opt = chain[depth]->get_option_no_throw(name);
  auto problem = ParseProblem::kBadValue;
  if (opt && opt->get_expected_max() == 0) problem = ParseProblem::kFlagWithValue;
  else if (opt && opt->get_type_name() == "INT") problem = ParseProblem::kNotANumber;
  return {depth, {problem, name, value, {}}};
}

// What went wrong, and in which command, from CLI11's error and what it left in the parser.
Located locate(const CLI::ParseError& e, const std::vector<CLI::App*>& chain) {
  std::string what = e.what();
  auto named = [&](ParseProblem problem, const std::string& name, std::string detail = {}) {
    return Located{owner_of(chain, name), {problem, name, {}, std::move(detail)}};
  };
  bool wants_command = what.starts_with("A subcommand") || what.starts_with("Requires at least");
  if (dynamic_cast<const CLI::ExtrasError*>(&e) || (dynamic_cast<const CLI::RequiredError*>(&e) && wants_command))
    return leftover(chain);
  if (dynamic_cast<const CLI::RequiredError*>(&e) && what.ends_with(" is required"))
    return named(ParseProblem::kMissingRequired, what.substr(0, what.size() - 12));
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) && what.ends_with(" missing"))
    return named(ParseProblem::kMissingValue, what.substr(0, what.find(':')));
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) && what.find(": At Most ") != std::string::npos)
    return named(ParseProblem::kRepeated, what.substr(0, what.find(':')));
  if (dynamic_cast<const CLI::ConversionError*>(&e)) return unconvertible(chain, what);
  if (dynamic_cast<const CLI::ValidationError*>(&e) && what.find(": ") != std::string::npos)
    return named(ParseProblem::kInvalidValue, what.substr(0, what.find(": ")), what.substr(what.find(": ") + 2));
  return {chain.size() - 1, {ParseProblem::kOther, {}, {}, what}};
}

// A parse error in the reader's words, with the command it concerns; exit 2 as for any invalid input.
int refuse(CLI::App& root, const CLI::ParseError& e) {
  auto chain = given_commands(root);
  auto [depth, failure] = locate(e, chain);
  std::cerr << describe_parse_failure(shape_of(chain, depth), failure);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  auto lang = choose_language(argc, argv);
  if (!lang) return 2;
  set_current_lang(*lang);
  Parser p;
  translate_help_words(p.app);
  p.app.set_help_flag("-h,--help", tr("Print this help and exit"));  // subcommands copy it
  p.app.add_option("--lang", p.lang, tr("Language of the texts: kk, ru or en (default: $LANG)"));
  p.app.require_subcommand(1);
  p.app.set_version_flag("--version", std::string("epsync ") + kVersion, tr("Print the version and exit"));
  add_init(p);
  add_trainee(p);
  add_record(p);
  add_store_commands(p);
  add_sync(p);
  add_hub(p);
  finish_commands(p, p.app, "");
  try {
    p.app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return p.app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return p.app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return p.app.exit(e);
  } catch (const CLI::ParseError& e) {
    return refuse(p.app, e);
  }
  return run_command(p.action);
}
