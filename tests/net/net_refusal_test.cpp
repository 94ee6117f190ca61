// What the hub daemon refuses over the real network, one world for all of it: certificates that
// are missing, foreign, expired, revoked or not the configured centre's; an unregistered centre;
// a row owned by another centre; old TLS, oversized frames, junk bytes and silent clients. Each
// refusal is logged with its reason and leaves the hub holding exactly what it held.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "net/net_fixture.h"
#include "net/net_steps.h"
#include "net/tls_probe.h"
#include "records/model.h"
#include "storage/change_log.h"
#include "sync/codec.h"
#include "sync/frame.h"

using namespace epsync;
using namespace epsync::test;

namespace {

std::int64_t rows(const std::string& db, const std::string& sql) { return scalar(db, sql); }

// Each refusal: the hub logs `needle` (after what it had logged so far) and holds what it held.
struct Refusals {
  NetWorld& w;
  const HubState before;

  std::string expect(const std::string& what, const std::string& needle, const std::function<void()>& act) {
    INFO(what);
    std::size_t from = w.log_size();
    act();
    std::string logged = w.wait_for_log(needle, from);
    CHECK_MESSAGE(logged.find(needle) != std::string::npos, "hub log: " << logged);
    CHECK(w.hub_running());
    check_same(w.hub_state(), before);
    return logged;
  }
};

// Certificates the hub must refuse, issued before it starts (the revoked one must be in the CRL
// the hub loads at start). Each is a prefix: PREFIX.crt, PREFIX.key.
struct BadCerts {
  std::string foreign, expired, revoked;
};
BadCerts issue_bad_certs(NetWorld& w) {
  BadCerts b;
  b.foreign = w.issue_centre_cert("ALM-014", "foreign-ALM-014", {}, w.other_ca());
  b.expired = w.issue_centre_cert("ALM-014", "expired-ALM-014",
                                  {"--not-before", "20200101000000Z", "--not-after", "20210101000000Z"});
  b.revoked = w.issue_centre_cert("ALM-014", "revoked-ALM-014");
  w.certs({"revoke", "--dir", w.pki, "--cert", b.revoked + ".crt"});
  return b;
}

// `epsync sync` with the centre's store and configuration, but another certificate or centre id.
RunResult sync_with(NetWorld& w, const Centre& c, std::optional<std::string> cert, std::optional<std::string> id = {}) {
  std::string cfg = w.write_agent_config(c, w.dir.file("refused.toml"), {}, cert, id);
  return w.epsync({"sync", "--config", cfg}, 40);
}

void refuse_bad_certificates(NetWorld& w, Refusals& refused, const Centre& alm, const BadCerts& bad) {
  refused.expect("no client certificate", "peer did not return a certificate", [&] {
    auto r = s_client(w, {"-tls1_3"}, "");
    CHECK(r.exit_code != 127);  // openssl ran
    // The agent cannot even be configured without one.
    std::string cfg = w.write_agent_config(alm, w.dir.file("nocert.toml"), {}, {}, {}, /*with_cert=*/false);
    auto a = w.epsync({"sync", "--config", cfg});
    CHECK(a.exit_code == 2);
    CHECK(a.err.find("hub.cert") != std::string::npos);
  });
  struct BadCert {
    const char* what;
    const std::string& cert;
    const char* alert;  // what the agent reports of the hub's TLS alert
  };
  for (const BadCert& b : {BadCert{"a certificate from another CA", bad.foreign, "unknown ca"},
                           BadCert{"an expired certificate", bad.expired, "certificate expired"},
                           BadCert{"a revoked certificate", bad.revoked, "certificate revoked"}}) {
    refused.expect(b.what, "TLS handshake failed", [&] {
      auto r = sync_with(w, alm, b.cert);
      CHECK(r.exit_code == 1);
      CHECK(r.err.find(b.alert) != std::string::npos);
    });
  }
}

void refuse_wrong_centres(NetWorld& w, Refusals& refused, const Centre& alm) {
  refused.expect("config center.id differs from the certificate's CN",
                 "refused AST-001 from 127.0.0.1", [&] {
                   // ALM-014's store and configuration, AST-001's (valid, registered) certificate.
                   auto r = sync_with(w, alm, w.dir.file("AST-001"));
                   CHECK(r.exit_code == 1);
                   CHECK(r.err.find("unauthorized") != std::string::npos);
                   CHECK(r.err.find("is not the certificate's AST-001") != std::string::npos);
                 });
  CHECK(w.log().find("unauthorized: configured centre ALM-014 is not the certificate's AST-001") != std::string::npos);
  refused.expect("a valid certificate of an unregistered centre", "unknown-center", [&] {
    auto r = w.sync("KRG-999");
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("not registered") != std::string::npos);
    CHECK(status_json(w, "KRG-999")["pending"] == 1);  // kept for later
  });
  CHECK(rows(w.hub_db, "SELECT count(*) FROM trainee WHERE center_id = 'KRG-999'") == 0);
  CHECK(rows(w.hub_db, "SELECT count(*) FROM center_health WHERE center IN ('KRG-999', 'AST-001')") == 1);  // AST-001's own sync only
}

void refuse_stolen_row(NetWorld& w, Refusals& refused) {
  std::string legit;
  refused.expect("a centre pushing a row owned by another centre", "forbidden-row", [&] {
    legit = w.enrol("PAV-005", "Заңды");  // travels in the same batch as the stolen row
    store_write(w, w.centres.at("PAV-005").db, [](WriteTxn& tx) {
      REQUIRE(tx.insert("trainee", "0123456789abcdef0123456789abcdef", "AST-001", {{"surname", std::string("Ұрланған")}}).ok());
    });
    auto r = w.sync("PAV-005");
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("forbidden-row") != std::string::npos);
    CHECK(r.err.find("nothing applied") != std::string::npos);
    auto st = status_json(w, "PAV-005");
    CHECK(st["pending"] == 2);
    CHECK(st["last_error"].get<std::string>().find("forbidden-row") != std::string::npos);
  });
  CHECK(rows(w.hub_db, "SELECT count(*) FROM trainee WHERE id = '0123456789abcdef0123456789abcdef'") == 0);
  CHECK(rows(w.hub_db, "SELECT count(*) FROM trainee WHERE id = '" + legit + "'") == 0);  // nothing of the batch
}

void refuse_bad_bytes(NetWorld& w, Refusals& refused, const Centre& alm) {
  refused.expect("a TLS 1.2 client", "unsupported protocol", [&] {
    auto r = s_client(w, {"-tls1_2", "-cert", alm.cert, "-key", alm.key}, "");
    CHECK(r.exit_code != 0);
    CHECK(r.exit_code != 127);
  });
  refused.expect("a 4 GiB length prefix over a valid mutual-TLS connection", "too-large", [&] {
    auto r = s_client(w, {"-tls1_3", "-quiet", "-cert", alm.cert, "-key", alm.key}, std::string(4, '\xff'));
    CHECK(r.exit_code != 127);
    CHECK(r.out.find("too-large") != std::string::npos);  // the hub said why before closing
  });
  CHECK(w.log().find("frame of 4294967295 bytes exceeds the 16384-byte limit") != std::string::npos);  // before welcome
  refused.expect("random bytes instead of TLS", "TLS handshake failed", [&] {
    std::mt19937 rng(20261122);
    std::string junk(512, '\0');
    for (auto& ch : junk) ch = static_cast<char>(rng() & 0xff);
    junk[0] = 'X';  // not a TLS handshake record, whatever the seed gives
    int fd = tcp_connect(w.port);
    CHECK(send(fd, junk.data(), junk.size(), MSG_NOSIGNAL) > 0);
    CHECK(peer_closes(fd));
    close(fd);
  });
  refused.expect("random bytes inside a valid mutual-TLS connection", "bad-message", [&] {
    std::mt19937 rng(7);
    std::string junk = std::string("\x00\x00\x00\x40", 4);
    for (int i = 0; i < 64; ++i) junk += static_cast<char>(rng() & 0xff);
    auto r = s_client(w, {"-tls1_3", "-quiet", "-cert", alm.cert, "-key", alm.key}, junk);
    CHECK(r.exit_code != 127);
  });
}

void refuse_silent_clients(NetWorld& w, Refusals& refused, const Centre& alm) {
  refused.expect("a client that completes TLS and says nothing", "said nothing for 2 s", [&] {
    int quiet_tcp = tcp_connect(w.port);  // and one that does not even start TLS, meanwhile
    auto t0 = std::chrono::steady_clock::now();
    auto r = s_client(w, {"-tls1_3", "-quiet", "-cert", alm.cert, "-key", alm.key}, "", 20);
    auto waited = std::chrono::steady_clock::now() - t0;
    CHECK(r.exit_code != 127);
    CHECK(r.err.find("killed after") == std::string::npos);  // the hub closed it, not our timeout
    CHECK(waited >= std::chrono::milliseconds(1500));
    CHECK(waited < std::chrono::seconds(8));
    CHECK(peer_closes(quiet_tcp));
    close(quiet_tcp);
  });
  CHECK(w.wait_for_log("no handshake within the time limit", 0).find("no handshake within the time limit") !=
        std::string::npos);
}

}  // namespace

TEST_CASE("net: refused connections and sessions are logged with a reason and change nothing at the hub") {
  NetWorld::Options o;
  o.idle_timeout_seconds = 2;
  o.handshake_timeout_seconds = 2;
  o.crl = true;
  NetWorld w(o);
  const BadCerts bad = issue_bad_certs(w);
  w.start_hub();
  Centre& alm = w.add_centre("ALM-014", "almaty");
  w.add_centre("AST-001", "astana");
  w.add_centre("PAV-005", "pavlodar");
  w.add_centre("KRG-999", "karaganda", /*register_at_hub=*/false);
  for (const char* c : {"ALM-014", "AST-001", "PAV-005"}) {
    w.enrol(c, "Ақжол");
    w.must_sync(c);
  }
  w.enrol("KRG-999", "Белгісіз");
  Refusals refused{w, w.hub_state()};
  REQUIRE(refused.before.change_log > 0);

  refuse_bad_certificates(w, refused, alm, bad);
  refuse_wrong_centres(w, refused, alm);
  refuse_stolen_row(w, refused);
  refuse_bad_bytes(w, refused, alm);
  refuse_silent_clients(w, refused, alm);

  // Through all of that the hub kept serving the honest centres.
  w.enrol("ALM-014", "Соңғы");
  w.must_sync("ALM-014");
  w.check_all_changes_at_hub_once("ALM-014");
  CHECK(w.centre_view("ALM-014") == w.hub_view("ALM-014"));
  CHECK(w.log().find("<3>") == std::string::npos);
}

// The push and framing rules of docs/PROTOCOL.md over real TLS: batch 0, a repeated batch, and a
// compressed frame before compression was agreed each get `bad-message`, and the hub serves on.
TEST_CASE("net: the hub refuses push batch 0, a repeated batch and compressed frames before agreement") {
  NetWorld w;
  w.start_hub();
  w.add_centre("ALM-014", "almaty");
  auto refusal = [&](const std::function<void(TlsProbe&)>& misbehave) {
    TlsProbe probe(w.port, w.ca_crt, w.dir.file("ALM-014"));
    misbehave(probe);
    for (;;) {
      auto m = probe.receive();
      if (!m || !std::holds_alternative<sync::Ack>(*m)) return describe(m);
    }
  };
  auto welcomed = [](TlsProbe& p) {
    auto welcome = p.say_hello("ALM-014");  // offers no compression
    REQUIRE_MESSAGE((welcome && std::holds_alternative<sync::Welcome>(*welcome)), describe(welcome) << p.error);
  };
  // Compressible enough that make_frame() does compress it.
  const std::string padding(4000, 'c');
  CHECK(refusal([&](TlsProbe& p) {
          welcomed(p);
          p.send(sync::Push{0, {}});
        }).rfind("error bad-message", 0) == 0);
  CHECK(refusal([&](TlsProbe& p) {
          welcomed(p);
          p.send(sync::Push{1, {}});
          p.send(sync::Push{1, {}});
        }).rfind("error bad-message", 0) == 0);
  CHECK(refusal([&](TlsProbe& p) {
          sync::Hello h{1, 1, latest_schema_version(), latest_schema_version(), "ALM-014", std::string(32, 'b'), padding,
                        {"zstd"}};
          p.send(sync::make_frame(sync::encode_message(h), true));
        }).rfind("error bad-message", 0) == 0);
  CHECK(refusal([&](TlsProbe& p) {
          welcomed(p);
          p.send(sync::make_frame(sync::encode_message(sync::Pull{0, padding, 1 << 20}), true));
        }).rfind("error bad-message", 0) == 0);
  TlsProbe honest(w.port, w.ca_crt, w.dir.file("ALM-014"));
  welcomed(honest);
  CHECK(honest.alive());
  CHECK(w.hub_running());
}
