// A trainee's whole file (records/trainee_file.h) from a real store: every record with its fields,
// an official result marked as such, readiness as the centre's list computes it, and nothing that
// another centre attached to the trainee.
#include "records/trainee_file.h"

#include <doctest/doctest.h>

#include "support/stores.h"
#include "support/temp_dir.h"
#include "support/write_txn.h"

using namespace epsync;
using namespace epsync::test;

namespace {

const Date kToday{2026, 12, 6};
const char* kIin = "950101401239";

std::string enrol_with_records(Store& store) {
  WriteTxn w(store);
  REQUIRE(w.begin().ok());
  Records r(w, "ALM-014", kToday);
  TraineeFields f;
  f.iin = kIin;
  f.surname = "Қасымова";
  f.given_name = "Әлия";
  f.birth_date = "1995-01-01";
  f.sex = "F";
  auto id = r.add_trainee(f, FieldStyle::kFlag);
  REQUIRE(id.ok());
  REQUIRE(r.record_korean(kIin, {320, std::string("B2")}).ok());
  REQUIRE(r.record_test(kIin, {"mock", "2026-02-01", 120, "center"}).ok());
  REQUIRE(r.record_test(kIin, {"eps-topik", "2026-04-18", 156, "official"}).ok());
  REQUIRE(r.record_medical(kIin, {"2026-05-01", "fit", std::string("2027-05-01"), std::string("Клиника №1")}).ok());
  REQUIRE(r.record_document(kIin, {"passport", "verified", std::string("N1234567"), std::string("2021-03-01"),
                                    std::string("2031-03-01"), std::string("копия в деле")}).ok());
  REQUIRE(r.record_document(kIin, {"criminal-record", "verified", {}, {}, {}, {}}).ok());
  REQUIRE(r.record_document(kIin, {"immigration-record", "submitted", {}, {}, {}, {}}).ok());
  REQUIRE(w.commit().ok());
  return id.value();
}

}  // namespace

TEST_CASE("trainee file: every record, newest first, the official result marked") {
  TempDir dir;
  FakeClock clock;
  auto store = make_store(dir.file("centre.db"), clock);
  const std::string id = enrol_with_records(*store);
  auto t = find_trainee(*store, id);
  REQUIRE(t.ok());
  auto f = read_trainee_file(*store, t.value(), kToday);
  REQUIRE_MESSAGE(f.ok(), f.status().message());
  CHECK(f->trainee.surname == "Қасымова");
  REQUIRE(f->korean);
  CHECK(f->korean->hours == 320);
  CHECK(f->korean->level == "B2");
  REQUIRE(f->tests.size() == 2);
  CHECK(f->tests[0].kind == "eps-topik");
  CHECK(f->tests[0].date == "2026-04-18");
  CHECK(f->tests[0].score == 156);
  CHECK(f->tests[0].official());
  CHECK_FALSE(f->tests[1].official());
  REQUIRE(f->medical.size() == 1);
  CHECK(f->medical[0].result == "fit");
  CHECK(f->medical[0].valid_until == "2027-05-01");
  CHECK(f->medical[0].clinic == "Клиника №1");
  REQUIRE(f->documents.size() == 3);
  const DocumentEntry& passport = f->documents[2];  // by kind: criminal, immigration, passport
  CHECK(passport.kind == "passport");
  CHECK(passport.number == "N1234567");
  CHECK(passport.issued == "2021-03-01");
  CHECK(passport.expires == "2031-03-01");
  CHECK(passport.note == "копия в деле");
  // Readiness: the same answer as the centre's readiness list.
  CHECK_FALSE(f->readiness.ready);
  REQUIRE(f->readiness.blockers.size() == 1);
  CHECK(f->readiness.blockers[0].kind == "immigration-record");
  auto listed = assess_store(*store, kToday, std::string("ALM-014"));
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK(listed->at(0).readiness.blockers[0].text == f->readiness.blockers[0].text);
}

TEST_CASE("trainee file: a record another centre attached to the trainee is not part of it") {
  TempDir dir;
  FakeClock clock;
  auto store = make_store(dir.file("centre.db"), clock);
  const std::string id = enrol_with_records(*store);
  write_and_commit(*store, [&](WriteTxn& w) {
    REQUIRE(w.insert("test_result", new_row_id(), "AST-002",
                     {{"trainee_id", id}, {"kind", std::string("eps-topik")}, {"test_date", std::string("2026-06-01")},
                      {"score", std::int64_t{200}}, {"source", std::string("center")}})
                .ok());
  });
  auto f = read_trainee_file(*store, find_trainee(*store, id).value(), kToday);
  REQUIRE(f.ok());
  CHECK(f->tests.size() == 2);
  for (const auto& t : f->tests) CHECK(t.score != 200);
}

TEST_CASE("trainee file: a trainee with no records has empty lists and says why not ready") {
  TempDir dir;
  FakeClock clock;
  auto store = make_store(dir.file("centre.db"), clock);
  write_and_commit(*store, [&](WriteTxn& w) {
    Records r(w, "ALM-014", kToday);
    TraineeFields f;
    f.iin = kIin;
    f.surname = "Ли";
    f.given_name = "Анна";
    f.birth_date = "1995-01-01";
    f.sex = "F";
    REQUIRE(r.add_trainee(f, FieldStyle::kFlag).ok());
  });
  auto f = read_trainee_file(*store, find_trainee(*store, kIin).value(), kToday);
  REQUIRE(f.ok());
  CHECK_FALSE(f->korean);
  CHECK(f->tests.empty());
  CHECK(f->medical.empty());
  CHECK(f->documents.empty());
  CHECK(f->readiness.blockers.size() == 5);
}
