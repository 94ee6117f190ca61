// The chaos harness (issue #6): `chaos_test [--seeds N] [--first S] [--centres C] [--ops K]`
// (or CHAOS_SEEDS, CHAOS_FIRST in the environment) runs seeds S..S+N-1, each a fresh world of
// the real hub and agent daemons behind fault proxies (chaos_scenario.h), and prints one line per
// seed and the totals. Any other argument goes to doctest. A failing seed names itself and the
// command that reruns just it.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "chaos/chaos_scenario.h"

using namespace epsync::test;

namespace {

struct Args {
  std::uint64_t first = 1;
  int seeds = 20;
  SeedOptions seed;
  std::string self = "chaos_test";
} g_args;

std::string fault_line(const ChaosProxyStats& p) {
  std::string s;
  for (int k = 0; k < kFaultKinds; ++k)
    s += std::string(k ? " " : "") + fault_name(static_cast<Fault>(k)) + "=" + std::to_string(p.by_fault[static_cast<std::size_t>(k)]);
  return s + " (stalls short=" + std::to_string(p.short_stalls) + " long=" + std::to_string(p.long_stalls) +
         ", cuts=" + std::to_string(p.cuts) + ", hub down=" + std::to_string(p.upstream_refused) + ", " + std::to_string(p.bytes / 1024) + " KiB)";
}

void add(SeedFigures& t, const SeedFigures& f) {
  t.cli_writes += f.cli_writes;
  t.library_writes += f.library_writes;
  t.hub_writes += f.hub_writes;
  t.hub_imports += f.hub_imports;
  t.official_results += f.official_results;
  t.pairs += f.pairs;
  t.agent_kills += f.agent_kills;
  t.agent_stops += f.agent_stops;
  t.hub_kills += f.hub_kills;
  for (int k = 0; k < kFaultKinds; ++k) t.proxy.by_fault[static_cast<std::size_t>(k)] += f.proxy.by_fault[static_cast<std::size_t>(k)];
  t.proxy.short_stalls += f.proxy.short_stalls;
  t.proxy.long_stalls += f.proxy.long_stalls;
  t.proxy.cuts += f.proxy.cuts;
  t.proxy.upstream_refused += f.proxy.upstream_refused;
  t.proxy.bytes += f.proxy.bytes;
  auto& c = t.checks;
  c.writes_checked += f.checks.writes_checked;
  c.cells_checked += f.checks.cells_checked;
  c.pairs_checked += f.checks.pairs_checked;
  c.pairs_later_won += f.checks.pairs_later_won;
  c.divergences += f.checks.divergences;
  c.lost += f.checks.lost;
  c.duplicates += f.checks.duplicates;
  c.missing_conflicts += f.checks.missing_conflicts;
  c.hub_changes += f.checks.hub_changes;
  c.hub_conflicts += f.checks.hub_conflicts;
  t.rogue.attacks += f.rogue.attacks;
  t.rogue.refusals += f.rogue.refusals;
  t.rogue.acked += f.rogue.acked;
  t.rogue.set_aside += f.rogue.set_aside;
  t.rogue.seconds += f.rogue.seconds;
  t.seconds += f.seconds;
  t.settle_seconds = std::max(t.settle_seconds, f.settle_seconds);  // the longest
}

void print(const char* label, const SeedFigures& f) {
  std::printf("%s: %.1f s (quiet after %.1f s); writes: %d CLI, %d registrar tool, %d hub corrections, %d official "
              "results in %d imports; %d concurrent pairs; kills: agents %d (+%d SIGTERM), hub %d; connections: %s; "
              "checked %d writes, %d last values, %d pairs (later won %d), %lld hub row changes, %lld hub conflicts; "
              "divergences %d, lost %d, duplicates %d, missing conflicts %d; misbehaving centre: %d attacks, %d refused, "
              "%d own changes applied, %d set aside when sent again, in %.1f s\n",
              label, f.seconds, f.settle_seconds, f.cli_writes, f.library_writes, f.hub_writes, f.official_results,
              f.hub_imports, f.pairs, f.agent_kills, f.agent_stops, f.hub_kills, fault_line(f.proxy).c_str(),
              f.checks.writes_checked, f.checks.cells_checked, f.checks.pairs_checked, f.checks.pairs_later_won,
              static_cast<long long>(f.checks.hub_changes), static_cast<long long>(f.checks.hub_conflicts),
              f.checks.divergences, f.checks.lost, f.checks.duplicates, f.checks.missing_conflicts, f.rogue.attacks,
              f.rogue.refusals, f.rogue.acked, f.rogue.set_aside, f.rogue.seconds);
  std::fflush(stdout);
}

}  // namespace

TEST_CASE("chaos: real hub and agents behind fault proxies, killed and restarted, converge and lose nothing") {
  auto t0 = std::chrono::steady_clock::now();
  Pki pki(g_args.seed.centres);  // one CA and set of certificates for every seed
  SeedFigures total;
  std::vector<std::uint64_t> failed;
  for (std::uint64_t seed = g_args.first; seed < g_args.first + static_cast<std::uint64_t>(g_args.seeds); ++seed) {
    std::printf("chaos seed %llu\n", static_cast<unsigned long long>(seed));
    std::fflush(stdout);
    std::string rerun = g_args.self + " --first " + std::to_string(seed) + " --seeds 1";
    INFO("chaos seed " << seed << "; rerun just it: " << rerun);
    SeedResult r = run_chaos_seed(pki, seed, g_args.seed);
    add(total, r.fig);
    std::string label = "chaos seed " + std::to_string(seed) + (r.failures.empty() ? " ok" : " FAILED");
    print(label.c_str(), r.fig);
    for (const auto& n : r.notes) std::printf("  note: %s\n", n.c_str());
    if (!r.failures.empty()) {
      failed.push_back(seed);
      std::string all;
      for (const auto& f : r.failures) all += "  - " + f + "\n";
      FAIL_CHECK("chaos seed " << seed << " failed (" << r.failures.size() << " problem(s)); rerun just it: " << rerun
                               << "\n" << all);
    }
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::string label = "chaos total over " + std::to_string(g_args.seeds) + " seed(s) from " + std::to_string(g_args.first) +
                      ", wall " + std::to_string(static_cast<int>(wall)) + " s, failed " + std::to_string(failed.size());
  print(label.c_str(), total);
  for (auto s : failed) std::printf("failed seed %llu: %s --first %llu --seeds 1\n", static_cast<unsigned long long>(s),
                                    g_args.self.c_str(), static_cast<unsigned long long>(s));
}

int main(int argc, char** argv) {
  if (const char* e = std::getenv("CHAOS_SEEDS"); e && *e) g_args.seeds = std::atoi(e);
  if (const char* e = std::getenv("CHAOS_FIRST"); e && *e) g_args.first = std::strtoull(e, nullptr, 10);
  g_args.self = argv[0];
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    bool ours = a == "--seeds" || a == "--first" || a == "--centres" || a == "--ops";
    if (!ours) {
      rest.push_back(argv[i]);
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s: %s needs a number\n", argv[0], a.c_str());
      return 2;
    }
    const char* v = argv[++i];
    if (a == "--seeds") g_args.seeds = std::atoi(v);
    else if (a == "--first") g_args.first = std::strtoull(v, nullptr, 10);
    else if (a == "--centres") g_args.seed.centres = static_cast<std::size_t>(std::atoi(v));
    else g_args.seed.ops = std::atoi(v);
  }
  if (g_args.seeds < 1 || g_args.seed.centres < 1 || g_args.seed.centres > chaos_centre_specs().size() ||
      g_args.seed.ops < 10) {
    std::fprintf(stderr, "%s: --seeds >= 1, --centres 1..%zu, --ops >= 10\n", argv[0], chaos_centre_specs().size());
    return 2;
  }
  doctest::Context context(static_cast<int>(rest.size()), rest.data());
  return context.run();
}
