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

// One session as `as` (its certificate and key) against the world's hub.
HostileResult hostile_session(NetWorld& w, const Centre& as, HostilePlan plan);

// A row change shaped as an honest agent would send it: one write by `site` to `row_id` of `table`.
RowChange forged_change(const std::string& table, const std::string& row_id, const std::string& owner,
                        const std::string& site, std::int64_t site_seq, std::vector<CellChange> cells);

}  // namespace epsync::test
