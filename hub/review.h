// What analysts review at the hub: the same IIN enrolled at several centres, lost concurrent
// writes waiting for a decision, and each centre's health from its heartbeats.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hub/hub_store.h"
#include "storage/value.h"

namespace epsync::hub {

struct Duplicate {
  std::string iin;
  std::vector<std::string> centers;   // where it is enrolled (active, not removed)
  std::vector<std::string> trainees;  // the trainee ids, in the same order
};
Result<std::vector<Duplicate>> duplicate_enrolments(Store& store);

struct Conflict {
  std::int64_t id = 0;
  std::string table, row_id, column, center;
  Value winner, loser;
  HlcTime winner_hlc = 0, loser_hlc = 0;
  std::string winner_site, loser_site, loser_operator;
  std::optional<std::string> resolution;
};
Result<std::vector<Conflict>> conflicts(Store& store, bool include_resolved);
// Closes a conflict. With take_loser, the lost value is written again at the hub (a new change
// that wins and flows to the centre); otherwise the winner stands.
Status resolve_conflict(HubStore& hub, std::int64_t id, bool take_loser, const std::string& note);

struct CenterHealth {
  std::string center, region, name;
  std::optional<std::int64_t> last_seen_ms;  // none: never synced
  std::int64_t pending = 0, oldest_pending_age_s = 0, clock_offset_ms = 0, free_disk_bytes = 0;
  std::int64_t cert_expires_at = 0;
  std::string agent_version, last_error;
  bool stale = false;  // not seen for 7 days (or never)
};
Result<std::vector<CenterHealth>> center_health(Store& store, std::int64_t now_ms);

}  // namespace epsync::hub
