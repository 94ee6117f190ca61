#include "hub/report.h"

#include "storage/readiness.h"
#include "storage/regions.h"

namespace epsync::hub {

Result<std::vector<ReportRow>> readiness_report(Store& store, GroupBy by, const Date& as_of) {
  auto assessed = assess_store(store, as_of, std::nullopt, /*display_order=*/false);
  if (!assessed.ok()) return assessed.status();
  std::map<std::string, std::string> region_of;
  auto st = store.db().prepare("SELECT id, coalesce(region, '') FROM center WHERE deleted = 0");
  if (!st.ok()) return st.status();
  for (;;) {
    auto r = st->step();
    if (!r.ok()) return r.status();
    if (!r.value()) break;
    region_of[st->column_text(0)] = st->column_text(1);
  }
  std::map<std::string, ReportRow> groups;
  if (by == GroupBy::kRegion)
    for (const auto& r : kRegions) groups[r].key = r;
  if (by == GroupBy::kCenter)
    for (const auto& [c, r] : region_of) groups[c].key = c;
  for (const auto& a : assessed.value()) {
    std::string key;
    switch (by) {
      case GroupBy::kRegion: {
        auto it = region_of.find(a.trainee.center_id);
        key = it == region_of.end() || it->second.empty() ? "(unregistered centre)" : it->second;
        break;
      }
      case GroupBy::kCenter: key = a.trainee.center_id; break;
      case GroupBy::kSector: key = a.trainee.sector.empty() ? "(none)" : a.trainee.sector; break;
    }
    ReportRow& row = groups[key];
    row.key = key;
    ++row.trainees;
    if (a.readiness.ready) {
      ++row.ready;
    } else {
      ++row.not_ready;
      std::map<std::string, bool> seen;  // a trainee counts once per kind of blocker
      for (const auto& b : a.readiness.blockers)
        if (!seen[b.kind]) {
          seen[b.kind] = true;
          ++row.blockers[b.kind];
        }
    }
  }
  std::vector<ReportRow> out;
  for (auto& [k, v] : groups) out.push_back(std::move(v));
  return out;
}

}  // namespace epsync::hub
