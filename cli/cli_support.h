// What every CLI command shares: finding the store (--db, --config or the default config), the
// operator's name for history, and turning a Status into a message and an exit code.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "agent/centre_store.h"
#include "agent/config.h"
#include "cli/commands.h"
#include "records/date.h"
#include "storage/store.h"

namespace epsync::cli {

// Who is making the change, for history: the login name (never anything about a trainee).
std::string operator_name();
// The same, refused (InvalidInput) when it breaks the rule every change's operator must obey.
Result<std::string> checked_operator_name();

// The agent configuration named by --config, or the default file; NotFound when neither exists.
Result<AgentConfig> agent_config(const Global& g);

// The centre store: --db, else the config's store path.
Result<std::string> store_path(const Global& g);

// --as-of: the date given, or today when none was.
Result<Date> as_of_date(const std::optional<std::string>& text);

// Opens an initialised centre store for the operator.
using Opened = CentreStore;
Result<Opened> open_centre(const Global& g);

}  // namespace epsync::cli
