// The hub daemon's own counters for Prometheus (/metrics): lock-free atomics, bumped by the io
// thread (sessions, bytes) and by the store thread (batch commits, applied and quarantined
// changes), read by the HTTP threads. Per-centre gauges come from the store (review.h) at scrape
// time, not from here.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hub/review.h"

namespace epsync::hub {

// A histogram of durations in seconds with fixed buckets. Each observation increments exactly one
// bucket; cumulative counts and _count are derived from the buckets when rendered, so the +Inf
// bucket always equals _count even while observations arrive.
class LatencyHistogram {
 public:
  static constexpr std::array<double, 14> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,    0.25,  0.5,    1,     2.5,   5,     10};
  void observe(double seconds);

  struct Snapshot {
    std::array<std::uint64_t, kBounds.size() + 1> cumulative{};  // the last one is +Inf
    double sum = 0;
    std::uint64_t count() const { return cumulative.back(); }
  };
  Snapshot snapshot() const;

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> sum_ns_{0};
};

struct HubMetrics {
  HubMetrics();
  std::int64_t start_time_s = 0;
  // io thread
  std::atomic<std::int64_t> sessions_open{0};        // authenticated sessions now
  std::atomic<std::uint64_t> sessions_total{0};      // authenticated sessions since start
  std::atomic<std::uint64_t> handshake_failures{0};  // refused TLS handshakes
  std::atomic<std::uint64_t> bytes_in{0}, bytes_out{0};  // protocol bytes inside TLS
  std::atomic<std::uint64_t> sessions_busy{0};           // refused `busy`: at a session limit
  std::atomic<std::uint64_t> connections_dropped{0};     // closed at accept: too many handshakes
  std::atomic<std::int64_t> crl_next_update_s{0};        // the CRL's nextUpdate; 0: no CRL or none given
  std::atomic<std::uint64_t> crl_reloads{0}, crl_reload_failures{0};
  // store thread
  std::atomic<std::uint64_t> batches_committed{0}, batches_failed{0};
  std::atomic<std::uint64_t> row_changes_applied{0}, cells_applied{0}, changes_quarantined{0};
  LatencyHistogram commit_seconds;
};

// What the scrape knows of the store: per-centre health, or that the store could not be read.
struct StoreView {
  bool ok = false;
  std::vector<CenterHealth> centres;
};

// The Prometheus text exposition format 0.0.4, HELP and TYPE for every metric family.
std::string render_metrics(const HubMetrics& m, const StoreView& store, std::string_view version);

// A label value with backslash, double quote and line feed escaped (exposition format rules).
std::string escape_label_value(std::string_view v);

}  // namespace epsync::hub
