// The sync protocol over the real network: the hub daemon as a child process on 127.0.0.1, the
// `epsync` CLI at each centre, mutual TLS 1.3 with certificates made by certs/epsync-certs, real
// SQLite files. tests/sync/session_test.cpp runs the same scenarios with the bytes in memory.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "net/fault_proxy.h"
#include "net/net_fixture.h"
#include "storage/change_log.h"
#include "storage/dump.h"

using namespace epsync;
using namespace epsync::test;
using json = nlohmann::json;

namespace {

const char* const kCentres[] = {"ALM-014", "AST-001", "SHY-007"};
const char* const kRegions[] = {"almaty", "astana", "shymkent"};

std::int64_t rows(const std::string& db, const std::string& sql) { return scalar(db, sql); }

json status_json(NetWorld& w, const std::string& centre) {
  auto r = w.epsync({"status", "--json", "--config", w.centres.at(centre).config});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return json::parse(r.out);
}

// The hub holds exactly what it held (the file itself may differ: the daemon checkpoints).
void check_same(const HubState& now, const HubState& before) {
  CHECK(now.change_log == before.change_log);
  CHECK(now.quarantine == before.quarantine);
  CHECK(now.hwm == before.hwm);
  CHECK(now.dump == before.dump);
}

// A hub-side write while the daemon runs: what an analyst's correction does.
void hub_write(NetWorld& w, const std::function<void(WriteTxn&)>& fn) {
  auto hub = w.open_hub_store();
  WriteTxn tx(hub->store());
  REQUIRE(tx.begin().ok());
  fn(tx);
  REQUIRE(tx.commit().ok());
}

// One `epsync sync` through a fault proxy that cuts as planned (a default plan never cuts).
struct ProxiedSync {
  RunResult run;
  ProxyReport proxy;
};
ProxiedSync sync_through_proxy(NetWorld& w, const std::string& centre, CutPlan plan) {
  FaultProxy proxy(w.port, plan, std::chrono::seconds(20));
  REQUIRE(proxy.port() != 0);
  std::string cfg = w.write_agent_config(w.centres.at(centre), w.dir.file("via-proxy.toml"),
                                         "127.0.0.1:" + std::to_string(proxy.port()));
  ProxiedSync out;
  out.run = w.epsync({"sync", "--config", cfg}, 40);
  out.proxy = proxy.finish();
  return out;
}

// openssl s_client against the hub, standard input from a file holding `input`, bounded in time.
RunResult s_client(NetWorld& w, const std::vector<std::string>& args, const std::string& input, int timeout_seconds = 15) {
  static int n = 0;
  std::string in = w.dir.file("s_client-stdin-" + std::to_string(n++));
  write_file_bytes(in, input);
  std::vector<std::string> argv = {"openssl", "s_client", "-connect", w.hub_address(), "-CAfile", w.ca_crt};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_with_stdin(argv, in, timeout_seconds);
}

// A plain TCP connection to the hub (no TLS at all).
int tcp_connect(std::uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

// Reads until the peer closes (true) or the receive timeout passes (false).
bool peer_closes(int fd) {
  char buf[4096];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

}  // namespace

TEST_CASE("net: three centres in three regions converge with the hub over mutual TLS, and routing holds") {
  NetWorld w;
  w.start_hub();
  for (int i = 0; i < 3; ++i) w.add_centre(kCentres[i], kRegions[i]);  // registered while the hub runs
  auto list = json::parse(w.hub_cmd({"center", "list", "--json"}).out);
  CHECK(list.size() == 3);

  std::map<std::string, std::string> first;
  for (const char* c : kCentres) {
    first[c] = w.enrol(c, std::string("Сәрсенбай-") + c);
    w.enrol(c, "Ёлкин");
  }
  for (const char* c : kCentres) w.must_sync(c);
  CHECK(rows(w.hub_db, "SELECT count(*) FROM trainee") == 6);

  // The hub corrects a trainee of ALM-014 and sets a rule for everyone, while the daemon runs.
  hub_write(w, [&](WriteTxn& tx) {
    REQUIRE(tx.update("trainee", first["ALM-014"], {{"surname", std::string("Қасымова-Ли")}}).ok());
    REQUIRE(tx.insert("rules", "eps_topik_pass_mark", "*", {{"value", std::string("85")}}).ok());
  });
  w.enrol("AST-001", "Үсенов");
  for (int round = 0; round < 2; ++round)
    for (const char* c : kCentres) w.must_sync(c);

  for (const char* c : kCentres) {
    CAPTURE(c);
    const std::string db = w.centres.at(c).db;
    CHECK(w.centre_view(c) == w.hub_view(c));
    CHECK(rows(db, "SELECT count(*) FROM trainee WHERE center_id != '" + std::string(c) + "'") == 0);
    CHECK(rows(db, "SELECT count(*) FROM trainee") == w.centres.at(c).enrolled);
    CHECK(rows(db, "SELECT count(*) FROM rules WHERE id = 'eps_topik_pass_mark' AND value = '85'") == 1);
    CHECK(rows(db, "SELECT count(*) FROM center") == 3);
    w.check_all_changes_at_hub_once(c);
    auto st = status_json(w, c);
    CHECK(st["pending"] == 0);
    CHECK(st["last_error"].is_null());
    CHECK(st["last_sync"].is_string());
  }
  CHECK(rows(w.centres.at("ALM-014").db, "SELECT count(*) FROM trainee WHERE surname = 'Қасымова-Ли'") == 1);
  CHECK(rows(w.hub_db, "SELECT count(*) FROM trainee") == 7);
  // The nationwide report sees every centre's trainees.
  auto report = w.hub_cmd({"report", "--by", "center", "--format", "json"});
  REQUIRE_MESSAGE(report.exit_code == 0, report.err);
  std::string trainees;
  const json parsed = json::parse(report.out);
  for (const auto& r : parsed.at("rows"))
    trainees += r["center"].get<std::string>() + "=" + std::to_string(r["trainees"].get<int>()) + " ";
  CHECK_MESSAGE(trainees == "ALM-014=2 AST-001=3 SHY-007=2 ", report.out);
  // The three centres at once, while the hub writes too: the daemon serves them concurrently.
  for (const char* c : kCentres) w.enrol(c, "Бірге");
  std::map<std::string, RunResult> together;
  {
    std::vector<std::thread> threads;
    std::mutex mu;
    for (const char* c : kCentres)
      threads.emplace_back([&, c] {
        auto r = w.sync(c);
        std::lock_guard<std::mutex> lock(mu);
        together[c] = r;
      });
    bool written = false;
    {
      hub::HubOptions ho;
      ho.create = false;
      ho.operator_name = "analyst";
      auto hub = hub::HubStore::open(w.hub_db, ho);  // no REQUIRE here: the threads must be joined first
      if (hub.ok()) {
        WriteTxn tx(hub.value()->store());
        written = tx.begin().ok() && tx.update("rules", "eps_topik_pass_mark", {{"value", std::string("90")}}).ok() &&
                  tx.commit().ok();
      }
    }
    for (auto& t : threads) t.join();
    REQUIRE(written);
  }
  for (const char* c : kCentres) {
    CAPTURE(c);
    CHECK_MESSAGE(together[c].exit_code == 0, together[c].err);
    w.must_sync(c);  // picks up the rule change if it came after that centre's pull
    CHECK(w.centre_view(c) == w.hub_view(c));
    CHECK(rows(w.centres.at(c).db, "SELECT count(*) FROM rules WHERE value = '90'") == 1);
    w.check_all_changes_at_hub_once(c);
  }
  // A sync with nothing new moves nothing and succeeds.
  auto again = w.epsync({"sync", "--json", "--config", w.centres.at("SHY-007").config});
  REQUIRE_MESSAGE(again.exit_code == 0, again.err);
  CHECK(json::parse(again.out)["pushed"] == 0);
  CHECK(json::parse(again.out)["pulled"] == 0);
  CHECK(w.log().find("<3>") == std::string::npos);  // no error-level line at the hub
  CHECK(w.stop_hub() == 0);
  CHECK(w.log().find("stopped") != std::string::npos);
}

TEST_CASE("net: a connection cut after N bytes, for many N, loses and duplicates nothing") {
  NetWorld w;
  w.start_hub();
  w.add_centre("ALM-014", "almaty");
  w.add_centre("AST-001", "astana");
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(w.enrol("ALM-014", "Бастапқы-" + std::to_string(i)));
  w.enrol("AST-001", "Басқа");
  w.must_sync("ALM-014");
  w.must_sync("AST-001");
  int corrections = 0;
  auto correct = [&] {  // a hub correction routed to ALM-014, so that each session also pulls
    hub_write(w, [&](WriteTxn& tx) {
      REQUIRE(tx.update("trainee", ids[static_cast<std::size_t>(corrections) % ids.size()],
                        {{"surname", "Түзетілген-" + std::to_string(corrections)}}).ok());
    });
    ++corrections;
  };

  // A typical session (one enrolment up, one correction down) passed through untouched, to learn
  // its length and where its TLS records end.
  w.enrol("ALM-014", "Өтпелі");
  correct();
  auto pass = sync_through_proxy(w, "ALM-014", CutPlan{});
  REQUIRE_MESSAGE(pass.run.exit_code == 0, pass.run.err);
  REQUIRE(pass.proxy.accepted);
  REQUIRE(!pass.proxy.cut);
  const std::int64_t total = pass.proxy.forwarded;
  REQUIRE(total > 1000);
  REQUIRE(pass.proxy.records.size() >= 6);
  CHECK(pass.proxy.to_hub > 0);
  CHECK(pass.proxy.to_agent > 0);
  // A session succeeds only once the agent holds the hub's Changes. The hub's records are its
  // handshake flight and session tickets, then Welcome, Ack (only when something was pushed),
  // Changes and the closing alert; so a successful session has had at least all but two of this
  // session's hub records delivered whole, and a cut in the handshake or before the Changes fails.
  auto hub_records = [](const ProxyReport& p) {
    return std::count_if(p.records.begin(), p.records.end(), [](const RecordEnd& e) { return !e.to_hub; });
  };
  const auto hub_records_needed = hub_records(pass.proxy) - 2;
  REQUIRE(hub_records_needed >= 8);

  // Cut points: after N bytes inside the TLS handshake and spread evenly over the session; and at,
  // one byte before, one byte after and in the middle of every TLS record each way (after the
  // handshake, every write of sync frames is one record, so these are the frame boundaries).
  // Record-relative cuts stay on the boundary even when a later session is longer than this one.
  struct Cut {
    CutPlan plan;
    std::string what;
  };
  std::vector<Cut> cuts;
  for (std::int64_t n : {1, 3, 5, 6, 11, 64, 150}) cuts.push_back({{n}, "after " + std::to_string(n) + " bytes"});
  for (int k = 1; k < 8; ++k)
    cuts.push_back({{total * k / 8}, "after " + std::to_string(total * k / 8) + " bytes (" + std::to_string(k) + "/8)"});
  std::string layout;
  for (const auto& r : pass.proxy.records) {
    std::string name = std::string(r.to_hub ? "agent" : "hub") + " record " + std::to_string(r.index);
    layout += name + " (type " + std::to_string(r.type) + ", " + std::to_string(r.length) + " B, ends at " +
              std::to_string(r.offset) + ")\n";
    cuts.push_back({{-1, r.index, r.to_hub, -1}, "1 byte before the end of " + name});
    cuts.push_back({{-1, r.index, r.to_hub, 0}, "at the end of " + name});
    cuts.push_back({{-1, r.index, r.to_hub, 1}, "1 byte after the end of " + name});
    if (r.length >= 16) cuts.push_back({{-1, r.index, r.to_hub, -(r.length / 2)}, "in the middle of " + name});
  }
  REQUIRE(cuts.size() >= 15);
  MESSAGE("session of " << total << " bytes; " << cuts.size() << " cuts; TLS records:\n" << layout);

  int failed = 0, succeeded = 0;
  for (const auto& cut : cuts) {
    CAPTURE(cut.what);
    auto r = sync_through_proxy(w, "ALM-014", cut.plan);
    CHECK(r.proxy.accepted);
    CHECK(r.proxy.error.empty());
    if (cut.plan.after_bytes >= 0) CHECK(r.proxy.forwarded <= cut.plan.after_bytes);
    if (r.run.exit_code == 0) {
      ++succeeded;
    } else {
      ++failed;
      CHECK(r.run.err.find("sync failed") != std::string::npos);  // says why
      CHECK(r.proxy.cut);                                        // and only because of the cut
    }
    if (r.run.exit_code == 0) CHECK(hub_records(r.proxy) >= hub_records_needed);  // never "done" too early
    CHECK(w.hub_running());
    // More enrolments, and now and then another correction, for the next session.
    w.enrol("ALM-014", "Кесілген-" + std::to_string(failed + succeeded));
    if ((failed + succeeded) % 3 == 0) correct();
  }
  MESSAGE(failed << " cut sessions failed, " << succeeded << " finished before their cut");
  CHECK(failed >= static_cast<int>(cuts.size()) / 2);

  // Then a clean session: everything arrives, once.
  w.must_sync("ALM-014");
  w.must_sync("ALM-014");
  w.check_all_changes_at_hub_once("ALM-014");
  CHECK(w.centre_view("ALM-014") == w.hub_view("ALM-014"));
  CHECK(rows(w.hub_db, "SELECT count(*) FROM trainee WHERE center_id = 'ALM-014'") == w.centres.at("ALM-014").enrolled);
  CHECK(rows(w.centres.at("ALM-014").db, "SELECT count(*) FROM change_log") ==
        rows(w.centres.at("ALM-014").db, "SELECT count(*) FROM (SELECT DISTINCT site, site_seq FROM change_log)"));
  // The last hub correction arrived too.
  CHECK(rows(w.centres.at("ALM-014").db, "SELECT count(*) FROM trainee WHERE surname = 'Түзетілген-" +
                                             std::to_string(corrections - 1) + "'") == 1);
  auto st = status_json(w, "ALM-014");
  CHECK(st["pending"] == 0);
  CHECK(st["last_error"].is_null());
  // The other centre was not disturbed and still holds only its own trainee.
  w.must_sync("AST-001");
  CHECK(w.centre_view("AST-001") == w.hub_view("AST-001"));
  CHECK(rows(w.centres.at("AST-001").db, "SELECT count(*) FROM trainee") == 1);
  CHECK(w.log().find("<3>") == std::string::npos);  // nothing failed inside the hub
}

TEST_CASE("net: refused connections and sessions are logged with a reason and change nothing at the hub") {
  NetWorld::Options o;
  o.idle_timeout_seconds = 2;
  o.handshake_timeout_seconds = 2;
  o.crl = true;
  NetWorld w(o);
  // Certificates first: the revoked one must be in the CRL the hub loads at start.
  std::string foreign = w.issue_centre_cert("ALM-014", "foreign-ALM-014", {}, w.other_ca());
  std::string expired =
      w.issue_centre_cert("ALM-014", "expired-ALM-014", {"--not-before", "20200101000000Z", "--not-after", "20210101000000Z"});
  std::string revoked = w.issue_centre_cert("ALM-014", "revoked-ALM-014");
  w.certs({"revoke", "--dir", w.pki, "--cert", revoked + ".crt"});
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
  const HubState before = w.hub_state();
  REQUIRE(before.change_log > 0);

  // Each refusal: the hub logs `needle` (after what it had logged so far) and holds what it held.
  auto refused = [&](const std::string& what, const std::string& needle, const std::function<void()>& act) {
    INFO(what);
    std::size_t from = w.log_size();
    act();
    std::string logged = w.wait_for_log(needle, from);
    CHECK_MESSAGE(logged.find(needle) != std::string::npos, "hub log: " << logged);
    CHECK(w.hub_running());
    check_same(w.hub_state(), before);
    return logged;
  };
  auto sync_with = [&](const Centre& c, std::optional<std::string> cert, std::optional<std::string> id = {}) {
    std::string cfg = w.write_agent_config(c, w.dir.file("refused.toml"), {}, cert, id);
    return w.epsync({"sync", "--config", cfg}, 40);
  };

  refused("no client certificate", "peer did not return a certificate", [&] {
    auto r = s_client(w, {"-tls1_3"}, "");
    CHECK(r.exit_code != 127);  // openssl ran
    // The agent cannot even be configured without one.
    std::string cfg = w.write_agent_config(alm, w.dir.file("nocert.toml"), {}, {}, {}, /*with_cert=*/false);
    auto a = w.epsync({"sync", "--config", cfg});
    CHECK(a.exit_code == 2);
    CHECK(a.err.find("hub.cert") != std::string::npos);
  });
  refused("a certificate from another CA", "TLS handshake failed", [&] {
    auto r = sync_with(alm, foreign);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("unknown ca") != std::string::npos);
  });
  refused("an expired certificate", "TLS handshake failed", [&] {
    auto r = sync_with(alm, expired);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("certificate expired") != std::string::npos);
  });
  refused("a revoked certificate", "TLS handshake failed", [&] {
    auto r = sync_with(alm, revoked);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("certificate revoked") != std::string::npos);
  });
  refused("config center.id differs from the certificate's CN",
          "refused AST-001 from 127.0.0.1", [&] {
            // ALM-014's store and configuration, AST-001's (valid, registered) certificate.
            auto r = sync_with(alm, w.dir.file("AST-001"));
            CHECK(r.exit_code == 1);
            CHECK(r.err.find("unauthorized") != std::string::npos);
            CHECK(r.err.find("is not the certificate's AST-001") != std::string::npos);
          });
  CHECK(w.log().find("unauthorized: configured centre ALM-014 is not the certificate's AST-001") != std::string::npos);
  refused("a valid certificate of an unregistered centre", "unknown-center", [&] {
    auto r = w.sync("KRG-999");
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("not registered") != std::string::npos);
    CHECK(status_json(w, "KRG-999")["pending"] == 1);  // kept for later
  });
  CHECK(rows(w.hub_db, "SELECT count(*) FROM trainee WHERE center_id = 'KRG-999'") == 0);
  CHECK(rows(w.hub_db, "SELECT count(*) FROM center_health WHERE center IN ('KRG-999', 'AST-001')") == 1);  // AST-001's own sync only

  std::string legit;
  refused("a centre pushing a row owned by another centre", "forbidden-row", [&] {
    legit = w.enrol("PAV-005", "Заңды");  // travels in the same batch as the stolen row
    {
      auto pav = w.open_store(w.centres.at("PAV-005").db);
      WriteTxn tx(*pav);
      REQUIRE(tx.begin().ok());
      REQUIRE(tx.insert("trainee", "0123456789abcdef0123456789abcdef", "AST-001", {{"surname", std::string("Ұрланған")}}).ok());
      REQUIRE(tx.commit().ok());
    }
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

  refused("a TLS 1.2 client", "unsupported protocol", [&] {
    auto r = s_client(w, {"-tls1_2", "-cert", alm.cert, "-key", alm.key}, "");
    CHECK(r.exit_code != 0);
    CHECK(r.exit_code != 127);
  });
  refused("a 4 GiB length prefix over a valid mutual-TLS connection", "too-large", [&] {
    auto r = s_client(w, {"-tls1_3", "-quiet", "-cert", alm.cert, "-key", alm.key}, std::string(4, '\xff'));
    CHECK(r.exit_code != 127);
    CHECK(r.out.find("too-large") != std::string::npos);  // the hub said why before closing
  });
  CHECK(w.log().find("frame of 4294967295 bytes exceeds the 16384-byte limit") != std::string::npos);  // before welcome
  refused("random bytes instead of TLS", "TLS handshake failed", [&] {
    std::mt19937 rng(20261122);
    std::string junk(512, '\0');
    for (auto& ch : junk) ch = static_cast<char>(rng() & 0xff);
    junk[0] = 'X';  // not a TLS handshake record, whatever the seed gives
    int fd = tcp_connect(w.port);
    CHECK(send(fd, junk.data(), junk.size(), MSG_NOSIGNAL) > 0);
    CHECK(peer_closes(fd));
    close(fd);
  });
  refused("random bytes inside a valid mutual-TLS connection", "bad-message", [&] {
    std::mt19937 rng(7);
    std::string junk = std::string("\x00\x00\x00\x40", 4);
    for (int i = 0; i < 64; ++i) junk += static_cast<char>(rng() & 0xff);
    auto r = s_client(w, {"-tls1_3", "-quiet", "-cert", alm.cert, "-key", alm.key}, junk);
    CHECK(r.exit_code != 127);
  });
  refused("a client that completes TLS and says nothing", "said nothing for 2 s", [&] {
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

  // Through all of that the hub kept serving the honest centres.
  w.enrol("ALM-014", "Соңғы");
  w.must_sync("ALM-014");
  w.check_all_changes_at_hub_once("ALM-014");
  CHECK(w.centre_view("ALM-014") == w.hub_view("ALM-014"));
  CHECK(w.log().find("<3>") == std::string::npos);
}

TEST_CASE("net: a hub restored from an older backup gets every centre change back") {
  NetWorld w;
  w.start_hub();
  std::map<std::string, std::vector<std::string>> ids;
  for (int i = 0; i < 3; ++i) {
    w.add_centre(kCentres[i], kRegions[i]);
    for (int k = 0; k < 2; ++k) ids[kCentres[i]].push_back(w.enrol(kCentres[i], "Ерте-" + std::to_string(k)));
  }
  for (const char* c : kCentres) w.must_sync(c);

  // An online backup of the hub store while the daemon runs (SQLite backup API).
  const std::string backup = w.dir.file("hub-backup.db");
  {
    auto hub = w.open_store(w.hub_db);
    REQUIRE(hub->db().backup_to(backup).ok());
  }
  const std::int64_t backed_up_trainees = rows(backup, "SELECT count(*) FROM trainee");
  CHECK(backed_up_trainees == 6);

  // Life goes on: new trainees, updates of old ones, several syncs, all acknowledged.
  for (int round = 0; round < 2; ++round) {
    for (const char* c : kCentres) {
      w.enrol(c, "Кеш-" + std::to_string(round));
      auto r = w.epsync({"trainee", "update", ids[c][static_cast<std::size_t>(round)], "--surname",
                         "Жаңартылған-" + std::to_string(round), "--config", w.centres.at(c).config});
      REQUIRE_MESSAGE(r.exit_code == 0, r.err);
      w.must_sync(c);
      CHECK(status_json(w, c)["pending"] == 0);
    }
  }
  CHECK(rows(w.hub_db, "SELECT count(*) FROM trainee") == 12);

  // Disaster: the hub's disk is replaced by the backup.
  CHECK(w.stop_hub() == 0);
  std::filesystem::remove(w.hub_db + "-wal");
  std::filesystem::remove(w.hub_db + "-shm");
  std::filesystem::copy_file(backup, w.hub_db, std::filesystem::copy_options::overwrite_existing);
  w.start_hub();
  CHECK(rows(w.hub_db, "SELECT count(*) FROM trainee") == backed_up_trainees);
  // One centre wrote more while the hub was away.
  w.enrol("SHY-007", "Кейін");

  for (const char* c : kCentres) w.must_sync(c);
  for (const char* c : kCentres) {
    CAPTURE(c);
    w.check_all_changes_at_hub_once(c);
    CHECK(w.centre_view(c) == w.hub_view(c));
    CHECK(status_json(w, c)["pending"] == 0);
    CHECK(rows(w.hub_db, "SELECT count(*) FROM trainee WHERE center_id = '" + std::string(c) + "'") ==
          w.centres.at(c).enrolled);
    CHECK(rows(w.hub_db, "SELECT count(*) FROM trainee WHERE center_id = '" + std::string(c) +
                             "' AND surname LIKE 'Жаңартылған-%'") == 2);
  }
  CHECK(rows(w.hub_db, "SELECT count(*) FROM trainee") == 13);
  // A second round moves nothing more and changes nothing.
  const HubState settled = w.hub_state();
  for (const char* c : kCentres) w.must_sync(c);
  check_same(w.hub_state(), settled);
  CHECK(w.log().find("<3>") == std::string::npos);
}

// A centre whose store is put back from its own `epsync backup` file (or a VM snapshot) would write
// new changes under site_seq numbers the hub already holds for its site. The agent must notice
// (the hub's mark is above the store's own last change) and refuse, keeping those changes pending
// and visible, instead of reporting "0 pending" while the hub lacks them.
TEST_CASE("net: a centre put back from its own backup file loses no later change") {
  NetWorld w;
  w.start_hub();
  Centre& alm = w.add_centre("ALM-014", "almaty");
  w.enrol("ALM-014", "Бірінші");
  w.must_sync("ALM-014");
  auto b = w.epsync({"backup", w.dir.file("alm-backup.db"), "--config", alm.config});
  REQUIRE_MESSAGE(b.exit_code == 0, b.err);
  w.enrol("ALM-014", "Екінші");
  w.enrol("ALM-014", "Үшінші");
  w.must_sync("ALM-014");  // the hub's mark for this site is now 3
  // The centre's disk is put back from the backup (site_seq 1), and the registrar carries on.
  std::filesystem::remove(alm.db + "-wal");
  std::filesystem::remove(alm.db + "-shm");
  std::filesystem::copy_file(w.dir.file("alm-backup.db"), alm.db, std::filesystem::copy_options::overwrite_existing);
  std::string late = w.enrol("ALM-014", "Кейінгі");  // site_seq 2 again
  auto r = w.sync("ALM-014");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("put back from a backup") != std::string::npos);
  CHECK(r.err.find("epsync restore") != std::string::npos);
  auto st = status_json(w, "ALM-014");
  CHECK(st["pending"] == 1);  // the late trainee is still here and still counted as not sent
  CHECK(st["last_error"].get<std::string>().find("older than the hub") != std::string::npos);
  CHECK(rows(w.hub_db, "SELECT count(*) FROM trainee WHERE id = '" + late + "'") == 0);
  CHECK(rows(alm.db, "SELECT count(*) FROM trainee WHERE id = '" + late + "'") == 1);
}
