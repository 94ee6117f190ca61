// One seed of the chaos harness: a fresh world (hub, agents, proxies), random workloads at every
// centre and at the hub while the proxies inject faults and daemons are killed and restarted,
// then quiescence and the checks of chaos_ledger.h. The seed fixes every decision the harness and
// the proxies make (what to write, where, when to kill, which fault a connection gets); the
// operating system's timing still varies, which is the point of running many seeds.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "chaos/chaos_ledger.h"
#include "chaos/chaos_world.h"

namespace epsync::test {

struct SeedOptions {
  std::size_t centres = 5;
  int ops = 60;  // random operations in the chaos phase
  ChaosTiming timing;
  ChaosProxyOptions proxy;
  std::chrono::seconds settle_limit{45};  // quiescence must come within this
};

// What the misbehaving centre did (chaos_rogue.h).
struct RogueFigures {
  int attacks = 0, refusals = 0, acked = 0, set_aside = 0;
  double seconds = 0;  // spent in its sessions and their checks
};

struct SeedFigures {
  int cli_writes = 0, library_writes = 0, hub_writes = 0, hub_imports = 0, official_results = 0, pairs = 0;
  int agent_kills = 0, agent_stops = 0, hub_kills = 0;
  ChaosProxyStats proxy;  // summed over the centres' proxies
  CheckFigures checks;
  RogueFigures rogue;
  double seconds = 0, settle_seconds = 0;
};

struct SeedResult {
  std::vector<std::string> failures;
  std::vector<std::string> notes;  // not failures: what was slow, for the record
  SeedFigures fig;
};

SeedResult run_chaos_seed(const Pki& pki, std::uint64_t seed, const SeedOptions& opt);

}  // namespace epsync::test
