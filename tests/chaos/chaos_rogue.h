// The misbehaving centre of the chaos run (chaos_rogue_spec(): registered at the hub, with a valid
// certificate from the same CA as the honest centres, but no agent and no store of its own). At
// seeded moments it connects straight to the hub, with no proxy between (every answer it gets is
// then the hub's, never a fault's), with the hostile client of tests/net/hostile_client.h, and
// tries what no centre may do. It knows the honest centres' row ids and site ids (it reads them
// from the hub's store, read-only). The attacks, one session each:
//
// - own rows: its own legitimate site pushes a few valid trainees of its own; they are acknowledged;
// - own site: that same site then pushes one more valid row and a write to an honest centre's row;
//   refused `forbidden-row`; then it sends the batch again with one more valid row behind: the
//   refused change is set aside (the ack's quarantined list), the valid rows are applied;
// - steal a row: a write to an honest centre's row, claimed as its own (`forbidden-row`);
// - claim for the victim: the same write, claimed as the owner's (`forbidden-row`);
// - move a row: the honest row's center_id set to itself (`forbidden-row`);
// - give a row: a new row whose center_id cell names an honest centre (`bad-message`);
// - steal a site: hello with an honest centre's site id (`unauthorized`, no welcome);
// - malformed: an unknown table, an unknown column, no cells, site_seq 0 (`bad-message`).
//
// Every forged batch but the last two carries a valid row of its own ahead of the attack: nothing
// of a refused batch may be applied. Each answer is checked as it comes (the code, the change it
// names, no ack, nothing of the batch in the hub's log); check() checks the stores at the end.
//
// Its own valid rows are its own data: at the end they are at the hub exactly as it sent them,
// owned by it, and its sites' changes in the hub's log are exactly the ones acknowledged; no
// honest centre holds them (the hub routes a centre's rows to that centre only).
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "chaos/chaos_scenario.h"
#include "net/hostile_client.h"

namespace epsync::test {

class Rogue {
 public:
  Rogue(ChaosWorld& w, std::uint64_t seed, int ops, Ledger& ledger, SeedResult& out);

  // Makes the attacks due by operation `op` (the hub must be up); what it did, for notes.
  std::string at(int op);
  // Makes every attack not made yet (the world is quiet and the hub up).
  void finish();
  // The checks of the hub's and the honest centres' stores once every daemon has stopped.
  std::vector<std::string> check();

 private:
  enum class Attack {
    kOwnRows, kOwnSite, kStealRow, kClaimForVictim, kMoveRow, kGiveRow, kStealSite,
    kUnknownTable, kUnknownColumn, kNoCells, kSeqZero,
  };
  struct Target {  // an honest centre's row at the hub, and a valid write to it
    std::string table, row, owner;
    CellChange write;
  };
  struct Refused {
    std::string site;
    std::int64_t site_seq = 0;
    std::string code, what;
  };
  static const char* name(Attack a);
  bool attack(Attack a);  // false: nothing to attack yet (no honest row or site at the hub)
  bool attack_now(Attack a);
  bool own_site_attack();
  bool forged_batch(Attack a);
  bool steal_site();
  HostileResult session(HostilePlan plan);
  // Checks a refusal as it comes: its code, the change it names (0: none), no ack, and that the
  // hub's log holds `held` changes of the site, as before (nullopt: not checked).
  void expect_refusal(const std::string& what, const HostileResult& r, const char* code, const std::string& site,
                      std::int64_t site_seq, std::optional<std::int64_t> held);
  void expect_ack(const std::string& what, const HostileResult& r, std::int64_t hwm, std::vector<std::int64_t> aside);
  std::optional<Target> honest_row();
  RowChange own_trainee(const std::string& site, std::int64_t seq);
  // Read-only queries of the hub's store, as text.
  std::vector<std::vector<std::string>> hub_query(const std::string& sql, const std::vector<std::string>& params = {});
  std::int64_t hub_held(const std::string& site);  // the site's row changes in the hub's log
  void fail(const std::string& why) { out_.failures.push_back("misbehaving centre: " + why); }
  std::vector<std::string> check_hub_log();

  ChaosWorld& w_;
  Ledger& ledger_;
  SeedResult& out_;
  std::mt19937_64 rng_;  // its own: the honest workload makes the same decisions with or without it
  std::vector<std::pair<int, Attack>> plan_;  // (operation, attack), in order
  std::size_t next_ = 0;
  std::string own_site_;
  std::int64_t own_seq_ = 0;      // the last site_seq of its own site the hub acknowledged
  std::vector<RowChange> acked_;  // its changes the hub acknowledged (applied)
  std::vector<Refused> refused_;  // every refused change (not the refused hellos)
  std::set<std::string> sites_;   // every site the hub welcomed it with
  int serial_ = 0;
};

}  // namespace epsync::test
