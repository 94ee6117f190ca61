// The 20 region slugs of SPEC §8: 17 regions and the cities of republican significance.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace epsync {

inline const std::vector<std::string> kRegions = {
    "abai", "akmola", "aktobe", "almaty-region", "atyrau", "east-kazakhstan", "jambyl", "jetisu",
    "karaganda", "kostanay", "kyzylorda", "mangystau", "north-kazakhstan", "pavlodar", "turkistan",
    "ulytau", "west-kazakhstan", "astana", "almaty", "shymkent"};

inline bool is_region(const std::string& slug) {
  return std::find(kRegions.begin(), kRegions.end(), slug) != kRegions.end();
}

}  // namespace epsync
