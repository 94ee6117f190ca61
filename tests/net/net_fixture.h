// The network tests' world: a private CA made with certs/epsync-certs, the real hub daemon
// (`epsync hub`) running as a child process on 127.0.0.1 at a free port, and centres that are
// real store files driven through the real `epsync` binary. No mocks: real sockets, real TLS 1.3,
// real SQLite files. Every wait is bounded, and the hub is killed when the world ends, also when
// a check fails (destructor) or the test process dies (PR_SET_PDEATHSIG).
#pragma once

#include <doctest/doctest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hub/hub_store.h"
#include "storage/store.h"
#include "support/run.h"
#include "support/temp_dir.h"

namespace epsync::test {

// A child process in the background, its stdout and stderr going to files.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& out_path, const std::string& err_path);
  ~ChildProcess();  // SIGKILL if still running, then reaped
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // SIGTERM, then SIGKILL after `grace`; returns the exit code (128 + signal when killed).
  int stop(std::chrono::milliseconds grace);
  std::optional<int> exit_code() const { return exit_code_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// Runs a program to its end like run(), with standard input read from `stdin_path`.
RunResult run_with_stdin(const std::vector<std::string>& argv, const std::string& stdin_path, int timeout_seconds);

// A port that was free a moment ago (bind port 0, read it, close).
std::uint16_t free_port();

// A socket listening on 127.0.0.1 at a port the kernel picks, that accepts nothing itself: a
// "hub" that never answers, or a port that is taken. Closed on destruction.
class LoopbackListener {
 public:
  LoopbackListener();
  ~LoopbackListener() { close(); }
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  void close();

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// Waits (up to 10 s) until a starting hub daemon's log at `log_path`, after `from`, holds `needle`
// or the daemon exits; returns the log after `from`.
std::string wait_for_hub_log(ChildProcess& hub, const std::string& log_path, std::size_t from,
                             const std::string& needle);

// SIGTERM to a running hub daemon (SIGKILL after 10 s); returns its exit code.
int stop_hub_process(std::unique_ptr<ChildProcess>& hub);

// Stops a hub daemon that did not come up. Unless it could not listen (a port taken since
// free_port(): worth another try), the test fails with what the hub said.
void stop_failed_hub(std::unique_ptr<ChildProcess>& hub, const std::string& said);

// Reads one integer from an SQL query on a store file (opened anew each time, so it sees the
// latest commit of the daemon or the CLI).
std::int64_t scalar(const std::string& store_path, const std::string& sql);

struct Centre {
  std::string id, region;
  std::string db, config, cert, key;  // cert/key: prefix.crt / prefix.key made by epsync-certs
  int enrolled = 0;
};

// What a refusal must leave unchanged at the hub.
struct HubState {
  std::string dump;               // canonical_dump of every replicated row
  std::int64_t change_log = 0;    // rows in change_log
  std::int64_t quarantine = 0;
  std::string hwm;                // site_hwm, as text
  bool operator==(const HubState&) const = default;
};

class NetWorld {
 public:
  struct Options {
    int idle_timeout_seconds = 20;
    int handshake_timeout_seconds = 10;
    bool crl = false;
    std::string crl_file;    // tls.crl when crl is set; default PKI/ca.crl
    std::string extra_toml;  // appended to hub.toml after its [http] section
  };
  NetWorld() : NetWorld(Options{}) {}
  explicit NetWorld(Options opt);
  ~NetWorld();

  TempDir dir;
  Options opt;
  std::string pki, ca_crt;      // the CA directory and its certificate
  std::string hub_db, hub_config, hub_log;
  std::uint16_t port = 0;
  std::map<std::string, Centre> centres;

  // Certificates, with certs/epsync-certs. Returns the prefix (PREFIX.crt, PREFIX.key).
  std::string issue_centre_cert(const std::string& cn, const std::string& name,
                                const std::vector<std::string>& extra = {}, const std::string& ca_dir = "");
  std::string other_ca();  // a second, unrelated CA directory
  void certs(const std::vector<std::string>& args);

  // The hub daemon.
  void start_hub();
  int stop_hub();  // SIGTERM; returns the exit code
  bool hub_running();
  void signal_hub(int sig);
  std::string hub_address() const { return "127.0.0.1:" + std::to_string(port); }
  std::string log() const;
  std::size_t log_size() const { return log().size(); }
  // Waits until the hub's log after `from` contains `needle`; returns that part of the log.
  std::string wait_for_log(const std::string& needle, std::size_t from,
                           std::chrono::milliseconds limit = std::chrono::seconds(8));

  // `epsync ...` with the test's environment.
  RunResult epsync(std::vector<std::string> args, int timeout_seconds = 60);
  RunResult hub_cmd(std::vector<std::string> args);  // `epsync hub ARGS --config hub.toml`

  // A centre: its certificate, its registration at the hub (CLI), `epsync init` (CLI), its config.
  Centre& add_centre(const std::string& id, const std::string& region, bool register_at_hub = true);
  // Writes an agent config; defaults are the centre's own id, certificate and the hub's address.
  std::string write_agent_config(const Centre& c, const std::string& file, std::optional<std::string> address = {},
                                 std::optional<std::string> cert_prefix = {}, std::optional<std::string> center_id = {},
                                 bool with_cert = true);
  // `epsync trainee add` at the centre; returns the new trainee's id.
  std::string enrol(const std::string& centre, const std::string& surname);
  RunResult sync(const std::string& centre, const std::string& config = "");
  void must_sync(const std::string& centre);

  // Stores, opened with the library.
  std::unique_ptr<Store> open_store(const std::string& path);
  std::unique_ptr<hub::HubStore> open_hub_store();
  std::string hub_view(const std::string& centre);
  std::string centre_view(const std::string& centre);
  HubState hub_state();
  // Every row change the centre made is in the hub's change_log exactly once.
  void check_all_changes_at_hub_once(const std::string& centre);

 private:
  void write_hub_config();
  std::unique_ptr<ChildProcess> hub_;
  int next_serial_ = 1;
};

}  // namespace epsync::test
