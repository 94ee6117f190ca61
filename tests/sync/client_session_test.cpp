// The client session as a state machine alone: bytes and answers in, actions out, no store and
// no socket.
#include "sync/client_session.h"

#include <doctest/doctest.h>

#include "sync/codec.h"

using namespace epsync;

namespace {

// The byte limits of the session's first `n` NeedPush actions, each answered with a one-change
// batch that the hub acknowledges, when the hub's welcome allows `hub_max` bytes per batch.
std::vector<std::int64_t> batch_limits(std::int64_t hub_max, int n) {
  sync::ClientConfig cfg;
  cfg.hello = sync::Hello{1, 1, 2, 2, "ALM-014", std::string(32, 'a'), "test", {}};
  sync::ClientSession s(cfg);
  s.start();
  (void)s.take_output();
  s.receive(sync::make_frame(sync::encode_message(sync::Welcome{1, 2, "epoch", 0, 0, "", hub_max, 300000}), false));
  std::vector<std::int64_t> limits;
  std::int64_t seq = 0;
  while (static_cast<int>(limits.size()) < n) {
    auto a = s.next_action();
    REQUIRE(a.has_value());
    if (std::holds_alternative<sync::client::Welcomed>(*a)) {
      s.heartbeat(sync::Heartbeat{});
    } else if (auto* need = std::get_if<sync::client::NeedPush>(&*a)) {
      limits.push_back(need->max_bytes);
      RowChange c;
      c.table = "trainee";
      c.row_id = "r" + std::to_string(seq);
      c.center = "ALM-014";
      c.hlc = 1;
      c.site = std::string(32, 'a');
      c.site_seq = ++seq;
      c.cells = {{"surname", std::string("x"), 0, ""}};
      s.push({c});
      // Acknowledged at once, so the window of batches in flight never fills.
      s.receive(sync::make_frame(sync::encode_message(sync::Ack{static_cast<std::uint64_t>(seq), seq, {}}), false));
    }
  }
  return limits;
}

}  // namespace

TEST_CASE("client session: batches start small and double up to the hub's limit") {
  const std::int64_t k = 1024;
  CHECK(batch_limits(1024 * k, 7) == std::vector<std::int64_t>{64 * k, 128 * k, 256 * k, 512 * k, 1024 * k, 1024 * k, 1024 * k});
  // A hub limit below the first size is the limit from the start; an odd one is never exceeded.
  CHECK(batch_limits(10 * k, 3) == std::vector<std::int64_t>{10 * k, 10 * k, 10 * k});
  CHECK(batch_limits(300 * k, 4) == std::vector<std::int64_t>{64 * k, 128 * k, 256 * k, 300 * k});
  // A hub offering more than any doubling reaches: the ramp never overflows (UBSan runs this).
  auto huge = batch_limits(INT64_MAX, 60);
  CHECK(huge[10] == 64 * k << 10);
  CHECK(huge.back() == INT64_MAX);
}
