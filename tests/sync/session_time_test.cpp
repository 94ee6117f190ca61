// Time and versions as the sessions see them, in memory: the hello and welcome deadlines, the idle
// rule (time passed in, no clock read), and the protocol and schema versions the welcome carries.
#include <doctest/doctest.h>

#include "storage/schema.h"
#include "records/model.h"
#include "sync/client_session.h"
#include "sync/codec.h"
#include "sync/server_session.h"
#include "sync_fixture.h"

using namespace epsync;
using namespace std::chrono_literals;

namespace {

const sync::TimePoint t0 = sync::TimePoint{} + 1000h;
const sync::SessionTimeouts kTimeouts{2s, 5s};

sync::Hello hello(int schema_min, int schema_max) {
  return sync::Hello{1, 1, schema_min, schema_max, "ALM-014", std::string(32, 'a'), "test", {}};
}

std::string frame(const sync::Message& m) { return sync::make_frame(sync::encode_message(m), false); }

// The one message in `bytes`.
sync::Message only_message(const std::string& bytes) {
  sync::FrameReader r;
  r.feed(bytes);
  auto payload = r.next();
  REQUIRE(payload.ok());
  REQUIRE(payload.value());
  auto m = sync::decode_message(*payload.value());
  REQUIRE(m.ok());
  return std::move(m).value();
}

std::vector<sync::ServerAction> drain(sync::ServerSession& s) {
  std::vector<sync::ServerAction> out;
  while (auto a = s.next_action()) out.push_back(std::move(*a));
  return out;
}

}  // namespace

TEST_CASE("session time: a hub session without a hello by its deadline closes with timeout") {
  sync::ServerSession s({.cert_center = "ALM-014", .schema_max = latest_schema_version()});
  CHECK_FALSE(s.poll_timeout().has_value());  // no time given yet: no deadline
  s.start(t0, kTimeouts);
  REQUIRE(s.poll_timeout().has_value());
  CHECK(*s.poll_timeout() == t0 + 2s);
  s.handle_timeout(t0 + 1999ms);  // early (a timer may fire early): nothing happens
  CHECK_FALSE(s.closed());
  CHECK(s.take_output().empty());
  s.handle_timeout(t0 + 2s);
  CHECK(s.closed());
  auto m = only_message(s.take_output());
  REQUIRE(std::holds_alternative<sync::Error>(m));
  CHECK(std::get<sync::Error>(m).code == sync::kErrorTimeout);
  auto actions = drain(s);
  REQUIRE(actions.size() == 1);
  auto* closed = std::get_if<sync::server::Closed>(&actions[0]);
  REQUIRE(closed);
  CHECK(closed->status.message().find("said nothing for 2 s") != std::string::npos);
  CHECK_FALSE(s.poll_timeout().has_value());  // closed: nothing more to time
}

TEST_CASE("session time: after the hello the hub's idle rule counts from the last bytes received") {
  sync::ServerSession s({.cert_center = "ALM-014", .schema_max = latest_schema_version()});
  s.start(t0, kTimeouts);
  s.receive(frame(hello(1, 3)), t0 + 1s);
  REQUIRE(drain(s).size() == 1);  // HelloReceived
  CHECK(*s.poll_timeout() == t0 + 1s + 5s);
  s.accept(sync::Welcome{});
  (void)s.take_output();
  s.receive(frame(sync::Ping{}), t0 + 4s);
  CHECK(*s.poll_timeout() == t0 + 4s + 5s);
  (void)s.take_output();  // the pong: what the hub sends does not count as hearing from the agent
  CHECK(*s.poll_timeout() == t0 + 9s);
  s.handle_timeout(t0 + 8s);
  CHECK_FALSE(s.closed());
  s.handle_timeout(t0 + 9s);
  CHECK(s.closed());
  auto actions = drain(s);
  REQUIRE(actions.size() == 1);
  CHECK(std::get<sync::server::Closed>(actions[0]).status.message().find("said nothing for 5 s") != std::string::npos);
}

TEST_CASE("session time: an agent gives up when no welcome comes, and when the hub falls silent") {
  sync::ClientConfig cfg;
  cfg.hello = hello(1, 3);
  SUBCASE("no welcome") {
    sync::ClientSession c(cfg);
    c.start(t0, kTimeouts);
    (void)c.take_output();
    c.sent(t0 + 1s);  // the hello left: the hub's answer is awaited from here
    CHECK(*c.poll_timeout() == t0 + 3s);
    c.handle_timeout(t0 + 2s);
    CHECK_FALSE(c.finished());
    c.handle_timeout(t0 + 3s);
    REQUIRE(c.finished());
    auto a = c.next_action();
    REQUIRE(a.has_value());
    auto& f = std::get<sync::client::Finished>(*a);
    CHECK_FALSE(f.status.ok());
    CHECK(f.status.message().find("did not welcome this agent within 2 s") != std::string::npos);
  }
  SUBCASE("silence after the welcome") {
    sync::ClientSession c(cfg);
    c.start(t0, kTimeouts);
    (void)c.take_output();
    c.receive(frame(sync::Welcome{1, 3, "epoch", 0, 0, "", 1 << 20, 300000}), t0 + 1s);
    CHECK(*c.poll_timeout() == t0 + 6s);
    c.sent(t0 + 3s);  // a batch the hub took
    CHECK(*c.poll_timeout() == t0 + 8s);
    c.handle_timeout(t0 + 8s);
    REQUIRE(c.finished());
    CHECK_FALSE(c.poll_timeout().has_value());
  }
}

TEST_CASE("versions: the welcome carries the highest protocol and schema both sides speak") {
  sync::ServerConfig sc{.cert_center = "ALM-014"};
  sc.schema_min = 1;
  sc.schema_max = 3;
  sync::ServerSession s(sc);
  s.receive(frame(hello(1, 2)));
  REQUIRE(drain(s).size() == 1);
  CHECK(s.proto() == 1);
  CHECK(s.schema() == 2);
  s.accept(sync::Welcome{});
  auto m = only_message(s.take_output());
  REQUIRE(std::holds_alternative<sync::Welcome>(m));
  CHECK(std::get<sync::Welcome>(m).schema == 2);
  CHECK(std::get<sync::Welcome>(m).proto == 1);
}

TEST_CASE("versions: an agent refuses a welcome whose schema it did not offer") {
  sync::ClientConfig cfg;
  cfg.hello = hello(1, 2);
  sync::ClientSession c(cfg);
  c.start();
  (void)c.take_output();
  c.receive(frame(sync::Welcome{1, 3, "epoch", 0, 0, "", 1 << 20, 300000}));
  REQUIRE(c.finished());
  auto a = c.next_action();
  REQUIRE(a.has_value());
  CHECK(std::get<sync::client::Finished>(*a).status.message().find("store schema 3") != std::string::npos);
}

TEST_CASE("versions: an agent one schema behind the hub is welcomed with its own schema and syncs") {
  test::SyncWorld w;
  w.enrol("ALM-014", "Сейітова");
  const int lower = latest_schema_version() - 1;
  int welcomed_schema = 0;
  Status s = w.sync("ALM-014", "", -1, [&](sync::ClientConfig& c) {
    c.hello.schema_min = c.hello.schema_max = lower;
  }, [&](const sync::Welcome& welcome) { welcomed_schema = welcome.schema; });
  REQUIRE_MESSAGE(s.ok(), s.message());
  CHECK(welcomed_schema == lower);
  CHECK(w.centre_view("ALM-014") == w.hub_view("ALM-014"));
}
