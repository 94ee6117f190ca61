// The protocol end to end with real stores but no sockets: convergence, routing, authorisation,
// quarantine, skew, versions, interrupted sessions and a hub restored from an older backup.
#include <doctest/doctest.h>

#include <filesystem>
#include <functional>

#include "storage/merge.h"
#include "sync/codec.h"
#include "sync/frame.h"
#include "support/stores.h"
#include "support/write_txn.h"
#include "sync_fixture.h"
#include "util/i18n.h"

using namespace epsync;
using namespace epsync::test;

namespace {

std::int64_t rows(Store& s, const std::string& sql) {
  auto st = s.db().prepare(sql);
  REQUIRE_MESSAGE(st.ok(), st.status().message());
  REQUIRE(st->step().value());
  return st->column_int(0);
}

// The centre writes rows with the library, around the CLI's checks, then syncs.
Status sync_after_writing(SyncWorld& w, const std::string& centre, const std::function<void(WriteTxn&)>& writes) {
  test::write_and_commit(*w.centres[centre], writes);
  return w.sync(centre);
}

}  // namespace

TEST_CASE("sync: three centres and the hub converge - each centre holds only its own rows") {
  SyncWorld w;
  for (const char* c : {"ALM-014", "AST-001", "SHY-007"}) {
    w.centre(c, c[0] == 'A' && c[1] == 'L' ? "almaty" : c[0] == 'A' ? "astana" : "shymkent");
    w.enrol(c, std::string("Сәрсенбай-") + c);
    w.enrol(c, "Ёлкин");
  }
  for (const char* c : {"ALM-014", "AST-001", "SHY-007"}) w.must_sync(c);
  CHECK(rows(w.hub->store(), "SELECT count(*) FROM trainee") == 6);

  // The hub corrects a trainee of ALM-014 and sets a rule; centres write more meanwhile.
  std::string alm_trainee = w.enrol("ALM-014", "Қасымова");
  w.must_sync("ALM-014");
  {
    test::write_and_commit(w.hub->store(), [&](WriteTxn& tx) {
      REQUIRE(tx.update("trainee", alm_trainee, {{"surname", std::string("Қасымова-Ли")}}).ok());
      REQUIRE(tx.insert("rules", "eps_topik_pass_mark", "*", {{"value", std::string("85")}}).ok());
    });
  }
  w.enrol("AST-001", "Үсенов");
  for (int round = 0; round < 2; ++round)
    for (const char* c : {"ALM-014", "AST-001", "SHY-007"}) w.must_sync(c);

  for (const char* c : {"ALM-014", "AST-001", "SHY-007"}) {
    CAPTURE(c);
    CHECK(w.centre_view(c) == w.hub_view(c));
    // Exactly its own trainees, and every reference row (centres, rules).
    CHECK(rows(*w.centres[c], "SELECT count(*) FROM trainee WHERE center_id != '" + std::string(c) + "'") == 0);
    CHECK(rows(*w.centres[c], "SELECT count(*) FROM center") == 3);
    CHECK(rows(*w.centres[c], "SELECT count(*) FROM rules") == 1);
  }
  CHECK(rows(*w.centres["ALM-014"], "SELECT count(*) FROM trainee WHERE surname = 'Қасымова-Ли'") == 1);
  CHECK(rows(w.hub->store(), "SELECT count(*) FROM trainee") == 8);
  // A sync with nothing new moves nothing.
  CHECK(w.sync("SHY-007").ok());
}

TEST_CASE("sync: a session cut at every message boundary resumes without loss or duplication") {
  SyncWorld w;
  w.centre("ALM-014");
  for (int i = 0; i < 30; ++i) w.enrol("ALM-014", "T" + std::to_string(i));
  {
    test::write_and_commit(w.hub->store(), [&](WriteTxn& tx) {
      REQUIRE(tx.insert("rules", "min_age", "*", {{"value", std::string("18")}}).ok());
    });
  }
  int failures = 0;
  for (int cut = 0; cut < 12; ++cut) {
    CAPTURE(cut);
    w.enrol("ALM-014", "Cut" + std::to_string(cut));
    Status s = w.sync("ALM-014", "", cut);
    if (!s.ok()) ++failures;
  }
  CHECK(failures >= 6);  // a session is 8 frames; cut after the last, the work was already done
  w.must_sync("ALM-014");
  CHECK(w.centre_view("ALM-014") == w.hub_view("ALM-014"));
  CHECK(rows(w.hub->store(), "SELECT count(*) FROM trainee") == 42);
  // Nothing was applied twice: one log record per row change made at the centre.
  // 42 enrolments, the rule and the centre's registry row, each logged exactly once on each side.
  CHECK(rows(w.hub->store(), "SELECT count(*) FROM change_log") == 44);
  CHECK(rows(*w.centres["ALM-014"], "SELECT count(*) FROM change_log") == 44);
}

TEST_CASE("sync: refusals leave the hub unchanged and say why") {
  SyncWorld w;
  w.centre("ALM-014");
  w.centre("AST-001", "astana");
  w.enrol("ALM-014", "A");
  std::string before = canonical_dump(w.hub->store()).value();

  SUBCASE("configured centre differs from the certificate's CN") {
    Status s = w.sync("ALM-014", "AST-001");
    CHECK(s.code() == Status::Code::kInvalidInput);
    CHECK(s.message().find("unauthorized") != std::string::npos);
  }
  SUBCASE("a valid certificate of an unregistered centre") {
    Status s = w.sync("ALM-014", "KRG-999");
    CHECK(s.message().find("unauthorized") != std::string::npos);  // hello says ALM-014
    Store& ghost = w.centre("KRG-999", "karaganda");
    w.enrol("KRG-999", "Ghost");
    test::write_and_commit(w.hub->store(), [](WriteTxn& tx) {  // unregister it again
      REQUIRE(tx.remove("center", "KRG-999").ok());
    });
    before = canonical_dump(w.hub->store()).value();
    s = w.sync("KRG-999");
    CHECK(s.message().find("unknown-center") != std::string::npos);
    CHECK(s.message().find("not registered") != std::string::npos);
    (void)ghost;
  }
  SUBCASE("a centre pushing a row owned by another centre: the whole batch is refused") {
    Status s = sync_after_writing(w, "ALM-014", [](WriteTxn& tx) {
      REQUIRE(tx.insert("trainee", "stolen-row-0001", "AST-001", {{"surname", std::string("X")}}).ok());
    });
    CHECK(s.message().find("forbidden-row") != std::string::npos);
    CHECK(s.message().find("nothing applied") != std::string::npos);
  }
  SUBCASE("a centre pushing a reference row") {
    Status s = sync_after_writing(w, "ALM-014", [](WriteTxn& tx) {
      REQUIRE(tx.insert("rules", "min_age", "ALM-014", {{"value", std::string("10")}}).ok());
    });
    CHECK(s.message().find("forbidden-row") != std::string::npos);
  }
  SUBCASE("protocol versions that do not overlap: the agent keeps its queue") {
    auto pending_before = pending_changes(*w.centres["ALM-014"], 0).value();
    Status s = w.sync("ALM-014", "", -1, [](sync::ClientConfig& c) { c.hello.proto_min = c.hello.proto_max = 9; });
    CHECK(s.message().find("version") != std::string::npos);
    CHECK(s.message().find("upgrade the hub") != std::string::npos);
    CHECK(pending_changes(*w.centres["ALM-014"], 0).value() == pending_before);
  }
  CHECK(canonical_dump(w.hub->store()).value() == before);
  CHECK(rows(w.hub->store(), "SELECT count(*) FROM change_log WHERE tbl != 0") == 0);
}

TEST_CASE("sync: a change that fails hub validation is quarantined - the rest flows") {
  SyncWorld w;
  Store& alm = w.centre("ALM-014");
  w.enrol("ALM-014", "Before");
  {
    WriteTxn tx(alm);  // bypasses the CLI's validation, as a buggy or old agent might
    REQUIRE(tx.begin().ok());
    REQUIRE(tx.insert("medical_check", "med-bad-0001", "ALM-014",
                      {{"trainee_id", std::string("x")}, {"check_date", std::string("2026-01-01")},
                       {"result", std::string("healthy-ish")}}).ok());
    REQUIRE(tx.commit().ok());
  }
  w.enrol("ALM-014", "After");
  w.must_sync("ALM-014");
  CHECK(rows(w.hub->store(), "SELECT count(*) FROM trainee") == 2);
  CHECK(rows(w.hub->store(), "SELECT count(*) FROM medical_check") == 0);
  auto q = w.hub->quarantine();
  REQUIRE(q.ok());
  REQUIRE(q->size() == 1);
  CHECK(q->front().reason == "medical_check.result: must be one of fit, unfit, pending");
  CHECK(q->front().center == "ALM-014");
  CHECK(rows(alm, "SELECT count(*) FROM quarantine_notice") == 1);
  // Everything counts as received: nothing pending, and a re-sync sets nothing aside twice.
  auto state = load_sync_state(alm).value();
  CHECK(pending_changes(alm, state.acked).value() == 0);
  w.must_sync("ALM-014");
  CHECK(w.hub->quarantine()->size() == 1);
}

// The hub may run on a thread given Kazakh or Russian (`epsync hub --lang ru`): what it stores and
// sends back to the centre stays English all the same.
TEST_CASE("sync: the hub's reasons for setting a change aside are English whatever the thread's language") {
  ScopedLang ru(Lang::kRu);
  SyncWorld w;
  Store& alm = w.centre("ALM-014");
  w.enrol("ALM-014", "Before");
  {
    WriteTxn tx(alm);
    REQUIRE(tx.begin().ok());
    REQUIRE(tx.insert("medical_check", "med-bad-0002", "ALM-014",
                      {{"trainee_id", std::string("x")}, {"check_date", std::string("2026-01-01")},
                       {"result", std::string("годен")}}).ok());  // a word, never normalised by this writer
    REQUIRE(tx.commit().ok());
  }
  w.must_sync("ALM-014");
  auto q = w.hub->quarantine();
  REQUIRE(q.ok());
  REQUIRE(q->size() == 1);
  CHECK(q->front().reason == "medical_check.result: must be one of fit, unfit, pending");
  CHECK(tr("must be one of {}") != std::string("must be one of {}"));  // the thread does speak Russian
}

TEST_CASE("sync: a centre whose clock is a year fast cannot win against a later hub correction") {
  SyncWorld w;
  FakeClock fast;
  fast.set(*w.clock.ms + 365LL * 86'400'000);
  Store& alm = w.centre("ALM-014", "almaty", fast.fn());
  std::string id;
  test::write_and_commit(alm, [&](WriteTxn& tx) {
    REQUIRE(tx.insert("medical_check", "med-0001", "ALM-014",
                      {{"trainee_id", std::string("t")}, {"check_date", std::string("2026-01-01")},
                       {"result", std::string("fit")}, {"valid_until", std::string("2027-01-01")}}).ok());
  });
  w.must_sync("ALM-014");
  // The hub refused to apply the future-stamped change and says why.
  CHECK(rows(w.hub->store(), "SELECT count(*) FROM medical_check") == 0);
  auto q = w.hub->quarantine().value();
  REQUIRE(q.size() == 1);
  CHECK(q[0].reason.find("ahead of this clock") != std::string::npos);
  // The analyst's correction, made later in real time, stands at the hub.
  w.clock.advance(60'000);
  {
    test::write_and_commit(w.hub->store(), [&](WriteTxn& tx) {
      REQUIRE(tx.insert("medical_check", "med-0001", "ALM-014",
                        {{"trainee_id", std::string("t")}, {"check_date", std::string("2026-01-01")},
                         {"result", std::string("unfit")}}).ok());
    });
  }
  w.must_sync("ALM-014");
  auto st = w.hub->store().db().prepare("SELECT result FROM medical_check WHERE id = 'med-0001'");
  REQUIRE(st->step().value());
  CHECK(st->column_text(0) == "unfit");
  // The agent knows its clock is off.
  auto state = load_sync_state(alm).value();
  CHECK(state.clock_offset_ms > 364LL * 86'400'000);
}

TEST_CASE("sync: a hub restored from an older backup gets everything back from the centres") {
  SyncWorld w;
  w.centre("ALM-014");
  w.centre("AST-001", "astana");
  w.enrol("ALM-014", "Early");
  w.enrol("AST-001", "Early");
  for (const char* c : {"ALM-014", "AST-001"}) w.must_sync(c);
  REQUIRE(w.hub->store().db().backup_to(w.dir.file("hub-backup.db")).ok());
  for (int i = 0; i < 3; ++i) {
    w.enrol("ALM-014", "Late" + std::to_string(i));
    w.enrol("AST-001", "Late" + std::to_string(i));
  }
  {
    WriteTxn tx(w.hub->store());  // a hub write that the restore will lose too
    REQUIRE(tx.begin().ok());
    REQUIRE(tx.insert("rules", "min_age", "*", {{"value", std::string("18")}}).ok());
    REQUIRE(tx.commit().ok());
  }
  for (const char* c : {"ALM-014", "AST-001"}) w.must_sync(c);
  CHECK(rows(w.hub->store(), "SELECT count(*) FROM trainee") == 8);

  // Disaster: the hub's disk is replaced by the backup.
  w.hub.reset();
  std::filesystem::remove(w.dir.file("hub.db-wal"));
  std::filesystem::remove(w.dir.file("hub.db-shm"));
  std::filesystem::copy_file(w.dir.file("hub-backup.db"), w.dir.file("hub.db"),
                             std::filesystem::copy_options::overwrite_existing);
  w.open_hub();
  CHECK(rows(w.hub->store(), "SELECT count(*) FROM trainee") == 2);
  {
    WriteTxn tx(w.hub->store());  // the restored hub writes before anyone reconnects
    REQUIRE(tx.begin().ok());
    REQUIRE(tx.insert("rules", "max_age", "*", {{"value", std::string("39")}}).ok());
    REQUIRE(tx.commit().ok());
  }
  for (int round = 0; round < 2; ++round)
    for (const char* c : {"ALM-014", "AST-001"}) w.must_sync(c);
  CHECK(rows(w.hub->store(), "SELECT count(*) FROM trainee") == 8);
  for (const char* c : {"ALM-014", "AST-001"}) {
    CAPTURE(c);
    // Every row change the centre made is at the hub again, and the centre's rows agree.
    Store& centre = *w.centres[c];
    ChangeQuery own;
    own.site = centre.site_id();
    own.limit = 1000;
    for (const auto& ch : read_changes(centre, own).value())
      CHECK(rows(w.hub->store(), "SELECT count(*) FROM change_log c JOIN site s ON s.id = c.site WHERE s.uuid = '" +
                                     ch.site + "' AND c.site_seq = " + std::to_string(ch.site_seq)) == 1);
    auto trainees = [&](Store& s) {
      return rows(s, "SELECT count(*) FROM trainee WHERE center_id = '" + std::string(c) + "'");
    };
    CHECK(trainees(centre) == trainees(w.hub->store()));
    CHECK(rows(centre, "SELECT count(*) FROM rules WHERE id = 'max_age'") == 1);  // written after the restore
  }
}

namespace {
// A row change with every field set, for the codec tests.
RowChange sample_change() {
  RowChange c;
  c.table = "trainee";
  c.row_id = "r1";
  c.center = "ALM-014";
  c.hlc = 123456789;
  c.site = std::string(32, 'a');
  c.site_seq = 7;
  c.op = "registrar";
  return c;
}
}  // namespace

TEST_CASE("codec: every message survives a round trip - bad bytes are refused") {
  RowChange c = sample_change();
  c.cells = {{"surname", std::string("Әлия"), 0, ""}, {"deleted", std::int64_t{0}, 99, std::string(32, 'b')},
             {"patronymic", std::monostate{}, 0, ""}};
  std::vector<sync::Message> all = {
      sync::Hello{1, 1, 2, 2, "ALM-014", std::string(32, 'a'), "0.1", {"zstd"}},
      sync::Welcome{1, 2, "epoch", 5, 1700000000000, "zstd", 1 << 20, 300000},
      sync::Heartbeat{"0.1", 3, 12, 60, -1200, 1 << 30, 1800000000, "timeout"},
      sync::Push{9, {c, c}},
      sync::Ack{9, 12, {{11, "trainee.sex: must be one of F, M"}}},
      sync::Pull{44, "x:1", 1 << 20},
      sync::Changes{{c}, 45, "y:2", true, false},
      sync::Ping{}, sync::Pong{}, sync::Bye{}, sync::Error{"version", "upgrade"}};
  for (const auto& m : all) {
    CAPTURE(sync::message_name(m));
    auto back = sync::decode_message(sync::encode_message(m));
    REQUIRE(back.ok());
    CHECK(back->index() == m.index());
    CHECK(sync::encode_message(back.value()) == sync::encode_message(m));
  }
  for (std::string bad : {std::string(""), std::string("\xc1"), std::string("\x91\x01"),
                          sync::encode_message(sync::Ping{}) + "x", std::string("\x81\xa4type\xa5hello")}) {
    auto r = sync::decode_message(bad);
    CHECK_FALSE(r.ok());
    CHECK(r.status().message().rfind("bad message", 0) == 0);
  }
}

TEST_CASE("codec: a float cell stays a float through a round trip, whole-numbered or huge") {
  for (double d : {3.0, -2.0, 0.0, 0.5, 9223372036854775808.0, 1e300}) {
    CAPTURE(d);
    RowChange c = sample_change();
    c.table = "test_result";
    c.cells = {{"score", d, 0, ""}};
    auto back = sync::decode_message(sync::encode_message(sync::Push{1, {c}}));
    REQUIRE(back.ok());
    const Value& v = std::get<sync::Push>(back.value()).changes.at(0).cells.at(0).value;
    REQUIRE(std::holds_alternative<double>(v));
    CHECK(std::get<double>(v) == d);
  }
}

TEST_CASE("frames: the length is checked before allocation - zstd is bounded") {
  sync::FrameReader r;
  r.feed(std::string("\xff\xff\xff\xff", 4));  // a 4 GiB length prefix
  auto n = r.next();
  CHECK_FALSE(n.ok());
  CHECK(n.status().message().find("exceeds") != std::string::npos);

  std::string payload(100000, 'x');
  sync::FrameReader ok;
  std::string frame = sync::make_frame(payload, true);
  CHECK(frame.size() < 1000);
  for (char ch : frame) ok.feed(std::string(1, ch));  // byte by byte
  auto got = ok.next();
  REQUIRE(got.ok());
  REQUIRE(got.value());
  CHECK(*got.value() == payload);

  // A compressed payload that claims to expand past the limit is refused.
  std::string big(sync::kMaxFrameBytes + 1, 'y');
  sync::FrameReader bomb;
  bomb.feed(sync::make_frame(big, true));
  CHECK_FALSE(bomb.next().ok());
}

TEST_CASE("sync: many small batches in one session, their edges inside the agent's reads, lose and repeat nothing") {
  SyncWorld w;
  w.max_batch_bytes = 3000;  // a few row changes per batch; the agent reads 500 at a time
  w.open_hub();
  w.centre("ALM-014");
  for (int i = 0; i < 700; ++i) w.enrol("ALM-014", "S" + std::to_string(i));
  w.must_sync("ALM-014");
  Store& alm = *w.centres["ALM-014"];
  ChangeQuery own;
  own.site = alm.site_id();
  own.limit = 100000;
  const auto mine = read_changes(alm, own).value();
  REQUIRE(mine.size() >= 700);
  CHECK(site_high_water_mark(w.hub->store(), alm.site_id()).value() == mine.back().site_seq);
  CHECK(rows(w.hub->store(), "SELECT count(*) FROM change_log c JOIN site s ON s.id = c.site WHERE s.uuid = '" +
                                 alm.site_id() + "'") == static_cast<std::int64_t>(mine.size()));
  CHECK(w.hub_view("ALM-014") == w.centre_view("ALM-014"));
  CHECK(pending_changes(alm, load_sync_state(alm).value().acked).value() == 0);
}

TEST_CASE("sync: pending count and the oldest pending change's age, from what the hub acknowledged") {
  TempDir dir;
  FakeClock clock;
  auto s = make_store(dir.file("centre.db"), clock, "registrar");
  CHECK(pending_changes(*s, 0).value() == 0);
  CHECK(oldest_pending_age_s(*s, 0).value() == 0);
  auto write = [&](const std::string& id) {
    test::write_and_commit(*s, [&](WriteTxn& w) {
      REQUIRE(w.insert("korean_course", id, "ALM-014", {{"trainee_id", std::string("t1")}}).ok());
    });
  };
  write("k1");
  clock.advance(90'000);
  write("k2");
  clock.advance(30'000);
  CHECK(pending_changes(*s, 0).value() == 2);
  CHECK(oldest_pending_age_s(*s, 0).value() == 120);
  CHECK(pending_changes(*s, 1).value() == 1);  // the hub holds k1
  CHECK(oldest_pending_age_s(*s, 1).value() == 30);
  CHECK(pending_changes(*s, 2).value() == 0);
  CHECK(oldest_pending_age_s(*s, 2).value() == 0);
}
