// The hub's trust boundary over the real network (issue #14): what a centre's certificate must
// say (extendedKeyUsage clientAuth), a CRL replaced while the hub runs (by SIGHUP and by a
// changed file, established sessions untouched), and a certificate expiry that comes from the
// verified certificate, not from what the agent claims.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "net/net_fixture.h"
#include "net/net_steps.h"
#include "net/tls_probe.h"
#include "sync/tls.h"

using namespace epsync;
using namespace epsync::test;

namespace {

// A certificate for CN=`cn` signed by the world's CA, with exactly the extensions in `ext` (made
// with the openssl CLI: epsync-certs never issues a centre certificate without clientAuth).
std::string odd_cert(NetWorld& w, const std::string& cn, const std::string& name, const std::string& ext) {
  std::string prefix = w.dir.file(name);
  write_file_bytes(prefix + ".ext", "[ext]\nbasicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\n" + ext);
  auto req = run({"/usr/bin/openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                  prefix + ".key", "-out", prefix + ".csr", "-subj", "/CN=" + cn});
  REQUIRE_MESSAGE(req.exit_code == 0, req.err);
  auto sign = run({"/usr/bin/openssl", "x509", "-req", "-in", prefix + ".csr", "-CA", w.ca_crt, "-CAkey", w.pki + "/ca.key",
                   "-set_serial", std::to_string(std::hash<std::string>{}(name) % 1000000 + 1000), "-days", "30",
                   "-extfile", prefix + ".ext", "-extensions", "ext", "-out", prefix + ".crt"});
  REQUIRE_MESSAGE(sign.exit_code == 0, sign.err);
  return prefix;
}

// How an administrator installs a file: a copy beside it, renamed over it. `padding` bytes of
// text before it (PEM readers skip text before "-----BEGIN") leave room for a longer one later.
void install(const std::string& from, const std::string& to, std::size_t padding = 0) {
  std::string text = read_file_bytes(from);
  if (padding) text.insert(0, std::string(padding, '#') + "\n");
  write_file_bytes(to + ".new", text);
  std::filesystem::rename(to + ".new", to);
}

// Writes `content` into `path` in place and gives the file back its size and mtime, so that only
// a SIGHUP, not a look at the file, can tell the hub it changed. Text before "-----BEGIN" pads
// the new content to the old size.
void replace_unnoticeably(const std::string& path, std::string content) {
  struct stat before {};
  REQUIRE(::stat(path.c_str(), &before) == 0);
  auto size = static_cast<std::size_t>(before.st_size);
  REQUIRE(content.size() <= size);
  content.insert(0, std::string(size - content.size() - 1, '#') + "\n");
  {
    std::ofstream out(path, std::ios::binary | std::ios::in | std::ios::out);  // same inode
    out << content;
  }
  timespec times[2] = {before.st_atim, before.st_mtim};
  REQUIRE(utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
  struct stat after {};
  REQUIRE(::stat(path.c_str(), &after) == 0);
  REQUIRE(after.st_ino == before.st_ino);
  REQUIRE(after.st_size == before.st_size);
}

RunResult sync_as(NetWorld& w, const std::string& centre, const std::string& cert_prefix) {
  std::string cfg = w.write_agent_config(w.centres.at(centre), w.dir.file("as-" + centre + ".toml"), {}, cert_prefix);
  return w.epsync({"sync", "--config", cfg}, 40);
}

}  // namespace

TEST_CASE("net: a centre certificate without extendedKeyUsage clientAuth is refused in the handshake") {
  NetWorld w;
  w.start_hub();
  w.add_centre("ALM-014", "almaty");
  w.enrol("ALM-014", "Ақжол");
  w.must_sync("ALM-014");
  w.enrol("ALM-014", "Кейін");  // pending: a refused session must not deliver it
  const HubState before = w.hub_state();
  const auto health = scalar(w.hub_db, "SELECT last_seen_ms FROM center_health WHERE center = 'ALM-014'");

  struct Odd {
    const char* what;
    std::string ext;
  };
  for (const Odd& odd : {Odd{"no extendedKeyUsage", ""}, Odd{"serverAuth only", "extendedKeyUsage = serverAuth\n"}}) {
    CAPTURE(odd.what);
    std::string prefix = odd_cert(w, "ALM-014", std::string("odd-") + (odd.ext.empty() ? "none" : "server"), odd.ext);
    std::size_t from = w.log_size();
    auto r = sync_as(w, "ALM-014", prefix);
    CHECK(r.exit_code == 1);
    CHECK_MESSAGE(r.err.find("unsupported certificate") != std::string::npos, r.err);  // the alert the agent sees
    std::string logged = w.wait_for_log("has no extendedKeyUsage clientAuth", from);
    CHECK_MESSAGE(logged.find("certificate CN=ALM-014 has no extendedKeyUsage clientAuth") != std::string::npos, logged);
    // Refused during the handshake: no session was ever counted, nothing reached the store.
    CHECK(logged.find("refused connection from 127.0.0.1") != std::string::npos);
    TlsProbe probe(w.port, w.ca_crt, prefix);
    CHECK(!probe.say_hello("ALM-014"));
    CHECK_MESSAGE(probe.error.find("unsupported certificate") != std::string::npos, probe.error);
    check_same(w.hub_state(), before);
    CHECK(scalar(w.hub_db, "SELECT last_seen_ms FROM center_health WHERE center = 'ALM-014'") == health);
  }
  w.must_sync("ALM-014");  // the centre's own certificate still works
}

TEST_CASE("net: a CRL replaced while the hub runs takes effect by file change and by SIGHUP while sessions stay open") {
  NetWorld::Options o;
  o.crl = true;
  NetWorld w(o);
  w.opt.crl_file = w.dir.file("hub.crl");  // the hub's copy, apart from the CA's
  w.certs({"crl", "--dir", w.pki});
  install(w.pki + "/ca.crl", w.opt.crl_file);
  std::string first = w.issue_centre_cert("ALM-014", "alm-first");
  std::string second = w.issue_centre_cert("ALM-014", "alm-second");
  w.start_hub();
  w.add_centre("ALM-014", "almaty");
  w.enrol("ALM-014", "Бірінші");
  REQUIRE_MESSAGE(sync_as(w, "ALM-014", first).exit_code == 0, w.log());
  REQUIRE(sync_as(w, "ALM-014", second).exit_code == 0);

  // A session established with the first certificate, before it is revoked.
  TlsProbe held(w.port, w.ca_crt, first);
  auto welcome = held.say_hello("ALM-014");
  REQUIRE_MESSAGE((welcome && std::holds_alternative<sync::Welcome>(*welcome)), describe(welcome) << held.error);

  // 1. The file changes: the first certificate is revoked and the new CRL copied into place.
  std::size_t from = w.log_size();
  w.certs({"revoke", "--dir", w.pki, "--cert", first + ".crt"});
  install(w.pki + "/ca.crl", w.opt.crl_file, 2048);
  std::string logged = w.wait_for_log("TLS files reloaded after", from);
  REQUIRE_MESSAGE(logged.find("TLS files reloaded after " + w.opt.crl_file + " changed") != std::string::npos, logged);
  CHECK(logged.find("1 revoked certificate(s)") != std::string::npos);
  auto revoked = sync_as(w, "ALM-014", first);
  CHECK(revoked.exit_code == 1);
  CHECK_MESSAGE(revoked.err.find("certificate revoked") != std::string::npos, revoked.err);
  CHECK(held.alive());  // accepted before: keeps its connection

  // 2. SIGHUP: the second certificate revoked too, written into the hub's file so that its size,
  // inode and mtime stay the same: only the signal can make the hub read it.
  w.certs({"revoke", "--dir", w.pki, "--cert", second + ".crt"});
  replace_unnoticeably(w.opt.crl_file, read_file_bytes(w.pki + "/ca.crl"));
  std::this_thread::sleep_for(std::chrono::seconds(3));  // more than one look at the file
  CHECK(sync_as(w, "ALM-014", second).exit_code == 0);   // not noticed without the signal
  from = w.log_size();
  w.signal_hub(SIGHUP);
  logged = w.wait_for_log("TLS files reloaded on SIGHUP", from);
  REQUIRE_MESSAGE(logged.find("TLS files reloaded on SIGHUP") != std::string::npos, logged);
  CHECK(logged.find("2 revoked certificate(s)") != std::string::npos);
  revoked = sync_as(w, "ALM-014", second);
  CHECK(revoked.exit_code == 1);
  CHECK(revoked.err.find("certificate revoked") != std::string::npos);
  CHECK(held.alive());

  // 3. A CRL that cannot be read: the hub says so and keeps the one it has.
  from = w.log_size();
  install(w.ca_crt, w.opt.crl_file);  // a certificate, not a CRL
  logged = w.wait_for_log("TLS files not reloaded", from);
  CHECK_MESSAGE(logged.find("no certificate revocation list (PEM) in this file") != std::string::npos, logged);
  CHECK(sync_as(w, "ALM-014", first).exit_code == 1);  // still revoked
  w.must_sync("ALM-014");                              // the centre's own certificate still works
  CHECK(held.alive());
  CHECK(w.hub_running());
}

TEST_CASE("net: the certificate expiry the hub shows is the verified certificate's, not the heartbeat's claim") {
  NetWorld w;
  w.start_hub();
  Centre& alm = w.add_centre("ALM-014", "almaty");
  auto cert = sync::read_certificate(alm.cert);
  REQUIRE(cert.ok());
  REQUIRE(cert->not_after > 0);
  TlsProbe probe(w.port, w.ca_crt, w.dir.file("ALM-014"));
  auto welcome = probe.say_hello("ALM-014");
  REQUIRE_MESSAGE((welcome && std::holds_alternative<sync::Welcome>(*welcome)), describe(welcome) << probe.error);
  sync::Heartbeat lie;
  lie.agent_version = "probe";
  lie.cert_expires_at = 4102444800;  // 2100-01-01: "my certificate is good for ever"
  REQUIRE(probe.send(lie));
  REQUIRE(probe.alive());  // the heartbeat was read before the ping
  REQUIRE(probe.send(sync::Bye{}));
  std::int64_t shown = 0;
  for (int i = 0; i < 100 && shown == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    shown = scalar(w.hub_db, "SELECT coalesce(max(cert_expires_at), 0) FROM center_health WHERE center = 'ALM-014'");
  }
  CHECK(shown == cert->not_after);
  CHECK(shown != lie.cert_expires_at);
}
