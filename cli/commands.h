// The centre-side commands of SPEC §6, as functions of parsed arguments. main.cpp parses the
// command line (CLI11 stays in that one file); these open the store, act, and print. Each returns
// the process exit code: 0 success, 2 invalid input, 1 any other failure.
#pragma once

#include <optional>
#include <string>

#include "records/records.h"

namespace epsync::cli {

struct Global {
  std::string db;      // --db PATH
  std::string config;  // --config FILE
  bool json = false;   // --json
};

struct InitArgs {
  std::string center, region;
  std::optional<std::string> name;
};
struct RecordArgs {
  std::string trainee;
  KoreanInput korean;
  TestInput test;
  MedicalInput medical;
  DocumentInput document;
};
struct ImportArgs {
  std::string file;
  std::optional<std::string> kind, encoding;  // as given: checked by import_csv
};
struct ExportArgs {
  std::string format = "csv";
  std::optional<std::string> out;
  bool excel = false;  // BOM, `;`, IINs as text: what Excel opens right in kk/ru locales
};

int init(const Global& g, const InitArgs& a);
int trainee_add(const Global& g, const TraineeFields& f);
int trainee_update(const Global& g, const std::string& ref, const TraineeFields& f);
int trainee_show(const Global& g, const std::string& ref);
// --search TEXT: only trainees with TEXT in a name, or an IIN that starts with it.
int trainee_list(const Global& g, const std::optional<std::string>& search);
int trainee_remove(const Global& g, const std::string& ref);
int record_korean(const Global& g, const RecordArgs& a);
int record_test(const Global& g, const RecordArgs& a);
int record_medical(const Global& g, const RecordArgs& a);
int record_document(const Global& g, const RecordArgs& a);
int import_csv(const Global& g, const ImportArgs& a);
int export_data(const Global& g, const ExportArgs& a);
int readiness(const Global& g, const std::optional<std::string>& as_of);
int history(const Global& g, const std::string& ref);
int backup(const Global& g, const std::string& file);

// Agent-side sync (sync_commands.cpp).
int sync_now(const Global& g, bool wait);
int agent_daemon(const Global& g);
int restore(const Global& g, bool force);
int status(const Global& g);
int quarantine(const Global& g);  // the centre's changes the hub set aside

// Hub side (hub_commands.cpp); --db or the hub config's store path.
int hub_daemon(const Global& g);
int hub_center_add(const Global& g, const std::string& id, const std::string& region, const std::string& name);
int hub_center_list(const Global& g, bool health);
int hub_duplicates(const Global& g);
int hub_conflicts(const Global& g, bool all);
int hub_conflict_resolve(const Global& g, std::int64_t id, bool take_loser, const std::string& note);
int hub_quarantine(const Global& g);
int hub_import_results(const Global& g, const std::string& file);
int hub_report(const Global& g, const std::string& by, const std::optional<std::string>& as_of,
               const std::string& format);

// Prints "epsync: message" on stderr and maps the Status to an exit code.
int fail(const Status& s);

}  // namespace epsync::cli
