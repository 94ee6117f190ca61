// A centre that misbehaves, for the trust-boundary tests: the real client state machine and TLS
// transport with a valid certificate, but it says whatever the test wants in hello and pushes
// whatever row changes the test hands it, as a client written from docs/PROTOCOL.md could.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/change_log.h"
#include "sync/messages.h"

namespace epsync::test {

class NetWorld;
struct Centre;

struct HostileResult {
  bool welcomed = false;
  sync::Welcome welcome;
  std::vector<sync::Ack> acks;
  std::optional<sync::Error> refusal;  // the hub's error, if it sent one
  std::string status;                  // the session's end, as text
};

struct HostilePlan {
  std::string center;           // hello.center (defaults to the certificate's centre)
  std::string site;             // hello.site (defaults to a fresh random site)
  std::vector<RowChange> push;  // sent as one batch after the welcome
};

// Where a hostile session goes, and the certificate it presents.
struct HostileTarget {
  std::string address;          // the hub's host:port
  std::string ca, cert, key;    // the CA to trust; the centre's certificate and key
  std::string center;           // the certificate's centre
};

// One session as `to.center` (its certificate and key) against the hub at `to.address`.
HostileResult hostile_session(const HostileTarget& to, HostilePlan plan);
// The same against a network test world's hub, as `as`.
HostileResult hostile_session(NetWorld& w, const Centre& as, HostilePlan plan);

// A row change shaped as an honest agent would send it: one write by `site` to `row_id` of `table`.
RowChange forged_change(const std::string& table, const std::string& row_id, const std::string& owner,
                        const std::string& site, std::int64_t site_seq, std::vector<CellChange> cells);

}  // namespace epsync::test
