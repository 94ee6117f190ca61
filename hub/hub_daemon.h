// `epsync hub`: the hub daemon. The TLS server transport's one loop thread (sync/tls_server.h)
// serves every session through the hub's session handler; one store thread owns the database
// (StoreWorker). Ends cleanly on SIGTERM or SIGINT.
#pragma once

#include "hub/hub_config.h"

namespace epsync::hub {

// Runs until stopped; returns the process exit code.
int run_hub_daemon(const HubConfig& config);

}  // namespace epsync::hub
