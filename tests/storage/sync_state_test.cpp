// The sync state is read and written whole: every field survives a save, a save joins the
// caller's open transaction (and goes with its rollback), and an edit starts from what is stored.
#include "storage/sync_state.h"

#include <doctest/doctest.h>

#include "support/stores.h"
#include "support/temp_dir.h"

using namespace epsync;

TEST_CASE("sync state: a fresh store has none; a save keeps every field; a reopened store reads it back") {
  test::TempDir dir;
  test::FakeClock clock;
  auto s = test::make_store(dir.file("c.db"), clock);
  auto fresh = load_sync_state(*s);
  REQUIRE(fresh.ok());
  CHECK(fresh->epoch.empty());
  CHECK(fresh->cursor == 0);
  CHECK(fresh->acked == 0);
  CHECK_FALSE(fresh->clock_offset_known);

  SyncState st;
  st.epoch = "e1";
  st.cursor = 42;
  st.cursor_check = "chk";
  st.acked = 7;
  st.last_sync_ms = 1'700'000'000'000;
  st.last_error = "tls: timed out";
  st.clock_offset_ms = -1200;
  st.clock_offset_known = true;
  REQUIRE(save_sync_state(*s, st).ok());
  s.reset();
  auto reopened = Store::open(dir.file("c.db"), eps_store_options());
  REQUIRE(reopened.ok());
  auto back = load_sync_state(*reopened.value());
  REQUIRE(back.ok());
  CHECK(back->epoch == "e1");
  CHECK(back->cursor == 42);
  CHECK(back->cursor_check == "chk");
  CHECK(back->acked == 7);
  CHECK(back->last_sync_ms == 1'700'000'000'000);
  CHECK(back->last_error == "tls: timed out");
  CHECK(back->clock_offset_ms == -1200);
  CHECK(back->clock_offset_known);
}

TEST_CASE("sync state: an update inside an open transaction commits and rolls back with it") {
  test::TempDir dir;
  test::FakeClock clock;
  auto s = test::make_store(dir.file("c.db"), clock);
  REQUIRE(update_sync_state(*s, [](SyncState& st) { st.cursor = 5; }).ok());
  {
    StoreTxn txn(*s);
    REQUIRE(txn.begin().ok());
    REQUIRE(update_sync_state(*s, [](SyncState& st) {
              st.cursor = 9;
              st.acked = 3;
            }).ok());
    // Not committed: the pulled changes and the cursor past them go together.
  }
  auto after = load_sync_state(*s);
  REQUIRE(after.ok());
  CHECK(after->cursor == 5);
  CHECK(after->acked == 0);
  REQUIRE(update_sync_state(*s, [](SyncState& st) { st.acked = 4; }).ok());
  CHECK(load_sync_state(*s)->cursor == 5);  // an edit keeps what it does not touch
  CHECK(load_sync_state(*s)->acked == 4);
}
