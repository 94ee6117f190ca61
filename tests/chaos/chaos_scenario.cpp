#include "chaos/chaos_scenario.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "chaos/chaos_rogue.h"
#include "chaos/chaos_workload.h"

namespace epsync::test {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Runs one seed: the world's daemons, the kill schedule and the quiescence; Workload writes.
class Scenario {
 public:
  Scenario(ChaosWorld& w, std::uint64_t seed, const SeedOptions& opt, Ledger& ledger, SeedResult& out)
      : w_(w), opt_(opt), out_(out), load_(w, seed, ledger, out), rogue_(w, seed, opt.ops, ledger, out) {}

  void chaos();
  void settle();
  void stop_everything();
  Rogue& rogue() { return rogue_; }

 private:
  std::size_t centres() const { return w_.centres.size(); }
  void start_agent(std::size_t i) { w_.start_agent(i); }
  // An agent or the hub that died without being killed is a crash: say so, then carry on.
  void watch_for_crashes();
  void kill_or_stop_agent(std::size_t i);
  std::string random_write(std::size_t i);  // returns what it did

  ChaosWorld& w_;
  const SeedOptions& opt_;
  SeedResult& out_;
  Workload load_;
  Rogue rogue_;  // the misbehaving centre, straight to the hub
  std::set<std::size_t> down_;  // agents the harness took down
  bool hub_down_ = false;
};

void Scenario::watch_for_crashes() {
  for (std::size_t i = 0; i < centres(); ++i)
    if (!down_.count(i) && !w_.agent_up(i)) {
      load_.fail(w_.centres[i].id + ": the agent died by itself\n" + w_.logs());
      down_.insert(i);
    }
  if (!hub_down_ && !w_.hub_up()) {
    load_.fail("the hub died by itself\n" + w_.logs());
    hub_down_ = true;
  }
}

void Scenario::kill_or_stop_agent(std::size_t i) {
  if (down_.count(i)) return;
  if (load_.chance(70)) {
    w_.kill_agent(i);
    ++out_.fig.agent_kills;
  } else {
    // SIGTERM, maybe in the middle of a session: the agent abandons it and exits 0 (SPEC §9).
    int code = w_.stop_agent(i);
    ++out_.fig.agent_stops;
    if (code != 0) load_.fail(w_.centres[i].id + ": the agent exited " + std::to_string(code) + " on SIGTERM\n" + w_.hung);
  }
  down_.insert(i);
}

std::string Scenario::random_write(std::size_t i) {
  int r = load_.pick(100);
  if (r < 12) return load_.enrol(i), "enrol";
  if (r < 25) return load_.update_trainee(i), "update";
  if (r < 27) return load_.remove_trainee(i), "remove";
  if (r < 36) return load_.record_test(i), "test";
  if (r < 45) return load_.record_medical(i), "medical";
  if (r < 60) return load_.record_document(i), "document";
  if (r < 65) return load_.record_korean(i), "korean";
  if (r < 69) return load_.import_csv(i), "import";
  if (r < 84) return load_.hub_correction(), "hub correction";
  if (r < 91) return load_.hub_import_results(), "hub import-results";
  if (r < 93) return load_.hub_rules(), "hub rules";
  std::this_thread::sleep_for(milliseconds(20 + load_.pick(150)));
  return "pause";
}

void Scenario::chaos() {
  for (std::size_t i = 0; i < centres(); ++i) start_agent(i);
  // Something to sync and to pair from the start: trainees with a criminal-record certificate.
  for (std::size_t i = 0; i < centres(); ++i) {
    load_.enrol(i);
    load_.record_document(i, "criminal-record");
  }
  // At least one kill of the hub and of an agent, and two pairs, at random moments; more below.
  const int hub_kill_at = 3 + load_.pick(opt_.ops - 6);
  const int agent_kill_at = load_.pick(opt_.ops);
  std::set<int> pairs_at = {opt_.ops / 3 + load_.pick(opt_.ops / 3), 2 * opt_.ops / 3 + load_.pick(opt_.ops / 3)};
  for (int op = 0; op < opt_.ops; ++op) {
    auto op_start = Clock::now();
    std::string did;  // for the note when an operation is slow
    watch_for_crashes();
    if (!hub_down_ && (op == hub_kill_at || load_.chance(2))) {
      w_.kill_hub();  // kill -9, maybe in the middle of a group commit
      ++out_.fig.hub_kills;
      hub_down_ = true;
      did += " kill hub;";
    } else if (hub_down_ && load_.chance(45)) {
      w_.start_hub();  // on the same port: the proxies keep forwarding to it
      hub_down_ = false;
      did += " start hub;";
    }
    if (op == agent_kill_at || load_.chance(6)) {
      auto k = static_cast<std::size_t>(load_.pick(static_cast<int>(centres())));
      kill_or_stop_agent(k);
      did += " stop agent " + w_.centres[k].id + ";";
    }
    for (std::size_t i : std::set<std::size_t>(down_))
      if (load_.chance(35)) {
        start_agent(i);
        down_.erase(i);
        did += " start agent " + w_.centres[i].id + ";";
      }
    auto i = static_cast<std::size_t>(load_.pick(static_cast<int>(centres())));
    bool paired = false;
    if (pairs_at.count(op) || load_.chance(3)) {
      // A planned pair goes to the first centre, from a random one on, that has a cell for it.
      for (std::size_t k = 0; k < (pairs_at.count(op) ? centres() : 1) && !paired; ++k) {
        if (k > 0) i = (i + 1) % centres();
        paired = load_.concurrent_pair(i, [&](std::size_t c) { kill_or_stop_agent(c); });
      }
      if (paired && load_.chance(70)) {  // else it stays down a while: its writes wait, offline
        start_agent(i);
        down_.erase(i);
      }
      did += paired ? " pair at " + w_.centres[i].id + ";" : "";
    }
    if (!paired) did += " write " + random_write(i) + " at " + w_.centres[i].id + ";";
    if (!hub_down_) did += rogue_.at(op);
    if (load_.chance(30)) std::this_thread::sleep_for(milliseconds(load_.pick(80)));
    if (double t = since(op_start); t > 1.5)
      out_.notes.push_back("operation " + std::to_string(op) + " took " + std::to_string(t) + " s:" + did);
  }
  watch_for_crashes();
}

void Scenario::settle() {
  auto t0 = Clock::now();
  for (auto& c : w_.centres) c.proxy->set_healthy(true);
  if (hub_down_) w_.start_hub();
  hub_down_ = false;
  for (std::size_t i : down_) start_agent(i);
  down_.clear();
  // What "nothing left to do" means for a centre: the hub acknowledged all its changes, the hub
  // holds them all, it has pulled everything the hub routes to it (its cursor is past the last
  // such entry: equal data alone is not enough, a later write may hide an unpulled one), and it
  // holds what the hub holds for it.
  auto meta_int = [](Store& s, const std::string& key) {
    auto v = s.meta(key);
    return v.ok() && v.value() && !v.value()->empty() ? std::stoll(*v.value()) : std::int64_t{0};
  };
  auto quiet = [&](std::size_t i) {
    auto& c = w_.centres[i];
    auto s = w_.open(c.db);
    std::int64_t own = w_.last_seq(c.db, c.site);
    if (meta_int(*s, "sync.acked") < own || w_.last_seq(w_.hub_db, c.site) != own) return false;
    auto hub = w_.open(w_.hub_db);
    auto epoch = s->meta("sync.epoch");
    if (!epoch.ok() || !epoch.value() || *epoch.value() != hub->epoch()) return false;
    auto st = hub->db().prepare(
        "SELECT coalesce(max(c.seq), 0) FROM change_log c JOIN site s ON s.id = c.site "
        "WHERE c.center IN (?, '*') AND s.uuid != ?");
    REQUIRE(st.ok());
    st->bind(1, c.id).bind(2, c.site);
    REQUIRE(st->step().value());
    if (meta_int(*s, "sync.cursor") < st->column_int(0)) return false;
    return w_.dump(c.db, c.id) == w_.dump(w_.hub_db, c.id);
  };
  std::set<std::size_t> busy;
  for (std::size_t i = 0; i < centres(); ++i) busy.insert(i);
  auto deadline = t0 + opt_.settle_limit;
  auto last_poke = Clock::now() - milliseconds(1500);  // at once, for agents in their backoff
  while (!busy.empty() && Clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(100));
    watch_for_crashes();
    for (std::size_t i : std::set<std::size_t>(busy))
      if (quiet(i)) busy.erase(i);
    // An agent still in its backoff after the chaos is told to sync now (SIGHUP).
    if (Clock::now() - last_poke > milliseconds(1500)) {
      for (std::size_t i : busy) w_.poke_agent(i);
      last_poke = Clock::now();
    }
  }
  out_.fig.settle_seconds = since(t0);
  if (out_.fig.settle_seconds > 3) out_.notes.push_back("quiescence took " + std::to_string(out_.fig.settle_seconds) + " s\n" + w_.logs());
  std::string left;
  for (std::size_t i : busy) left += " " + w_.centres[i].id;
  if (!busy.empty())
    load_.fail("no quiescence within " + std::to_string(opt_.settle_limit.count()) + " s; still busy:" + left + "\n" +
               w_.logs());
  // The misbehaving centre's attacks not made yet (the hub was down, or it had nothing to attack).
  if (busy.empty()) rogue_.finish();
  // `epsync status` agrees: nothing pending anywhere.
  for (std::size_t i = 0; i < centres() && busy.empty(); ++i) {
    auto r = w_.centre_cmd(i, {"status", "--json"});
    if (r.exit_code != 0) load_.fail(w_.centres[i].id + ": epsync status: " + describe(r));
    else if (nlohmann::json::parse(r.out).at("pending") != 0)
      load_.fail(w_.centres[i].id + ": epsync status says changes are pending after quiescence");
  }
}

void Scenario::stop_everything() {
  for (std::size_t i = 0; i < centres(); ++i)
    if (w_.agent_up(i)) {
      int code = w_.stop_agent(i);
      if (code != 0) load_.fail(w_.centres[i].id + ": the agent exited " + std::to_string(code) + " on SIGTERM\n" + w_.hung);
    }
  if (w_.hub_up()) {
    int code = w_.stop_hub();
    if (code != 0) load_.fail("the hub exited " + std::to_string(code) + " on SIGTERM");
  }
  for (auto& c : w_.centres) {
    auto s = c.proxy->stats();
    auto& p = out_.fig.proxy;
    for (int k = 0; k < kFaultKinds; ++k) p.by_fault[static_cast<std::size_t>(k)] += s.by_fault[static_cast<std::size_t>(k)];
    p.short_stalls += s.short_stalls;
    p.long_stalls += s.long_stalls;
    p.cuts += s.cuts;
    p.upstream_refused += s.upstream_refused;
    p.bytes += s.bytes;
  }
}

}  // namespace

SeedResult run_chaos_seed(const Pki& pki, std::uint64_t seed, const SeedOptions& opt) {
  SeedResult out;
  auto t0 = Clock::now();
  ChaosWorld w(pki, opt.centres, seed, opt.timing, opt.proxy);
  Ledger ledger;
  Scenario s(w, seed, opt, ledger, out);
  s.chaos();
  s.settle();
  s.stop_everything();
  out.notes.insert(out.notes.end(), w.slow.begin(), w.slow.end());
  auto failures = check_world(w, ledger, out.fig.checks);
  out.failures.insert(out.failures.end(), failures.begin(), failures.end());
  failures = s.rogue().check();
  out.failures.insert(out.failures.end(), failures.begin(), failures.end());
  out.fig.seconds = since(t0);
  if (!out.failures.empty()) {
    // Keep the failed world (stores, configurations, every daemon's log) for a post-mortem.
    auto keep = std::filesystem::temp_directory_path() / ("epsync-chaos-seed-" + std::to_string(seed));
    std::error_code ec;
    std::filesystem::remove_all(keep, ec);
    std::filesystem::copy(w.dir.path(), keep, std::filesystem::copy_options::recursive, ec);
    out.failures.push_back("the world is kept in " + keep.string() + (ec ? " (copy failed: " + ec.message() + ")" : ""));
  }
  return out;
}

}  // namespace epsync::test
