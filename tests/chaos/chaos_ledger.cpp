#include "chaos/chaos_ledger.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "chaos/chaos_world.h"
#include "storage/change_log.h"
#include "storage/schema.h"

namespace epsync::test {

void Ledger::add(Write w) {
  if (w.seq_to == w.seq_from && !w.site.empty()) {  // equal to what the writer held: no change recorded
    ++noops;
    return;
  }
  last_[key(w.table, w.row, w.column)] = writes.size();
  writes.push_back(std::move(w));
}

namespace {

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Where two dumps differ, without the data itself (it may hold names): table and row ids.
std::string dump_difference(const std::string& centre, const std::string& hub) {
  auto tagged = [](const std::string& dump) {
    std::set<std::string> out;
    std::string table;
    for (const auto& l : lines(dump)) {
      if (l.starts_with("[")) table = l;
      else out.insert(table + " " + l);
    }
    return out;
  };
  auto a = tagged(centre), b = tagged(hub);
  std::vector<std::string> only_a, only_b;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(only_a));
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(only_b));
  auto where = [](const std::string& l) { return l.substr(0, l.find('|')); };  // "[table] 'id'"
  std::string s = std::to_string(only_a.size()) + " row(s) as only the centre holds them, " +
                  std::to_string(only_b.size()) + " as only the hub holds them";
  if (!only_a.empty()) s += "; first at the centre: " + where(only_a[0]);
  if (!only_b.empty()) s += "; first at the hub: " + where(only_b[0]);
  return s;
}

struct HubLog {
  std::map<std::string, std::map<std::int64_t, RowChange>> by_site;  // site -> site_seq -> change
  std::map<std::string, std::vector<const RowChange*>> by_row;
};

bool holds(const RowChange& c, const Write& w) {
  if (c.table != w.table || c.row_id != w.row) return false;
  return std::any_of(c.cells.begin(), c.cells.end(),
                     [&](const CellChange& cell) { return cell.column == w.column && cell.value == w.value; });
}

std::string text(const Value& v) { return to_literal(v); }

std::string short_site(const std::string& site) { return site.substr(0, 8); }

// A row's changes in a store's log and its conflicts, for a failure message (the harness only
// asks this of rows without names in them: checks and results).
std::string row_story(ChaosWorld& w, const std::string& db, const std::string& row) {
  auto s = w.open(db);
  ChangeQuery q;
  q.limit = 10'000'000;
  auto all = read_changes(*s, q);
  std::string out;
  if (!all.ok()) return "?";
  for (const auto& c : all.value()) {
    if (c.row_id != row) continue;
    out += "    log seq " + std::to_string(c.seq) + ": site " + short_site(c.site) + " #" + std::to_string(c.site_seq) +
           " hlc " + std::to_string(c.hlc) + " by " + c.op + ":";
    for (const auto& cell : c.cells)
      out += " " + cell.column + "=" + text(cell.value) + " (over " + std::to_string(cell.prev_hlc) + "/" +
             short_site(cell.prev_site) + ")";
    out += "\n";
  }
  auto st = s->db().prepare("SELECT col, winner_val, winner_hlc, winner_site, loser_val, loser_hlc, loser_site FROM conflict WHERE row_id = ?");
  if (st.ok()) {
    st->bind(1, row);
    while (st->step().value())
      out += "    conflict " + st->column_text(0) + ": winner " + text(st->column_value(1)) + " " + st->column_text(2) + "/" +
             short_site(st->column_text(3)) + ", loser " + text(st->column_value(4)) + " " + st->column_text(5) + "/" +
             short_site(st->column_text(6)) + "\n";
  }
  return out;
}

// The checks of check_world, numbered 1-7 in the order it runs them, over one reading of the
// hub's log. A check that cannot read a store sets `fatal`, which is all check_world then reports.
struct WorldCheck {
  WorldCheck(ChaosWorld& world, const Ledger& l, CheckFigures& f, std::vector<std::string>& failures)
      : w(world), ledger(l), fig(f), fail(failures) {}

  ChaosWorld& w;
  const Ledger& ledger;
  CheckFigures& fig;
  std::vector<std::string>& fail;
  std::unique_ptr<Store> hub;
  std::vector<RowChange> hub_changes;
  HubLog log;
  std::optional<std::string> fatal;

  static ChangeQuery everything() {
    ChangeQuery all;
    all.limit = 10'000'000;
    return all;
  }

  bool read_hub() {
    hub = w.open(w.hub_db);
    auto changes = read_changes(*hub, everything());
    if (!changes.ok()) {
      fatal = "cannot read the hub's change_log: " + changes.status().message();
      return false;
    }
    hub_changes = std::move(changes.value());
    fig.hub_changes = static_cast<std::int64_t>(hub_changes.size());
    for (const auto& c : hub_changes) log.by_site[c.site][c.site_seq] = c;
    for (const auto& [site, changes_of_site] : log.by_site)
      for (const auto& [seq, c] : changes_of_site) log.by_row[c.row_id].push_back(&c);
    return true;
  }

  // 1. The centre holds exactly what the hub holds for it.
  void same_view(ChaosCentre& c) {
    std::string mine = w.dump(c.db, c.id), theirs = w.dump(w.hub_db, c.id);
    if (mine != theirs) {
      ++fig.divergences;
      fail.push_back(c.id + " diverged from the hub's view of it: " + dump_difference(mine, theirs));
    }
  }

  // 2. Every row change the centre made is at the hub exactly once, identical; the centre's
  // sequence is 1..n without holes.
  bool all_sent(ChaosCentre& c, Store& store) {
    ChangeQuery own = everything();
    own.site = c.site;
    auto made = read_changes(store, own);
    if (!made.ok()) {
      fatal = c.id + ": cannot read its change_log: " + made.status().message();
      return false;
    }
    const auto& at_hub = log.by_site[c.site];
    std::int64_t expect = 1;
    for (const auto& ch : made.value()) {
      if (ch.site_seq != expect++) fail.push_back(c.id + ": its own sequence has a hole before " + std::to_string(ch.site_seq));
      auto it = at_hub.find(ch.site_seq);
      if (it == at_hub.end()) {
        ++fig.lost;
        fail.push_back(c.id + ": its row change " + std::to_string(ch.site_seq) + " (" + ch.table + ") is not at the hub");
      } else if (!(it->second == ch)) {
        ++fig.duplicates;
        fail.push_back(c.id + ": its row change " + std::to_string(ch.site_seq) + " differs at the hub");
      }
    }
    if (at_hub.size() != made->size()) {
      ++fig.duplicates;
      fail.push_back(c.id + ": made " + std::to_string(made->size()) + " row changes, the hub holds " +
                     std::to_string(at_hub.size()) + " of its site");
    }
    return true;
  }

  // 3. It pulled everything routed to it, once: its log is exactly the hub's log for it.
  bool all_pulled(ChaosCentre& c, Store& store) {
    std::set<std::pair<std::string, std::int64_t>> routed, held;
    for (const auto& ch : hub_changes)
      if (ch.center == c.id || ch.center == kReferenceOwner) routed.insert({ch.site, ch.site_seq});
    auto local = read_changes(store, everything());
    if (!local.ok()) {
      fatal = c.id + ": cannot read its change_log: " + local.status().message();
      return false;
    }
    for (const auto& ch : local.value()) held.insert({ch.site, ch.site_seq});
    if (held.size() != local->size()) {
      ++fig.duplicates;
      fail.push_back(c.id + ": a row change is twice in its log");
    }
    if (held != routed) {
      std::size_t missing = 0, extra = 0;
      for (const auto& k : routed) missing += held.count(k) ? 0 : 1;
      for (const auto& k : held) extra += routed.count(k) ? 0 : 1;
      ++fig.divergences;
      std::string which;
      for (const auto& ch : hub_changes)
        if (routed.count({ch.site, ch.site_seq}) && !held.count({ch.site, ch.site_seq}))
          which += "    hub log seq " + std::to_string(ch.seq) + ": " + ch.table + " " + ch.row_id + " site " +
                   short_site(ch.site) + " #" + std::to_string(ch.site_seq) + " hlc " + std::to_string(ch.hlc) + "\n";
      auto cursor = store.meta("sync.cursor");
      fail.push_back(c.id + ": its log lacks " + std::to_string(missing) + " row change(s) routed to it and holds " +
                     std::to_string(extra) + " the hub does not route to it; its pull cursor: " +
                     (cursor.ok() && cursor.value() ? *cursor.value() : std::string("?")) + "; missing:\n" + which);
    }
    auto q = store.db().prepare("SELECT count(*) FROM quarantine_notice");
    if (q.ok() && q->step().value() && q->column_int(0) != 0)
      fail.push_back(c.id + ": the hub quarantined " + std::to_string(q->column_int(0)) + " of its changes");
    return true;
  }

  // 4. Every acknowledged write is in the hub's log, from the site that made it.
  void acknowledged_writes_kept() {
    for (const auto& wr : ledger.writes) {
      ++fig.writes_checked;
      bool found = false;
      if (!wr.site.empty()) {
        auto s = log.by_site.find(wr.site);
        if (s != log.by_site.end())
          for (auto it = s->second.upper_bound(wr.seq_from); it != s->second.end() && it->first <= wr.seq_to && !found; ++it)
            found = holds(it->second, wr);
      } else if (auto r = log.by_row.find(wr.row); r != log.by_row.end()) {
        found = std::any_of(r->second.begin(), r->second.end(), [&](const RowChange* c) { return holds(*c, wr); });
      }
      if (!found) {
        ++fig.lost;
        fail.push_back("lost acknowledged write: " + wr.what + " of " + Ledger::key(wr.table, wr.row, wr.column) +
                       " (site_seq " + std::to_string(wr.seq_from + 1) + ".." + std::to_string(wr.seq_to) + ")");
      }
    }
  }

  // 5. A cell's last write holds it, at the hub (and so at its centre, by 1.).
  void last_writes_hold() {
    for (const auto& [key, index] : ledger.last()) {
      const Write& wr = ledger.writes[index];
      if (wr.pair >= 0) continue;  // pairs: either may win, below
      ++fig.cells_checked;
      auto v = w.cell(w.hub_db, wr.table, wr.row, wr.column);
      if (!v || !(*v == wr.value)) {
        ++fig.lost;
        fail.push_back("the last write of " + key + " (" + wr.what + ") does not hold the cell at the hub");
      }
    }
  }

  // The losing write's own timestamp: the same site may have lost with the same value before
  // (an earlier write still unsent when the agent stopped), and that is another conflict.
  HlcTime hlc_of(const Write& loser) {
    HlcTime loser_hlc = 0;
    if (auto s = log.by_site.find(loser.site); s != log.by_site.end())
      for (auto it = s->second.upper_bound(loser.seq_from); it != s->second.end() && it->first <= loser.seq_to; ++it)
        if (holds(it->second, loser)) loser_hlc = it->second.hlc;
    return loser_hlc;
  }

  // 6. Certainly-concurrent pairs: one of the two wins everywhere; the other is a conflict.
  bool concurrent_pairs_resolved() {
    for (const auto& p : ledger.pairs) {
      ++fig.pairs_checked;
      const Write& cw = ledger.writes[p.centre_write];
      const Write& hw = ledger.writes[p.hub_write];
      std::string name = Ledger::key(p.table, p.row, p.column) + " (" + cw.what + " / " + hw.what + ")";
      auto at_hub = w.cell(w.hub_db, p.table, p.row, p.column);
      auto at_centre = w.cell(w.centres[p.centre].db, p.table, p.row, p.column);
      if (!at_hub || (!(*at_hub == cw.value) && !(*at_hub == hw.value))) {
        ++fig.missing_conflicts;
        fail.push_back("concurrent pair " + name + ": the hub holds " + (at_hub ? text(*at_hub) : "no row") +
                       ", neither of the two writes");
        continue;
      }
      if (!at_centre || !(*at_centre == *at_hub)) {
        ++fig.divergences;
        fail.push_back("concurrent pair " + name + ": the centre does not hold the winner");
      }
      bool centre_won = *at_hub == cw.value;
      if (centre_won != p.centre_first) ++fig.pairs_later_won;
      const Write& loser = centre_won ? hw : cw;
      auto st = hub->db().prepare(
          "SELECT count(*) FROM conflict WHERE tbl = ? AND row_id = ? AND col = ? AND loser_val = ? AND loser_site = ? "
          "AND loser_hlc = ?");
      if (!st.ok()) {
        fatal = "cannot read the hub's conflict log: " + st.status().message();
        return false;
      }
      st->bind(1, p.table).bind(2, p.row).bind(3, p.column).bind(4, loser.value).bind(5, loser.site);
      st->bind(6, static_cast<std::int64_t>(hlc_of(loser)));
      if (!st->step().value() || st->column_int(0) != 1) {
        ++fig.missing_conflicts;
        fail.push_back("concurrent pair " + name + ": the losing write (" + loser.what + ", site " + short_site(loser.site) +
                       " #" + std::to_string(loser.seq_to) + ") is not in the hub's conflict log once; centre first: " +
                       (p.centre_first ? "yes" : "no") + "; at the hub:\n" + row_story(w, w.hub_db, p.row) +
                       "  at the centre:\n" + row_story(w, w.centres[p.centre].db, p.row));
      }
    }
    return true;
  }

  // The hub's conflicts counted; no change of a valid write quarantined there.
  void hub_figures() {
    auto count = [&](const char* sql) {
      auto st = hub->db().prepare(sql);
      return st.ok() && st->step().value() ? st->column_int(0) : -1;
    };
    fig.hub_conflicts = count("SELECT count(*) FROM conflict");
    if (auto q = count("SELECT count(*) FROM quarantine"); q != 0)
      fail.push_back("the hub quarantined " + std::to_string(q) + " change(s) of valid writes");
  }

  // 7. No personal data in any daemon's log.
  void no_personal_data_logged() {
    std::string logs = read_file_bytes(w.hub_log);
    for (auto& c : w.centres) logs += read_file_bytes(c.log);
    for (const auto& p : ledger.personal)
      if (logs.find(p) != std::string::npos) fail.push_back("a log holds personal data written by the harness");
  }
};

}  // namespace

std::vector<std::string> check_world(ChaosWorld& w, const Ledger& ledger, CheckFigures& fig) {
  std::vector<std::string> fail;
  WorldCheck check(w, ledger, fig, fail);
  if (!check.read_hub()) return {*check.fatal};
  for (auto& c : w.centres) {
    check.same_view(c);
    auto store = w.open(c.db);
    if (!check.all_sent(c, *store) || !check.all_pulled(c, *store)) return {*check.fatal};
  }
  check.acknowledged_writes_kept();
  check.last_writes_hold();
  if (!check.concurrent_pairs_resolved()) return {*check.fatal};
  check.hub_figures();
  check.no_personal_data_logged();
  return fail;
}

}  // namespace epsync::test
