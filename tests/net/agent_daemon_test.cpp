// `epsync agent`, the centre daemon, as systemd runs it: the real binary with NOTIFY_SOCKET pointing
// at a socket of the test's own, the real hub daemon going down and up, real signals.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <atomic>
#include <mutex>
#include <thread>

#include "net/net_fixture.h"
#include "net/net_steps.h"

using namespace epsync;
using namespace epsync::test;
using Clock = std::chrono::steady_clock;

namespace {

// A datagram socket standing in for systemd's notify socket. Like systemd it keeps reading, so
// the daemon's sd_notify never finds the queue full (a full queue would block its sender).
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    REQUIRE(path.size() < sizeof a.sun_path);
    std::strcpy(a.sun_path, path.c_str());
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    reader_ = std::thread([this] {
      while (!done_) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0) continue;
        char buf[4096];
        ssize_t n = recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) continue;
        std::lock_guard<std::mutex> lock(mu_);
        seen_ += std::string(buf, static_cast<size_t>(n)) + "\n";
      }
    });
  }
  ~NotifySocket() {
    done_ = true;
    reader_.join();
    close(fd_);
  }
  // Waits until a message contains `needle` or the time is up; returns everything seen.
  std::string wait_for(const std::string& needle, std::chrono::milliseconds limit) {
    auto deadline = Clock::now() + limit;
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (seen_.find(needle) != std::string::npos || Clock::now() >= deadline) return seen_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

 private:
  int fd_ = -1;
  std::atomic<bool> done_{false};
  std::mutex mu_;
  std::string seen_;
  std::thread reader_;
};

bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return cond();
}

}  // namespace

TEST_CASE("agent daemon: READY, STATUS and WATCHDOG - backs off while the hub is down, syncs itself when it is up") {
  NetWorld w;
  w.start_hub();
  Centre& alm = w.add_centre("ALM-014", "almaty");
  CHECK(w.stop_hub() == 0);
  w.enrol("ALM-014", "Бірінші");
  CHECK(status_json(w, "ALM-014")["pending"] == 1);

  NotifySocket notify(w.dir.file("notify.sock"));
  setenv("NOTIFY_SOCKET", w.dir.file("notify.sock").c_str(), 1);
  setenv("WATCHDOG_USEC", "400000", 1);
  std::string err = w.dir.file("agent.err");
  ChildProcess agent({EPSYNC_BINARY, "agent", "--config", alm.config}, w.dir.file("agent.out"), err);
  unsetenv("NOTIFY_SOCKET");
  unsetenv("WATCHDOG_USEC");

  // Bounds for a loaded machine and a sanitized build: an ASan agent once took over 5 s to start
  // while two other sanitized daemons' tests ran beside it.
  notify.wait_for("READY=1", std::chrono::seconds(20));
  notify.wait_for("STATUS=", std::chrono::seconds(5));
  std::string seen = notify.wait_for("WATCHDOG=1", std::chrono::seconds(5));
  CHECK_MESSAGE(seen.find("READY=1") != std::string::npos, "agent stderr:\n" << read_file_bytes(err));
  CHECK(seen.find("STATUS=") != std::string::npos);
  CHECK(seen.find("WATCHDOG=1") != std::string::npos);

  // The hub is down: the first attempt fails and the agent backs off about 5 s (+-25 %).
  CHECK_MESSAGE(wait_until([&] { return read_file_bytes(err).find("sync failed (1 in a row)") != std::string::npos; },
                           std::chrono::seconds(20)),
                "agent stderr:\n" << read_file_bytes(err));
  std::string log = read_file_bytes(err);
  auto at = log.find("retrying in ");
  REQUIRE(at != std::string::npos);
  int backoff = std::atoi(log.c_str() + at + 12);
  CHECK(backoff >= 3);
  CHECK(backoff <= 7);
  CHECK(log.find("<4>") != std::string::npos);  // a warning, with its sd-daemon priority
  seen = notify.wait_for("sync failing", std::chrono::seconds(2));
  CHECK(seen.find("sync failing") != std::string::npos);

  // The hub comes back on the same address: the agent syncs by itself at its next retry.
  w.start_hub();
  CHECK_MESSAGE(wait_until([&] { return status_json(w, "ALM-014")["pending"] == 0; }, std::chrono::seconds(15)),
                std::string(read_file_bytes(err) + "\n--- hub:\n" + w.log()));
  CHECK(status_json(w, "ALM-014")["last_error"].is_null());
  seen = notify.wait_for("0 pending", std::chrono::seconds(3));
  CHECK(seen.find("STATUS=synced") != std::string::npos);

  // A local write is at the hub within about a second (the CLI nudges the daemon).
  std::string id = w.enrol("ALM-014", "Екінші");
  CHECK(wait_until([&] { return scalar(w.hub_db, "SELECT count(*) FROM trainee WHERE id = '" + id + "'") == 1; },
                   std::chrono::milliseconds(2500)));

  // SIGHUP reloads the configuration.
  std::size_t before = read_file_bytes(err).size();
  kill(agent.pid(), SIGHUP);
  CHECK(wait_until([&] { return read_file_bytes(err).find("reloaded", before) != std::string::npos; },
                   std::chrono::seconds(3)));
  CHECK(agent.running());
  w.check_all_changes_at_hub_once("ALM-014");
}

TEST_CASE("agent daemon: SIGTERM in the middle of a session exits 0 within 5 s - bad config is refused at start") {
  NetWorld w;
  w.start_hub();
  Centre& alm = w.add_centre("ALM-014", "almaty");
  LoopbackListener silent;  // a "hub" that never answers: the session hangs in its handshake
  w.write_agent_config(alm, alm.config, silent.address());
  w.enrol("ALM-014", "Бірінші");

  std::string err = w.dir.file("agent.err");
  ChildProcess agent({EPSYNC_BINARY, "agent", "--config", alm.config}, w.dir.file("agent.out"), err);
  CHECK(wait_until([&] { return read_file_bytes(err).find("started") != std::string::npos; }, std::chrono::seconds(5)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the session is now stuck in its handshake
  auto t0 = Clock::now();
  int code = agent.stop(std::chrono::seconds(8));
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  CHECK(code == 0);
  CHECK(took < std::chrono::seconds(5));
  CHECK(read_file_bytes(err).find("agent stopped") != std::string::npos);
  silent.close();
  CHECK(status_json(w, "ALM-014")["pending"] == 1);  // abandoned, not lost

  // A configuration error is named with file, line and key, and the daemon does not start.
  write_file_bytes(w.dir.file("bad.toml"), "[center]\nid = \"ALM-014\"\n[store]\npath = \"" + alm.db + "\"\nbackup = 1\n");
  auto r = w.epsync({"agent", "--config", w.dir.file("bad.toml")}, 10);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("bad.toml:5: store.backup: unknown key") != std::string::npos);
  write_file_bytes(w.dir.file("nohub.toml"), "[center]\nid = \"ALM-014\"\n[store]\npath = \"" + alm.db + "\"\n");
  r = w.epsync({"agent", "--config", w.dir.file("nohub.toml")}, 10);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("hub.address: required by the agent") != std::string::npos);
}

TEST_CASE("agent: [sync] timeout_seconds bounds how long a session waits for a hub that does not answer") {
  NetWorld w;
  w.start_hub();
  Centre& alm = w.add_centre("ALM-014", "almaty");
  LoopbackListener silent;  // a "hub" that never answers: the TLS handshake waits
  std::string cfg = w.write_agent_config(alm, w.dir.file("slow.toml"), silent.address());
  write_file_bytes(cfg, read_file_bytes(cfg) + "[sync]\ntimeout_seconds = 1\n");
  w.enrol("ALM-014", "Бірінші");
  auto t0 = Clock::now();
  auto r = w.epsync({"sync", "--config", cfg}, 30);
  auto took = Clock::now() - t0;
  silent.close();
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.find("timed out") != std::string::npos, r.err);
  CHECK(took >= std::chrono::milliseconds(900));
  CHECK(took < std::chrono::seconds(5));  // not the default 10 s connect limit
  CHECK(status_json(w, "ALM-014")["pending"] == 1);

  write_file_bytes(cfg, read_file_bytes(w.centres.at("ALM-014").config) + "[sync]\ntimeout_seconds = 0\n");
  r = w.epsync({"agent", "--config", cfg}, 10);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("sync.timeout_seconds") != std::string::npos);
}
