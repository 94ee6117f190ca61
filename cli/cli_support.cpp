#include "cli/cli_support.h"

#include "records/row_rules.h"
#include "util/printable.h"
#include "records/model.h"

#include <pwd.h>
#include <unistd.h>

#include <ctime>
#include <iostream>

namespace epsync::cli {

std::string operator_name() {
  if (const char* e = std::getenv("EPSYNC_OPERATOR"); e && *e) return e;
  if (struct passwd* pw = getpwuid(geteuid())) return pw->pw_name;
  return "uid" + std::to_string(geteuid());
}

Result<AgentConfig> agent_config(const Global& g) {
  std::string config = g.config;
  if (config.empty()) {
    if (access(kDefaultAgentConfig, R_OK) != 0)
      return Status::NotFound(std::string("no configuration: give --config FILE (default ") + kDefaultAgentConfig + ")");
    config = kDefaultAgentConfig;
  }
  return load_agent_config(config);
}

Result<std::string> store_path(const Global& g) {
  if (!g.db.empty()) return g.db;
  auto cfg = agent_config(g);
  if (!cfg.ok()) {
    if (g.config.empty() && cfg.status().code() == Status::Code::kNotFound)
      return Status::InvalidInput("no store given: use --db PATH or --config FILE");
    return cfg.status();
  }
  return cfg->store_path;
}

Result<std::string> checked_operator_name() {
  std::string name = operator_name();
  // Every change carries it to the hub, which sets aside a change whose operator breaks the rule.
  if (Status op = validate_operator(name); !op.ok())
    return Status::InvalidInput(op.message() + " (the account name or EPSYNC_OPERATOR)");
  return name;
}

Result<Opened> open_centre(const Global& g) {
  auto path = store_path(g);
  if (!path.ok()) return path.status();
  StoreOptions o;
  auto name = checked_operator_name();
  if (!name.ok()) return name.status();
  o.operator_name = name.value();
  return open_centre_store(path.value(), o);
}

Result<Date> as_of_date(const std::optional<std::string>& text) {
  if (!text) return today_local();
  if (auto why = date_problem(*text)) return Status::InvalidInput("--as-of: " + *why);
  return *parse_input_date(*text);
}

int fail(const Status& s) {
  // Messages quote input, file contents and what the hub said: escaped, like every print.
  std::cerr << "epsync: " << printable(s.message()) << "\n";
  // A wrong reference (no such trainee, no such file) is bad input as much as a malformed one.
  bool bad_input = s.code() == Status::Code::kInvalidInput || s.code() == Status::Code::kNotFound ||
                   s.code() == Status::Code::kAlreadyExists;
  return bad_input ? 2 : 1;
}

}  // namespace epsync::cli
