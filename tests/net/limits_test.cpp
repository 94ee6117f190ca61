// The hub's resources against its clients (issue #14): before welcome only small frames are
// read, and sessions are capped in all and per centre, with a definite `busy` that the agent
// treats as a transient failure.
#include <doctest/doctest.h>
#include <httplib.h>

#include <memory>
#include <thread>
#include <vector>

#include "net/net_fixture.h"
#include "net/tls_probe.h"

using namespace epsync;
using namespace epsync::test;

namespace {

constexpr const char* kToken = "limits-test-token";

bool is_welcome(const std::optional<sync::Message>& m) { return m && std::holds_alternative<sync::Welcome>(*m); }

std::string error_code(const std::optional<sync::Message>& m) {
  const auto* e = m ? std::get_if<sync::Error>(&*m) : nullptr;
  return e ? e->code : "";
}

// One metric's value from the hub's /metrics (the HTTP port is read from its log).
std::string metric(NetWorld& w, const std::string& name) {
  std::string l = w.log();
  auto at = l.find("http listening on 127.0.0.1:");
  REQUIRE(at != std::string::npos);
  int port = std::stoi(l.substr(at + 28));
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(10, 0);
  auto r = c.Get("/metrics", {{"Authorization", std::string("Bearer ") + kToken}});
  REQUIRE(r);
  REQUIRE(r->status == 200);
  auto line = r->body.find("\n" + name + " ");
  REQUIRE_MESSAGE(line != std::string::npos, name);
  auto start = line + name.size() + 2;
  return r->body.substr(start, r->body.find('\n', start) - start);
}

}  // namespace

TEST_CASE("net: before welcome the hub reads only small frames, after welcome large ones") {
  NetWorld w;
  w.start_hub();
  w.add_centre("ALM-014", "almaty");
  w.add_centre("KRG-999", "karaganda", /*register_at_hub=*/false);
  w.enrol("ALM-014", "Ақжол");
  w.must_sync("ALM-014");
  const HubState before = w.hub_state();
  const std::string big = padded_ping_frame(64 * 1024);

  // A certificate the CA signed, of a centre the hub does not know: 64 KiB as its first frame.
  for (const char* who : {"KRG-999", "ALM-014"}) {
    CAPTURE(who);
    std::size_t from = w.log_size();
    TlsProbe probe(w.port, w.ca_crt, w.dir.file(who));
    probe.send(big);  // may fail part way: the hub stops reading at the length prefix
    auto answer = probe.receive();
    CHECK_MESSAGE(error_code(answer) == "too-large", describe(answer) << probe.error);
    std::string logged = w.wait_for_log("too-large", from);
    CHECK_MESSAGE(logged.find("frame of 65537 bytes exceeds the 16384-byte limit") != std::string::npos, logged);
    CHECK(!probe.receive());  // and closed
  }
  CHECK(w.hub_state().dump == before.dump);
  CHECK(w.hub_state().change_log == before.change_log);

  // The same frame once the session is welcomed: a ping like any other.
  TlsProbe probe(w.port, w.ca_crt, w.dir.file("ALM-014"));
  auto welcome = probe.say_hello("ALM-014");
  REQUIRE_MESSAGE(is_welcome(welcome), describe(welcome) << probe.error);
  REQUIRE(probe.send(big));
  auto answer = probe.receive();
  CHECK_MESSAGE((answer && std::holds_alternative<sync::Pong>(*answer)), describe(answer) << probe.error);
  CHECK(probe.alive());
}

TEST_CASE("net: sessions are capped per centre and in all, over the cap a centre is told busy and syncs again later") {
  NetWorld::Options o;
  o.extra_toml = std::string("token = \"") + kToken + "\"\n[limits]\nmax_sessions_per_center = 2\nmax_sessions = 3\n";
  NetWorld w(o);
  w.start_hub();
  w.add_centre("ALM-014", "almaty");
  w.add_centre("AST-001", "astana");
  w.add_centre("PAV-005", "pavlodar");
  w.enrol("ALM-014", "Ақжол");
  w.must_sync("ALM-014");

  // Two sessions of ALM-014 held open: the third is refused, another centre still gets in.
  std::vector<std::unique_ptr<TlsProbe>> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(std::make_unique<TlsProbe>(w.port, w.ca_crt, w.dir.file("ALM-014")));
    auto welcome = held.back()->say_hello("ALM-014");
    REQUIRE_MESSAGE(is_welcome(welcome), describe(welcome) << held.back()->error);
  }
  TlsProbe third(w.port, w.ca_crt, w.dir.file("ALM-014"));
  auto refused = third.say_hello("ALM-014");
  CHECK_MESSAGE(error_code(refused) == "busy", describe(refused) << third.error);
  CHECK(describe(refused).find("limits.max_sessions_per_center") != std::string::npos);
  CHECK(!third.receive());  // closed
  held.push_back(std::make_unique<TlsProbe>(w.port, w.ca_crt, w.dir.file("AST-001")));
  auto other = held.back()->say_hello("AST-001");
  CHECK_MESSAGE(is_welcome(other), describe(other) << held.back()->error);
  // Now three sessions in all, the hub's total: PAV-005 is refused too.
  TlsProbe fourth(w.port, w.ca_crt, w.dir.file("PAV-005"));
  auto total = fourth.say_hello("PAV-005");
  CHECK_MESSAGE(error_code(total) == "busy", describe(total));
  CHECK(describe(total).find("limits.max_sessions)") != std::string::npos);

  // The agent's one-shot sync: prints the refusal, exits 1, keeps its change.
  w.enrol("ALM-014", "Кейін");
  auto r = w.sync("ALM-014");
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.find("(busy)") != std::string::npos, r.err);
  CHECK(r.err.find("session limit") != std::string::npos);
  CHECK(metric(w, "epsync_hub_sessions_busy_total") == "3");
  CHECK(w.log().find("refused ALM-014 from 127.0.0.1") != std::string::npos);

  // Once the held sessions end, the same sync goes through.
  held.clear();
  RunResult later;
  for (int i = 0; i < 50; ++i) {
    later = w.sync("ALM-014");
    if (later.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK_MESSAGE(later.exit_code == 0, later.err);
  w.check_all_changes_at_hub_once("ALM-014");
  CHECK(metric(w, "epsync_hub_sessions").size() > 0);
}
