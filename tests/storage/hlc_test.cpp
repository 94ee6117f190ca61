#include "storage/hlc.h"

#include <doctest/doctest.h>

#include "storage/change_log.h"
#include "storage/store.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"
#include "records/model.h"
#include "support/write_txn.h"

using namespace epsync;

TEST_CASE("hlc: ticks are strictly increasing even when the wall clock stalls or goes back") {
  test::FakeClock wall;
  HybridClock clock(wall.fn());
  HlcTime a = clock.tick();
  HlcTime b = clock.tick();  // same millisecond
  CHECK(b > a);
  CHECK(hlc_millis(b) == hlc_millis(a));
  CHECK(hlc_counter(b) == hlc_counter(a) + 1);
  wall.advance(-3'600'000);  // an hour back (NTP correction, wrong manual setting)
  HlcTime c = clock.tick();
  CHECK(c > b);
  wall.advance(7'200'000);
  HlcTime d = clock.tick();
  CHECK(d > c);
  CHECK(hlc_counter(d) == 0);
  CHECK(hlc_millis(d) == *wall.ms);
}

TEST_CASE("hlc: an exhausted counter borrows the next millisecond and stays ordered") {
  test::FakeClock wall;
  HybridClock clock(wall.fn());
  HlcTime prev = clock.tick();
  for (int i = 0; i < 70000; ++i) {
    HlcTime t = clock.tick();
    REQUIRE(t > prev);
    prev = t;
  }
  CHECK(hlc_millis(prev) == *wall.ms + 1);
}

TEST_CASE("hlc: observing a remote time orders later ticks after it") {
  test::FakeClock wall;
  HybridClock clock(wall.fn());
  HlcTime remote = hlc_pack(*wall.ms + 60'000, 7);  // a peer one minute ahead
  REQUIRE(clock.observe(remote).ok());
  CHECK(clock.tick() > remote);
}

TEST_CASE("hlc: the skew bound refuses timestamps too far ahead and leaves the clock alone") {
  test::FakeClock wall;
  HybridClock clock(wall.fn());
  HlcTime before = clock.tick();
  const std::int64_t bound = 5 * 60'000;
  HlcTime year_fast = hlc_pack(*wall.ms + 365LL * 86'400'000, 0);
  Status s = clock.observe(year_fast, bound);
  CHECK(s.code() == Status::Code::kClockSkew);
  CHECK(s.message().find("ahead") != std::string::npos);
  CHECK(clock.last() == before);
  CHECK(hlc_millis(clock.tick()) == *wall.ms);  // not dragged a year forward
  // Just inside the bound is accepted; just outside is not.
  CHECK(clock.observe(hlc_pack(*wall.ms + bound, 0), bound).ok());
  CHECK_FALSE(clock.observe(hlc_pack(*wall.ms + bound + 1, 0), bound).ok());
}

TEST_CASE("hlc: persisted, so it stays monotonic across a restart with the clock moved back") {
  test::TempDir dir;
  test::FakeClock wall;
  HlcTime last_before_restart = 0;
  {
    StoreOptions o = eps_store_options();
    o.create = true;
    o.clock = wall.fn();
    auto s = Store::open(dir.file("c.db"), o);
    REQUIRE(s.ok());
    test::write_and_commit(*s.value(), [&](WriteTxn& w) {
      REQUIRE(w.insert("center", "ALM-014", "*", {{"name", std::string("x")}}).ok());
    });
    last_before_restart = s.value()->clock().last();
  }
  wall.advance(-86'400'000);  // the machine comes back a day in the past
  StoreOptions o = eps_store_options();
  o.clock = wall.fn();
  auto s = Store::open(dir.file("c.db"), o);
  REQUIRE(s.ok());
  test::write_and_commit(*s.value(), [&](WriteTxn& w) {
    REQUIRE(w.update("center", "ALM-014", {{"name", std::string("y")}}).ok());
  });
  auto changes = read_changes(*s.value(), ChangeQuery{});
  REQUIRE(changes.ok());
  REQUIRE(changes->size() == 2);
  CHECK(changes->back().hlc > last_before_restart);
  for (size_t i = 1; i < changes->size(); ++i) CHECK((*changes)[i].hlc > (*changes)[i - 1].hlc);
}
