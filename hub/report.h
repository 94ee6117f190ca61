// Nationwide readiness at the hub: the same readiness engine as the centres, grouped by region,
// centre or sector, with the leading blockers counted.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "records/date.h"
#include "storage/status.h"
#include "storage/store.h"

namespace epsync::hub {

enum class GroupBy { kRegion, kCenter, kSector };

struct ReportRow {
  std::string key;  // region slug, centre id or sector ("(none)" when not recorded)
  std::int64_t trainees = 0, ready = 0, not_ready = 0;
  std::map<std::string, std::int64_t> blockers;  // blocker kind -> trainees held back by it
};

// Every region of SPEC §8 appears when grouping by region, also those with no centre yet.
Result<std::vector<ReportRow>> readiness_report(Store& store, GroupBy by, const Date& as_of);

// The three groupings from one pass over the store: what the dashboard shows together.
struct ReadinessReports {
  std::vector<ReportRow> by_region, by_center, by_sector;
};
Result<ReadinessReports> readiness_reports(Store& store, const Date& as_of);

}  // namespace epsync::hub
