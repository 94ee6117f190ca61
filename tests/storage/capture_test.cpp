#include "storage/change_log.h"

#include <doctest/doctest.h>

#include <map>

#include "storage/dump.h"
#include "storage/merge.h"
#include "support/fault_vfs.h"
#include "support/stores.h"
#include "support/temp_dir.h"
#include "records/model.h"
#include "support/write_txn.h"

using namespace epsync;

namespace {

Columns trainee_cols(const std::string& surname) {
  return {{"iin", std::string("950101300038")}, {"surname", surname},
          {"given_name", std::string("Әлия")}, {"birth_date", std::string("1995-01-01")},
          {"sex", std::string("F")}, {"status", std::string("active")}};
}

// Trainee t1 of ALM-014, written in a transaction of its own.
void insert_t1(Store& s, const std::string& surname = "A") {
  test::write_and_commit(s, [&](WriteTxn& w) { REQUIRE(w.insert("trainee", "t1", "ALM-014", trainee_cols(surname)).ok()); });
}

std::vector<RowChange> all_changes(Store& s) {
  ChangeQuery q;
  q.limit = 1'000'000;
  auto c = read_changes(s, q);
  REQUIRE(c.ok());
  return c.value();
}

}  // namespace

TEST_CASE("capture: an insert records every given column, the owner and the tombstone flag") {
  test::TempDir dir;
  test::FakeClock clock;
  auto s = test::make_store(dir.file("c.db"), clock, "aigerim");
  test::write_and_commit(*s, [&](WriteTxn& w) {
    REQUIRE(w.insert("trainee", "t1", "ALM-014", trainee_cols("Қасымова")).ok());
    CHECK(w.changes_written() == 8);
  });
  auto changes = all_changes(*s);
  REQUIRE(changes.size() == 1);
  const RowChange& c = changes[0];
  CHECK(c.table == "trainee");
  CHECK(c.row_id == "t1");
  CHECK(c.site == s->site_id());
  CHECK(c.site_seq == 1);
  CHECK(c.center == "ALM-014");
  CHECK(c.op == "aigerim");
  REQUIRE(c.cells.size() == 8);  // center_id, deleted, 6 columns
  std::map<std::string, Value> cells;
  for (const auto& cell : c.cells) cells[cell.column] = cell.value;
  CHECK(cells.size() == 8);
  CHECK(cells["center_id"] == Value(std::string("ALM-014")));
  CHECK(cells["deleted"] == Value(std::int64_t{0}));
  CHECK(cells["surname"] == Value(std::string("Қасымова")));
  for (const auto& cell : c.cells) CHECK(cell.prev_hlc == 0);
}

TEST_CASE("capture: an update records only the columns that changed, with the version it replaced") {
  test::TempDir dir;
  test::FakeClock clock;
  auto s = test::make_store(dir.file("c.db"), clock);
  insert_t1(*s);
  auto before = all_changes(*s);
  clock.advance(1000);
  test::write_and_commit(*s, [&](WriteTxn& w) {
    REQUIRE(w.update("trainee", "t1", {{"surname", std::string("B")}, {"sex", std::string("F")}}).ok());
    CHECK(w.changes_written() == 1);
    REQUIRE(w.update("trainee", "t1", {{"sex", std::string("F")}}).ok());  // nothing changes: nothing recorded
    CHECK(w.changes_written() == 1);
  });
  auto after = all_changes(*s);
  REQUIRE(after.size() == 2);
  const RowChange& c = after.back();
  REQUIRE(c.cells.size() == 1);
  CHECK(c.cells[0].column == "surname");
  CHECK(c.cells[0].value == Value(std::string("B")));
  CHECK(c.site_seq == 2);  // contiguous
  CHECK(c.hlc > before[0].hlc);
  CHECK(c.cells[0].prev_hlc == before[0].hlc);
  CHECK(c.cells[0].prev_site == s->site_id());
}

TEST_CASE("capture: remove writes a replicated tombstone - the row stays for merge") {
  test::TempDir dir;
  test::FakeClock clock;
  auto s = test::make_store(dir.file("c.db"), clock);
  test::write_and_commit(*s, [&](WriteTxn& w) {
    REQUIRE(w.insert("trainee", "t1", "ALM-014", trainee_cols("A")).ok());
    REQUIRE(w.remove("trainee", "t1").ok());
  });
  auto changes = all_changes(*s);
  REQUIRE(changes.size() == 2);
  CHECK(changes.back().cells.size() == 1);
  CHECK(changes.back().cells[0].column == "deleted");
  CHECK(changes.back().cells[0].value == Value(std::int64_t{1}));
  auto st = s->db().prepare("SELECT deleted FROM trainee WHERE id = 't1'");
  REQUIRE(st->step().value());
  CHECK(st->column_int(0) == 1);
}

TEST_CASE("capture: two processes' writers share one clock and one contiguous sequence") {
  test::TempDir dir;
  test::FakeClock clock;
  auto daemon = test::make_store(dir.file("c.db"), clock);
  auto cli = test::make_store(dir.file("c.db"), clock);  // a second connection, as the CLI is
  CHECK(cli->site_id() == daemon->site_id());
  for (int i = 0; i < 6; ++i) {
    Store& s = i % 2 ? *cli : *daemon;
    test::write_and_commit(s, [&](WriteTxn& w) {
      REQUIRE(w.insert("center", "C" + std::to_string(i), "*", {{"name", std::string("n")}}).ok());
    });
  }
  auto changes = all_changes(*daemon);
  REQUIRE(changes.size() == 6);
  for (size_t i = 0; i < changes.size(); ++i) {
    CHECK(changes[i].site_seq == static_cast<std::int64_t>(i + 1));
    if (i) CHECK(changes[i].hlc > changes[i - 1].hlc);
  }
}

TEST_CASE("capture: a failed write leaves no change records and no partial rows") {
  test::TempDir dir;
  test::FakeClock clock;
  auto s = test::make_store(dir.file("c.db"), clock);
  insert_t1(*s);
  const std::string before = canonical_dump(*s).value();
  const std::int64_t log_before = test::count_rows(*s, "change_log");
  auto unchanged = [&] {
    CHECK(canonical_dump(*s).value() == before);
    CHECK(test::count_rows(*s, "change_log") == log_before);
  };

  SUBCASE("constraint violation: a second row with an existing id") {
    WriteTxn w(*s);
    REQUIRE(w.begin().ok());
    REQUIRE(w.insert("trainee", "t2", "ALM-014", trainee_cols("B")).ok());  // succeeds first
    Status st = w.insert("trainee", "t1", "ALM-014", trainee_cols("C"));
    CHECK(st.code() == Status::Code::kAlreadyExists);
    // The caller abandons the transaction; t2 must vanish with it.
  }
  SUBCASE("validation error: an unknown column after a valid one") {
    WriteTxn w(*s);
    REQUIRE(w.begin().ok());
    REQUIRE(w.update("trainee", "t1", {{"surname", std::string("Z")}}).ok());
    Status st = w.update("trainee", "t1", {{"blood_type", std::string("A")}});
    CHECK(st.code() == Status::Code::kInvalidInput);
  }
  SUBCASE("an SQLite error raised after the row is written, at its change record") {
    // A temporary trigger fails the 2nd change record of the next write.
    REQUIRE(s->db().exec("CREATE TEMP TABLE n (c INTEGER); INSERT INTO n VALUES (0);"
                         "CREATE TEMP TRIGGER fail_2nd BEFORE INSERT ON change_log BEGIN "
                         "UPDATE n SET c = c + 1; SELECT RAISE(ABORT, 'injected fault') "
                         "WHERE (SELECT c FROM n) = 2; END;").ok());
    WriteTxn w(*s);
    REQUIRE(w.begin().ok());
    REQUIRE(w.insert("trainee", "t3", "ALM-014", trainee_cols("D")).ok());
    Status st = w.insert("trainee", "t4", "ALM-014", trainee_cols("E"));
    CHECK_FALSE(st.ok());
    CHECK(st.message().find("injected fault") != std::string::npos);
  }
  unchanged();
}

TEST_CASE("capture: an I/O error at any point of a commit leaves no trace of the write") {
  test::register_fault_vfs();
  test::TempDir dir;
  test::FakeClock clock;
  std::string path = dir.file("c.db");
  { test::make_store(path, clock); }
  StoreOptions o = eps_store_options();
  o.clock = clock.fn();
  o.vfs = test::kFaultVfsName;
  int failures_seen = 0;
  for (int n = 0; n < 40; ++n) {
    CAPTURE(n);
    std::string before;
    std::int64_t log_before = 0;
    {
      auto s = Store::open(path, o);
      REQUIRE(s.ok());
      before = canonical_dump(*s.value()).value();
      log_before = test::count_rows(*s.value(), "change_log");
      test::fault_vfs_fail_after(n);
      WriteTxn w(*s.value());
      Status st = w.begin();
      if (st.ok()) st = w.insert("trainee", "t" + std::to_string(n), "ALM-014", trainee_cols("E"));
      if (st.ok()) st = w.commit();
      bool injected = test::fault_vfs_faults_injected() > 0;
      test::fault_vfs_fail_after(-1);
      if (!injected) {
        CHECK(st.ok());
        continue;  // this write needed fewer than n I/O operations; it committed
      }
      CHECK_FALSE(st.ok());
      ++failures_seen;
    }
    // Reopen through the ordinary VFS: exactly the state before the failed write.
    auto s = Store::open(path, eps_store_options());
    REQUIRE_MESSAGE(s.ok(), s.status().message());
    CHECK(canonical_dump(*s.value()).value() == before);
    CHECK(test::count_rows(*s.value(), "change_log") == log_before);
  }
  CHECK(failures_seen >= 2);
}

TEST_CASE("capture: a store rebuilt by replaying its own change log equals the store") {
  test::TempDir dir;
  test::FakeClock clock;
  auto s = test::make_store(dir.file("c.db"), clock);
  for (int i = 0; i < 60; ++i) {
    clock.advance(i % 3 == 0 ? -5 : 17);  // include a clock that wobbles backwards
    test::write_and_commit(*s, [&](WriteTxn& w) {
      std::string id = "t" + std::to_string(i % 7);
      Status st = w.insert("trainee", id, "ALM-014", trainee_cols("S" + std::to_string(i)));
      if (st.code() == Status::Code::kAlreadyExists) {
        st = i % 5 == 0 ? w.remove("trainee", id)
                        : w.update("trainee", id, {{"surname", std::string("U") + std::to_string(i)},
                                                   {"deleted", std::int64_t{0}}});
      }
      REQUIRE_MESSAGE(st.ok(), st.message());
      REQUIRE(w.insert("medical_check", "m" + std::to_string(i), "ALM-014",
                       {{"trainee_id", id}, {"result", std::string(i % 2 ? "fit" : "unfit")}}).ok());
    });
  }
  auto log = all_changes(*s);
  auto want = canonical_dump(*s).value();

  auto replica = test::make_store(dir.file("rebuilt.db"), clock);
  auto stats = merge_batch(*replica, log);
  REQUIRE(stats.ok());
  CHECK(stats->duplicates == 0);
  CHECK(canonical_dump(*replica).value() == want);

  // The same log backwards: the fold does not depend on order.
  std::vector<RowChange> reversed(log.rbegin(), log.rend());
  auto replica2 = test::make_store(dir.file("rebuilt2.db"), clock);
  REQUIRE(merge_batch(*replica2, reversed).ok());
  CHECK(canonical_dump(*replica2).value() == want);
  CHECK(site_high_water_mark(*replica2, s->site_id()).value() == log.back().site_seq);
}

TEST_CASE("capture: a row's owner never changes, neither by a local write nor by a merged change") {
  test::TempDir dir;
  test::FakeClock clock;
  auto a = test::make_store(dir.file("a.db"), clock);
  auto b = test::make_store(dir.file("b.db"), clock);
  insert_t1(*a, "Қасымова");
  REQUIRE(merge_batch(*b, all_changes(*a)).ok());
  const std::string before = canonical_dump(*b).value();
  {
    WriteTxn w(*b);
    REQUIRE(w.begin().ok());
    Status s = w.update("trainee", "t1", {{"center_id", std::string("AST-001")}});
    CHECK(s.code() == Status::Code::kInvalidInput);
  }
  // A change claiming the row for another centre, first write or update: refused, nothing applied.
  for (bool first_write : {true, false}) {
    CAPTURE(first_write);
    auto forged = all_changes(*a).front();
    forged.center = "AST-001";
    forged.site = std::string(32, 'f');
    forged.site_seq = first_write ? 1 : 2;
    forged.hlc += 1000;
    if (first_write) {
      for (auto& cell : forged.cells)
        if (cell.column == "center_id") cell.value = std::string("AST-001");
    } else {
      forged.cells = {CellChange{"status", std::string("withdrawn"), 0, ""}};
    }
    auto r = merge_batch(*b, {forged});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Status::Code::kForbidden);
    CHECK(canonical_dump(*b).value() == before);
  }
}
