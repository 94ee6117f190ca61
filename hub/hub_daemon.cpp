#include "hub/hub_daemon.h"

#include <systemd/sd-daemon.h>

#include <atomic>
#include <csignal>
#include <memory>
#include <optional>
#include <set>

#include "epsync/version.h"
#include "hub/crl_watch.h"
#include "hub/http_server.h"
#include "hub/metrics.h"
#include "hub/session_handler.h"
#include "hub/session_limits.h"
#include "hub/store_worker.h"
#include "storage/checkpointer.h"
#include "storage/wal_sync.h"
#include "sync/tls_server.h"
#include "util/log.h"

namespace epsync::hub {

namespace {

// A failed WAL sync: restarting would not make the disk trustworthy again (systemd's unit lists
// it in RestartPreventExitStatus).
constexpr int kExitStoreFailed = 3;
// How often the CRL file is looked at for a change, and its nextUpdate judged.
constexpr std::chrono::seconds kCrlPoll{2};
// How long sessions have to say goodbye when the hub stops.
constexpr std::chrono::seconds kStopGrace{2};

// A pushed batch's outcome in the metrics: commit latency, applied and quarantined changes.
void count_commit(HubMetrics& m, const PushOutcome& o) {
  const auto* r = o.answer.ok() ? std::get_if<sync::Ack>(&o.answer.value()) : nullptr;
  if (!r) {  // not stored, or refused
    m.batches_failed.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  m.commit_seconds.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - o.submitted).count());
  m.batches_committed.fetch_add(1, std::memory_order_relaxed);
  std::set<std::int64_t> set_aside;
  for (const auto& q : r->quarantined) set_aside.insert(q.site_seq);
  std::uint64_t rows = 0, values = 0;
  for (const auto& [seq, n] : o.cells)
    if (!set_aside.count(seq)) {
      ++rows;
      values += n;
    }
  m.row_changes_applied.fetch_add(rows, std::memory_order_relaxed);
  m.cells_applied.fetch_add(values, std::memory_order_relaxed);
  m.changes_quarantined.fetch_add(r->quarantined.size(), std::memory_order_relaxed);
}

// What the daemon's sessions share: the store executor, the limits and the metrics.
struct Shared {
  HubMetrics& metrics;
  SessionLimits& limits;
  StoreExecutor* executor = nullptr;  // set before the first connection is accepted
  bool dropping = false;  // new connections are being closed at limits.max_handshakes
};

// One centre's session at the daemon: admitted within the limits, counted, and driven by the one
// SessionHandler the tests drive too. Over a limit the centre is told `busy` (its agent retries
// with backoff) and the connection closes; it keeps its handshake slot until it is gone.
class HubShell final : public sync::ServerShell {
 public:
  HubShell(Shared& shared, const sync::CertInfo& cert, const std::string& peer, sync::ServerSession& session,
           sync::ServerLink& link, std::shared_ptr<void> slot)
      : shared_(shared), link_(link), center_(cert.common_name), slot_(std::move(slot)),
        handler_(session, *shared.executor, SessionFacts{peer, cert.not_after},
                 SessionHooks{[this] { link_.flush(); }, [this](const PushOutcome& o) { count_commit(shared_.metrics, o); }}) {
    if (std::string full = shared_.limits.admit(center_); !full.empty()) {
      shared_.metrics.sessions_busy.fetch_add(1, std::memory_order_relaxed);
      session.abort(sync::kErrorBusy, "the hub is at its session limit (" + full + "); retry later");
      return;
    }
    admitted_ = true;
    slot_.reset();
    shared_.metrics.sessions_open.fetch_add(1, std::memory_order_relaxed);
    shared_.metrics.sessions_total.fetch_add(1, std::memory_order_relaxed);
  }
  ~HubShell() override {
    if (!admitted_) return;
    shared_.metrics.sessions_open.fetch_sub(1, std::memory_order_relaxed);
    shared_.limits.leave(center_);
  }

  void on_actions() override { handler_.dispatch(link_.keep_alive()); }
  void on_bytes(std::size_t received, std::size_t sent) override {
    shared_.metrics.bytes_in.fetch_add(received, std::memory_order_relaxed);
    shared_.metrics.bytes_out.fetch_add(sent, std::memory_order_relaxed);
  }

 private:
  Shared& shared_;
  sync::ServerLink& link_;
  std::string center_;
  std::shared_ptr<void> slot_;  // the handshake slot, while refused busy
  bool admitted_ = false;
  SessionHandler handler_;
};

sync::ServerHooks server_hooks(Shared& shared) {
  sync::ServerHooks hooks;
  hooks.begin_handshake = [&shared]() -> std::shared_ptr<void> {
    if (!shared.limits.begin_handshake()) {
      shared.metrics.connections_dropped.fetch_add(1, std::memory_order_relaxed);
      if (!std::exchange(shared.dropping, true))
        log::warning("closing new connections unanswered: " + std::to_string(shared.limits.handshakes()) +
                     " TLS handshakes are in progress (limits.max_handshakes)");
      return nullptr;
    }
    shared.dropping = false;
    return std::shared_ptr<SessionLimits>(&shared.limits, [](SessionLimits* l) { l->end_handshake(); });
  };
  hooks.handshake_failed = [&shared] { shared.metrics.handshake_failures.fetch_add(1, std::memory_order_relaxed); };
  hooks.open = [&shared](const sync::CertInfo& cert, const std::string& peer, sync::ServerSession& session,
                         sync::ServerLink& link, std::shared_ptr<void> slot) -> std::unique_ptr<sync::ServerShell> {
    return std::make_unique<HubShell>(shared, cert, peer, session, link, std::move(slot));
  };
  return hooks;
}

// Binds listen.address: 0, or the exit status (2: a malformed address, 1: it cannot be bound).
int listen(const HubConfig& cfg, sync::TlsServer& server) {
  Status s = server.listen(cfg.listen_address);
  if (s.ok()) return 0;
  if (s.code() == Status::Code::kInvalidInput) {
    log::error(cfg.source + ": listen.address: " + s.message());
    return 2;
  }
  log::error(s.message());
  return 1;
}

// The stores' threads: checkpoints on a thread of their own, so no group commit (and no ack)
// waits on one; WAL syncs on another, so the next group is applied while the last one syncs
// (acks still wait for the sync).
struct StoreThreads {
  Result<std::unique_ptr<Checkpointer>> checkpointer;
  Result<std::unique_ptr<WalSyncer>> syncer;
  explicit StoreThreads(HubStore& hub, const std::string& path)
      : checkpointer(Checkpointer::start(hub.store().db(), path)), syncer(WalSyncer::start(hub.store().db())) {
    if (!checkpointer.ok()) log::warning("checkpoints stay in the commits: " + checkpointer.status().message());
    if (!syncer.ok()) log::warning("WAL syncs stay in the commits: " + syncer.status().message());
  }
  WalSyncer* wal_syncer() { return syncer.ok() ? syncer.value().get() : nullptr; }
};

// SIGINT/SIGTERM end the sessions and the loop; SIGHUP reads every TLS file again; a timer
// watches the CRL file and its nextUpdate.
void watch_signals_and_crl(sync::TlsServer& server, CrlWatch& crl) {
  auto stop = [&server] {
    log::notice("stopping: finishing the current commit, closing sessions");
    server.shutdown(kStopGrace);
  };
  server.on_signal(SIGINT, stop);
  server.on_signal(SIGTERM, stop);
  server.on_signal(SIGHUP, [&crl] { crl.reload(unix_now()); });
  server.every(kCrlPoll, [&crl] { crl.poll(unix_now()); });
}

}  // namespace

int run_hub_daemon(const HubConfig& cfg) {
  HubOptions ho;
  ho.skew_bound_ms = cfg.skew_bound_seconds * 1000;
  auto hub = HubStore::open(cfg.store_path, ho);
  if (!hub.ok()) {
    log::error("cannot open the hub store: " + hub.status().message());
    return 1;
  }
  // Before the server, like the metrics: connections it destroys still give their slots back.
  HubMetrics metrics;
  SessionLimits limits(cfg.max_sessions, cfg.max_sessions_per_center, cfg.max_handshakes);
  const sync::SessionTimeouts timeouts{std::chrono::seconds(cfg.idle_timeout_seconds),
                                       std::chrono::seconds(cfg.idle_timeout_seconds)};
  Shared shared{metrics, limits};
  sync::TlsServer server({std::chrono::seconds(cfg.handshake_timeout_seconds), timeouts,
                          hub.value()->store().model().schema_version()},
                         server_hooks(shared));
  CrlWatch crl(cfg, metrics, [&server](SslCtxPtr ctx) { server.set_context(std::move(ctx)); });
  if (Status s = crl.start(unix_now()); !s.ok()) {
    log::error(s.message());
    return 2;
  }
  if (int exit = listen(cfg, server); exit != 0) return exit;
  std::optional<HttpServer> http;
  if (int exit = start_http(cfg, metrics, kVersion, http); exit != 0) return exit;
  // Declared before the worker: destroyed after it has stopped writing.
  StoreThreads threads(*hub.value(), cfg.store_path);
  StoreWorker worker(
      *hub.value(),
      [&server](std::vector<PushJob> done) {
        server.post([done = std::make_shared<std::vector<PushJob>>(std::move(done))] {});  // freed there
      },
      threads.wal_syncer());
  std::atomic<bool> fatal{false};
  WorkerExecutor executor(
      worker, [&server](std::function<void()> f) { server.post(std::move(f)); },
      [&server, &fatal](const Status& failed) {
        // A failed WAL sync: the disk may lack pages this process takes for written, so the hub
        // stops answering and exits; an administrator starts it again once the disk is checked.
        if (!is_wal_sync_failure(failed) || fatal.exchange(true)) return;
        log::error(failed.message() + "; stopping: the disk may not hold what the hub acknowledged last; check it "
                   "before starting the hub again (agents re-send what the hub does not hold)");
        server.stop();
      });
  shared.executor = &executor;
  watch_signals_and_crl(server, crl);
  log::notice("hub listening on " + server.local_address() + ", store " + cfg.store_path);
  sd_notify(0, ("READY=1\nSTATUS=listening on " + cfg.listen_address).c_str());
  server.run();
  if (http) http->stop();
  worker.stop();
  if (threads.syncer.ok()) threads.syncer.value().reset();  // its last answers still reach the server's queue
  sd_notify(0, "STOPPING=1");
  if (fatal) return kExitStoreFailed;
  log::notice("stopped");
  return 0;
}

}  // namespace epsync::hub
