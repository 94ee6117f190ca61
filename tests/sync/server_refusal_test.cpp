// What the hub's session refuses before any store is asked (docs/PROTOCOL.md, the error table):
// push batch numbers that are 0 or not increasing, and compressed frames before the welcome agreed
// on compression. Each is a `bad-message` error, the session ends, and no batch reaches the store.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "records/model.h"
#include "sync/client_session.h"
#include "sync/codec.h"
#include "sync/frame.h"
#include "sync/server_session.h"

using namespace epsync;

namespace {

const std::string kSite(32, 'a');

sync::Hello hello(std::vector<std::string> compression) {
  const int schema = latest_schema_version();
  return sync::Hello{1, 1, schema, schema, "ALM-014", kSite, "test", std::move(compression)};
}

// One zstd frame holding `data` as a single raw block (no compression at all, but a valid zstd
// frame with its content size): make_frame() sends small messages plain, these tests need the flag.
std::string zstd_raw(const std::string& data) {
  std::string z = "\x28\xb5\x2f\xfd";  // magic
  z += '\xa0';                          // single segment, 4-byte content size
  auto n = static_cast<std::uint32_t>(data.size());
  for (int i = 0; i < 4; ++i) z += static_cast<char>(n >> (8 * i));
  const std::uint32_t block = n << 3 | 1;  // raw block, the last
  for (int i = 0; i < 3; ++i) z += static_cast<char>(block >> (8 * i));
  return z + data;
}

std::string frame(const sync::Message& m, bool compress = false) {
  std::string payload = sync::encode_message(m);
  if (!compress) return sync::make_frame(payload, false);
  std::string body = "\x01" + zstd_raw(payload);
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>(body.size() >> (24 - 8 * i));
  return out + body;
}

// Every message in what the server sent.
std::vector<sync::Message> messages(const std::string& bytes) {
  sync::FrameReader r;
  r.feed(bytes);
  std::vector<sync::Message> out;
  for (;;) {
    auto payload = r.next();
    REQUIRE(payload.ok());
    if (!payload.value()) return out;
    auto m = sync::decode_message(*payload.value());
    REQUIRE(m.ok());
    out.push_back(std::move(m).value());
  }
}

// A hub session of ALM-014, welcomed; the agent offered `compression`.
struct Welcomed {
  sync::ServerSession server{{.cert_center = "ALM-014", .schema_max = latest_schema_version()}};
  int pushes = 0;  // ApplyPush actions the store would have been asked for
  std::optional<Status> closed;

  explicit Welcomed(std::vector<std::string> compression = {}) {
    server.receive(frame(hello(std::move(compression))));
    auto a = server.next_action();
    REQUIRE(a);
    REQUIRE(std::holds_alternative<sync::server::HelloReceived>(*a));
    server.accept(sync::Welcome{});
    auto sent = messages(server.take_output());
    REQUIRE(sent.size() == 1);
    REQUIRE(std::holds_alternative<sync::Welcome>(sent[0]));
  }
  // Feeds bytes; counts pushes and notes the end.
  void agent_sends(const std::string& bytes) {
    server.receive(bytes);
    while (auto a = server.next_action()) {
      if (std::holds_alternative<sync::server::ApplyPush>(*a)) ++pushes;
      if (auto* c = std::get_if<sync::server::Closed>(&*a)) closed = c->status;
    }
  }
  // The error the hub sent last, "" if none.
  std::string error_code() {
    auto sent = messages(server.take_output());
    if (sent.empty()) return "";
    auto* e = std::get_if<sync::Error>(&sent.back());
    return e ? e->code : "";
  }
};

sync::Push push(std::uint64_t batch) { return sync::Push{batch, {}}; }

}  // namespace

TEST_CASE("server session: a push with batch 0 is refused as bad-message") {
  Welcomed s;
  s.agent_sends(frame(push(0)));
  CHECK(s.pushes == 0);
  CHECK(s.server.closed());
  REQUIRE(s.closed);
  CHECK(s.closed->message().find("start at 1") != std::string::npos);
  CHECK(s.error_code() == sync::kErrorBadMessage);
}

TEST_CASE("server session: batch numbers must increase within a session; gaps are allowed") {
  SUBCASE("a repeated batch number") {
    Welcomed s;
    s.agent_sends(frame(push(1)) + frame(push(1)));
    CHECK(s.pushes == 1);
    CHECK(s.server.closed());
    CHECK(s.error_code() == sync::kErrorBadMessage);
  }
  SUBCASE("a lower batch number after a gap") {
    Welcomed s;
    s.agent_sends(frame(push(1)) + frame(push(3)));
    CHECK(s.pushes == 2);
    CHECK_FALSE(s.server.closed());
    s.agent_sends(frame(push(2)));
    CHECK(s.pushes == 2);
    CHECK(s.server.closed());
    CHECK(s.error_code() == sync::kErrorBadMessage);
  }
  SUBCASE("a new session starts from 1 again") {
    Welcomed first;
    first.agent_sends(frame(push(1)) + frame(push(2)));
    Welcomed second;
    second.agent_sends(frame(push(1)));
    CHECK(second.pushes == 1);
    CHECK_FALSE(second.server.closed());
  }
}

TEST_CASE("server session: no compressed frame before compression was agreed") {
  SUBCASE("a compressed hello") {
    sync::ServerSession server({.cert_center = "ALM-014", .schema_max = latest_schema_version()});
    server.receive(frame(hello({"zstd"}), /*compress=*/true));
    auto a = server.next_action();
    REQUIRE(a);
    CHECK(std::holds_alternative<sync::server::Closed>(*a));
    auto sent = messages(server.take_output());
    REQUIRE(sent.size() == 1);
    REQUIRE(std::holds_alternative<sync::Error>(sent[0]));
    CHECK(std::get<sync::Error>(sent[0]).code == sync::kErrorBadMessage);
  }
  SUBCASE("compressed after a welcome without compression") {
    Welcomed s;  // offered none
    s.agent_sends(frame(sync::Pull{0, "", 1 << 20}, /*compress=*/true));
    CHECK(s.server.closed());
    REQUIRE(s.closed);
    CHECK(s.closed->message().find("compression was not agreed") != std::string::npos);
    CHECK(s.error_code() == sync::kErrorBadMessage);
  }
  SUBCASE("compressed after a welcome with zstd: accepted") {
    Welcomed s({"zstd"});
    s.agent_sends(frame(push(1), /*compress=*/true));
    CHECK(s.pushes == 1);
    CHECK_FALSE(s.server.closed());
  }
}

TEST_CASE("client session: a compressed welcome is a protocol error") {
  sync::ClientConfig cfg;
  cfg.hello = hello({"zstd"});
  sync::ClientSession client(cfg);
  client.start();
  (void)client.take_output();
  sync::Welcome w;
  w.schema = latest_schema_version();
  w.compression = "zstd";
  client.receive(frame(w, /*compress=*/true));
  auto a = client.next_action();
  REQUIRE(a);
  auto* done = std::get_if<sync::client::Finished>(&*a);
  REQUIRE(done);
  CHECK(done->status.message().find("compression was not agreed") != std::string::npos);
}
