// The chaos harness's TCP fault proxy: listens on 127.0.0.1, forwards every connection it accepts
// to the hub, and gives each connection a fault drawn from a seeded RNG: pass through, drop, add
// latency, reset (RST), truncate after a random byte count (also mid-frame), or stall for a while
// (shorter or longer than the agent's timeout). Switched to healthy, it passes everything. One
// thread serves all connections with poll(); every connection has a time limit, and the
// destructor stops and joins the thread, so nothing outlives the proxy.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

namespace epsync::test {

enum class Fault { kPass, kDrop, kDelay, kReset, kTruncate, kStall };
inline constexpr int kFaultKinds = 6;
const char* fault_name(Fault f);

struct ChaosProxyOptions {
  std::chrono::milliseconds agent_timeout{2000};  // short stalls end before it, long ones after it
  int faulty_percent = 60;                        // connections that get a fault while not healthy
  std::int64_t max_cut_bytes = 5000;              // cut, reset and stall points: [0, this] bytes;
                                                  // a session is 3-5 KiB, its TLS handshake ~2.5
  std::chrono::milliseconds max_delay{250};       // per-chunk latency of a delayed connection
  std::chrono::milliseconds connection_limit{20000};
};

struct ChaosProxyStats {
  std::array<int, kFaultKinds> by_fault{};  // connections accepted, by the fault they were given
  int short_stalls = 0, long_stalls = 0;    // stalls that really happened (the point was reached)
  int cuts = 0;                             // truncations and resets that really happened
  int upstream_refused = 0;                 // the hub was down
  std::int64_t bytes = 0;                   // forwarded, both directions
};

class ChaosProxy {
 public:
  ChaosProxy(std::uint16_t upstream_port, std::uint64_t seed, ChaosProxyOptions opt = {});
  ~ChaosProxy();
  ChaosProxy(const ChaosProxy&) = delete;
  ChaosProxy& operator=(const ChaosProxy&) = delete;

  std::uint16_t port() const { return port_; }
  const std::string& error() const { return error_; }  // set when the proxy could not listen
  void set_upstream(std::uint16_t port) { upstream_ = port; }
  // Healthy: every new connection passes, and the connections that carry a fault are reset at
  // once, so the agents start clean. Unhealthy again: faults resume for new connections.
  void set_healthy(bool healthy);
  ChaosProxyStats stats();

 private:
  struct Conn;
  void run();
  void accept_one();
  bool serve(Conn& c, std::chrono::steady_clock::time_point now);
  bool forward_reads(Conn& c, std::chrono::steady_clock::time_point now);
  bool deliver(Conn& c, std::chrono::steady_clock::time_point now);

  ChaosProxyOptions opt_;
  std::mt19937_64 rng_;  // only the proxy thread draws from it
  std::atomic<std::uint16_t> upstream_;
  std::uint16_t port_ = 0;
  int listen_fd_ = -1;
  std::string error_;
  std::atomic<bool> healthy_{false}, reset_faulty_{false}, stop_{false};
  std::mutex mu_;  // guards stats_
  ChaosProxyStats stats_;
  std::thread thread_;
  struct Conns;
  std::unique_ptr<Conns> conns_;  // touched by the proxy thread only
};

}  // namespace epsync::test
