// The hub's readiness report: grouping, every region listed, blockers counted once per trainee and
// kind, and the one-pass report (dashboard) equal to the per-grouping report and to a count made
// independently from the centres' own engine (assess_store).
#include <doctest/doctest.h>

#include <map>

#include "hub/hub_store.h"
#include "hub/report.h"
#include "storage/change_log.h"
#include "records/iin.h"
#include "records/readiness.h"
#include "records/regions.h"
#include "support/temp_dir.h"
#include "support/write_txn.h"

using namespace epsync;

namespace {

const Date kAsOf{2026, 11, 22};

// Trainees at three centres in two regions (one centre of them unregistered at the hub), each
// missing something different, or nothing.
std::unique_ptr<hub::HubStore> sample_hub(const std::string& path) {
  auto opened = hub::HubStore::open(path);
  REQUIRE_MESSAGE(opened.ok(), opened.status().message());
  auto hub = std::move(opened).value();
  REQUIRE(hub->add_center("ALM-014", "almaty", "Almaty college").ok());
  REQUIRE(hub->add_center("ALM-020", "almaty", "Almaty centre").ok());
  REQUIRE(hub->add_center("AST-001", "astana", "Astana college").ok());
  test::write_and_commit(hub->store(), [&](WriteTxn& w) {
    const char* centres[] = {"ALM-014", "ALM-020", "AST-001", "XXX-999"};
    const char* sectors[] = {"manufacturing", "agriculture", ""};
    for (int i = 0; i < 60; ++i) {
      std::string c = centres[i % 4], id = new_row_id();
      Date birth = add_days(Date{1990, 1, 1}, i * 97);
      REQUIRE(w.insert("trainee", id, c,
                       {{"iin", make_iin(birth, i % 2 ? 'M' : 'F', i)}, {"surname", std::string("Әлиева")},
                        {"birth_date", format_date(birth)}, {"sector", std::string(sectors[i % 3])},
                        {"status", std::string(i % 13 ? "active" : "withdrawn")}})
                  .ok());
      if (i % 5)
        REQUIRE(w.insert("test_result", new_row_id(), c,
                         {{"trainee_id", id}, {"kind", std::string("eps-topik")}, {"test_date", std::string("2026-03-01")},
                          {"score", std::int64_t{70 + i}}, {"source", std::string("center")}})
                    .ok());
      if (i % 7)
        REQUIRE(w.insert("medical_check", new_row_id(), c,
                         {{"trainee_id", id}, {"check_date", std::string("2026-05-01")},
                          {"result", std::string(i % 11 ? "fit" : "unfit")}, {"valid_until", std::string("2027-05-01")}})
                    .ok());
      for (const char* kind : {"passport", "criminal-record", "immigration-record"})
        if (i % 9 || std::string(kind) != "passport")
          REQUIRE(w.insert("document_check", new_row_id(), c,
                           {{"trainee_id", id}, {"kind", std::string(kind)},
                            {"status", std::string(i % 6 ? "verified" : "submitted")}, {"expires", std::string("2031-01-01")}})
                      .ok());
    }
    // A removed trainee counts nowhere.
    std::string gone = new_row_id();
    REQUIRE(w.insert("trainee", gone, "ALM-014", {{"birth_date", std::string("1995-01-01")}, {"status", std::string("active")}}).ok());
    REQUIRE(w.remove("trainee", gone).ok());
  });
  return hub;
}

std::map<std::string, hub::ReportRow> by_key(const std::vector<hub::ReportRow>& rows) {
  std::map<std::string, hub::ReportRow> out;
  for (const auto& r : rows) out[r.key] = r;
  return out;
}

// Each wanted row of a grouping as the report gives it: trainees, `figure` and blockers.
void check_rows(const char* grouping, std::map<std::string, hub::ReportRow>& got,
                const std::map<std::string, hub::ReportRow>& wanted, std::int64_t hub::ReportRow::*figure) {
  for (const auto& [key, want] : wanted) {
    INFO(grouping << " " << key);
    CHECK(got[key].trainees == want.trainees);
    CHECK(got[key].*figure == want.*figure);
    CHECK(got[key].blockers == want.blockers);
  }
}

bool same(const std::vector<hub::ReportRow>& a, const std::vector<hub::ReportRow>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].key != b[i].key || a[i].trainees != b[i].trainees || a[i].ready != b[i].ready ||
        a[i].not_ready != b[i].not_ready || a[i].blockers != b[i].blockers)
      return false;
  return true;
}

}  // namespace

TEST_CASE("report: groups agree with the centres' engine, every region listed, one pass equals three") {
  test::TempDir dir;
  auto hub = sample_hub(dir.file("hub.db"));
  Store& store = hub->store();

  // Independently: the centres' engine over every trainee, grouped here by hand.
  auto assessed = assess_store(store, kAsOf);
  REQUIRE(assessed.ok());
  REQUIRE(assessed->size() == 60);
  std::map<std::string, hub::ReportRow> want_centre, want_sector;
  for (const auto& a : assessed.value()) {
    for (auto* want : {&want_centre, &want_sector}) {
      auto& row = (*want)[want == &want_centre ? a.trainee.center_id
                                                : (a.trainee.sector.empty() ? "(none)" : a.trainee.sector)];
      ++row.trainees;
      (a.readiness.ready ? row.ready : row.not_ready)++;
      std::map<std::string, bool> kinds;
      for (const auto& b : a.readiness.blockers) kinds[b.kind] = true;
      for (const auto& [k, _] : kinds) ++row.blockers[k];
    }
  }

  auto region = hub::readiness_report(store, hub::GroupBy::kRegion, kAsOf);
  auto centre = hub::readiness_report(store, hub::GroupBy::kCenter, kAsOf);
  auto sector = hub::readiness_report(store, hub::GroupBy::kSector, kAsOf);
  REQUIRE(region.ok());
  REQUIRE(centre.ok());
  REQUIRE(sector.ok());

  auto got_centre = by_key(centre.value());
  CHECK(got_centre.size() == 4);  // three registered centres and one the registry does not know
  check_rows("centre", got_centre, want_centre, &hub::ReportRow::ready);
  auto got_sector = by_key(sector.value());
  CHECK(got_sector.size() == 3);
  check_rows("sector", got_sector, want_sector, &hub::ReportRow::not_ready);

  auto got_region = by_key(region.value());
  CHECK(got_region.size() == kRegions.size() + 1);  // and "(unregistered centre)"
  for (const auto& r : kRegions) CHECK(got_region.count(r) == 1);
  CHECK(got_region["almaty"].trainees == want_centre["ALM-014"].trainees + want_centre["ALM-020"].trainees);
  CHECK(got_region["astana"].trainees == want_centre["AST-001"].trainees);
  CHECK(got_region["(unregistered centre)"].trainees == want_centre["XXX-999"].trainees);
  CHECK(got_region["abai"].trainees == 0);
  std::int64_t ready = 0;
  for (const auto& r : region.value()) ready += r.ready;
  CHECK(ready > 0);
  CHECK(ready < 60);

  auto all = hub::readiness_reports(store, kAsOf);
  REQUIRE(all.ok());
  CHECK(same(all->by_region, region.value()));
  CHECK(same(all->by_center, centre.value()));
  CHECK(same(all->by_sector, sector.value()));

  // The report leaves the connection's page cache as it found it.
  auto cache = store.db().prepare("PRAGMA cache_size");
  REQUIRE(cache.ok());
  REQUIRE(cache->step().value());
  CHECK(cache->column_int(0) == -131072);
}
