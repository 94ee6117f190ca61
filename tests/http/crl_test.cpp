// The hub's CRL over time, as an operator sees it (issue #14): past its nextUpdate the hub still
// starts, says so in its log, /healthz (503 "degraded") and /metrics, and refuses centres saying
// the CRL expired, not their certificate; a CRL due within 7 days is a warning; a current one
// installed while the hub runs puts everything right without a restart.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "http/http_fixture.h"

using namespace epsync;
using namespace epsync::test;

namespace {

// A CRL from the world's CA with the given openssl-ca validity options.
std::string make_crl(NetWorld& w, const std::string& name, const std::vector<std::string>& validity) {
  std::string out = w.dir.file(name);
  std::vector<std::string> argv = {"/usr/bin/openssl", "ca", "-batch", "-config", w.pki + "/ca.cnf", "-gencrl", "-out", out};
  argv.insert(argv.end(), validity.begin(), validity.end());
  auto r = run(argv, {{"EPSYNC_CERTS_DIR", w.pki}});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return out;
}

void install(const std::string& from, const std::string& to) {
  std::filesystem::copy_file(from, to + ".new", std::filesystem::copy_options::overwrite_existing);
  std::filesystem::rename(to + ".new", to);
}

std::string wait_for(HttpHub& hub, const std::string& needle, std::size_t from) {
  for (int i = 0; i < 400; ++i) {
    std::string part = hub.log().substr(from);
    if (part.find(needle) != std::string::npos) return part;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return hub.log().substr(from);
}

}  // namespace

TEST_CASE("http: an expired CRL is reported as expired in the log and /healthz and /metrics, and a new one heals") {
  NetWorld w;
  HttpHub hub(w, "crl-test-token");  // first: it picks the port the centres' configurations name
  w.add_centre("ALM-014", "almaty");
  w.enrol("ALM-014", "Ақжол");
  hub.crl = w.dir.file("hub.crl");
  install(make_crl(w, "expired.crl", {"-crl_lastupdate", "20200101000000Z", "-crl_nextupdate", "20200201000000Z"}), hub.crl);
  hub.start();  // starts, degraded
  CHECK(hub.log().find("<3>" + hub.crl + ": the certificate revocation list expired at 2020-02-01 00:00:00 UTC") !=
        std::string::npos);
  auto health = hub.get("/healthz", false);
  REQUIRE(health);
  CHECK(health->status == 503);
  CHECK_MESSAGE(health->body.rfind("degraded: the certificate revocation list expired at 2020-02-01", 0) == 0, health->body);
  auto metrics = hub.get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find("\nepsync_hub_crl_next_update_seconds 1580515200\n") != std::string::npos);

  // A centre is refused because of the CRL, and both ends say so, not "certificate expired".
  std::size_t from = hub.log().size();
  auto r = w.sync("ALM-014");
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.find("certificate expired") == std::string::npos, r.err);
  CHECK(r.err.find("internal error") != std::string::npos);  // the hub's fault, in the alert
  std::string logged = wait_for(hub, "TLS handshake failed", from);
  CHECK_MESSAGE(logged.find("certificate CN=ALM-014 not checked: the hub's certificate revocation list expired at "
                            "2020-02-01 00:00:00 UTC") != std::string::npos,
                logged);
  CHECK(logged.find("certificate expired") == std::string::npos);

  // A CRL due in 3 days, installed while the hub runs: centres get in, with a warning.
  from = hub.log().size();
  install(make_crl(w, "soon.crl", {"-crldays", "3"}), hub.crl);
  logged = wait_for(hub, "TLS files reloaded after", from);
  CHECK_MESSAGE(logged.find("<4>" + hub.crl + ": the certificate revocation list expires at") != std::string::npos, logged);
  health = hub.get("/healthz", false);
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK_MESSAGE(health->body.rfind("degraded: the certificate revocation list expires at", 0) == 0, health->body);
  CHECK(health->body.find("in 2 days") != std::string::npos);
  r = w.sync("ALM-014");
  CHECK_MESSAGE(r.exit_code == 0, r.err);

  // A current one (30 days): healthy.
  from = hub.log().size();
  install(make_crl(w, "current.crl", {"-crldays", "30"}), hub.crl);
  logged = wait_for(hub, "current again", from);
  CHECK(logged.find("the certificate revocation list is current again") != std::string::npos);
  health = hub.get("/healthz", false);
  REQUIRE(health);
  CHECK(health->status == 200);
  CHECK(health->body == "ok");
  CHECK(hub.stop() == 0);
}
