// `epsync restore`: a centre whose disk was lost is re-seeded from the hub and goes on as the same
// centre under a new site id (SPEC §4), over real TLS with the real binaries.
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "net/net_fixture.h"
#include "net/net_steps.h"

using namespace epsync;
using namespace epsync::test;

TEST_CASE("restore: a lost centre store comes back from the hub and continues as the same centre") {
  NetWorld w;
  w.start_hub();
  Centre& alm = w.add_centre("ALM-014", "almaty");
  w.add_centre("AST-001", "astana");
  w.enrol("ALM-014", "Қасымова");
  std::string corrected = w.enrol("ALM-014", "Ёлкин");
  w.enrol("AST-001", "Сәрсенбай");
  w.must_sync("ALM-014");
  w.must_sync("AST-001");
  hub_write(w, [&](WriteTxn& tx) {
    REQUIRE(tx.update("trainee", corrected, {{"surname", std::string("Ёлкин-Петров")}}).ok());
  });
  w.must_sync("ALM-014");
  std::string before = w.centre_view("ALM-014");
  std::string old_site = nlohmann::json::parse(w.epsync({"status", "--json", "--config", alm.config}).out)["site_id"];

  // Restore refuses to overwrite a store that exists, and leaves it as it was.
  std::string bytes = read_file_bytes(alm.db);
  auto refused = w.epsync({"restore", "--config", alm.config});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("--force") != std::string::npos);
  CHECK(read_file_bytes(alm.db) == bytes);

  // The disk is lost.
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(alm.db + suffix);
  auto r = w.epsync({"restore", "--config", alm.config, "--json"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  auto out = nlohmann::json::parse(r.out);
  CHECK(out["center"] == "ALM-014");
  CHECK(out["site_id"] != old_site);
  CHECK(w.centre_view("ALM-014") == before);
  CHECK(w.centre_view("ALM-014") == w.hub_view("ALM-014"));
  CHECK(scalar(alm.db, "SELECT count(*) FROM trainee WHERE center_id = 'AST-001'") == 0);
  CHECK(scalar(alm.db, "SELECT count(*) FROM trainee WHERE surname = 'Ёлкин-Петров'") == 1);

  // It goes on as the same centre: new work reaches the hub, nothing is pending.
  std::string later = w.enrol("ALM-014", "Кейінгі");
  w.must_sync("ALM-014");
  CHECK(scalar(w.hub_db, "SELECT count(*) FROM trainee WHERE id = '" + later + "'") == 1);
  CHECK(w.centre_view("ALM-014") == w.hub_view("ALM-014"));
  auto st = nlohmann::json::parse(w.epsync({"status", "--json", "--config", alm.config}).out);
  CHECK(st["pending"] == 0);
  CHECK(st["center"] == "ALM-014");
}
