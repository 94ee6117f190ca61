// A TCP fault proxy for the network tests: listens on 127.0.0.1 (a port the kernel picks),
// forwards the first connection it accepts to the hub, byte for byte in both directions, and
// cuts both sides (closes them) once a given number of bytes has crossed, counting both
// directions together. Everything it does is bounded by a deadline, so a test never hangs on it.
//
// It also watches the TLS record layer (5-byte headers: type, version, length) in each direction
// and notes the global byte offset where each record ends. After the handshake every write of
// the agent or the hub (one or more sync frames) is one TLS application-data record, so record
// ends are where cuts "at a frame boundary" land.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace epsync::test {

struct RecordEnd {
  std::int64_t offset = 0;  // bytes forwarded (both directions) when this record was complete
  bool to_hub = false;      // direction: agent -> hub
  int index = 0;            // its number among the records going that way, from 0
  int type = 0;             // TLS content type (22 handshake, 23 application data, 21 alert...)
  int length = 0;           // record body length
};

// Where to cut: after `after_bytes` bytes in all (both directions together), or `delta` bytes
// after the end of the `record`-th TLS record (0-based) going one way (delta may be negative:
// inside that record). Whichever comes first; -1 turns either off.
struct CutPlan {
  std::int64_t after_bytes = -1;
  int record = -1;
  bool record_to_hub = false;
  std::int64_t delta = 0;
};

struct ProxyReport {
  bool accepted = false;
  bool cut = false;                   // the proxy cut the connection (rather than a peer closing it)
  std::int64_t cut_at = -1;           // where it cut (bytes forwarded)
  std::int64_t forwarded = 0;         // bytes forwarded, both directions
  std::int64_t to_hub = 0, to_agent = 0;
  std::vector<RecordEnd> records;
  std::string error;                  // the proxy's own trouble, if any
};

class FaultProxy {
 public:
  // A default CutPlan never cuts (pass-through). `limit` bounds the proxy's whole life.
  FaultProxy(std::uint16_t upstream_port, CutPlan plan, std::chrono::milliseconds limit = std::chrono::seconds(20));
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  std::uint16_t port() const { return port_; }
  // Waits (bounded by the limit) for the proxy to finish and returns what it saw.
  ProxyReport finish();

 private:
  void run();
  bool over() const;  // stopped, or past the proxy's time limit
  // Accepts the one agent connection and connects to the hub; false when either fails.
  bool open_ends(int& agent, int& hub);
  std::uint16_t upstream_;
  CutPlan plan_;
  std::chrono::steady_clock::time_point deadline_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  ProxyReport report_;
  std::thread thread_;
};

}  // namespace epsync::test
