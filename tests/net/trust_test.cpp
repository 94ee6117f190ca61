// The hub's trust boundary (SPEC §4 Authorisation, Quarantine; docs/SECURITY.md): a centre with a
// valid certificate, speaking the protocol as it pleases (tests/net/hostile_client.h), touches
// only its own rows, its own site and its own queue. Each refused attempt leaves the hub's data
// as it was, and the victim's next sync succeeds with nothing lost.
#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "net/hostile_client.h"
#include "net/net_fixture.h"
#include "net/net_steps.h"
#include "storage/change_log.h"

using namespace epsync;
using namespace epsync::test;
using json = nlohmann::json;

namespace {

// Three centres that have synced: ALM-014 (the attacker), AST-001 (the victim), PAV-005.
struct TrustWorld {
  NetWorld w;
  std::string victim_trainee, victim_medical;
  TrustWorld() {
    w.start_hub();
    for (auto [id, region] : {std::pair{"ALM-014", "almaty"}, {"AST-001", "astana"}, {"PAV-005", "pavlodar"}}) {
      w.add_centre(id, region);
      w.enrol(id, "Ақжол");
    }
    victim_trainee = w.enrol("AST-001", "Жертва");
    auto r = w.epsync({"record", "medical", victim_trainee, "--date", "2026-10-01", "--result", "fit", "--valid-until",
                       "2027-10-01", "--config", w.centres.at("AST-001").config, "--json"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    victim_medical = json::parse(r.out).at("id").get<std::string>();
    for (const char* c : {"ALM-014", "AST-001", "PAV-005"}) w.must_sync(c);
  }
  const Centre& attacker() { return w.centres.at("ALM-014"); }
  std::string site_of(const std::string& centre) { return w.open_store(w.centres.at(centre).db)->site_id(); }
  // The victim writes again and syncs: everything it ever made is at the hub once, and the hub's
  // copy of its rows is its own.
  void victim_unharmed() {
    w.enrol("AST-001", "Кейін");
    w.must_sync("AST-001");
    w.check_all_changes_at_hub_once("AST-001");
    CHECK(w.hub_view("AST-001") == w.centre_view("AST-001"));
  }
};

CellChange cell(const std::string& column, Value v) { return CellChange{column, std::move(v), 0, ""}; }

// A valid new trainee of the attacker's own, sent ahead of the attack in the same batch: it must
// not be applied either.
RowChange own_new_trainee(const std::string& site, std::int64_t seq) {
  return forged_change("trainee", new_row_id(), "ALM-014", site, seq,
                       {cell("center_id", std::string("ALM-014")), cell("deleted", std::int64_t{0}),
                        cell("iin", std::string("950101401239")), cell("surname", std::string("Өзім")),
                        cell("given_name", std::string("Әлия")), cell("birth_date", std::string("1995-01-01")),
                        cell("sex", std::string("F")), cell("status", std::string("active"))});
}

// A forged change, made for the site it is sent under; `names_seq` is the site_seq the hub's
// refusal names (0: none).
struct Forgery {
  const char* what;
  std::function<RowChange(const std::string& site)> change;
  std::int64_t names_seq = 0;
};

// The attacker's batch under a new site: its own new trainee (site_seq 1), then the forgery.
HostileResult send_after_own_trainee(TrustWorld& t, const Forgery& f) {
  std::string site = new_random_id();
  return hostile_session(t.w, t.attacker(), {"", site, {own_new_trainee(site, 1), f.change(site)}});
}

}  // namespace

TEST_CASE("trust: a centre cannot write another centre's rows, whatever owner it claims") {
  TrustWorld t;
  NetWorld& w = t.w;
  const HubState before = w.hub_state();
  const std::vector<Forgery> attacks = {
      {"the victim's trainee, claimed as the attacker's own",
       [&](const std::string& site) {
         return forged_change("trainee", t.victim_trainee, "ALM-014", site, 2, {cell("status", std::string("withdrawn"))});
       }},
      {"the victim's medical result, claimed as the victim's",
       [&](const std::string& site) {
         return forged_change("medical_check", t.victim_medical, "AST-001", site, 2, {cell("result", std::string("unfit"))});
       }},
      {"the victim's medical check moved to the attacker",
       [&](const std::string& site) {
         return forged_change("medical_check", t.victim_medical, "ALM-014", site, 2,
                              {cell("center_id", std::string("ALM-014")), cell("result", std::string("unfit"))});
       }},
  };
  for (const auto& a : attacks) {
    INFO(a.what);
    std::size_t from = w.log_size();
    auto r = send_after_own_trainee(t, a);
    CHECK(r.welcomed);
    REQUIRE(r.refusal.has_value());
    CHECK(r.refusal->code == "forbidden-row");
    CHECK(r.refusal->site_seq == 2);
    CHECK(r.refusal->message.find("nothing applied") != std::string::npos);
    CHECK(w.wait_for_log("refused a batch from ALM-014", from).find("forbidden-row") != std::string::npos);
    CHECK(w.hub_running());
    check_same(w.hub_state(), before);
  }
  CHECK(scalar(w.hub_db, "SELECT count(*) FROM refused WHERE center = 'ALM-014' AND code = 'forbidden-row'") == 3);
  auto listed = w.hub_cmd({"quarantine", "--json"});
  REQUIRE_MESSAGE(listed.exit_code == 0, listed.err);
  int refused = 0;
  for (const auto& e : json::parse(listed.out))
    if (e["kind"] == "refused") {
      ++refused;
      CHECK(e["reason"].get<std::string>().rfind("forbidden-row: ", 0) == 0);
    }
  CHECK(refused == 3);
  t.victim_unharmed();
}

TEST_CASE("trust: a site belongs to the centre that first presented it, across restarts and restores") {
  TrustWorld t;
  NetWorld& w = t.w;
  const std::string victim_site = t.site_of("AST-001");
  const HubState before = w.hub_state();
  auto steal_site = [&](const char* when) {
    INFO(when);
    std::size_t from = w.log_size();
    std::string site = victim_site;
    auto r = hostile_session(w, t.attacker(), {"", site, {own_new_trainee(site, 1)}});
    CHECK_FALSE(r.welcomed);  // no welcome: the victim's mark is not disclosed
    REQUIRE(r.refusal.has_value());
    CHECK(r.refusal->code == "unauthorized");
    CHECK(r.refusal->message.find("belongs to another centre") != std::string::npos);
    CHECK(r.refusal->message.find("AST-001") == std::string::npos);
    // The hub's log names both centres, for the administrator.
    CHECK(w.wait_for_log("belongs to AST-001, not to ALM-014", from).find(victim_site) != std::string::npos);
    check_same(w.hub_state(), before);
  };
  steal_site("while the hub runs");
  t.victim_unharmed();
  const HubState later = w.hub_state();
  REQUIRE(w.stop_hub() == 0);
  w.start_hub();
  {
    std::size_t from = w.log_size();
    auto r = hostile_session(w, t.attacker(), {"", victim_site, {}});
    CHECK_FALSE(r.welcomed);
    CHECK(w.wait_for_log("belongs to AST-001", from).size() > 0);
  }
  // A store put back from a backup made before bindings existed: rebuilt from the log at start.
  REQUIRE(w.stop_hub() == 0);
  {
    auto hub = w.open_store(w.hub_db);
    REQUIRE(hub->db().exec("DELETE FROM site_owner").ok());
  }
  w.start_hub();
  {
    std::size_t from = w.log_size();
    auto r = hostile_session(w, t.attacker(), {"", victim_site, {}});
    CHECK_FALSE(r.welcomed);
    REQUIRE(r.refusal.has_value());
    CHECK(r.refusal->code == "unauthorized");
    CHECK(w.wait_for_log("belongs to AST-001", from).size() > 0);
  }
  check_same(w.hub_state(), later);
  t.victim_unharmed();
  // The attacker's own real site still works.
  w.enrol("ALM-014", "Адал");
  w.must_sync("ALM-014");
  w.check_all_changes_at_hub_once("ALM-014");
}

TEST_CASE("trust: a malformed change gets a definite bad-message, never 'internal'") {
  TrustWorld t;
  NetWorld& w = t.w;
  const HubState before = w.hub_state();
  const std::vector<Forgery> cases = {
      {"an unknown table", [](const std::string& s) { return forged_change("nosuch", new_row_id(), "ALM-014", s, 2, {cell("x", std::int64_t{1})}); }, 2},
      {"an unknown column", [](const std::string& s) { return forged_change("trainee", new_row_id(), "ALM-014", s, 2, {cell("salary", std::int64_t{1})}); }, 2},
      {"no cells", [](const std::string& s) { return forged_change("trainee", new_row_id(), "ALM-014", s, 2, {}); }, 2},
      {"site_seq 0", [](const std::string& s) { return forged_change("trainee", new_row_id(), "ALM-014", s, 0, {cell("surname", std::string("X"))}); }, 0},
      {"a center_id cell naming another centre",
       [](const std::string& s) {
         return forged_change("trainee", new_row_id(), "ALM-014", s, 2, {cell("center_id", std::string("AST-001"))});
       }, 2},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    std::size_t from = w.log_size();
    auto r = send_after_own_trainee(t, c);
    REQUIRE(r.refusal.has_value());
    CHECK(r.refusal->code == "bad-message");
    CHECK(r.refusal->site_seq == c.names_seq);
    CHECK(w.wait_for_log("refused a batch from ALM-014", from).find("bad-message") != std::string::npos);
    check_same(w.hub_state(), before);
  }
  CHECK(w.log().find("not stored") == std::string::npos);
  t.victim_unharmed();
}

TEST_CASE("trust: a refused change is set aside at the centre and the queue behind it flows") {
  TrustWorld t;
  NetWorld& w = t.w;
  const Centre& alm = w.centres.at("ALM-014");
  // The attacker's own store holds a change to the victim's trainee, made under its own name and
  // ahead of honest work; the hub refuses the batch, and then must not block what follows.
  store_write(w, alm.db, [&](WriteTxn& tx) {
    REQUIRE(tx.insert("trainee", t.victim_trainee, "ALM-014", {{"surname", std::string("Ұрланған")}}).ok());
  });
  std::string legit = w.enrol("ALM-014", "Заңды");
  const HubState before = w.hub_state();
  auto first = w.sync("ALM-014");
  CHECK(first.exit_code == 1);
  CHECK(first.err.find("forbidden-row") != std::string::npos);
  check_same(w.hub_state(), before);
  auto st = json::parse(w.epsync({"status", "--json", "--config", alm.config}).out);
  CHECK(st["pending"] == 2);
  CHECK(st["quarantined"] == 1);
  // The next sync sets the refused change aside at the hub and delivers the rest.
  auto second = w.sync("ALM-014");
  CHECK_MESSAGE(second.exit_code == 0, second.err);
  CHECK(scalar(w.hub_db, "SELECT count(*) FROM trainee WHERE id = '" + legit + "'") == 1);
  CHECK(scalar(w.hub_db, "SELECT count(*) FROM trainee WHERE id = '" + t.victim_trainee + "' AND center_id = 'AST-001' "
                         "AND surname = 'Жертва'") == 1);
  st = json::parse(w.epsync({"status", "--json", "--config", alm.config}).out);
  CHECK(st["pending"] == 0);
  CHECK(st["quarantined"] == 1);
  // The registrar sees which change, why, and what to do.
  auto listed = w.epsync({"quarantine", "--json", "--config", alm.config});
  REQUIRE_MESSAGE(listed.exit_code == 0, listed.err);
  auto list = json::parse(listed.out);
  REQUIRE(list.size() == 1);
  CHECK(list[0]["table"] == "trainee");
  CHECK(list[0]["row_id"] == t.victim_trainee);
  CHECK(list[0]["reason"].get<std::string>().rfind("refused (forbidden-row)", 0) == 0);
  CHECK(list[0]["advice"].get<std::string>().find("another centre") != std::string::npos);
  auto text = w.epsync({"quarantine", "--config", alm.config});
  CHECK(text.out.find("what to do:") != std::string::npos);
  auto third = w.sync("ALM-014");  // nothing is sent again
  CHECK(third.exit_code == 0);
  t.victim_unharmed();
}

TEST_CASE("trust: over the wire the hub applies the CLI's rules and quarantines what breaks them") {
  TrustWorld t;
  NetWorld& w = t.w;
  const HubState before = w.hub_state();
  std::string site = new_random_id();
  const std::string own_trainee = new_row_id();
  RowChange trainee = own_new_trainee(site, 1);
  trainee.row_id = own_trainee;
  auto test_row = [&](std::int64_t seq, std::int64_t score) {
    return forged_change("test_result", new_row_id(), "ALM-014", site, seq,
                         {cell("center_id", std::string("ALM-014")), cell("deleted", std::int64_t{0}),
                          cell("trainee_id", own_trainee), cell("kind", std::string("eps-topik")),
                          cell("test_date", std::string("2026-09-20")), cell("score", score),
                          cell("source", std::string("center"))});
  };
  RowChange mismatched = own_new_trainee(site, 3);  // the IIN encodes 1995-01-01, F
  mismatched.cells[5].value = std::string("1995-01-02");  // birth_date
  RowChange only_surname = forged_change("trainee", new_row_id(), "ALM-014", site, 4,
                                         {cell("center_id", std::string("ALM-014")), cell("surname", std::string("Жалғыз"))});
  RowChange escaped_operator = test_row(5, 120);
  escaped_operator.op = "reg\x1b[2J\n<0>istrar";
  auto r = hostile_session(w, t.attacker(),
                           {"", site, {trainee, test_row(2, 250), mismatched, only_surname, escaped_operator, test_row(6, 150)}});
  CHECK_MESSAGE(r.status == "ok", r.status);
  REQUIRE(r.acks.size() == 1);
  CHECK(r.acks[0].hwm == 6);  // counted as received: the queue flows
  std::map<std::int64_t, std::string> reasons;
  for (const auto& q : r.acks[0].quarantined) reasons[q.site_seq] = q.reason;
  REQUIRE(reasons.size() == 4);
  CHECK(reasons[2].rfind("test_result.score: eps-topik scores run from 0 to 200", 0) == 0);
  CHECK(reasons[3].rfind("trainee.iin:", 0) == 0);
  CHECK(reasons[4].rfind("trainee.", 0) == 0);
  CHECK(reasons[4].find("is required") != std::string::npos);
  CHECK(reasons[5].rfind("operator:", 0) == 0);
  // Only the valid trainee and its valid result were applied; nothing else changed.
  CHECK(scalar(w.hub_db, "SELECT count(*) FROM trainee WHERE id = '" + own_trainee + "'") == 1);
  CHECK(scalar(w.hub_db, "SELECT count(*) FROM test_result WHERE trainee_id = '" + own_trainee + "'") == 1);
  CHECK(scalar(w.hub_db, "SELECT count(*) FROM quarantine WHERE site = '" + site + "'") == 4);
  CHECK(w.hub_state().change_log == before.change_log + 2);
  // The hub's log says why without the operator's escapes or any value.
  std::string log = w.log();
  CHECK(log.find("\x1b[2J") == std::string::npos);
  CHECK(log.find("\n<0>") == std::string::npos);
  t.victim_unharmed();
}
