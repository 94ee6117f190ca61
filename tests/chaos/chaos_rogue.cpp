#include "chaos/chaos_rogue.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <tuple>
#include <thread>

#include "storage/change_log.h"
#include "records/date.h"
#include "records/iin.h"
#include "storage/schema.h"
#include "storage/sqlite.h"
#include "storage/store.h"

namespace epsync::test {

namespace {

CellChange cell(const std::string& column, Value v) { return CellChange{column, std::move(v), 0, ""}; }

std::string answer(const HostileResult& r) {
  std::string s = r.welcomed ? "welcomed" : "not welcomed";
  if (r.refusal)
    s += ", refused " + r.refusal->code + " naming change " + std::to_string(r.refusal->site_seq) + " (" +
         r.refusal->message + ")";
  return s + ", " + std::to_string(r.acks.size()) + " ack(s), session: " + r.status;
}

}  // namespace

Rogue::Rogue(ChaosWorld& w, std::uint64_t seed, int ops, Ledger& ledger, SeedResult& out)
    : w_(w), ledger_(ledger), out_(out), rng_(seed * 7919 + 13) {
  std::vector<Attack> all = {Attack::kOwnRows,    Attack::kOwnSite,       Attack::kStealRow,
                             Attack::kClaimForVictim, Attack::kMoveRow,   Attack::kGiveRow,
                             Attack::kStealSite,  Attack::kUnknownTable, Attack::kUnknownColumn,
                             Attack::kNoCells,    Attack::kSeqZero};
  std::shuffle(all.begin(), all.end(), rng_);
  auto own = std::find(all.begin(), all.end(), Attack::kOwnRows), site = std::find(all.begin(), all.end(), Attack::kOwnSite);
  if (site < own) std::iter_swap(own, site);  // its own rows first, then the attack from that site
  std::vector<int> when;
  for (std::size_t i = 0; i < all.size(); ++i) when.push_back(static_cast<int>(rng_() % static_cast<std::uint64_t>(ops)));
  std::sort(when.begin(), when.end());
  for (std::size_t i = 0; i < all.size(); ++i) plan_.emplace_back(when[i], all[i]);
}

const char* Rogue::name(Attack a) {
  switch (a) {
    case Attack::kOwnRows: return "its own rows";
    case Attack::kOwnSite: return "an honest row from its own site, then the batch again";
    case Attack::kStealRow: return "an honest row claimed as its own";
    case Attack::kClaimForVictim: return "an honest row claimed for its owner";
    case Attack::kMoveRow: return "an honest row's center_id moved to itself";
    case Attack::kGiveRow: return "a new row whose center_id names an honest centre";
    case Attack::kStealSite: return "an honest centre's site in hello";
    case Attack::kUnknownTable: return "a change to an unknown table";
    case Attack::kUnknownColumn: return "a change to an unknown column";
    case Attack::kNoCells: return "a change with no cells";
    case Attack::kSeqZero: return "a change with site_seq 0";
  }
  return "?";
}

std::string Rogue::at(int op) {
  std::string did;
  while (next_ < plan_.size() && plan_[next_].first <= op) {
    if (!attack(plan_[next_].second)) break;  // not yet: the next operation tries again
    ++out_.fig.rogue.attacks;
    did += std::string(" attack: ") + name(plan_[next_].second) + ";";
    ++next_;
  }
  return did;
}

void Rogue::finish() {
  for (; next_ < plan_.size(); ++next_) {
    if (attack(plan_[next_].second)) ++out_.fig.rogue.attacks;
    else fail(std::string("nothing to attack after quiescence: ") + name(plan_[next_].second));
  }
}

bool Rogue::attack(Attack a) {
  auto t0 = std::chrono::steady_clock::now();
  bool made = attack_now(a);
  out_.fig.rogue.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return made;
}

bool Rogue::attack_now(Attack a) {
  switch (a) {
    case Attack::kOwnRows: {
      own_site_ = new_random_id();
      std::vector<RowChange> rows;
      int n = 2 + static_cast<int>(rng_() % 3);
      for (int k = 0; k < n; ++k) rows.push_back(own_trainee(own_site_, ++own_seq_));
      auto r = session({"", own_site_, rows});
      expect_ack(name(a), r, own_seq_, {});
      if (r.acks.size() == 1 && !r.refusal) acked_.insert(acked_.end(), rows.begin(), rows.end());
      return true;
    }
    case Attack::kOwnSite: return own_site_attack();
    case Attack::kStealSite: return steal_site();
    default: return forged_batch(a);
  }
}

// Its own site, acknowledged up to own_seq_: one valid row and a write to an honest row, refused;
// then the same two again with one more valid row: the refused change is set aside, the rest applied.
bool Rogue::own_site_attack() {
  auto target = honest_row();
  if (!target || own_site_.empty()) return false;
  const std::string what = name(Attack::kOwnSite);
  RowChange valid = own_trainee(own_site_, own_seq_ + 1);
  RowChange bad = forged_change(target->table, target->row, w_.rogue.id, own_site_, own_seq_ + 2, {target->write});
  auto r = session({"", own_site_, {valid, bad}});
  if (r.welcomed && r.welcome.hwm != own_seq_)
    fail(what + ": welcomed with its site's mark at " + std::to_string(r.welcome.hwm) + ", not " + std::to_string(own_seq_));
  expect_refusal(what, r, sync::kErrorForbiddenRow, own_site_, own_seq_ + 2, own_seq_);
  RowChange after = own_trainee(own_site_, own_seq_ + 3);
  auto again = session({"", own_site_, {valid, bad, after}});
  expect_ack(what + " (sent again)", again, own_seq_ + 3, {own_seq_ + 2});
  if (again.acks.size() == 1 && !again.refusal) {
    acked_.push_back(valid);
    acked_.push_back(after);
    ++out_.fig.rogue.set_aside;
  }
  own_seq_ += 3;
  return true;
}

// A fresh site's batch: a valid row of its own, then the attack (site_seq 2, or 0).
bool Rogue::forged_batch(Attack a) {
  const std::string site = new_random_id(), me = w_.rogue.id;
  std::optional<Target> t;
  if (a == Attack::kStealRow || a == Attack::kClaimForVictim || a == Attack::kMoveRow) {
    t = honest_row();
    if (!t) return false;
  }
  RowChange c;
  const char* code = sync::kErrorForbiddenRow;
  std::int64_t names = 2;
  if (a == Attack::kStealRow) {
    c = forged_change(t->table, t->row, me, site, 2, {t->write});
  } else if (a == Attack::kClaimForVictim) {
    c = forged_change(t->table, t->row, t->owner, site, 2, {t->write});
  } else if (a == Attack::kMoveRow) {
    c = forged_change(t->table, t->row, me, site, 2, {cell("center_id", me), t->write});
  } else {
    code = sync::kErrorBadMessage;
    auto& honest = w_.centres[rng_() % w_.centres.size()].id;
    if (a == Attack::kGiveRow) c = forged_change("trainee", new_row_id(), me, site, 2, {cell("center_id", honest)});
    else if (a == Attack::kUnknownTable) c = forged_change("payroll", new_row_id(), me, site, 2, {cell("x", std::int64_t{1})});
    else if (a == Attack::kUnknownColumn) c = forged_change("trainee", new_row_id(), me, site, 2, {cell("salary", std::int64_t{1})});
    else if (a == Attack::kNoCells) c = forged_change("trainee", new_row_id(), me, site, 2, {});
    else c = forged_change("trainee", new_row_id(), me, site, 0, {cell("phone", std::string("+77010000000"))});
    if (a == Attack::kSeqZero) names = 0;  // the refusal cannot name it
  }
  auto r = session({"", site, {own_trainee(site, 1), c}});
  expect_refusal(name(a), r, code, site, names, 0);
  return true;
}

bool Rogue::steal_site() {
  auto bound = hub_query("SELECT site, center FROM site_owner WHERE center NOT IN ('HUB', ?) ORDER BY site", {w_.rogue.id});
  if (bound.empty()) return false;
  const auto& victim = bound[rng_() % bound.size()];
  const std::string what = std::string(name(Attack::kStealSite)) + " (" + victim[1] + "'s)";
  // The victim's agent may push meanwhile: what its site holds at the hub is not checked here.
  auto r = session({"", victim[0], {own_trainee(victim[0], hub_held(victim[0]) + 1)}});
  expect_refusal(what, r, sync::kErrorUnauthorized, victim[0], 0, std::nullopt);
  if (r.welcomed) fail(what + ": welcomed");
  return true;
}

HostileResult Rogue::session(HostilePlan plan) {
  const auto& pki = w_.pki();
  HostileTarget to{w_.hub_address(), pki.ca, pki.prefix(w_.rogue.id) + ".crt", pki.prefix(w_.rogue.id) + ".key", w_.rogue.id};
  // Its sessions follow each other closely: the hub may still count the last one open (`busy`).
  for (int attempt = 0;; ++attempt) {
    auto r = hostile_session(to, plan);
    if (r.welcomed) sites_.insert(plan.site);  // it is bound to this centre now
    if (!r.refusal || r.refusal->code != sync::kErrorBusy || attempt == 20) return r;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void Rogue::expect_refusal(const std::string& what, const HostileResult& r, const char* code, const std::string& site,
                           std::int64_t site_seq, std::optional<std::int64_t> held) {
  if (!r.refusal || r.refusal->code != code || r.refusal->site_seq != site_seq || !r.acks.empty()) {
    fail(what + ": expected a refusal " + code + " naming change " + std::to_string(site_seq) + ", got: " + answer(r));
  } else {
    ++out_.fig.rogue.refusals;
    if (r.refusal->code != std::string(sync::kErrorUnauthorized)) refused_.push_back({site, site_seq, code, what});
  }
  if (std::int64_t now = held ? hub_held(site) : 0; held && now != *held)
    fail(what + ": the hub's log holds " + std::to_string(now) + " change(s) of the site, not " + std::to_string(*held));
}

void Rogue::expect_ack(const std::string& what, const HostileResult& r, std::int64_t hwm, std::vector<std::int64_t> aside) {
  std::vector<std::int64_t> got;
  if (r.acks.size() == 1)
    for (const auto& q : r.acks[0].quarantined) got.push_back(q.site_seq);
  if (r.refusal || r.acks.size() != 1 || r.acks[0].hwm != hwm || got != aside)
    fail(what + ": expected one ack up to " + std::to_string(hwm) + " setting aside " + std::to_string(aside.size()) +
         " change(s), got: " + answer(r) + (r.acks.empty() ? "" : "; ack up to " + std::to_string(r.acks[0].hwm)));
  else
    out_.fig.rogue.acked += static_cast<int>(hwm) - static_cast<int>(aside.size());
}

std::optional<Rogue::Target> Rogue::honest_row() {
  static const std::vector<std::pair<std::string, CellChange>> kWrites = {
      {"trainee", cell("status", std::string("withdrawn"))},
      {"medical_check", cell("result", std::string("unfit"))},
      {"test_result", cell("score", std::int64_t{0})},
  };
  auto rows_of = [&](const std::string& table) {
    return hub_query("SELECT id, center_id FROM " + table + " WHERE center_id NOT IN ('*', ?) ORDER BY id", {w_.rogue.id});
  };
  std::size_t k = rng_() % kWrites.size();
  auto rows = rows_of(kWrites[k].first);
  if (rows.empty()) rows = rows_of(kWrites[k = 0].first);  // there are trainees before anything else
  if (rows.empty()) return std::nullopt;
  const auto& row = rows[rng_() % rows.size()];
  return Target{kWrites[k].first, row[0], row[1], kWrites[k].second};
}

RowChange Rogue::own_trainee(const std::string& site, std::int64_t seq) {
  int serial = ++serial_;
  char sex = serial % 2 ? 'M' : 'F';
  Date birth = add_days(Date{1984, 5, 1}, (serial * 89) % 2500);  // not the honest workload's years
  std::string iin = make_iin(birth, sex, 7000 + serial), surname = "Өзге-" + std::to_string(serial);
  ledger_.personal.insert(ledger_.personal.end(), {iin, surname});
  const std::string& me = w_.rogue.id;
  return forged_change("trainee", new_row_id(), me, site, seq,
                       {cell("center_id", me), cell("deleted", std::int64_t{0}), cell("iin", iin),
                        cell("surname", surname), cell("given_name", std::string("Бөтен")),
                        cell("birth_date", format_date(birth)), cell("sex", std::string(1, sex)),
                        cell("status", std::string("active"))});
}

std::vector<std::vector<std::string>> Rogue::hub_query(const std::string& sql, const std::vector<std::string>& params) {
  Db::OpenOptions o;
  o.read_only = true;
  auto db = Db::open(w_.hub_db, o);
  REQUIRE_MESSAGE(db.ok(), db.status().message());
  return text_rows(**db, sql, params);
}

std::int64_t Rogue::hub_held(const std::string& site) {
  auto r = hub_query("SELECT count(*) FROM change_log c JOIN site s ON s.id = c.site WHERE s.uuid = ?", {site});
  return r.empty() ? -1 : std::stoll(r[0][0]);
}

// The hub's log: the misbehaving centre's sites hold exactly the changes it was acknowledged for,
// each to a row of its own, holding what it sent; no honest row has a change from its sites.
std::vector<std::string> Rogue::check_hub_log() {
  std::vector<std::string> fail;
  std::set<std::string> sites = sites_;
  for (auto& r : hub_query("SELECT site FROM site_owner WHERE center = ?", {w_.rogue.id})) sites.insert(r[0]);
  auto hub = w_.open(w_.hub_db);
  ChangeQuery all;
  all.limit = 10'000'000;
  auto changes = read_changes(*hub, all);
  if (!changes.ok()) return {"cannot read the hub's change_log: " + changes.status().message()};
  std::map<std::pair<std::string, std::int64_t>, const RowChange*> acked;
  for (const auto& c : acked_) acked[{c.site, c.site_seq}] = &c;
  std::size_t found = 0;
  for (const auto& c : changes.value()) {
    if (!sites.count(c.site)) continue;
    auto owner = hub_query("SELECT center_id FROM " + c.table + " WHERE id = ?", {c.row_id});
    std::string owned_by = owner.empty() ? "nobody" : owner[0][0];
    if (owned_by != w_.rogue.id)
      fail.push_back("a " + c.table + " row owned by " + owned_by + " has a change in the hub's log from its site " +
                     c.site.substr(0, 8) + " #" + std::to_string(c.site_seq));
    auto a = acked.find({c.site, c.site_seq});
    if (a == acked.end()) {
      fail.push_back("the hub's log holds change " + std::to_string(c.site_seq) + " of its site " + c.site.substr(0, 8) +
                     ", which was never acknowledged");
      continue;
    }
    ++found;
    const RowChange& sent = *a->second;
    if (c.table != sent.table || c.row_id != sent.row_id || c.center != sent.center || c.cells != sent.cells)
      fail.push_back("its change " + std::to_string(c.site_seq) + " differs in the hub's log from what it sent");
  }
  if (found != acked_.size())
    fail.push_back(std::to_string(acked_.size() - found) + " of its acknowledged changes are not in the hub's log");
  // Its own rows hold what it sent: nobody else may write them.
  for (const auto& c : acked_)
    for (const auto& cl : c.cells)
      if (auto v = w_.cell(w_.hub_db, c.table, c.row_id, cl.column); !v || !(*v == cl.value))
        fail.push_back("its own " + c.table + " row does not hold its " + cl.column + " at the hub");
  return fail;
}

std::vector<std::string> Rogue::check() {
  std::vector<std::string> fail = check_hub_log();
  // Every refused change is remembered, under the code it was refused with; nothing else is.
  std::set<std::tuple<std::string, std::int64_t, std::string>> told, remembered;
  for (const auto& r : refused_)
    if (r.site_seq > 0) told.insert({r.site, r.site_seq, r.code});  // site_seq 0 names no change to remember
  for (auto& r : hub_query("SELECT site, site_seq, code FROM refused WHERE center = ?", {w_.rogue.id}))
    remembered.insert({r[0], std::stoll(r[1]), r[2]});
  if (told != remembered)
    fail.push_back(std::to_string(told.size()) + " refusals named a change, the hub's refused table holds " +
                   std::to_string(remembered.size()) + " different ones");
  if (auto others = hub_query("SELECT count(*) FROM refused WHERE center != ?", {w_.rogue.id}); others[0][0] != "0")
    fail.push_back("the hub refused " + others[0][0] + " change(s) of the honest centres");
  // The honest centres' sites are still theirs, and it holds none of theirs; its rows stay at the hub.
  for (const auto& c : w_.centres) {
    auto bound = hub_query("SELECT center FROM site_owner WHERE site = ?", {c.site});
    if (bound.empty() || bound[0][0] != c.id) fail.push_back(c.id + "'s site is not bound to it at the hub");
    Db::OpenOptions o;
    o.read_only = true;
    auto db = Db::open(c.db, o);
    REQUIRE_MESSAGE(db.ok(), db.status().message());
    auto st = (*db)->prepare("SELECT count(*) FROM trainee WHERE center_id = ?");
    REQUIRE(st.ok());
    st->bind(1, w_.rogue.id);
    if (st->step().value() && st->column_int(0) != 0) fail.push_back(c.id + " holds a row of the misbehaving centre");
  }
  for (auto& f : fail) f = "misbehaving centre: " + f;
  return fail;
}

}  // namespace epsync::test
