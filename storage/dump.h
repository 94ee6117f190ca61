// Canonical dump: the replicated state of a store as deterministic text (tables by name, rows by
// id, every column as an SQL literal). Two stores hold the same data exactly when their dumps are
// equal; tests and the chaos harness compare sites this way.
#pragma once

#include <optional>
#include <string>

#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

// When `center` is given, only rows owned by that centre plus the reference tables: what a
// centre's store should hold, as seen from the hub.
Result<std::string> canonical_dump(Store& store, std::optional<std::string> center = {});

}  // namespace epsync
