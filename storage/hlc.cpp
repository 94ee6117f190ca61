#include "storage/hlc.h"

#include <chrono>
#include <ctime>

namespace epsync {

PhysicalClock system_clock() {
  return [] {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  };
}

std::string hlc_to_string(HlcTime t) {
  std::int64_t ms = hlc_millis(t);
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%03dZ", static_cast<int>(ms % 1000));
  out += frac;
  if (hlc_counter(t) != 0) out += "+" + std::to_string(hlc_counter(t));
  return out;
}

HlcTime HybridClock::tick() {
  HlcTime wall = hlc_pack(physical_(), 0);
  // When the counter is exhausted, borrowing the next millisecond keeps order without waiting.
  last_ = wall > last_ ? wall : last_ + 1;
  return last_;
}

Status HybridClock::observe(HlcTime remote, std::int64_t max_ahead_ms) {
  if (max_ahead_ms > 0) {
    std::int64_t ahead = hlc_millis(remote) - physical_();
    if (ahead > max_ahead_ms)
      return Status::ClockSkew("timestamp " + hlc_to_string(remote) + " is " +
                               std::to_string(ahead / 1000) + " s ahead of this clock (bound " +
                               std::to_string(max_ahead_ms / 1000) + " s)");
  }
  if (remote > last_) last_ = remote;
  return Status::Ok();
}

}  // namespace epsync
