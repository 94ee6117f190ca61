// The ministry's read-only dashboard, served by the hub at "/": readiness by region (a table and a
// bar chart), the leading blockers, readiness by sector, every centre's health with stale centres
// highlighted, duplicate enrolments and conflicts waiting for review. Every figure comes from
// report.h and review.h, the code behind `epsync hub report` and the review commands, read in one
// snapshot of the store. One self-contained HTML page: inline CSS, inline SVG, a little inline
// JavaScript, nothing from elsewhere. Text from the store is always HTML-escaped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hub/html.h"  // html_escape, for callers that build pages too
#include "hub/report.h"
#include "hub/review.h"

namespace epsync::hub {

struct DashboardData {
  Date as_of;
  std::int64_t now_ms = 0;
  std::vector<ReportRow> by_region, by_center, by_sector;
  std::vector<CenterHealth> centres;
  std::vector<Duplicate> duplicates;
  std::vector<Conflict> conflicts;  // not yet resolved
};

// Reads everything the page shows inside one read transaction, so its figures agree.
Result<DashboardData> gather_dashboard(Store& store, const Date& as_of, std::int64_t now_ms);

// The page. `nonce` marks the inline style and script allowed by the Content-Security-Policy.
std::string render_dashboard(const DashboardData& d, const std::string& nonce);

}  // namespace epsync::hub
