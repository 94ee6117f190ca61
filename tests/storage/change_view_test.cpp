#include "storage/change_view.h"

#include <doctest/doctest.h>

#include "storage/merge.h"
#include "support/stores.h"
#include "support/temp_dir.h"
#include "support/write_txn.h"

using namespace epsync;

namespace {

std::vector<RowChange> scan_all(Store& s, const std::string& site, std::int64_t after) {
  auto scan = SiteChangeScan::open(s, site, after);
  REQUIRE(scan.ok());
  std::vector<RowChange> out;
  RowChangeView v;  // reused across rows, as the agent does
  for (;;) {
    auto more = scan->next(v);
    REQUIRE_MESSAGE(more.ok(), more.status().message());
    if (!more.value()) break;
    out.push_back(to_row_change(v));
  }
  return out;
}

std::vector<RowChange> read_site(Store& s, const std::string& site, std::int64_t after) {
  ChangeQuery q;
  q.site = site;
  q.after_site_seq = after;
  q.limit = 1'000'000;
  auto c = read_changes(s, q);
  REQUIRE(c.ok());
  return c.value();
}

// A centre store whose log holds its own writes (inserts, updates over its own and another
// site's versions, a tombstone, every kind of value) and another site's merged changes.
struct MixedLog {
  test::TempDir dir;
  test::FakeClock clock;
  std::unique_ptr<Store> centre = test::make_store(dir.file("centre.db"), clock, "aigerim");
  std::unique_ptr<Store> hub = test::make_store(dir.file("hub.db"), clock, "ministry");

  MixedLog() {
    for (int i = 0; i < 40; ++i) {
      clock.advance(7);
      test::write_and_commit(*centre, [&](WriteTxn& w) {
        const std::string id = "t" + std::to_string(i % 9);
        Status st = w.insert("trainee", id, "ALM-014",
                             {{"iin", std::string("950101300038")}, {"surname", "S" + std::to_string(i)},
                              {"given_name", std::string("Әлия")}, {"phone", std::monostate{}}});
        if (st.code() == Status::Code::kAlreadyExists)
          st = i % 4 == 0 ? w.remove("trainee", id) : w.update("trainee", id, {{"surname", "U" + std::to_string(i)}});
        REQUIRE_MESSAGE(st.ok(), st.message());
        REQUIRE(w.insert("korean_course", "k" + std::to_string(i), "ALM-014",
                         {{"trainee_id", id}, {"hours", std::int64_t{i * 10 - 200}}, {"level", std::string(i * 3, 'L')}})
                    .ok());
      });
    }
    // The hub corrects a surname; the centre merges it and then overwrites it, so its own
    // change names the hub's site as the version it replaced.
    clock.advance(50);
    {
      REQUIRE(merge_batch(*hub, read_site(*centre, centre->site_id(), 0)).ok());
      test::write_and_commit(*hub, [&](WriteTxn& w) {
        REQUIRE(w.update("trainee", "t1", {{"surname", std::string("Corrected")}}).ok());
      });
      REQUIRE(merge_batch(*centre, read_site(*hub, hub->site_id(), 0)).ok());
    }
    clock.advance(50);
    test::write_and_commit(*centre, [&](WriteTxn& w) {
      REQUIRE(w.update("trainee", "t1", {{"surname", std::string("Again")}}).ok());
    });
  }
};

}  // namespace

TEST_CASE("change view: a site scan reads what read_changes reads, from any starting point") {
  MixedLog m;
  const auto own = read_site(*m.centre, m.centre->site_id(), 0);
  REQUIRE(own.size() == 81);
  CHECK(own.back().cells.at(0).prev_site == m.hub->site_id());
  for (std::int64_t after : {0, 1, 40, 80, 81, 1000}) {
    CAPTURE(after);
    const auto want = read_site(*m.centre, m.centre->site_id(), after);
    const auto got = scan_all(*m.centre, m.centre->site_id(), after);
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      CHECK(got[i] == want[i]);
      CHECK(got[i].seq == want[i].seq);
    }
  }
  // The hub's change sits in the centre's log too, and only a scan of the hub's site finds it.
  const auto hubs = scan_all(*m.centre, m.hub->site_id(), 0);
  REQUIRE(hubs.size() == 1);
  CHECK(hubs[0].cells.at(0).value == Value(std::string("Corrected")));
  CHECK(scan_all(*m.centre, std::string(32, 'f'), 0).empty());  // a site never seen
}

TEST_CASE("change view: a damaged log body or table number stops the scan with an error that names no data") {
  MixedLog m;
  for (const char* damage : {"UPDATE change_log SET body = x'05ff' WHERE site_seq = 3",
                             "UPDATE change_log SET body = x'63' WHERE site_seq = 3",
                             "UPDATE change_log SET tbl = 99 WHERE site_seq = 3"}) {
    CAPTURE(damage);
    test::TempDir copy;
    REQUIRE(m.centre->db().backup_to(copy.file("c.db")).ok());
    auto s = test::make_store(copy.file("c.db"), m.clock);
    REQUIRE(s->db().exec(damage).ok());
    auto scan = SiteChangeScan::open(*s, m.centre->site_id(), 0);
    REQUIRE(scan.ok());
    RowChangeView v;
    CHECK(scan->next(v).value());
    CHECK(scan->next(v).value());
    auto third = scan->next(v);
    REQUIRE_FALSE(third.ok());
    CHECK(third.status().code() == Status::Code::kCorrupt);
    CHECK(third.status().message().find("Әлия") == std::string::npos);
    CHECK(third.status().message().find("950101300038") == std::string::npos);
  }
}
