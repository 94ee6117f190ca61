// The sync protocol over the real network: the hub daemon as a child process on 127.0.0.1, the
// `epsync` CLI at each centre, mutual TLS 1.3 with certificates made by certs/epsync-certs, real
// SQLite files. tests/sync/session_test.cpp runs the same scenarios with the bytes in memory.
// Sessions cut by a fault proxy are in net_cut_test.cpp, refused ones in net_refusal_test.cpp.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "net/net_fixture.h"
#include "net/net_steps.h"
#include "storage/change_log.h"

using namespace epsync;
using namespace epsync::test;
using json = nlohmann::json;

namespace {

const char* const kCentres[] = {"ALM-014", "AST-001", "SHY-007"};
const char* const kRegions[] = {"almaty", "astana", "shymkent"};

std::int64_t rows(const std::string& db, const std::string& sql) { return scalar(db, sql); }

// A centre after the hub's correction and rule: only its own trainees, the rule, every centre,
// the same rows as the hub holds for it, every change at the hub once, nothing pending.
void check_converged_and_routed(NetWorld& w, const char* c) {
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

// The nationwide report sees every centre's trainees.
void check_report_counts_every_centre(NetWorld& w) {
  auto report = w.hub_cmd({"report", "--by", "center", "--format", "json"});
  REQUIRE_MESSAGE(report.exit_code == 0, report.err);
  std::string trainees;
  const json parsed = json::parse(report.out);
  for (const auto& r : parsed.at("rows"))
    trainees += r["center"].get<std::string>() + "=" + std::to_string(r["trainees"].get<int>()) + " ";
  CHECK_MESSAGE(trainees == "ALM-014=2 AST-001=3 SHY-007=2 ", report.out);
}

// The three centres sync at once while an analyst changes the pass mark to 90 at the hub, so the
// daemon serves them concurrently; returns each centre's `epsync sync`.
std::map<std::string, RunResult> sync_all_while_hub_writes(NetWorld& w) {
  std::map<std::string, RunResult> together;
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
  return together;
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

  for (const char* c : kCentres) check_converged_and_routed(w, c);
  CHECK(rows(w.centres.at("ALM-014").db, "SELECT count(*) FROM trainee WHERE surname = 'Қасымова-Ли'") == 1);
  CHECK(rows(w.hub_db, "SELECT count(*) FROM trainee") == 7);
  check_report_counts_every_centre(w);
  // The three centres at once, while the hub writes too: the daemon serves them concurrently.
  for (const char* c : kCentres) w.enrol(c, "Бірге");
  std::map<std::string, RunResult> together = sync_all_while_hub_writes(w);
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
