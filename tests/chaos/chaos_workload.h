// The chaos harness's writers: random but valid writes at a centre (through the real CLI, while
// its agent runs) and at the hub (official results through `epsync hub import-results`,
// corrections with the library on the hub's store file), and the certainly-concurrent pairs of
// writes to one safety-relevant cell. Each acknowledged write goes into the Ledger.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "chaos/chaos_ledger.h"
#include "chaos/chaos_scenario.h"
#include "chaos/chaos_world.h"

namespace epsync::test {

class Workload {
 public:
  Workload(ChaosWorld& w, std::uint64_t seed, Ledger& ledger, SeedResult& out)
      : w_(w), rng_(seed), ledger_(ledger), out_(out) {}

  std::mt19937_64& rng() { return rng_; }
  int pick(int n) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(n)); }
  bool chance(int percent) { return pick(100) < percent; }
  void fail(const std::string& why) { out_.failures.push_back(why); }

  // Centre writes through the CLI.
  void enrol(std::size_t i);
  void update_trainee(std::size_t i);
  void remove_trainee(std::size_t i);
  void record_test(std::size_t i);
  void record_medical(std::size_t i);
  void record_document(std::size_t i, std::optional<std::string> kind = {});
  void record_korean(std::size_t i);
  void import_csv(std::size_t i);
  // Hub writes.
  void hub_correction();
  void hub_rules();
  void hub_import_results();
  // Stops centre i's agent (kill -9 or SIGTERM, as `stop` does), writes one safety-relevant cell
  // at the centre and the same cell at the hub, in random order. False if no cell qualified.
  bool concurrent_pair(std::size_t i, const std::function<void(std::size_t)>& stop);

 private:
  struct PairCell;
  std::vector<PairCell> pair_candidates(std::size_t i);
  std::pair<Value, Value> pair_values(std::size_t i, const PairCell& cell);
  struct Trainee {
    std::string id;
    std::size_t centre = 0;
    bool removed = false;
  };
  struct Done {  // a write that succeeded: its site and the site_seq range of its row changes
    std::string site;
    std::int64_t from = 0, to = 0;
  };
  const Trainee* live_trainee(std::size_t i);
  std::optional<Done> cli(std::size_t i, std::vector<std::string> args, const std::string& what, std::string* out = nullptr);
  // One cell written with the library on a store file (the hub's or a centre's).
  std::optional<Done> library_write(bool hub, std::size_t centre, const std::string& table, const std::string& row,
                                    const std::string& column, const Value& v, const std::string& what);
  void note(const std::string& what, const Done& d, const std::string& table, const std::string& row,
            const std::string& column, Value v, int pair = -1);
  std::string new_iin(std::string& birth, char& sex);
  std::string date_in(int year);
  std::string unique(const std::string& prefix) { return prefix + std::to_string(++counter_); }
  // Rows of a table at a store: (id, center_id), with an optional extra condition.
  std::vector<std::pair<std::string, std::string>> rows(const std::string& db, const std::string& table,
                                                        const std::string& where = "deleted = 0");

  ChaosWorld& w_;
  std::mt19937_64 rng_;
  Ledger& ledger_;
  SeedResult& out_;
  std::vector<Trainee> trainees_;
  int serial_ = 0, counter_ = 0;
};

}  // namespace epsync::test
