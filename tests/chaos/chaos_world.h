// The chaos harness's world for one seed: the real hub daemon (`epsync hub`) and one real agent
// daemon (`epsync agent`) per centre, all on 127.0.0.1, each agent reaching the hub through its
// own ChaosProxy; real SQLite stores, real TLS 1.3 with certificates made once per process by
// certs/epsync-certs. Daemons can be killed (-9), stopped and restarted at any moment; the hub
// comes back on its port so the proxies keep working. Every child dies with the test process
// (PR_SET_PDEATHSIG, in ChildProcess) and is killed when the world ends.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chaos/chaos_proxy.h"
#include "net/net_fixture.h"
#include "storage/sqlite.h"
#include "storage/store.h"
#include "storage/value.h"
#include "support/run.h"
#include "support/temp_dir.h"

namespace epsync::test {

struct CentreSpec {
  std::string id, region;
};
// The centres a world may have, in order (a world takes the first N).
const std::vector<CentreSpec>& chaos_centre_specs();
// The misbehaving centre (chaos_rogue.h): registered at every world's hub, with a certificate of
// its own, but no agent and no store.
const CentreSpec& chaos_rogue_spec();

// A CA, the hub's certificate and one per centre (the misbehaving one too), made once for every seed of the process
// (epsync-certs costs about 0.2 s a certificate).
class Pki {
 public:
  explicit Pki(std::size_t centres);
  TempDir dir;
  std::string ca;
  std::string prefix(const std::string& name) const { return dir.file(name); }  // NAME.crt, NAME.key
};

struct ChaosTiming {
  int agent_timeout_s = 2;   // [sync] timeout_seconds of the agents
  int agent_interval_s = 1;  // [sync] interval_seconds
  int hub_timeout_s = 2;     // the hub's handshake and idle timeouts
};

struct ChaosCentre {
  std::string id, region, db, config, log, site;
  std::unique_ptr<ChaosProxy> proxy;
  std::unique_ptr<ChildProcess> agent;
  std::size_t log_from = 0;  // the log's size when the running agent was started
};

// Every row of a query as text, its parameters bound in order.
std::vector<std::vector<std::string>> text_rows(Db& db, const std::string& sql, const std::vector<std::string>& params);

class ChaosWorld {
 public:
  ChaosWorld(const Pki& pki, std::size_t centres, std::uint64_t seed, ChaosTiming timing, ChaosProxyOptions proxy);
  ~ChaosWorld();
  ChaosWorld(const ChaosWorld&) = delete;
  ChaosWorld& operator=(const ChaosWorld&) = delete;

  TempDir dir;
  std::string hub_db, hub_config, hub_log;
  std::uint16_t hub_port = 0;
  std::vector<ChaosCentre> centres;  // the honest centres
  CentreSpec rogue = chaos_rogue_spec();
  std::string hung;  // what a daemon that did not stop on SIGTERM was doing (gdb), if any
  std::vector<std::string> slow;  // daemons slow to start or stop (notes, not failures)

  // The hub daemon. start_hub() waits (bounded) until it listens; on its old port when it can,
  // else on a new one that the proxies then forward to.
  void start_hub();
  void kill_hub();  // SIGKILL
  int stop_hub();   // SIGTERM (SIGKILL after a grace period); the exit code
  bool hub_up();
  std::string hub_address() const { return "127.0.0.1:" + std::to_string(hub_port); }
  const Pki& pki() const { return pki_; }

  // The agent daemons.
  void start_agent(std::size_t i);
  void kill_agent(std::size_t i);  // SIGKILL
  int stop_agent(std::size_t i);   // SIGTERM; the exit code (0 expected)
  bool agent_up(std::size_t i);
  // The agent last started has set up its signal handlers (it logged "started"). Before that a
  // SIGTERM or SIGHUP would find the default action, or even the test's own handlers in the
  // forked child before exec, so the harness sends them only after this (SIGKILL any time).
  bool agent_ready(std::size_t i);
  // SIGHUP, when ready: the agent rereads its configuration and syncs at once, whatever its backoff.
  void poke_agent(std::size_t i);

  // `epsync ARGS` with the tests' environment; centre(i, ...) adds --config of centre i, hub(...)
  // runs `epsync hub ARGS --config hub.toml`.
  RunResult epsync(std::vector<std::string> args);
  RunResult centre_cmd(std::size_t i, std::vector<std::string> args);
  RunResult hub_cmd(std::vector<std::string> args);

  // Stores opened anew (they see the latest commit of any process).
  std::unique_ptr<Store> open(const std::string& path);
  std::string dump(const std::string& path, const std::optional<std::string>& centre = {});
  // One cell's value at a store, or nullopt when the row does not exist.
  std::optional<Value> cell(const std::string& path, const std::string& table, const std::string& row,
                            const std::string& column);
  // The largest site_seq of `site` in a store's change_log (0 if none).
  std::int64_t last_seq(const std::string& path, const std::string& site);

  // The logs of every daemon of this world, for failure messages and the personal-data check.
  std::string logs();

 private:
  void write_hub_config();
  const Pki& pki_;
  ChaosTiming timing_;
  std::unique_ptr<ChildProcess> hub_;
};

// Text of a failed command, for messages.
std::string describe(const RunResult& r);

}  // namespace epsync::test
