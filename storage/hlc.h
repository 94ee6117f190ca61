// Hybrid logical clock (Kulkarni et al.): physical milliseconds in the high 48 bits and a logical
// counter in the low 16, so timestamps order like wall time yet never go backwards, even when the
// system clock does. Persisted by the Store so it stays monotonic across restarts.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "storage/status.h"

namespace epsync {

using HlcTime = std::int64_t;

inline constexpr int kHlcCounterBits = 16;
inline constexpr HlcTime hlc_pack(std::int64_t ms, std::int64_t counter) {
  return (ms << kHlcCounterBits) | counter;
}
inline constexpr std::int64_t hlc_millis(HlcTime t) { return t >> kHlcCounterBits; }
inline constexpr std::int64_t hlc_counter(HlcTime t) {
  return t & ((std::int64_t{1} << kHlcCounterBits) - 1);
}
std::string hlc_to_string(HlcTime t);  // "2026-11-22T07:51:13.123Z+4"

// Milliseconds since the Unix epoch; replaceable so tests can move the clock.
using PhysicalClock = std::function<std::int64_t()>;
PhysicalClock system_clock();

class HybridClock {
 public:
  // `last` is the greatest timestamp this site has issued or seen (0 for a new store).
  explicit HybridClock(PhysicalClock physical, HlcTime last = 0)
      : physical_(std::move(physical)), last_(last) {}

  // A timestamp for a local event, greater than every one issued or observed before.
  HlcTime tick();

  // Takes in a remote timestamp so later local ticks order after it. When max_ahead_ms > 0, a
  // timestamp more than that far ahead of the physical clock is refused (SPEC §4 skew bound) and
  // the clock is left as it was.
  Status observe(HlcTime remote, std::int64_t max_ahead_ms = 0);

  HlcTime last() const { return last_; }
  std::int64_t physical_now() const { return physical_(); }

 private:
  PhysicalClock physical_;
  HlcTime last_;
};

}  // namespace epsync
