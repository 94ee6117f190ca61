// One rule set (storage/row_rules.h): every rule walked through both paths a value can take to the
// hub. The registrar's path (Records, which the CLI and CSV import call) refuses it with an error
// naming the field; a centre that bypasses its CLI and writes the row straight into its store gets
// the change quarantined at the hub with a reason naming the same field, and the hub's data
// unchanged.
#include <doctest/doctest.h>

#include <functional>

#include "hub/hub_store.h"
#include "storage/change_log.h"
#include "storage/dump.h"
#include "records/iin.h"
#include "records/records.h"
#include "support/temp_dir.h"
#include "records/model.h"
#include "support/write_txn.h"

using namespace epsync;

namespace {

constexpr const char* kCentre = "ALM-014";
const Date kToday{2026, 12, 6};

struct RulesWorld {
  test::TempDir dir;
  std::unique_ptr<Store> centre;
  std::unique_ptr<hub::HubStore> hub;
  std::string trainee;  // a valid trainee, at the hub too
  std::int64_t pushed = 0;
  explicit RulesWorld(const std::string& op = "registrar") {
    StoreOptions o = eps_store_options();
    o.create = true;
    o.operator_name = op;
    centre = Store::open(dir.file("centre.db"), o).value();
    REQUIRE(centre->set_meta("center_id", kCentre).ok());
    hub = hub::HubStore::open(dir.file("hub.db")).value();
    REQUIRE(hub->add_center(kCentre, "almaty", "Almaty college").ok());
    auto id = registrar([](Records& r) {
      TraineeFields f;
      f.iin = make_iin(Date{1995, 1, 1}, 'F', 7);
      f.surname = "Қасымова", f.given_name = "Әлия", f.birth_date = "1995-01-01", f.sex = "F";
      return r.add_trainee(f, FieldStyle::kFlag);
    });
    REQUIRE_MESSAGE(id.ok(), id.status().message());
    trainee = id.value();
    first_push = push();
  }
  std::vector<sync::Quarantined> first_push;  // the trainee's own: empty unless the operator is bad
  // The registrar's path: one Records write in its own transaction.
  Result<std::string> registrar(const std::function<Result<std::string>(Records&)>& write) {
    WriteTxn w(*centre);
    REQUIRE(w.begin().ok());
    Records r(w, kCentre, kToday);
    auto out = write(r);
    if (out.ok()) REQUIRE(w.commit().ok());
    return out;
  }
  // A centre that bypasses its CLI: the row straight into its store through change capture.
  void bypass(const std::function<Status(WriteTxn&)>& write) {
    test::write_and_commit(*centre, [&](WriteTxn& w) {
      Status s = write(w);
      REQUIRE_MESSAGE(s.ok(), s.message());
    });
  }
  // Everything the centre made since the last push, as one batch: the hub's quarantine notices.
  std::vector<sync::Quarantined> push() {
    ChangeQuery q;
    q.site = centre->site_id();
    q.after_site_seq = pushed;
    auto changes = read_changes(*centre, q).value();
    if (changes.empty()) return {};
    pushed = changes.back().site_seq;
    auto answers = hub->commit({hub::PushJob{kCentre, centre->site_id(), sync::Push{1, std::move(changes)}}});
    REQUIRE(answers[0].ok());
    REQUIRE(std::holds_alternative<sync::Ack>(answers[0].value()));
    return std::get<sync::Ack>(answers[0].value()).quarantined;
  }
};

Columns test_row(const std::string& trainee, const std::string& kind, std::int64_t score, const std::string& date = "2026-09-20") {
  return {{"trainee_id", trainee}, {"kind", kind}, {"test_date", date}, {"score", score}, {"source", std::string("center")}};
}

struct Walk {
  const char* rule;
  std::function<Result<std::string>(Records&, const std::string& trainee)> registrar;
  std::function<Status(WriteTxn&, const std::string& trainee)> bypass;
  const char* cli_field;  // what the registrar's error starts with: the field as the caller names it
  const char* hub_field;  // what the hub's quarantine reason starts with
};

TraineeFields trainee_fields(const std::string& iin, const std::string& birth, const std::string& sex) {
  TraineeFields f;
  f.iin = iin, f.surname = "Нурланов", f.given_name = "Ерғали", f.birth_date = birth, f.sex = sex;
  return f;
}

Columns trainee_cols(const std::string& iin, const std::string& birth, const std::string& sex) {
  return Columns{{"iin", iin}, {"surname", std::string("Нурланов")}, {"given_name", std::string("Ерғали")},
                 {"birth_date", birth}, {"sex", sex}, {"status", std::string("active")}};
}

// The registrar's `trainee add` with these fields.
auto add(TraineeFields f) {
  return [f](Records& r, const std::string&) { return r.add_trainee(f, FieldStyle::kFlag); };
}

// The same trainee written around the registrar's path.
auto insert_trainee(Columns cols) {
  return [cols](WriteTxn& w, const std::string&) { return w.insert("trainee", new_row_id(), kCentre, cols); };
}

// A score out of its test kind's range, each way.
std::vector<Walk> score_walks() {
  auto score = [](const char* kind, std::int64_t n) {
    return Walk{"", [=](Records& r, const std::string& t) { return r.record_test(t, TestInput{kind, "2026-09-20", n}); },
                [=](WriteTxn& w, const std::string& t) { return w.insert("test_result", new_row_id(), kCentre, test_row(t, kind, n)); },
                "score:", "test_result.score:"};
  };
  std::vector<Walk> out;
  for (auto [kind, n] : {std::pair{"eps-topik", 250}, {"mock", 201}, {"skills", 101}, {"topik", 301}, {"eps-topik", -1}}) {
    Walk w = score(kind, n);
    w.rule = "score range by test kind";
    out.push_back(w);
  }
  return out;
}

// A trainee's IIN, dates and enumerations.
std::vector<Walk> trainee_walks() {
  const std::string iin_m = make_iin(Date{1990, 5, 17}, 'M', 3);
  std::vector<Walk> out;
  out.push_back({"IIN against birth date", add(trainee_fields(iin_m, "1990-05-18", "M")),
                 insert_trainee(trainee_cols(iin_m, "1990-05-18", "M")), "--iin:", "trainee.iin:"});
  out.push_back({"IIN against sex", add(trainee_fields(iin_m, "1990-05-17", "F")),
                 insert_trainee(trainee_cols(iin_m, "1990-05-17", "F")), "--iin:", "trainee.iin:"});
  out.push_back({"IIN check digit", add(trainee_fields(iin_m.substr(0, 11) + char('0' + (iin_m[11] - '0' + 1) % 10), "1990-05-17", "M")),
                 insert_trainee(trainee_cols(iin_m.substr(0, 11) + char('0' + (iin_m[11] - '0' + 1) % 10), "1990-05-17", "M")),
                 "--iin:", "trainee.iin:"});
  {
    TraineeFields only_surname;
    only_surname.surname = "Жалғыз";
    out.push_back({"a new trainee's required fields", add(only_surname),
                   insert_trainee({{"surname", std::string("Жалғыз")}}), "--given-name:", "trainee."});
  }
  out.push_back({"birth date not in the future", add(trainee_fields(make_iin(Date{2027, 1, 2}, 'M', 1), "2027-01-02", "M")),
                 insert_trainee(trainee_cols(make_iin(Date{2027, 1, 2}, 'M', 1), "2027-01-02", "M")), "--birth-date:",
                 "trainee.birth_date:"});
  out.push_back({"sex is F or M", add(trainee_fields(iin_m, "1990-05-17", "X")),
                 insert_trainee(trainee_cols(iin_m, "1990-05-17", "X")), "--sex:", "trainee.sex:"});
  return out;
}

// A trainee's text: control characters, invalid UTF-8, length; and the sector enumeration.
std::vector<Walk> text_walks() {
  const std::string iin_m = make_iin(Date{1990, 5, 17}, 'M', 3);
  std::vector<Walk> out;
  TraineeFields f = trainee_fields(iin_m, "1990-05-17", "M");
  f.surname = "Нур\x1b[31mланов";
  Columns c = trainee_cols(iin_m, "1990-05-17", "M");
  c[1].second = std::string("Нур\x1b[31mланов");
  out.push_back({"text without control characters", add(f), insert_trainee(c), "--surname:", "trainee.surname:"});
  for (const char* bad : {"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc2\x9b"}) {
    // An overlong '/', a surrogate, past U+10FFFF, a C1 control (CSI).
    f.surname = std::string("Нур") + bad;
    c[1].second = std::string("Нур") + bad;
    out.push_back({"text is valid UTF-8", add(f), insert_trainee(c), "--surname:", "trainee.surname:"});
  }
  f.surname = std::string(101, 'a');
  c[1].second = std::string(101, 'a');
  out.push_back({"text length", add(f), insert_trainee(c), "--surname:", "trainee.surname:"});
  f = trainee_fields(iin_m, "1990-05-17", "M");
  f.sector = "mining";
  c = trainee_cols(iin_m, "1990-05-17", "M");
  c.emplace_back("sector", std::string("mining"));
  out.push_back({"sector enumeration", add(f), insert_trainee(c), "--sector:", "trainee.sector:"});
  return out;
}

// The rules of medical checks, documents and test dates.
std::vector<Walk> record_walks() {
  std::vector<Walk> out;
  out.push_back({"medical: fit needs a validity date",
                 [](Records& r, const std::string& t) { return r.record_medical(t, MedicalInput{"2026-10-01", "fit", std::nullopt, std::nullopt}); },
                 [](WriteTxn& w, const std::string& t) {
                   return w.insert("medical_check", new_row_id(), kCentre,
                                   {{"trainee_id", t}, {"check_date", std::string("2026-10-01")}, {"result", std::string("fit")}});
                 },
                 "valid_until:", "medical_check.valid_until:"});
  out.push_back({"medical: valid until after the examination",
                 [](Records& r, const std::string& t) {
                   return r.record_medical(t, MedicalInput{"2026-10-01", "unfit", std::string("2026-09-01"), std::nullopt});
                 },
                 [](WriteTxn& w, const std::string& t) {
                   return w.insert("medical_check", new_row_id(), kCentre,
                                   {{"trainee_id", t}, {"check_date", std::string("2026-10-01")}, {"result", std::string("unfit")},
                                    {"valid_until", std::string("2026-09-01")}});
                 },
                 "valid_until:", "medical_check.valid_until:"});
  out.push_back({"document: expires after issued",
                 [](Records& r, const std::string& t) {
                   return r.record_document(t, DocumentInput{"passport", "verified", std::nullopt, std::string("2025-01-01"),
                                                             std::string("2024-01-01"), std::nullopt});
                 },
                 [](WriteTxn& w, const std::string& t) {
                   return w.insert("document_check", new_row_id(), kCentre,
                                   {{"trainee_id", t}, {"kind", std::string("passport")}, {"status", std::string("verified")},
                                    {"issued", std::string("2025-01-01")}, {"expires", std::string("2024-01-01")}});
                 },
                 "expires:", "document_check.expires:"});
  out.push_back({"test date not in the future",
                 [](Records& r, const std::string& t) { return r.record_test(t, TestInput{"eps-topik", "2027-03-01", 150}); },
                 [](WriteTxn& w, const std::string& t) {
                   return w.insert("test_result", new_row_id(), kCentre, test_row(t, "eps-topik", 150, "2027-03-01"));
                 },
                 "date:", "test_result.test_date:"});
  return out;
}

// Every rule, each walked both ways: through the registrar and around it.
std::vector<Walk> walks() {
  std::vector<Walk> out;
  for (auto part : {score_walks(), trainee_walks(), text_walks(), record_walks()})
    out.insert(out.end(), part.begin(), part.end());
  return out;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TEST_CASE("rules: every rule refuses at the registrar's path and quarantines at the hub") {
  for (const Walk& walk : walks()) {
    RulesWorld w;
    REQUIRE(w.first_push.empty());
    CAPTURE(walk.rule);
    auto refused = w.registrar([&](Records& r) { return walk.registrar(r, w.trainee); });
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.status().code() == Status::Code::kInvalidInput);
    CHECK_MESSAGE(starts_with(refused.status().message(), walk.cli_field), refused.status().message());
    const std::string hub_before = canonical_dump(w.hub->store()).value();
    w.bypass([&](WriteTxn& tx) { return walk.bypass(tx, w.trainee); });
    auto q = w.push();
    REQUIRE(q.size() == 1);
    CHECK_MESSAGE(starts_with(q[0].reason, walk.hub_field), q[0].reason);
    CHECK(canonical_dump(w.hub->store()).value() == hub_before);
  }
}

TEST_CASE("rules: an update is checked at the hub against the row it changes") {
  RulesWorld w;
  auto test = w.registrar([&](Records& r) { return r.record_test(w.trainee, TestInput{"eps-topik", "2026-09-20", 150}); });
  REQUIRE(test.ok());
  REQUIRE(w.push().empty());
  // The CLI has no command that changes a score alone; a centre bypassing it sets 250 on an
  // EPS-TOPIK result. The change carries no kind: the hub takes it from the stored row.
  w.bypass([&](WriteTxn& tx) { return tx.update("test_result", test.value(), {{"score", std::int64_t{250}}}); });
  auto q = w.push();
  REQUIRE(q.size() == 1);
  CHECK(starts_with(q[0].reason, "test_result.score: eps-topik scores run from 0 to 200"));
  auto st = w.hub->store().db().prepare("SELECT score FROM test_result WHERE id = ?");
  REQUIRE(st.ok());
  st->bind(1, test.value());
  REQUIRE(st->step().value());
  CHECK(st->column_int(0) == 150);
  // A valid correction after it flows.
  w.bypass([&](WriteTxn& tx) { return tx.update("test_result", test.value(), {{"score", std::int64_t{160}}}); });
  CHECK(w.push().empty());
}

TEST_CASE("rules: the operator of a change is clean text at the CLI and at the hub") {
  CHECK_FALSE(validate_operator("reg\x1b[2Jistrar").ok());
  CHECK_FALSE(validate_operator("reg\nistrar").ok());
  CHECK_FALSE(validate_operator(std::string(65, 'a')).ok());
  CHECK(validate_operator("Әлия").ok());
  RulesWorld w("evil\n<0>operator");
  w.bypass([&](WriteTxn& tx) {
    return tx.insert("korean_course", new_row_id(), kCentre, {{"trainee_id", w.trainee}, {"hours", std::int64_t{10}}});
  });
  REQUIRE(w.first_push.size() == 1);  // the trainee, made by the same operator
  CHECK(starts_with(w.first_push[0].reason, "operator:"));
  auto q = w.push();
  REQUIRE(q.size() == 1);
  CHECK(starts_with(q[0].reason, "operator:"));
}
