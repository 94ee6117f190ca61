// `epsync agent`: the centre daemon. Syncs every interval when idle and within a second of a local
// write (the CLI's nudge), backs off exponentially with jitter up to 15 minutes on failure, and
// talks to systemd (READY, STATUS, WATCHDOG). SIGTERM abandons a session cleanly and exits 0;
// SIGHUP reloads the configuration (certificates are read again at every session anyway).
#pragma once

#include <string>

namespace epsync {

struct AgentDaemonOptions {
  std::string config_path;
  std::string store_override;  // --db
};

// Runs until stopped; returns the process exit code.
int run_agent_daemon(const AgentDaemonOptions& opt);

}  // namespace epsync
