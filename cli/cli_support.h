// What every CLI command shares: finding the store (--db, --config or the default config), the
// operator's name for history, and turning a Status into a message and an exit code.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/centre_store.h"
#include "agent/config.h"
#include "cli/commands.h"
#include "records/date.h"
#include "storage/store.h"

namespace epsync::cli {

// The account this process acts as: the effective user, whom the system itself holds responsible
// for what the process does (file owners, the audit log). Under sudo that is root; sudo's own log
// tells who used it.
std::string unix_user_name();
// Who is making the change, for history: EPSYNC_OPERATOR when set (scripts and tests), else
// unix_user_name() (never anything about a trainee).
std::string operator_name();
// The same, refused (InvalidInput) when it breaks the rule every change's operator must obey.
Result<std::string> checked_operator_name();

// The default configuration file `path` when this user may read it; NotFound with
// trf(missing, path) when it does not exist, PermissionDenied when it is not this user's to read.
Result<std::string> default_config(const char* path, const char* missing);

// The agent configuration named by --config, or the default file; NotFound when neither exists.
Result<AgentConfig> agent_config(const Global& g);

// The centre store: --db, else the config's store path.
Result<std::string> store_path(const Global& g);

// --as-of: the date given, or today when none was.
Result<Date> as_of_date(const std::optional<std::string>& text);

// Opens an initialised centre store for the operator.
using Opened = CentreStore;
Result<Opened> open_centre(const Global& g);

// How many characters `text` shows (UTF-8 characters, not bytes, so Cyrillic columns line up).
std::size_t text_width(std::string_view text);
// `text` followed by spaces, or after spaces, up to `width` characters.
std::string padded(std::string_view text, std::size_t width);
std::string right_aligned(std::string_view text, std::size_t width);
// "label   value" lines, the values starting in one column past the longest label.
void print_fields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields);

// Runs the command chosen on the command line with a umask that keeps the group's access (007),
// and turns anything thrown into "epsync: ..." and exit 1 rather than an abort.
int run_command(const std::function<int()>& action);

// [ui] lang of the configuration the command line names with --config, else of the default one
// (hub.toml for `epsync hub ...`, agent.toml otherwise); nullopt when it sets none or cannot be
// read (the command itself then says what is wrong with it).
std::optional<Lang> configured_language(int argc, char** argv);

}  // namespace epsync::cli
