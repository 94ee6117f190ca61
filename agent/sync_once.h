// One sync session of a centre store with the hub: the one recipe `epsync sync`, `epsync restore`
// and the agent daemon's periodic sync share. Open the centre store, read the certificate, build
// the TLS client from agent.toml, run one ClientSession with AgentSync, and leave the outcome in
// the store's sync state (last sync, last error) and in the SyncOutcome returned.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "agent/centre_store.h"
#include "agent/config.h"
#include "storage/status.h"
#include "storage/store.h"
#include "sync/tls.h"

namespace epsync {

// The [hub] keys a session needs: the first one missing refused with `refusal` (an N_-marked text
// whose two {} are the file and the key), in the reader's language.
Status require_hub_keys(const AgentConfig& cfg, const char* refusal);

// How to reach the hub, from the agent's configuration: address, certificates, timeouts.
sync::ClientOptions client_options(const AgentConfig& cfg);

struct SyncOutcome {
  Status status;                    // the session's result
  std::int64_t pushed = 0, pulled = 0;
  std::int64_t pending = 0;         // own changes the hub has not acknowledged, after the session
  sync::TransferStats bytes;
};

struct SyncOnceOptions {
  std::string operator_name = "agent";  // the store connection's operator (sync writes no own changes)
  // Called with a function that abandons the session from any thread (the daemon's SIGTERM).
  std::function<void(std::function<void()>)> register_stop;
};

// One session for a store that is already open.
SyncOutcome run_sync_session(const AgentConfig& cfg, Store& store, const SyncOnceOptions& opt = {});
// Opens cfg.store_path on a connection of its own, checks that it is cfg.center_id's, and runs one
// session. An error when the store cannot be used; otherwise the session's outcome.
Result<SyncOutcome> sync_once(const AgentConfig& cfg, const SyncOnceOptions& opt = {});

}  // namespace epsync
