// The agent's half of a sync session against its store: what to push, how pulled changes are
// merged, and the sync state (storage/sync_state.h) kept so `epsync status` can report it: the
// hub's epoch, the pull cursor, what the hub has acknowledged, last sync, last error, clock offset.
#pragma once

#include <cstdint>
#include <string>

#include "storage/change_view.h"
#include "storage/own_changes.h"
#include "storage/store.h"
#include "storage/sync_state.h"
#include "sync/client_session.h"

namespace epsync {

struct AgentIdentity {
  std::string center;
  std::string agent_version;
  std::int64_t cert_expires_at = 0;  // Unix seconds, for the heartbeat
};

// Carries out a ClientSession's actions against the store.
class AgentSync {
 public:
  AgentSync(Store& store, AgentIdentity id) : store_(store), id_(std::move(id)) {}
  Result<sync::ClientConfig> config();
  // Performs one action. Once the session has finished, result() holds its final status.
  void handle(sync::ClientAction action, sync::ClientSession& session);
  bool finished() const { return finished_; }
  const Status& result() const { return result_; }
  std::int64_t pushed_changes() const { return pushed_; }
  std::int64_t pulled_changes() const { return pulled_; }
  // Records a failure that ended the session outside the protocol (connection lost, timeout).
  void record_failure(const Status& s);

 private:
  void welcomed(const sync::client::Welcomed& w, sync::ClientSession& session);
  void push(const sync::client::NeedPush& n, sync::ClientSession& session);
  void acked(const sync::client::Acked& a, sync::ClientSession& session);
  void apply_pulled(const sync::client::ApplyPulled& p, sync::ClientSession& session);
  void finish(const sync::client::Finished& f);
  Store& store_;
  AgentIdentity id_;
  bool finished_ = false;
  Status result_;
  std::int64_t pushed_ = 0, pulled_ = 0;
  // Own changes read for a batch that did not fit in it: the start of the next batch.
  RowChangeView change_view_;  // reused, so its cells keep their capacity
};

}  // namespace epsync
