// What every CLI command shares: finding the store (--db, --config or the default config), the
// operator's name for history, and turning a Status into a message and an exit code.
#pragma once

#include <memory>
#include <string>

#include "cli/commands.h"
#include "agent/config.h"
#include "storage/store.h"

namespace epsync::cli {

// Who is making the change, for history: the login name (never anything about a trainee).
std::string operator_name();

// The agent configuration named by --config, or the default file; NotFound when neither exists.
Result<AgentConfig> agent_config(const Global& g);

// The centre store: --db, else the config's store path.
Result<std::string> store_path(const Global& g);

struct Opened {
  std::unique_ptr<Store> store;
  std::string center;
};
// Opens an initialised centre store.
Result<Opened> open_centre(const Global& g);

// "2026-11-22T07:51:13Z" for Unix milliseconds.
std::string iso_time(std::int64_t unix_ms);

}  // namespace epsync::cli
