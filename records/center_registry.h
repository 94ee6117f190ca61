// The centre registry as a centre store holds it: the hub's `center` rows, which replicate to
// every centre (a restored store takes its region from there).
#pragma once

#include <optional>
#include <string>

#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

// The region the registry gives centre `center`; nullopt when the centre is not in it.
Result<std::optional<std::string>> registered_region(Store& store, const std::string& center);

}  // namespace epsync
