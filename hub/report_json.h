// The JSON of `epsync hub report --format json`, built in one place so that the CLI and the hub's
// /api/report endpoint print the very same bytes for the same store, grouping and date.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hub/report.h"

namespace epsync::hub {

// "region", "center" or "sector"; nullopt for anything else.
std::optional<GroupBy> parse_group_by(std::string_view name);
const char* group_by_name(GroupBy by);

// {"as_of": "YYYY-MM-DD", "by": "region", "rows": [{"region": "abai", "trainees": 3, "ready": 1,
// "not_ready": 2, "blockers": {"medical": 2, ...}}, ...]}, keys in that order, indented by two
// spaces, without a trailing newline (the CLI adds one, and so does the HTTP endpoint).
std::string report_json(const std::vector<ReportRow>& rows, GroupBy by, const Date& as_of);

}  // namespace epsync::hub
