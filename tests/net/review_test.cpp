// The analyst's review commands at the hub over real syncs: duplicate enrolments, conflicts on
// safety-relevant fields and their resolution, and centre health from heartbeats.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "net/net_fixture.h"
#include "net/net_steps.h"

using namespace epsync;
using namespace epsync::test;
using nlohmann::json;

namespace {
json hub_json(NetWorld& w, std::vector<std::string> args) {
  args.push_back("--json");
  auto r = w.hub_cmd(args);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return json::parse(r.out);
}

// `epsync hub center list --health` after ALM-014 and AST-001 synced and SHY-007 never did.
void check_centre_health(const json& health) {
  REQUIRE(health.size() == 3);
  for (const auto& c : health) {
    CAPTURE(c.dump());
    if (c["center"] == "SHY-007") {
      CHECK(c["stale"] == true);
      CHECK(c["last_seen"].is_null());
    } else {
      CHECK(c["stale"] == false);
      CHECK(c["pending"] == 0);
      CHECK(c["agent_version"] == "0.1.0");
      CHECK(c["cert_days_left"].get<int>() > 800);
      CHECK(std::abs(c["clock_offset_seconds"].get<int>()) <= 1);
    }
  }
}
}  // namespace

TEST_CASE("review: duplicates, conflicts resolved at the hub flow back, centre health") {
  NetWorld w;
  w.start_hub();
  Centre& alm = w.add_centre("ALM-014", "almaty");
  Centre& ast = w.add_centre("AST-001", "astana");
  w.add_centre("SHY-007", "shymkent");  // registered, never syncs
  for (Centre* c : {&alm, &ast}) {
    auto r = w.epsync({"trainee", "add", "--iin", "950101401239", "--surname", "Қасымова", "--given-name", "Әлия",
                       "--birth-date", "1995-01-01", "--sex", "F", "--config", c->config});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }
  auto med = w.epsync({"record", "medical", "950101401239", "--date", "2026-01-10", "--result", "pending", "--json",
                       "--config", alm.config});
  REQUIRE_MESSAGE(med.exit_code == 0, med.err);
  std::string med_id = json::parse(med.out)["id"];
  w.must_sync("ALM-014");
  w.must_sync("AST-001");

  json dups = hub_json(w, {"duplicates"});
  REQUIRE(dups.size() == 1);
  CHECK(dups[0]["iin"] == "950101401239");
  CHECK(dups[0]["centers"] == json::array({"ALM-014", "AST-001"}));

  // The centre records "fit" while, not having seen it, the hub records "unfit" later.
  auto fit = w.epsync({"record", "medical", "950101401239", "--date", "2026-01-10", "--result", "fit", "--valid-until",
                       "2027-01-10", "--config", alm.config});
  REQUIRE(fit.exit_code == 0);
  // (record medical adds a new examination; the conflict needs the same row: edit it directly)
  store_write(w, alm.db, [&](WriteTxn& tx) {
    // "fit" needs a validity date (storage/row_rules.h), or the hub quarantines the change.
    REQUIRE(tx.update("medical_check", med_id, {{"result", std::string("fit")}, {"valid_until", std::string("2027-01-10")}}).ok());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  hub_write(w, [&](WriteTxn& tx) {
    REQUIRE(tx.update("medical_check", med_id, {{"result", std::string("unfit")}}).ok());
  });
  w.must_sync("ALM-014");
  json list = hub_json(w, {"conflicts"});
  REQUIRE(list.size() == 1);
  CHECK(list[0]["field"] == "result");
  CHECK(list[0]["kept"] == "unfit");
  CHECK(list[0]["lost"] == "fit");
  CHECK(list[0]["center"] == "ALM-014");
  CHECK(scalar(alm.db, "SELECT count(*) FROM medical_check WHERE id = '" + med_id + "' AND result = 'unfit'") == 1);

  // The analyst decides the centre was right: the lost value is written again and reaches it.
  auto resolved = w.hub_cmd({"conflicts", "resolve", std::to_string(list[0]["id"].get<int>()), "--take-loser", "--note",
                             "clinic letter checked"});
  REQUIRE_MESSAGE(resolved.exit_code == 0, resolved.err);
  CHECK(hub_json(w, {"conflicts"}).empty());
  json all = hub_json(w, {"conflicts", "list", "--all"});
  REQUIRE(all.size() == 1);
  CHECK(all[0]["resolution"].get<std::string>().find("clinic letter checked") != std::string::npos);
  auto again = w.hub_cmd({"conflicts", "resolve", std::to_string(list[0]["id"].get<int>())});
  CHECK(again.exit_code == 2);
  w.must_sync("ALM-014");
  CHECK(scalar(alm.db, "SELECT count(*) FROM medical_check WHERE id = '" + med_id + "' AND result = 'fit'") == 1);
  CHECK(w.centre_view("ALM-014") == w.hub_view("ALM-014"));

  check_centre_health(hub_json(w, {"center", "list", "--health"}));
}
