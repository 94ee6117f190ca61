#include "cli/cli_support.h"

#include "hub/hub_config.h"
#include "records/row_rules.h"
#include "util/config_file.h"
#include "util/i18n.h"
#include "util/printable.h"
#include "records/model.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <string_view>

namespace epsync::cli {

std::string unix_user_name() {
  if (struct passwd* pw = getpwuid(geteuid())) return pw->pw_name;
  return "uid" + std::to_string(geteuid());
}

std::string operator_name() {
  if (const char* e = std::getenv("EPSYNC_OPERATOR"); e && *e) return e;
  return unix_user_name();
}

Result<std::string> default_config(const char* path, const char* missing) {
  if (access(path, R_OK) == 0) return std::string(path);
  if (errno == EACCES || errno == EPERM) return Status::PermissionDenied(path);
  return Status::NotFound(trf(missing, path));
}

Result<AgentConfig> agent_config(const Global& g) {
  std::string config = g.config;
  if (config.empty()) {
    auto found = default_config(kDefaultAgentConfig, N_("no configuration: give --config FILE (default {})"));
    if (!found.ok()) return found.status();
    config = found.value();
  }
  return load_agent_config(config);
}

Result<std::string> store_path(const Global& g) {
  if (!g.db.empty()) return g.db;
  auto cfg = agent_config(g);
  if (!cfg.ok()) {
    if (g.config.empty() && cfg.status().code() == Status::Code::kNotFound)
      return Status::InvalidInput(tr("no store given: use --db PATH or --config FILE"));
    return cfg.status();
  }
  return cfg->store_path;
}

Result<std::string> checked_operator_name() {
  std::string name = operator_name();
  // Every change carries it to the hub, which sets aside a change whose operator breaks the rule.
  if (Status op = validate_operator(name); !op.ok())
    return Status::InvalidInput(trf("{} (the account name or EPSYNC_OPERATOR)", op.message()));
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

namespace {

// What the system refused, and how a registrar gets in: the administrator adds them to group
// epsync (man epsync, "Registrars").
std::string permission_denied(std::string_view what) {
  return trf("{}: permission denied (is {} in group epsync? see man epsync)", what, unix_user_name());
}

}  // namespace

int fail(const Status& s) {
  if (s.code() == Status::Code::kPermissionDenied) {
    std::string_view what = s.message();
    std::string_view suffix = Status::kPermissionDeniedSuffix;
    if (what.ends_with(suffix)) what.remove_suffix(suffix.size());
    std::cerr << "epsync: " << printable(permission_denied(what)) << "\n";
    return 1;
  }
  // Messages quote input, file contents and what the hub said: escaped, like every print.
  std::cerr << "epsync: " << printable(s.message()) << "\n";
  // A wrong reference (no such trainee, no such file) is bad input as much as a malformed one.
  bool bad_input = s.code() == Status::Code::kInvalidInput || s.code() == Status::Code::kNotFound ||
                   s.code() == Status::Code::kAlreadyExists;
  return bad_input ? 2 : 1;
}

std::size_t text_width(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // not a continuation byte
  return n;
}

std::string padded(std::string_view text, std::size_t width) {
  std::size_t shown = text_width(text);
  return std::string(text) + std::string(width > shown ? width - shown : 0, ' ');
}

std::string right_aligned(std::string_view text, std::size_t width) {
  std::size_t shown = text_width(text);
  return std::string(width > shown ? width - shown : 0, ' ') + std::string(text);
}

void print_fields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields) {
  std::size_t width = 0;
  for (const auto& f : fields) width = std::max(width, text_width(f.first));
  for (const auto& [label, value] : fields) out << padded(label, width + 2) << value << "\n";
}

int run_command(const std::function<int()>& action) {
  // Files made in the shared state directory stay the group's (registrars and daemons alike);
  // storage/file_access.h sets each new file's mode itself, this covers what SQLite creates.
  umask(0007);
  try {
    return action ? action() : 2;
  } catch (const std::filesystem::filesystem_error& e) {
    // A last resort: every call the commands make reports failure by Status; none should throw.
    if (e.code() == std::errc::permission_denied || e.code() == std::errc::operation_not_permitted)
      return fail(Status::PermissionDenied(e.path1().string()));
    std::cerr << "epsync: " << printable(e.what()) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "epsync: " << printable(e.what()) << "\n";
  }
  return 1;
}

namespace {

// The value of `--name VALUE` or `--name=VALUE` on the command line, or "".
std::string option_value(int argc, char** argv, std::string_view name) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == name && i + 1 < argc) return argv[i + 1];
    if (arg.size() > name.size() && arg.starts_with(name) && arg[name.size()] == '=')
      return std::string(arg.substr(name.size() + 1));
  }
  return "";
}

}  // namespace

std::optional<Lang> configured_language(int argc, char** argv) {
  std::string_view command;
  for (int i = 1; i < argc && command.empty(); ++i)
    if (argv[i][0] != '-') command = argv[i];
  const bool hub = command == "hub";
  std::string path = option_value(argc, argv, "--config");
  if (path.empty()) path = hub ? hub::kDefaultHubConfig : kDefaultAgentConfig;
  // Quietly: a missing, unreadable or broken file leaves the choice to the environment, and the
  // command itself reports what is wrong with it (--help never does).
  if (access(path.c_str(), R_OK) != 0) return std::nullopt;
  if (hub) {
    auto cfg = hub::load_hub_config(path);
    return cfg.ok() ? cfg->lang : std::nullopt;
  }
  auto cfg = load_agent_config(path);
  return cfg.ok() ? cfg->lang : std::nullopt;
}

}  // namespace epsync::cli
