// A physical clock that tests set and move by hand (including backwards).
#pragma once

#include <cstdint>
#include <memory>

#include "storage/hlc.h"

namespace epsync::test {

struct FakeClock {
  std::shared_ptr<std::int64_t> ms = std::make_shared<std::int64_t>(1'790'000'000'000);  // Sep 2026
  PhysicalClock fn() const {
    auto p = ms;
    return [p] { return *p; };
  }
  void advance(std::int64_t d) { *ms += d; }
  void set(std::int64_t v) { *ms = v; }
};

}  // namespace epsync::test
