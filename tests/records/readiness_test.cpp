// SPEC §5 at every boundary: each rule just inside and just outside its limit.
#include "records/readiness.h"

#include <doctest/doctest.h>

#include "records/iin.h"
#include "support/stores.h"
#include "support/temp_dir.h"
#include "support/write_txn.h"

using namespace epsync;

namespace {

const Date kAsOf{2026, 11, 22};

// A trainee who is READY on kAsOf; each test breaks one thing.
TraineeFacts ready_trainee() {
  TraineeFacts f;
  f.trainee.id = "t1";
  f.trainee.birth_date = "1995-01-01";
  f.trainee.status = "active";
  f.tests = {{"eps-topik", "2026-03-01", 150}};
  f.medicals = {{"m1", "2026-05-01", "fit", "2027-05-01"}};
  f.documents = {{"passport", "verified", "2031-01-01"},
                 {"criminal-record", "verified", ""},
                 {"immigration-record", "verified", ""}};
  return f;
}

std::vector<std::string> blockers(const TraineeFacts& f, const ReadinessRules& r = {}, Date as_of = kAsOf) {
  std::vector<std::string> out;
  for (const auto& b : assess(f, r, as_of).blockers) out.push_back(b.kind + ": " + b.text);
  return out;
}

}  // namespace

TEST_CASE("readiness: the reference trainee is ready") {
  auto r = assess(ready_trainee(), {}, kAsOf);
  CHECK(r.ready);
  CHECK(r.blockers.empty());
}

TEST_CASE("readiness: age 18 to 39 inclusive") {
  auto with_birth = [](const std::string& b) {
    auto f = ready_trainee();
    f.trainee.birth_date = b;
    return blockers(f);
  };
  // 17 years 364 days: the 18th birthday is tomorrow.
  CHECK(with_birth("2008-11-23") == std::vector<std::string>{"age: age 17 on 2026-11-22 is outside 18 to 39"});
  CHECK(with_birth("2008-11-22").empty());  // 18 today
  CHECK(with_birth("1986-11-23").empty());  // 39, the 40th birthday is tomorrow
  CHECK(with_birth("1986-11-22") == std::vector<std::string>{"age: age 40 on 2026-11-22 is outside 18 to 39"});
  CHECK(with_birth("") == std::vector<std::string>{"age: birth date is not recorded"});
  // A 29 February birthday becomes a year older on 1 March in common years.
  auto f = ready_trainee();
  f.trainee.birth_date = "2008-02-29";
  f.tests = {{"eps-topik", "2025-06-01", 150}};
  f.medicals = {{"m1", "2025-12-01", "fit", "2026-12-01"}};
  CHECK(assess(f, {}, Date{2026, 2, 28}).blockers.size() == 1);
  CHECK(assess(f, {}, Date{2026, 3, 1}).ready);
}

TEST_CASE("readiness: EPS-TOPIK at the pass mark passes, one below does not") {
  auto with_score = [](std::int64_t s) {
    auto f = ready_trainee();
    f.tests = {{"eps-topik", "2026-03-01", s}};
    return blockers(f);
  };
  CHECK(with_score(80).empty());
  CHECK(with_score(79) == std::vector<std::string>{"language-test: EPS-TOPIK score 79 is below the pass mark 80"});
  // The best failed score is named when several attempts failed; one pass anywhere is enough.
  auto f = ready_trainee();
  f.tests = {{"eps-topik", "2026-01-01", 60}, {"eps-topik", "2026-02-01", 75}, {"mock", "2026-03-01", 190}};
  CHECK(blockers(f) == std::vector<std::string>{"language-test: EPS-TOPIK score 75 is below the pass mark 80"});
  f.tests.push_back({"eps-topik", "2026-04-01", 81});
  CHECK(blockers(f).empty());
}

TEST_CASE("readiness: a pass is valid for the configured period, TOPIK at its own mark") {
  auto f = ready_trainee();
  f.tests = {{"eps-topik", "2024-11-22", 150}};  // exactly 24 months old
  CHECK(blockers(f).empty());
  f.tests = {{"eps-topik", "2024-11-21", 150}};
  CHECK(blockers(f) == std::vector<std::string>{"language-test: EPS-TOPIK passed on 2024-11-21 is older than 24 months"});
  f.tests = {{"eps-topik", "2026-11-23", 150}};  // taken after the reference date
  CHECK(blockers(f) == std::vector<std::string>{"language-test: no EPS-TOPIK or TOPIK result recorded"});
  f.tests = {{"topik", "2026-01-01", 140}};
  CHECK(blockers(f).empty());
  f.tests = {{"topik", "2026-01-01", 139}};
  CHECK(blockers(f) == std::vector<std::string>{"language-test: TOPIK score 139 is below the pass mark 140"});
  ReadinessRules r;
  r.topik_pass_mark = 120;
  r.test_validity_months = 36;
  CHECK(blockers(f, r).empty());
}

TEST_CASE("readiness: the latest medical check must be fit and valid on the date") {
  auto f = ready_trainee();
  f.medicals = {{"m1", "2026-05-01", "fit", "2026-11-22"}};  // valid until today
  CHECK(blockers(f).empty());
  f.medicals = {{"m1", "2026-05-01", "fit", "2026-11-21"}};  // until yesterday
  CHECK(blockers(f) == std::vector<std::string>{"medical: medical examination expired on 2026-11-21"});
  f.medicals = {{"m1", "2026-05-01", "fit", "2027-05-01"}, {"m2", "2026-06-01", "unfit", "2027-06-01"}};
  CHECK(blockers(f) == std::vector<std::string>{"medical: latest medical examination (2026-06-01) is unfit"});
  f.medicals = {{"m1", "2026-05-01", "unfit", ""}, {"m2", "2026-06-01", "fit", "2027-06-01"}};
  CHECK(blockers(f).empty());
  f.medicals = {{"m1", "2026-06-01", "pending", ""}};
  CHECK(blockers(f) == std::vector<std::string>{"medical: latest medical examination (2026-06-01) is pending"});
  f.medicals = {};
  CHECK(blockers(f) == std::vector<std::string>{"medical: no medical examination recorded"});
}

TEST_CASE("readiness: passport verified and valid at least 6 more months") {
  auto with_passport = [](const std::string& status, const std::string& expires) {
    auto f = ready_trainee();
    f.documents[0] = {"passport", status, expires};
    return blockers(f);
  };
  CHECK(with_passport("verified", "2027-05-22").empty());  // expires in exactly 6 months
  CHECK(with_passport("verified", "2027-05-21") ==
        std::vector<std::string>{"passport: passport expires on 2027-05-21, within 6 months of 2026-11-22"});
  CHECK(with_passport("verified", "") == std::vector<std::string>{"passport: passport expiry date is not recorded"});
  for (const char* s : {"missing", "submitted", "rejected"})
    CHECK(with_passport(s, "2031-01-01") ==
          std::vector<std::string>{std::string("passport: passport is ") + s + ", not verified"});
  // Month arithmetic clamps: from 31 August, six months on is the end of February.
  auto f = ready_trainee();
  f.documents[0] = {"passport", "verified", "2027-02-28"};
  CHECK(assess(f, {}, Date{2026, 8, 31}).ready);
  f.documents[0] = {"passport", "verified", "2027-02-27"};
  CHECK_FALSE(assess(f, {}, Date{2026, 8, 31}).ready);
}

TEST_CASE("readiness: criminal-record and immigration-record must be verified") {
  for (size_t i : {1u, 2u}) {
    std::string kind = i == 1 ? "criminal-record" : "immigration-record";
    for (const char* s : {"missing", "submitted", "rejected"}) {
      auto f = ready_trainee();
      f.documents[i].status = s;
      CHECK(blockers(f) == std::vector<std::string>{kind + ": " + kind + " certificate is " + s + ", not verified"});
    }
    auto f = ready_trainee();
    f.documents.erase(f.documents.begin() + static_cast<long>(i));
    CHECK(blockers(f) == std::vector<std::string>{kind + ": " + kind + " certificate is not recorded"});
  }
}

TEST_CASE("readiness: only active trainees are ready - every blocker is listed") {
  for (const char* s : {"withdrawn", "departed"}) {
    auto f = ready_trainee();
    f.trainee.status = s;
    CHECK(blockers(f) == std::vector<std::string>{std::string("status: status is ") + s});
  }
  TraineeFacts nothing;
  nothing.trainee.birth_date = "2000-01-01";
  nothing.trainee.status = "active";
  auto all = blockers(nothing);
  CHECK(all.size() == 5);  // language, medical, three documents
}

TEST_CASE("readiness: parameters come from the replicated rules table") {
  test::TempDir dir;
  test::FakeClock clock;
  auto s = test::make_store(dir.file("c.db"), clock);
  test::write_and_commit(*s, [&](WriteTxn& w) {
    Records rec(w, "ALM-014", kAsOf);
    TraineeFields f;
    f.iin = make_iin(Date{1995, 1, 1}, 'F', 1);
    f.surname = "Қасымова";
    f.given_name = "Әлия";
    f.birth_date = "1995-01-01";
    f.sex = "F";
    auto id = rec.add_trainee(f, FieldStyle::kFlag);
    REQUIRE(id.ok());
    REQUIRE(rec.record_test(id.value(), {"eps-topik", "2026-03-01", 90}).ok());
    REQUIRE(rec.record_medical(id.value(), {"2026-05-01", "fit", "2027-05-01", {}}).ok());
    REQUIRE(rec.record_document(id.value(), {"passport", "verified", {}, {}, "2031-01-01", {}}).ok());
    REQUIRE(rec.record_document(id.value(), {"criminal-record", "verified", {}, {}, {}, {}}).ok());
    REQUIRE(rec.record_document(id.value(), {"immigration-record", "verified", {}, {}, {}, {}}).ok());
  });
  auto before = assess_store(*s, kAsOf);
  REQUIRE(before.ok());
  REQUIRE(before->size() == 1);
  CHECK(before->front().readiness.ready);

  WriteTxn w(*s);  // the hub raises the pass mark; the rule arrives like any replicated row
  REQUIRE(w.begin().ok());
  REQUIRE(w.insert("rules", "eps_topik_pass_mark", "*", {{"value", std::string("100")}}).ok());
  REQUIRE(w.commit().ok());
  auto after = assess_store(*s, kAsOf);
  REQUIRE(after.ok());
  CHECK_FALSE(after->front().readiness.ready);
  CHECK(after->front().readiness.blockers.front().text == "EPS-TOPIK score 90 is below the pass mark 100");

  CHECK(validate_rule("eps_topik_pass_mark", "80").ok());
  CHECK(validate_rule("eps_topik_pass_mark", "eighty").message() == "eps_topik_pass_mark: must be a whole number, got 'eighty'");
  CHECK_FALSE(validate_rule("shoe_size", "42").ok());
}

TEST_CASE("readiness: a check another centre attached to a trainee does not count for that trainee") {
  test::TempDir dir;
  test::FakeClock clock;
  auto s = test::make_store(dir.file("hub.db"), clock);
  std::string id;
  test::write_and_commit(*s, [&](WriteTxn& w) {
    Records rec(w, "AST-001", kAsOf);
    TraineeFields f;
    f.iin = make_iin(Date{1995, 1, 1}, 'F', 1);
    f.surname = "Қасымова", f.given_name = "Әлия", f.birth_date = "1995-01-01", f.sex = "F";
    id = rec.add_trainee(f, FieldStyle::kFlag).value();
    REQUIRE(rec.record_medical(id, {"2026-05-01", "fit", "2027-05-01", {}}).ok());
    for (const char* kind : {"passport", "criminal-record", "immigration-record"})
      REQUIRE(rec.record_document(id, {kind, "verified", {}, {}, std::string("2031-01-01"), {}}).ok());
    // Another centre records a passed EPS-TOPIK against AST-001's trainee id.
    REQUIRE(w.insert("test_result", new_row_id(), "ALM-014",
                     {{"trainee_id", id}, {"kind", std::string("eps-topik")}, {"test_date", std::string("2026-03-01")},
                      {"score", std::int64_t{190}}, {"source", std::string("center")}}).ok());
  });
  auto all = assess_store(*s, kAsOf);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 1);
  CHECK_FALSE(all->front().readiness.ready);
  CHECK(all->front().readiness.blockers.front().kind == "language-test");
}
