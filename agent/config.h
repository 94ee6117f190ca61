// The agent's configuration file (SPEC §7, /etc/epsync/agent.toml). Unknown keys and wrong types
// are errors that name the file, the line and the key, so a typo never silently falls back to a
// default.
#pragma once

#include <optional>
#include <string>

#include "storage/status.h"
#include "util/i18n.h"

namespace epsync {

inline constexpr const char* kDefaultAgentConfig = "/etc/epsync/agent.toml";

struct AgentConfig {
  std::string source;        // the file it was read from
  std::string center_id;
  std::string store_path;
  std::string hub_address;   // host:port; empty when the [hub] section is absent
  std::string hub_ca, hub_cert, hub_key;
  int sync_interval_seconds = 60;
  // How long a session waits for the hub to connect (at most 10 s) or to answer before giving up.
  int sync_timeout_seconds = 30;
  // [ui] lang: the language of the command line's texts when --lang is not given (SPEC §10).
  std::optional<Lang> lang;
};

Result<AgentConfig> load_agent_config(const std::string& path);

}  // namespace epsync
