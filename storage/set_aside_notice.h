// At a centre, the hub's word that some of this site's row changes were set aside (quarantined
// by a rule, or refused for good), kept for `epsync status` and `epsync quarantine`. The changes
// themselves stay in the log; the changes after them flow on.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

struct SetAsideNotice {
  std::int64_t site_seq = 0, received_ms = 0;
  std::string reason;
  std::string table, row_id;  // of the change, from this store's log ("" when it is not there)
};

// Notes (or replaces) the hub's reason for setting aside this site's change `site_seq`.
Status note_set_aside(Store& store, std::int64_t site_seq, const std::string& reason);
Result<std::int64_t> set_aside_count(Store& store);
// Every notice, by site_seq, with the table and row of the change it is about.
Result<std::vector<SetAsideNotice>> set_aside_notices(Store& store);

}  // namespace epsync
