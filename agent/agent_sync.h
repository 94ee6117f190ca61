// The agent's half of a sync session against its store: what to push, how pulled changes are
// merged, and the sync state kept in the store's meta (hub epoch, pull cursor, what the hub has
// acknowledged, last sync, last error, clock offset) so `epsync status` can report it.
#pragma once

#include <cstdint>
#include <string>

#include "agent/config.h"
#include "storage/change_view.h"
#include "storage/store.h"
#include "sync/client_session.h"
#include "sync/tls.h"

namespace epsync {

struct AgentSyncState {
  std::string epoch;            // the hub store last synced with
  std::int64_t cursor = 0;      // position in the hub's log
  std::string cursor_check;
  std::int64_t acked = 0;       // the hub's high-water mark for this site
  std::int64_t last_sync_ms = 0;
  std::string last_error;
  std::int64_t clock_offset_ms = 0;
  bool clock_offset_known = false;
};

Result<AgentSyncState> load_sync_state(Store& store);
// Row changes made here that the hub has not acknowledged, and the age of the oldest of them.
Result<std::int64_t> pending_changes(Store& store, std::int64_t acked);
Result<std::int64_t> oldest_pending_age_s(Store& store, std::int64_t acked);
// The highest sequence number of a change made here (0 for none).
Result<std::int64_t> last_own_site_seq(Store& store);

// One of this centre's changes that the hub set aside: quarantined (it failed a rule) or refused
// for good (forbidden-row, bad-message). It stays in the log; the changes after it flowed on.
struct SetAsideChange {
  std::int64_t site_seq = 0, received_ms = 0;
  std::string table, row_id, trainee_id, reason;  // trainee_id: the trainee the row is about, if any
};
Result<std::vector<SetAsideChange>> set_aside_changes(Store& store);

// How to reach the hub, from the agent's configuration: address, certificates, timeouts.
sync::ClientOptions client_options(const AgentConfig& cfg);

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
  // Performs one action. Returns the session's final status once it has finished.
  void handle(sync::ClientAction action, sync::ClientSession& session);
  bool finished() const { return finished_; }
  const Status& result() const { return result_; }
  std::int64_t pushed_changes() const { return pushed_; }
  std::int64_t pulled_changes() const { return pulled_; }
  // Records a failure that ended the session outside the protocol (connection lost, timeout).
  void record_failure(const Status& s);

 private:
  // The hub's word that one of our changes was set aside (quarantined or refused), for status.
  Status record_set_aside(std::int64_t site_seq, const std::string& reason);
  Store& store_;
  AgentIdentity id_;
  bool finished_ = false;
  Status result_;
  std::int64_t pushed_ = 0, pulled_ = 0;
  // Own changes read for a batch that did not fit in it: the start of the next batch.
  RowChangeView change_view_;  // reused, so its cells keep their capacity
};

}  // namespace epsync
