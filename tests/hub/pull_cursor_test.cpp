// The hub's pull cursor: a pull with nothing more due moves it to the log's end, so the next pull
// reads only what is newer; a reopened store falls back to the last routed entry; a cursor that
// names an entry the store does not hold restarts from the beginning.
#include <doctest/doctest.h>

#include "hub/hub_store.h"
#include "storage/change_log.h"
#include "support/temp_dir.h"
#include "records/model.h"
#include "support/write_txn.h"

using namespace epsync;

namespace {

struct World {
  test::TempDir dir;
  std::unique_ptr<Store> centre;
  std::unique_ptr<hub::HubStore> hub;
  std::int64_t pushed = 0;  // the centre's site_seq the hub holds
  int next_course = 0;

  World() {
    StoreOptions o = eps_store_options();
    o.create = true;
    centre = Store::open(dir.file("centre.db"), o).value();
    REQUIRE(centre->set_meta("center_id", "ALM-014").ok());
    open_hub();
    REQUIRE(hub->add_center("ALM-014", "almaty", "Almaty college").ok());
  }
  void open_hub() {
    hub.reset();
    auto h = hub::HubStore::open(dir.file("hub.db"));
    REQUIRE_MESSAGE(h.ok(), h.status().message());
    hub = std::move(h).value();
  }
  // The centre writes `n` course records and pushes them.
  void centre_writes(int n) {
    test::write_and_commit(*centre, [&](WriteTxn& w) {
      for (int i = 0; i < n; ++i, ++next_course)
        REQUIRE(w.insert("korean_course", "k" + std::to_string(next_course), "ALM-014",
                         {{"trainee_id", std::string("t1")}, {"hours", std::int64_t{next_course}}}).ok());
    });
    ChangeQuery q;
    q.site = centre->site_id();
    q.after_site_seq = pushed;
    q.limit = 100000;
    auto changes = read_changes(*centre, q).value();
    pushed = changes.back().site_seq;
    auto acks = hub->commit({hub::PushJob{"ALM-014", centre->site_id(), sync::Push{1, std::move(changes)}}});
    REQUIRE(acks[0].ok());
    REQUIRE(std::holds_alternative<sync::Ack>(acks[0].value()));
  }
  // The hub corrects one of the centre's records: routed to the centre.
  void hub_corrects(int course, std::int64_t hours) {
    test::write_and_commit(hub->store(), [&](WriteTxn& w) {
      REQUIRE(w.update("korean_course", "k" + std::to_string(course), {{"hours", hours}}).ok());
    });
  }
  sync::Changes pull(const sync::Changes& after) {
    sync::Pull p;
    p.cursor = after.next_cursor;
    p.cursor_check = after.next_check;
    auto r = hub->changes_for("ALM-014", centre->site_id(), p);
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    return std::move(r).value();
  }
  std::int64_t log_end() {
    auto st = hub->store().db().prepare("SELECT max(seq) FROM change_log");
    REQUIRE(st->step().value());
    return st->column_int(0);
  }
};

// The correction's hours, for each change pulled.
std::vector<std::int64_t> hours_of(const sync::Changes& c) {
  std::vector<std::int64_t> out;
  for (const auto& ch : c.changes)
    for (const auto& cell : ch.cells)
      if (cell.column == "hours") out.push_back(std::get<std::int64_t>(cell.value));
  return out;
}

}  // namespace

TEST_CASE("hub pull cursor: moves to the log's end when nothing more is due, so a pull reads only what is newer") {
  World w;
  w.centre_writes(50);
  w.hub_corrects(3, 1003);
  w.centre_writes(50);

  sync::Changes first = w.pull({});
  // The registry's own centre row is reference data: routed too.
  CHECK(hours_of(first) == std::vector<std::int64_t>{1003});
  CHECK_FALSE(first.more);
  CHECK_FALSE(first.cursor_reset);
  CHECK(first.next_cursor == w.log_end());  // past the centre's own 50 later changes

  sync::Changes again = w.pull(first);
  CHECK(again.changes.empty());
  CHECK_FALSE(again.cursor_reset);
  CHECK(again.next_cursor == first.next_cursor);

  w.centre_writes(20);
  sync::Changes after_own = w.pull(again);
  CHECK(after_own.changes.empty());
  CHECK(after_own.next_cursor == w.log_end());

  w.hub_corrects(60, 1060);
  w.centre_writes(5);
  sync::Changes second = w.pull(after_own);
  CHECK(hours_of(second) == std::vector<std::int64_t>{1060});  // not the first correction again
  CHECK(second.next_cursor == w.log_end());

  SUBCASE("a reopened store falls back to the last routed entry, not to the beginning") {
    w.open_hub();
    sync::Changes reopened = w.pull(second);
    CHECK(reopened.changes.empty());
    CHECK_FALSE(reopened.cursor_reset);
    CHECK(reopened.next_cursor == w.log_end());
    w.hub_corrects(7, 1007);
    CHECK(hours_of(w.pull(reopened)) == std::vector<std::int64_t>{1007});
  }
  SUBCASE("a cursor naming an entry the store does not hold restarts from the beginning") {
    sync::Changes stale = second;
    stale.next_check = "0000:1|" + std::to_string(second.next_cursor - 1) + "|not-this-store";
    sync::Changes restarted = w.pull(stale);
    CHECK(restarted.cursor_reset);
    CHECK(hours_of(restarted) == std::vector<std::int64_t>{1003, 1060});
    CHECK(restarted.next_cursor == w.log_end());
  }
}
