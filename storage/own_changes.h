// What this store's own site has written, read from the change log: how many of its row changes
// the hub has not acknowledged yet, how old the oldest of them is, and the last one's number.
#pragma once

#include <cstdint>

#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

// Row changes made here with site_seq > acked, and the age in seconds of the oldest of them.
Result<std::int64_t> pending_changes(Store& store, std::int64_t acked);
Result<std::int64_t> oldest_pending_age_s(Store& store, std::int64_t acked);
// The highest sequence number of a change made here (0 for none).
Result<std::int64_t> last_own_site_seq(Store& store);

}  // namespace epsync
