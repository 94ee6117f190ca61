// Carries out a hub ServerSession's actions against the HubStore, synchronously: the daemon's
// store worker calls it for each action it takes from a session, and tests call it inline.
#pragma once

#include <string>

#include "hub/hub_store.h"
#include "sync/server_session.h"

namespace epsync::hub {

// Performs one action. Pushes are committed as a group of one; the daemon groups many sessions'
// pushes itself (HubStore::commit) and uses this only for the other actions.
void handle_now(sync::ServerAction action, sync::ServerSession& session, HubStore& hub);

// The welcome, or the refusal, for a Hello (registry check and the hub's mark for the site).
void answer_hello(const sync::Hello& hello, sync::ServerSession& session, HubStore& hub);

}  // namespace epsync::hub
