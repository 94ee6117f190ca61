// `epsync hub`: the hub daemon. One io_context thread serves every TLS session; one store thread
// owns the database (StoreWorker). Ends cleanly on SIGTERM or SIGINT.
#pragma once

#include "hub/hub_config.h"

namespace epsync::hub {

// Runs until stopped; returns the process exit code.
int run_hub_daemon(const HubConfig& config);

}  // namespace epsync::hub
