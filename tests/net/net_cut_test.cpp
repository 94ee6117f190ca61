// Sessions cut by a fault proxy between the agent and the hub daemon, at byte counts inside the
// TLS handshake, spread over the session, and at every TLS record boundary: a cut session fails
// and says why, and the next clean one delivers everything once.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "net/fault_proxy.h"
#include "net/net_fixture.h"
#include "net/net_steps.h"
#include "storage/change_log.h"

using namespace epsync;
using namespace epsync::test;

namespace {

std::int64_t rows(const std::string& db, const std::string& sql) { return scalar(db, sql); }

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

// The hub, ALM-014 with three trainees and AST-001 with one, all synced; returns ALM-014's.
std::vector<std::string> start_two_synced_centres(NetWorld& w) {
  w.start_hub();
  w.add_centre("ALM-014", "almaty");
  w.add_centre("AST-001", "astana");
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(w.enrol("ALM-014", "Бастапқы-" + std::to_string(i)));
  w.enrol("AST-001", "Басқа");
  w.must_sync("ALM-014");
  w.must_sync("AST-001");
  return ids;
}

// The TLS records the hub sent whole in a proxied session.
std::ptrdiff_t hub_records(const ProxyReport& p) {
  return std::count_if(p.records.begin(), p.records.end(), [](const RecordEnd& e) { return !e.to_hub; });
}

struct Cut {
  CutPlan plan;
  std::string what;
};

// Cut points: after N bytes inside the TLS handshake and spread evenly over the session; and at,
// one byte before, one byte after and in the middle of every TLS record each way (after the
// handshake, every write of sync frames is one record, so these are the frame boundaries).
// Record-relative cuts stay on the boundary even when a later session is longer than this one.
// `layout` receives a line for each record of the session.
std::vector<Cut> cut_points(const ProxyReport& pass, std::string& layout) {
  const std::int64_t total = pass.forwarded;
  std::vector<Cut> cuts;
  for (std::int64_t n : {1, 3, 5, 6, 11, 64, 150}) cuts.push_back({{n}, "after " + std::to_string(n) + " bytes"});
  for (int k = 1; k < 8; ++k)
    cuts.push_back({{total * k / 8}, "after " + std::to_string(total * k / 8) + " bytes (" + std::to_string(k) + "/8)"});
  for (const auto& r : pass.records) {
    std::string name = std::string(r.to_hub ? "agent" : "hub") + " record " + std::to_string(r.index);
    layout += name + " (type " + std::to_string(r.type) + ", " + std::to_string(r.length) + " B, ends at " +
              std::to_string(r.offset) + ")\n";
    cuts.push_back({{-1, r.index, r.to_hub, -1}, "1 byte before the end of " + name});
    cuts.push_back({{-1, r.index, r.to_hub, 0}, "at the end of " + name});
    cuts.push_back({{-1, r.index, r.to_hub, 1}, "1 byte after the end of " + name});
    if (r.length >= 16) cuts.push_back({{-1, r.index, r.to_hub, -(r.length / 2)}, "in the middle of " + name});
  }
  return cuts;
}

// After the cuts, two clean sessions: everything arrives, once, the last hub correction (number
// `last_correction`) too, and the other centre was not disturbed.
void check_clean_after_cuts(NetWorld& w, int last_correction) {
  w.must_sync("ALM-014");
  w.must_sync("ALM-014");
  w.check_all_changes_at_hub_once("ALM-014");
  CHECK(w.centre_view("ALM-014") == w.hub_view("ALM-014"));
  CHECK(rows(w.hub_db, "SELECT count(*) FROM trainee WHERE center_id = 'ALM-014'") == w.centres.at("ALM-014").enrolled);
  CHECK(rows(w.centres.at("ALM-014").db, "SELECT count(*) FROM change_log") ==
        rows(w.centres.at("ALM-014").db, "SELECT count(*) FROM (SELECT DISTINCT site, site_seq FROM change_log)"));
  // The last hub correction arrived too.
  CHECK(rows(w.centres.at("ALM-014").db, "SELECT count(*) FROM trainee WHERE surname = 'Түзетілген-" +
                                             std::to_string(last_correction) + "'") == 1);
  auto st = status_json(w, "ALM-014");
  CHECK(st["pending"] == 0);
  CHECK(st["last_error"].is_null());
  // The other centre was not disturbed and still holds only its own trainee.
  w.must_sync("AST-001");
  CHECK(w.centre_view("AST-001") == w.hub_view("AST-001"));
  CHECK(rows(w.centres.at("AST-001").db, "SELECT count(*) FROM trainee") == 1);
}

}  // namespace

TEST_CASE("net: a connection cut after N bytes, for many N, loses and duplicates nothing") {
  NetWorld w;
  const std::vector<std::string> ids = start_two_synced_centres(w);
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
  const auto hub_records_needed = hub_records(pass.proxy) - 2;
  REQUIRE(hub_records_needed >= 8);

  std::string layout;
  const std::vector<Cut> cuts = cut_points(pass.proxy, layout);
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

  check_clean_after_cuts(w, corrections - 1);
  CHECK(w.log().find("<3>") == std::string::npos);  // nothing failed inside the hub
}
