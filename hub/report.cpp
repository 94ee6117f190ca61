#include "hub/report.h"

#include <unordered_map>

#include "records/readiness.h"
#include "records/regions.h"

namespace epsync::hub {

namespace {

// One grouping's rows, filled one assessed trainee at a time.
class Grouping {
 public:
  Grouping(GroupBy by, const std::map<std::string, std::string>& region_of) : by_(by), region_of_(region_of) {
    // Every region of SPEC §8, and every registered centre, also with no trainee yet.
    if (by == GroupBy::kRegion)
      for (const auto& r : kRegions) groups_[r].key = r;
    if (by == GroupBy::kCenter)
      for (const auto& [c, r] : region_of) groups_[c].key = c;
  }

  void add(const TraineeBasics& t, const Readiness& r) {
    ReportRow& row = row_for(t);
    ++row.trainees;
    if (r.ready) {
      ++row.ready;
      return;
    }
    ++row.not_ready;
    for (size_t i = 0; i < r.blockers.size(); ++i) {  // a trainee counts once per kind of blocker
      bool seen = false;
      for (size_t j = 0; j < i && !seen; ++j) seen = r.blockers[j].kind == r.blockers[i].kind;
      if (!seen) ++row.blockers[r.blockers[i].kind];
    }
  }

  std::vector<ReportRow> rows() && {
    std::vector<ReportRow> out;
    out.reserve(groups_.size());
    for (auto& [k, v] : groups_) out.push_back(std::move(v));
    return out;
  }

 private:
  // Trainees come in storage order, hundreds of thousands of them: the row is found through a
  // cache keyed by what the trainee carries (its centre, or its sector), not by the group key.
  ReportRow& row_for(const TraineeBasics& t) {
    const std::string& carried = by_ == GroupBy::kSector ? t.sector : t.center_id;
    if (auto hit = cache_.find(carried); hit != cache_.end()) return *hit->second;
    std::string key;
    switch (by_) {
      case GroupBy::kRegion: {
        auto it = region_of_.find(t.center_id);
        key = it == region_of_.end() || it->second.empty() ? "(unregistered centre)" : it->second;
        break;
      }
      case GroupBy::kCenter: key = t.center_id; break;
      case GroupBy::kSector: key = t.sector.empty() ? "(none)" : t.sector; break;
    }
    ReportRow& row = groups_[key];  // std::map: the reference stays valid as groups are added
    row.key = key;
    cache_.emplace(carried, &row);
    return row;
  }

  GroupBy by_;
  const std::map<std::string, std::string>& region_of_;
  std::map<std::string, ReportRow> groups_;
  std::unordered_map<std::string, ReportRow*> cache_;
};

Result<std::map<std::string, std::string>> centre_regions(Store& store) {
  std::map<std::string, std::string> region_of;
  auto st = store.db().prepare("SELECT id, coalesce(region, '') FROM center WHERE deleted = 0");
  if (!st.ok()) return st.status();
  for (;;) {
    auto r = st->step();
    if (!r.ok()) return r.status();
    if (!r.value()) break;
    region_of[st->column_text(0)] = st->column_text(1);
  }
  return region_of;
}

}  // namespace

Result<std::vector<ReportRow>> readiness_report(Store& store, GroupBy by, const Date& as_of) {
  auto region_of = centre_regions(store);
  if (!region_of.ok()) return region_of.status();
  Grouping g(by, region_of.value());
  EPSYNC_RETURN_IF_ERROR(for_each_readiness(store, as_of, [&](const TraineeBasics& t, const Readiness& r) { g.add(t, r); }));
  return std::move(g).rows();
}

Result<ReadinessReports> readiness_reports(Store& store, const Date& as_of) {
  auto region_of = centre_regions(store);
  if (!region_of.ok()) return region_of.status();
  Grouping region(GroupBy::kRegion, region_of.value()), centre(GroupBy::kCenter, region_of.value()),
      sector(GroupBy::kSector, region_of.value());
  EPSYNC_RETURN_IF_ERROR(for_each_readiness(store, as_of, [&](const TraineeBasics& t, const Readiness& r) {
    region.add(t, r);
    centre.add(t, r);
    sector.add(t, r);
  }));
  return ReadinessReports{std::move(region).rows(), std::move(centre).rows(), std::move(sector).rows()};
}

}  // namespace epsync::hub
