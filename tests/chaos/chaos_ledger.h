// What the chaos harness wrote and was told was done (exit 0 of the CLI, a committed library
// transaction), and the checks run on the stores once the world is quiet: every centre equals the
// hub's view of it, every acknowledged write is at the hub (and holds its cell unless a later
// write replaced it), no row change is there twice, every certainly-concurrent pair of writes to
// a safety-relevant cell ends with one of the two and the other in the hub's conflict log.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "storage/value.h"

namespace epsync::test {

class ChaosWorld;

// One acknowledged write of one cell.
struct Write {
  std::string what;   // for messages: "ALM-014 CLI trainee update" (never the data itself)
  std::string site;   // the site that made it; "" when unknown (a hub CLI runs as a fresh site)
  std::int64_t seq_from = 0, seq_to = 0;  // its row changes: that site's site_seq in (from, to]
  std::string table, row, column;
  Value value;
  int pair = -1;      // index into Ledger::pairs when it is one of a certainly-concurrent pair
};

// Two writes of one safety-relevant cell, one at a centre and one at the hub, with that centre's
// agent stopped in between: neither can have seen the other.
struct Pair {
  std::size_t centre = 0;
  std::string table, row, column;
  std::size_t centre_write = 0, hub_write = 0;  // indices into Ledger::writes
  bool centre_first = false;
};

class Ledger {
 public:
  std::vector<Write> writes;
  std::vector<Pair> pairs;
  std::vector<std::string> personal;  // IINs and names written: they must never reach a log

  static std::string key(const std::string& table, const std::string& row, const std::string& column) {
    return table + "/" + row + "/" + column;
  }
  // Records a write (seq_to == seq_from: it changed nothing and is not a write at all).
  void add(Write w);
  bool locked(const std::string& table, const std::string& row, const std::string& column) const {
    return locked_.count(key(table, row, column)) > 0;
  }
  void lock(const std::string& table, const std::string& row, const std::string& column) {
    locked_.insert(key(table, row, column));
  }
  const std::map<std::string, std::size_t>& last() const { return last_; }
  int noops = 0;

 private:
  std::map<std::string, std::size_t> last_;  // cell -> its last write in the harness's order
  std::set<std::string> locked_;            // cells of pairs: nothing writes them again
};

struct CheckFigures {
  int writes_checked = 0, cells_checked = 0, pairs_checked = 0, pairs_later_won = 0;
  int divergences = 0, lost = 0, duplicates = 0, missing_conflicts = 0;
  std::int64_t hub_changes = 0, hub_conflicts = 0;
};

// Runs every check on the stores of a world whose daemons have stopped. Returns the failures.
std::vector<std::string> check_world(ChaosWorld& w, const Ledger& ledger, CheckFigures& fig);

}  // namespace epsync::test
