// A centre's store as the agent and the command line open it: an initialised centre store (not
// one that `epsync init` has not made a centre's yet, and never the hub's), and the check that
// it is the centre agent.toml names.
#pragma once

#include <memory>
#include <string>

#include "agent/config.h"
#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

struct CentreStore {
  std::unique_ptr<Store> store;
  std::string center;
};
Result<CentreStore> open_centre_store(const std::string& path, StoreOptions opt);
// InvalidInput when the store belongs to another centre than agent.toml's center.id.
Status check_centre(const CentreStore& opened, const AgentConfig& cfg);

}  // namespace epsync
