#include "hub/report_json.h"

#include <nlohmann/json.hpp>

namespace epsync::hub {

std::optional<GroupBy> parse_group_by(std::string_view name) {
  if (name == "region") return GroupBy::kRegion;
  if (name == "center") return GroupBy::kCenter;
  if (name == "sector") return GroupBy::kSector;
  return std::nullopt;
}

const char* group_by_name(GroupBy by) {
  switch (by) {
    case GroupBy::kRegion: return "region";
    case GroupBy::kCenter: return "center";
    case GroupBy::kSector: return "sector";
  }
  return "region";
}

std::string report_json(const std::vector<ReportRow>& rows, GroupBy by, const Date& as_of) {
  using json = nlohmann::ordered_json;
  const std::string key = group_by_name(by);
  json arr = json::array();
  for (const auto& r : rows) {
    json blockers = json::object();
    for (const auto& [k, v] : r.blockers) blockers[k] = v;
    arr.push_back({{key, r.key}, {"trainees", r.trainees}, {"ready", r.ready}, {"not_ready", r.not_ready},
                   {"blockers", blockers}});
  }
  return json{{"as_of", format_date(as_of)}, {"by", key}, {"rows", arr}}.dump(2);
}

}  // namespace epsync::hub
