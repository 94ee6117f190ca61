#include "storage/merge.h"

#include <doctest/doctest.h>

#include <functional>
#include <vector>

#include "storage/dump.h"
#include "support/stores.h"
#include "support/temp_dir.h"

using namespace epsync;

namespace {

struct Sites {
  test::TempDir dir;
  test::FakeClock clock;
  std::unique_ptr<Store> centre = test::make_store(dir.file("centre.db"), clock, "registrar");
  std::unique_ptr<Store> hub = test::make_store(dir.file("hub.db"), clock, "analyst");

  Status centre_enrols_t1();  // trainee t1 of ALM-014, surnamed "A"
};

Status write(Store& s, const std::function<Status(WriteTxn&)>& fn) {
  WriteTxn w(s);
  EPSYNC_RETURN_IF_ERROR(w.begin());
  EPSYNC_RETURN_IF_ERROR(fn(w));
  return w.commit();
}

Status Sites::centre_enrols_t1() {
  return write(*centre, [](WriteTxn& w) { return w.insert("trainee", "t1", "ALM-014", {{"surname", std::string("A")}}); });
}

std::vector<RowChange> changes_of(Store& s, std::int64_t after = 0) {
  ChangeQuery q;
  q.after_seq = after;
  q.limit = 100000;
  return read_changes(s, q).value();
}

Value cell(Store& s, const std::string& sql) {
  auto st = s.db().prepare(sql);
  REQUIRE(st.ok());
  REQUIRE(st->step().value());
  return st->column_value(0);
}

std::int64_t conflicts(Store& s) { return test::count_rows(s, "conflict"); }

}  // namespace

TEST_CASE("merge: last writer wins per column, and re-applying is a no-op") {
  Sites t;
  REQUIRE(write(*t.centre, [](WriteTxn& w) {
    return w.insert("trainee", "t1", "ALM-014",
                    {{"surname", std::string("Ахметов")}, {"phone", std::string("+7 701")}});
  }).ok());
  auto batch = changes_of(*t.centre);
  auto first = merge_batch(*t.hub, batch);
  REQUIRE(first.ok());
  CHECK(first->applied == 4);
  CHECK(canonical_dump(*t.hub).value() == canonical_dump(*t.centre).value());

  auto again = merge_batch(*t.hub, batch);
  REQUIRE(again.ok());
  CHECK(again->applied == 0);
  CHECK(again->duplicates == 4);
  CHECK(site_high_water_mark(*t.hub, t.centre->site_id()).value() == 1);

  // Different columns edited at both sides both survive.
  t.clock.advance(10);
  REQUIRE(write(*t.hub, [](WriteTxn& w) {
    return w.update("trainee", "t1", {{"surname", std::string("Ахметова")}});
  }).ok());
  REQUIRE(write(*t.centre, [](WriteTxn& w) {
    return w.update("trainee", "t1", {{"phone", std::string("+7 702")}});
  }).ok());
  REQUIRE(merge_batch(*t.hub, changes_of(*t.centre)).ok());
  REQUIRE(merge_batch(*t.centre, changes_of(*t.hub)).ok());
  CHECK(canonical_dump(*t.hub).value() == canonical_dump(*t.centre).value());
  CHECK(cell(*t.centre, "SELECT surname FROM trainee") == Value(std::string("Ахметова")));
  CHECK(cell(*t.centre, "SELECT phone FROM trainee") == Value(std::string("+7 702")));
}

TEST_CASE("merge: merged changes are logged under their origin, not captured as local ones") {
  Sites t;
  REQUIRE(t.centre_enrols_t1().ok());
  REQUIRE(merge_batch(*t.hub, changes_of(*t.centre)).ok());
  ChangeQuery mine;
  mine.site = t.hub->site_id();
  CHECK(read_changes(*t.hub, mine).value().empty());
  for (const auto& c : changes_of(*t.hub)) CHECK(c.site == t.centre->site_id());
}

TEST_CASE("merge: a concurrent write to a safety-relevant column is kept in the conflict log") {
  Sites t;
  REQUIRE(write(*t.centre, [](WriteTxn& w) {
    return w.insert("medical_check", "m1", "ALM-014",
                    {{"trainee_id", std::string("t1")}, {"result", std::string("pending")},
                     {"clinic", std::string("Clinic 1")}});
  }).ok());
  REQUIRE(merge_batch(*t.hub, changes_of(*t.centre)).ok());
  std::int64_t hub_cursor = changes_of(*t.hub).back().seq;

  // Both sides change the result without seeing each other: the centre first, the hub later.
  t.clock.advance(1000);
  REQUIRE(write(*t.centre, [](WriteTxn& w) {
    return w.update("medical_check", "m1", {{"result", std::string("fit")}, {"clinic", std::string("C2")}});
  }).ok());
  t.clock.advance(1000);
  REQUIRE(write(*t.hub, [](WriteTxn& w) {
    return w.update("medical_check", "m1", {{"result", std::string("unfit")}, {"clinic", std::string("C3")}});
  }).ok());

  auto at_hub = merge_batch(*t.hub, changes_of(*t.centre));  // the centre's write loses here
  REQUIRE(at_hub.ok());
  CHECK(at_hub->conflicts == 1);
  auto at_centre = merge_batch(*t.centre, changes_of(*t.hub, hub_cursor));  // its own value loses
  REQUIRE(at_centre.ok());
  CHECK(at_centre->conflicts == 1);
  CHECK(canonical_dump(*t.hub).value() == canonical_dump(*t.centre).value());
  CHECK(cell(*t.centre, "SELECT result FROM medical_check") == Value(std::string("unfit")));
  for (Store* s : {t.hub.get(), t.centre.get()}) {
    // Only `result` is safety-relevant; the clinic name lost just as silently as LWW says.
    CHECK(conflicts(*s) == 1);
    CHECK(cell(*s, "SELECT loser_val FROM conflict") == Value(std::string("fit")));
    CHECK(cell(*s, "SELECT winner_val FROM conflict") == Value(std::string("unfit")));
    CHECK(cell(*s, "SELECT col FROM conflict") == Value(std::string("result")));
    CHECK(cell(*s, "SELECT loser_operator FROM conflict") == Value(std::string("registrar")));
  }
  // Re-delivery records nothing new.
  REQUIRE(merge_batch(*t.hub, changes_of(*t.centre)).ok());
  CHECK(conflicts(*t.hub) == 1);
}

TEST_CASE("merge: a correction made after seeing the value is not a conflict") {
  Sites t;
  REQUIRE(write(*t.centre, [](WriteTxn& w) {
    return w.insert("test_result", "r1", "ALM-014", {{"score", std::int64_t{120}}});
  }).ok());
  REQUIRE(merge_batch(*t.hub, changes_of(*t.centre)).ok());
  t.clock.advance(1000);
  REQUIRE(write(*t.hub, [](WriteTxn& w) {  // the official result corrects the centre's entry
    return w.update("test_result", "r1", {{"score", std::int64_t{95}}});
  }).ok());
  auto st = merge_batch(*t.centre, changes_of(*t.hub));
  REQUIRE(st.ok());
  CHECK(st->conflicts == 0);
  CHECK(cell(*t.centre, "SELECT score FROM test_result") == Value(std::int64_t{95}));
  // And the old centre value, re-sent late to the hub, is recognised as overwritten knowingly.
  REQUIRE(merge_batch(*t.hub, changes_of(*t.centre)).ok());
  CHECK(conflicts(*t.hub) == 0);
  CHECK(conflicts(*t.centre) == 0);
}

TEST_CASE("merge: document status conflicts count only for criminal and immigration records") {
  Sites t;
  for (const char* kind : {"passport", "criminal-record"}) {
    std::string id = std::string("d-") + kind;
    REQUIRE(write(*t.centre, [&](WriteTxn& w) {
      return w.insert("document_check", id, "ALM-014",
                      {{"kind", std::string(kind)}, {"status", std::string("submitted")}});
    }).ok());
  }
  REQUIRE(merge_batch(*t.hub, changes_of(*t.centre)).ok());
  std::int64_t hub_cursor = changes_of(*t.hub).back().seq;
  t.clock.advance(5);
  REQUIRE(write(*t.centre, [](WriteTxn& w) {
    Status s = w.update("document_check", "d-passport", {{"status", std::string("verified")}});
    return s.ok() ? w.update("document_check", "d-criminal-record", {{"status", std::string("verified")}}) : s;
  }).ok());
  t.clock.advance(5);
  REQUIRE(write(*t.hub, [](WriteTxn& w) {
    Status s = w.update("document_check", "d-passport", {{"status", std::string("rejected")}});
    return s.ok() ? w.update("document_check", "d-criminal-record", {{"status", std::string("rejected")}}) : s;
  }).ok());
  REQUIRE(merge_batch(*t.hub, changes_of(*t.centre)).ok());
  REQUIRE(merge_batch(*t.centre, changes_of(*t.hub, hub_cursor)).ok());
  CHECK(conflicts(*t.hub) == 1);
  CHECK(cell(*t.hub, "SELECT row_id FROM conflict") == Value(std::string("d-criminal-record")));
}

TEST_CASE("merge: a batch stamped beyond the skew bound is refused whole") {
  Sites t;
  REQUIRE(t.centre_enrols_t1().ok());
  auto good = changes_of(*t.centre);
  // The same centre, a year fast.
  test::FakeClock fast;
  fast.set(*t.clock.ms + 365LL * 86'400'000);
  auto skewed = test::make_store(t.dir.file("fast.db"), fast);
  REQUIRE(write(*skewed, [](WriteTxn& w) {
    return w.insert("trainee", "t2", "ALM-014", {{"surname", std::string("B")}});
  }).ok());
  auto batch = changes_of(*skewed);
  batch.insert(batch.begin(), good.begin(), good.end());
  std::string before = canonical_dump(*t.hub).value();
  MergeOptions bound;
  bound.max_ahead_ms = 5 * 60'000;
  auto r = merge_batch(*t.hub, batch, bound);
  CHECK(r.status().code() == Status::Code::kClockSkew);
  CHECK(canonical_dump(*t.hub).value() == before);
  CHECK(test::count_rows(*t.hub, "change_log") == 0);
  CHECK(hlc_millis(t.hub->clock().tick()) < *fast.ms);
}

TEST_CASE("merge: malformed changes are refused and leave the store unchanged") {
  Sites t;
  RowChange c;
  c.table = "trainee";
  c.row_id = "t1";
  c.center = "ALM-014";
  c.cells = {{"surname", std::string("x"), 0, ""}};
  c.hlc = hlc_pack(*t.clock.ms, 0);
  c.site = "peer";
  c.site_seq = 1;
  std::vector<std::pair<std::string, RowChange>> bad;
  auto with = [&](auto mutate, const char* what) {
    RowChange b = c;
    b.site_seq = 2;
    mutate(b);
    bad.emplace_back(what, b);
  };
  with([](RowChange& b) { b.table = "sqlite_schema"; }, "unknown table");
  with([](RowChange& b) { b.cells[0].column = "surname = 'x'; DROP TABLE trainee; --"; }, "injection in column");
  with([](RowChange& b) { b.cells[0].column = "id"; }, "primary key");
  with([](RowChange& b) { b.cells[0].column = "versions"; }, "local column");
  with([](RowChange& b) { b.cells.push_back(b.cells[0]); }, "a column twice");
  with([](RowChange& b) { b.cells.clear(); }, "no cells");
  with([](RowChange& b) { b.cells.push_back({"center_id", std::string("AST-001"), 0, ""}); }, "owner mismatch");
  with([](RowChange& b) { b.site_seq = 0; }, "no sequence");
  with([](RowChange& b) { b.site.clear(); }, "no origin");
  with([](RowChange& b) { b.center.clear(); }, "no owner");
  with([](RowChange& b) { b.hlc = 0; }, "no timestamp");
  for (const auto& [what, b] : bad) {
    CAPTURE(what);
    auto r = merge_batch(*t.hub, {c, b});
    CHECK(r.status().code() == Status::Code::kInvalidInput);
    CHECK(test::count_rows(*t.hub, "trainee") == 0);
    CHECK(test::count_rows(*t.hub, "change_log") == 0);
  }
}

TEST_CASE("merge: new rows written many per statement fold like one at a time, also onto rows already there") {
  Sites t;
  // Enough rows to span several queued runs and statements, with a remainder.
  const int trainees = 1300;
  for (int from = 0; from < trainees; from += 400) {
    REQUIRE(write(*t.centre, [&](WriteTxn& w) {
      for (int i = from; i < std::min(from + 400, trainees); ++i) {
        std::string id = "t" + std::to_string(i);
        EPSYNC_RETURN_IF_ERROR(w.insert("trainee", id, "ALM-014", {{"surname", "S" + std::to_string(i)}}));
        EPSYNC_RETURN_IF_ERROR(w.insert("korean_course", "k" + std::to_string(i), "ALM-014",
                                        {{"trainee_id", id}, {"hours", std::int64_t{i % 500}}}));
      }
      return Status::Ok();
    }).ok());
  }
  const auto centre_log = changes_of(*t.centre);
  auto at_hub = merge_batch(*t.hub, centre_log);
  REQUIRE(at_hub.ok());
  CHECK(at_hub->applied == cell_count(centre_log));
  CHECK(at_hub->duplicates == 0);
  CHECK(canonical_dump(*t.hub).value() == canonical_dump(*t.centre).value());

  // The hub corrects every 37th trainee later.
  t.clock.advance(1000);
  REQUIRE(write(*t.hub, [&](WriteTxn& w) {
    for (int i = 0; i < trainees; i += 37)
      EPSYNC_RETURN_IF_ERROR(w.update("trainee", "t" + std::to_string(i), {{"surname", "H" + std::to_string(i)}}));
    return Status::Ok();
  }).ok());
  std::vector<RowChange> corrections;
  for (auto& c : changes_of(*t.hub))
    if (c.site == t.hub->site_id()) corrections.push_back(c);
  REQUIRE(corrections.size() == static_cast<size_t>((trainees + 36) / 37));
  const auto want = canonical_dump(*t.hub).value();

  // Corrections first: those rows exist (without an owner) before their first write arrives, so
  // the queued inserts find them and merge instead; the correction outranks the first write.
  auto corrected_first = test::make_store(t.dir.file("corrected_first.db"), t.clock);
  REQUIRE(merge_batch(*corrected_first, corrections).ok());
  auto then = merge_batch(*corrected_first, centre_log);
  REQUIRE(then.ok());
  CHECK(then->superseded == static_cast<std::int64_t>(corrections.size()));
  CHECK(then->applied == cell_count(centre_log) - static_cast<std::int64_t>(corrections.size()));
  CHECK(canonical_dump(*corrected_first).value() == want);

  auto centre_first = test::make_store(t.dir.file("centre_first.db"), t.clock);
  REQUIRE(merge_batch(*centre_first, centre_log).ok());
  REQUIRE(merge_batch(*centre_first, corrections).ok());
  CHECK(canonical_dump(*centre_first).value() == want);
  CHECK(site_high_water_mark(*corrected_first, t.centre->site_id()).value() == centre_log.back().site_seq);
}
