// A centre's standing with the hub, kept in the store's meta (keys sync.*): the hub store it last
// synced with, its place in the hub's log, what the hub has acknowledged of this site's changes,
// and the last outcome. Read as one struct and written as one, in one transaction, so a crash or
// a second session never leaves half of it behind.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

struct SyncState {
  std::string epoch;            // the hub store last synced with
  std::int64_t cursor = 0;      // position in the hub's log
  std::string cursor_check;
  std::int64_t acked = 0;       // the hub's high-water mark for this site
  std::int64_t last_sync_ms = 0;
  std::string last_error;
  std::int64_t clock_offset_ms = 0;
  bool clock_offset_known = false;
};

Result<SyncState> load_sync_state(Store& store);
// Writes every field in one transaction: its own, or the caller's when one is open on the
// store's connection (pulled changes commit together with the cursor past them).
Status save_sync_state(Store& store, const SyncState& state);
// Reads the state afresh, lets `edit` change it and saves it whole, in one transaction (the
// caller's when one is open), so what another session of this store saved meanwhile is kept.
Status update_sync_state(Store& store, const std::function<void(SyncState&)>& edit);

}  // namespace epsync
