// How a hub ServerSession's actions are answered from the HubStore: what the store says (a
// welcome, a commit's answer, routed changes, or a failure) and how that becomes the session's
// reply or refusal. The daemon computes answers on its store thread and hands them to the session
// on the io thread; tests call handle_now() inline. Both use the answer_* functions below, so the
// refusals a centre sees are the same.
#pragma once

#include <string>

#include "hub/hub_store.h"
#include "sync/server_session.h"

namespace epsync::hub {

// Performs one action. Pushes are committed as a group of one; the daemon groups many sessions'
// pushes itself (HubStore::commit) and uses the answer_* functions for the results.
void handle_now(sync::ServerAction action, sync::ServerSession& session, HubStore& hub);

// The welcome, or why not: unknown-center, unauthorized (a site bound to another centre; logged
// with both centre ids, no mark disclosed), internal.
void answer_hello(const Result<sync::Welcome>& welcome, sync::ServerSession& session);
// The ack, a definite refusal (logged; the session ends), or internal: the batch was not stored
// and the agent sends it again later.
void answer_push(Result<PushAnswer> answer, sync::ServerSession& session);
void answer_pull(Result<sync::Changes> changes, sync::ServerSession& session);

}  // namespace epsync::hub
