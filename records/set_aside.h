// This centre's changes the hub set aside, in the registrar's terms: each notice with the trainee
// its row is about, so `epsync quarantine` can say whose record needs correcting.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

// One of this centre's changes that the hub set aside: quarantined (it failed a rule) or refused
// for good (forbidden-row, bad-message). It stays in the log; the changes after it flowed on.
struct SetAsideChange {
  std::int64_t site_seq = 0, received_ms = 0;
  std::string table, row_id, trainee_id, reason;  // trainee_id: the trainee the row is about, if any
};
Result<std::vector<SetAsideChange>> set_aside_changes(Store& store);

}  // namespace epsync
