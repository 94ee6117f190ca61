#include "hub/hub_daemon.h"

#include <systemd/sd-daemon.h>

#include <atomic>
#include <memory>
#include <optional>
#include <set>

#include "hub/crl_watch.h"
#include "hub/http_server.h"
#include "hub/metrics.h"
#include "hub/server_tls.h"
#include "hub/session_handler.h"
#include "hub/session_limits.h"
#include "hub/store_worker.h"
#include "storage/checkpointer.h"
#include "storage/wal_sync.h"
#include "sync/asio_tls.h"
#include "sync/server_session.h"
#include "sync/tls.h"
#include "util/log.h"

namespace epsync::hub {

namespace {

using asio::awaitable;
using sync::tls::kTuple;
using sync::tls::Stream;
const auto ssl_error = sync::tls::describe;

// A failed WAL sync: restarting would not make the disk trustworthy again (systemd's unit lists
// it in RestartPreventExitStatus).
constexpr int kExitStoreFailed = 3;
// How often the CRL file is looked at for a change, and its nextUpdate judged.
constexpr std::chrono::seconds kCrlPoll{2};

using TlsContext = std::shared_ptr<asio::ssl::context>;

struct Shared {
  asio::io_context& io;
  StoreWorker& worker;
  const HubConfig& cfg;
  HubMetrics& metrics;
  SessionLimits& limits;
  std::set<std::weak_ptr<class Connection>, std::owner_less<std::weak_ptr<class Connection>>> live;
  bool stopping = false;
  bool dropping = false;  // new connections are being closed at limits.max_handshakes
  // A WAL sync failed: exit with kExitStoreFailed, which systemd does not restart on.
  std::atomic<bool> fatal{false};
};

// A pushed batch's outcome in the metrics: commit latency, applied and quarantined changes.
using CellCounts = std::vector<std::pair<std::int64_t, std::size_t>>;  // site_seq -> cells, per row change

void count_commit(HubMetrics& m, const Result<PushAnswer>& answer, const CellCounts& cells,
                  std::chrono::steady_clock::time_point submitted) {
  const auto* r = answer.ok() ? std::get_if<sync::Ack>(&answer.value()) : nullptr;
  if (!r) {  // not stored, or refused
    m.batches_failed.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  m.commit_seconds.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - submitted).count());
  m.batches_committed.fetch_add(1, std::memory_order_relaxed);
  std::set<std::int64_t> set_aside;
  for (const auto& q : r->quarantined) set_aside.insert(q.site_seq);
  std::uint64_t rows = 0, values = 0;
  for (const auto& [seq, n] : cells)
    if (!set_aside.count(seq)) {
      ++rows;
      values += n;
    }
  m.row_changes_applied.fetch_add(rows, std::memory_order_relaxed);
  m.cells_applied.fetch_add(values, std::memory_order_relaxed);
  m.changes_quarantined.fetch_add(r->quarantined.size(), std::memory_order_relaxed);
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // Holds a handshake slot of shared.limits from here on (the caller took it).
  Connection(Shared& shared, asio::ip::tcp::socket socket, TlsContext tls)
      : shared_(shared), metrics_(shared.metrics), limits_(shared.limits), tls_(std::move(tls)),
        stream_(std::move(socket), *tls_), timer_(shared.io) {
    std::error_code ec;
    auto ep = stream_.lowest_layer().remote_endpoint(ec);
    peer_ = ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
    set_refusal_slot(stream_.native_handle(), &refusal_);
  }
  ~Connection() {
    if (counted_) metrics_.sessions_open.fetch_sub(1, std::memory_order_relaxed);
    if (handshake_slot_) limits_.end_handshake();
    if (admitted_) limits_.leave(center_);
  }

  awaitable<void> run() {
    auto self = shared_from_this();
    if (!co_await handshake()) co_return close();
    if (std::string full = limits_.admit(center_); !full.empty()) co_return refuse_busy(full);
    admitted_ = true;
    handshake_slot_ = false;
    limits_.end_handshake();
    counted_ = true;
    metrics_.sessions_open.fetch_add(1, std::memory_order_relaxed);
    metrics_.sessions_total.fetch_add(1, std::memory_order_relaxed);
    session_ = std::make_unique<sync::ServerSession>(sync::ServerConfig{center_});
    std::array<char, 64 * 1024> buf;
    while (!closed_ && !session_->closed()) {
      arm(std::chrono::seconds(shared_.cfg.idle_timeout_seconds));
      auto [ec, n] = co_await stream_.async_read_some(asio::buffer(buf), kTuple);
      timer_.cancel();
      if (closed_ || session_->closed()) break;
      if (ec) {
        if (timed_out_) {
          log::warning("closed session of " + center_ + " from " + peer_ + ": said nothing for " +
                       std::to_string(shared_.cfg.idle_timeout_seconds) + " s");
          session_->abort(sync::kErrorTimeout, "nothing received within the time limit");
          dispatch();
          flush();
        } else if (ec != asio::error::eof && ec != asio::ssl::error::stream_truncated) {
          log::info("session of " + center_ + " from " + peer_ + " ended: " + ssl_error(ec));
        }
        break;
      }
      metrics_.bytes_in.fetch_add(n, std::memory_order_relaxed);
      session_->receive(std::string_view(buf.data(), n));
      dispatch();
      flush();
    }
    if (!writing_) close();
  }

  void stop() {
    if (session_ && !session_->closed()) {
      session_->abort(sync::kErrorInternal, "hub is shutting down");
      dispatch();
      flush();
    } else {
      close();
    }
  }

 private:
  // The TLS handshake, bounded in time. The centre is the verified certificate's CN, and its
  // certificate's expiry is read from there too, never from what the agent says.
  awaitable<bool> handshake() {
    arm(std::chrono::seconds(shared_.cfg.handshake_timeout_seconds));
    auto [hec] = co_await stream_.async_handshake(asio::ssl::stream_base::server, kTuple);
    timer_.cancel();
    if (hec) {
      std::string why = timed_out_ ? "no handshake within the time limit"
                                   : refusal_reason(stream_.native_handle(), refusal_, ssl_error(hec));
      log::warning("refused connection from " + peer_ + ": TLS handshake failed: " + why);
      metrics_.handshake_failures.fetch_add(1, std::memory_order_relaxed);
      co_return false;
    }
    PeerFacts peer = peer_facts(stream_.native_handle());
    if (peer.common_name.empty()) {
      log::warning("refused connection from " + peer_ + ": client certificate has no common name");
      co_return false;
    }
    center_ = peer.common_name;
    cert_not_after_ = peer.not_after;
    co_return true;
  }

  // Over a session limit: the centre is told `busy` (its agent retries with backoff) and the
  // connection closes; it keeps its handshake slot until it is gone.
  void refuse_busy(const std::string& why) {
    metrics_.sessions_busy.fetch_add(1, std::memory_order_relaxed);
    session_ = std::make_unique<sync::ServerSession>(sync::ServerConfig{center_});
    session_->abort(sync::kErrorBusy, "the hub is at its session limit (" + why + "); retry later");
    dispatch();
    flush();
  }

  void arm(std::chrono::steady_clock::duration d) {
    timed_out_ = false;
    timer_.expires_after(d);
    timer_.async_wait([self = shared_from_this()](std::error_code ec) {
      if (ec) return;
      self->timed_out_ = true;
      std::error_code ignored;
      self->stream_.lowest_layer().cancel(ignored);
      if (!self->session_) self->stream_.lowest_layer().close(ignored);
    });
  }

  // Hands the session's requests to the store thread; answers come back on the io thread.
  void dispatch() {
    while (auto a = session_->next_action()) {
      auto self = shared_from_this();
      if (auto* h = std::get_if<sync::server::HelloReceived>(&*a)) {
        std::string site = h->hello.site;
        shared_.worker.submit([self, site](HubStore& hub) {
          auto welcome = std::make_shared<Result<sync::Welcome>>(hub.welcome(self->center_, site));
          // The welcome's high-water mark acknowledges: it goes out once that much is durable.
          self->shared_.worker.when_durable([self, welcome](const Status& synced) {
            self->fatal_if_unsynced(synced);
            if (!synced.ok()) *welcome = synced;
            asio::post(self->shared_.io, [self, welcome] {
              answer_hello(*welcome, *self->session_);
              self->after_answer();
            });
          });
        });
      } else if (auto* hb = std::get_if<sync::server::HeartbeatReceived>(&*a)) {
        sync::Heartbeat beat = hb->heartbeat;
        beat.cert_expires_at = cert_not_after_;  // the verified certificate's, not the agent's word
        std::string site = session_->site();
        shared_.worker.submit([self, beat, site](HubStore& hub) {
          Status s = hub.record_heartbeat(self->center_, site, beat);
          if (!s.ok()) log::error("cannot record the heartbeat of " + self->center_ + ": " + s.message());
        });
      } else if (auto* p = std::get_if<sync::server::ApplyPush>(&*a)) {
        // For the metrics: the cells of each row change, counted before the batch moves on.
        CellCounts cells;
        cells.reserve(p->push.changes.size());
        for (const auto& c : p->push.changes) cells.emplace_back(c.site_seq, c.cells.size());
        auto submitted = std::chrono::steady_clock::now();
        auto done = [self, cells = std::move(cells), submitted](Result<PushAnswer> r) {
          // On the store or the syncer thread, once the commit is durable.
          if (!r.ok()) self->fatal_if_unsynced(r.status());
          count_commit(self->metrics_, r, cells, submitted);
          asio::post(self->shared_.io, [self, r = std::move(r)]() mutable {
            answer_push(std::move(r), *self->session_);
            self->after_answer();
          });
        };
        PushJob job{center_, session_->site(), std::move(p->push), std::nullopt};
        job.check = check_push(job.push, job.center, job.site, system_clock()());  // here, off the writer thread
        shared_.worker.submit_push(std::move(job), std::move(done));
      } else if (auto* rp = std::get_if<sync::server::ReadPull>(&*a)) {
        sync::Pull pull = rp->pull;
        std::string site = session_->site();
        shared_.worker.submit([self, pull, site](HubStore& hub) {
          auto changes = std::make_shared<Result<sync::Changes>>(hub.changes_for(self->center_, site, pull));
          self->shared_.worker.when_durable([self, changes](const Status& synced) {
            self->fatal_if_unsynced(synced);
            if (!synced.ok()) *changes = synced;
            asio::post(self->shared_.io, [self, changes]() mutable {
              answer_pull(std::move(*changes), *self->session_);
              self->after_answer();
            });
          });
        });
      } else if (auto* c = std::get_if<sync::server::Closed>(&*a)) {
        if (!c->status.ok())
          log::warning("refused " + center_ + " from " + peer_ + ": " + c->status.message());
      }
    }
  }

  // A failed WAL sync: the disk may lack pages this process takes for written, so the hub stops
  // answering and exits; an administrator starts it again once the disk is checked. Runs on the
  // syncer's thread.
  void fatal_if_unsynced(const Status& synced) {
    if (!is_wal_sync_failure(synced) || shared_.fatal.exchange(true)) return;
    log::error(synced.message() + "; stopping: the disk may not hold what the hub acknowledged last; check it "
               "before starting the hub again (agents re-send what the hub does not hold)");
    asio::post(shared_.io, [&io = shared_.io] { io.stop(); });
  }

  void after_answer() {
    if (closed_) return;
    dispatch();
    flush();
  }

  void flush() {
    if (writing_ || closed_) return;
    out_ = session_->take_output();
    if (out_.empty()) {
      if (session_->closed()) close();
      return;
    }
    writing_ = true;
    asio::async_write(stream_, asio::buffer(out_), [self = shared_from_this()](std::error_code ec, std::size_t n) {
      self->writing_ = false;
      self->metrics_.bytes_out.fetch_add(n, std::memory_order_relaxed);
      if (ec) return self->close();
      self->flush();
    });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    timer_.cancel();
    auto self = shared_from_this();
    // Try a polite TLS close, bounded in time, then drop the socket.
    timer_.expires_after(std::chrono::seconds(2));
    timer_.async_wait([self](std::error_code) {
      std::error_code ignored;
      self->stream_.lowest_layer().close(ignored);
    });
    stream_.async_shutdown([self](std::error_code) {
      std::error_code ignored;
      self->timer_.cancel();
      self->stream_.lowest_layer().close(ignored);
    });
  }

  Shared& shared_;
  HubMetrics& metrics_;     // outlives the io_context, so also connections destroyed with it
  SessionLimits& limits_;   // the same
  TlsContext tls_;          // the context this connection was accepted with, kept across reloads
  Stream stream_;
  asio::steady_timer timer_;
  std::unique_ptr<sync::ServerSession> session_;
  std::string peer_, center_, out_;
  std::string refusal_;  // why the verify callback refused the client's certificate
  std::int64_t cert_not_after_ = 0;
  bool writing_ = false, closed_ = false, timed_out_ = false;
  bool counted_ = false;  // counted in the open sessions
  bool handshake_slot_ = true, admitted_ = false;  // what this connection holds of limits_
};

// New connections get the TLS context current when they arrive (`tls` changes on reloads).
awaitable<void> accept_loop(Shared& shared, asio::ip::tcp::acceptor& acceptor, const TlsContext& tls) {
  asio::steady_timer pause(shared.io);
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(kTuple);
    if (ec) {
      if (shared.stopping || ec == asio::error::operation_aborted) co_return;
      log::warning("accept failed: " + ec.message());
      pause.expires_after(std::chrono::milliseconds(100));  // e.g. out of descriptors: no busy loop
      co_await pause.async_wait(kTuple);
      continue;
    }
    if (!shared.limits.begin_handshake()) {  // the socket closes as it goes out of scope
      shared.metrics.connections_dropped.fetch_add(1, std::memory_order_relaxed);
      if (!std::exchange(shared.dropping, true))
        log::warning("closing new connections unanswered: " + std::to_string(shared.limits.handshakes()) +
                     " TLS handshakes are in progress (limits.max_handshakes)");
      continue;
    }
    shared.dropping = false;
    auto conn = std::make_shared<Connection>(shared, std::move(socket), tls);
    shared.live.insert(conn);
    asio::co_spawn(shared.io, conn->run(), [&shared, weak = std::weak_ptr<Connection>(conn)](std::exception_ptr) {
      shared.live.erase(weak);
    });
  }
}

// SIGHUP reads every TLS file again; a timer watches the CRL file and its nextUpdate.
awaitable<void> reload_on_sighup(asio::signal_set& hup, CrlWatch& crl) {
  for (;;) {
    auto [ec, signal] = co_await hup.async_wait(kTuple);
    if (ec) co_return;
    crl.reload(unix_now());
  }
}

awaitable<void> poll_crl(asio::steady_timer& timer, CrlWatch& crl) {
  for (;;) {
    timer.expires_after(kCrlPoll);
    auto [ec] = co_await timer.async_wait(kTuple);
    if (ec) co_return;
    crl.poll(unix_now());
  }
}

// Binds listen.address: 0, or the exit status (2: a malformed address, 1: it cannot be bound).
int listen(const HubConfig& cfg, asio::ip::tcp::acceptor& acceptor) {
  std::string host, port;
  if (Status s = sync::split_address(cfg.listen_address, host, port); !s.ok()) {
    log::error(cfg.source + ": listen.address: " + s.message());
    return 2;
  }
  std::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) {
    log::error(cfg.source + ": listen.address: '" + host + "' is not an IP address");
    return 2;
  }
  asio::ip::tcp::endpoint endpoint(address, static_cast<unsigned short>(std::stoi(port)));
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    log::error("cannot listen on " + cfg.listen_address + ": " + ec.message());
    return 1;
  }
  return 0;
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
  // Before the io_context, like the metrics: connections it destroys still give their slots back.
  HubMetrics metrics;
  SessionLimits limits(cfg.max_sessions, cfg.max_sessions_per_center, cfg.max_handshakes);
  TlsContext tls;
  CrlWatch crl(cfg, metrics, [&tls](SslCtxPtr ctx) { tls = std::make_shared<asio::ssl::context>(ctx.release()); });
  if (Status s = crl.start(unix_now()); !s.ok()) {
    log::error(s.message());
    return 2;
  }
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io);
  if (int exit = listen(cfg, acceptor); exit != 0) return exit;
  std::optional<HttpServer> http;
  if (int exit = start_http(cfg, metrics, EPSYNC_VERSION, http); exit != 0) return exit;
  // Checkpoints run on a thread of their own, so no group commit (and no ack) waits on one. It is
  // declared before the worker, so it is destroyed after the worker has stopped writing.
  auto checkpointer = Checkpointer::start(hub.value()->store().db(), cfg.store_path);
  if (!checkpointer.ok())
    log::warning("checkpoints stay in the commits: " + checkpointer.status().message());
  // Commits leave their WAL fsync to a thread of its own, so the next group is applied while the
  // last one syncs; acks still wait for the sync. Declared before the worker, destroyed after it.
  auto syncer = WalSyncer::start(hub.value()->store().db());
  if (!syncer.ok()) log::warning("WAL syncs stay in the commits: " + syncer.status().message());
  StoreWorker worker(
      *hub.value(),
      [&io](std::vector<PushJob> done) {
        asio::post(io, [done = std::make_shared<std::vector<PushJob>>(std::move(done))] {});  // freed there
      },
      syncer.ok() ? syncer.value().get() : nullptr);
  Shared shared{io, worker, cfg, metrics, limits, {}, false};
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](std::error_code e, int) {
    if (e) return;
    log::notice("stopping: finishing the current commit, closing sessions");
    shared.stopping = true;
    std::error_code ignored;
    acceptor.close(ignored);
    bool any = false;
    for (auto& w : shared.live)
      if (auto c = w.lock()) {
        c->stop();
        any = true;
      }
    if (!any) return io.stop();
    // Sessions get a moment to say goodbye; then the loop ends regardless.
    auto deadline = std::make_shared<asio::steady_timer>(io, std::chrono::seconds(2));
    deadline->async_wait([&io, deadline](std::error_code) { io.stop(); });
  });
  asio::co_spawn(io, accept_loop(shared, acceptor, tls), asio::detached);
  asio::signal_set hup(io, SIGHUP);
  asio::steady_timer crl_timer(io);
  asio::co_spawn(io, reload_on_sighup(hup, crl), asio::detached);
  asio::co_spawn(io, poll_crl(crl_timer, crl), asio::detached);
  std::error_code ec;
  auto local = acceptor.local_endpoint(ec);
  log::notice("hub listening on " + (ec ? cfg.listen_address : local.address().to_string() + ":" + std::to_string(local.port())) +
              ", store " + cfg.store_path);
  sd_notify(0, ("READY=1\nSTATUS=listening on " + cfg.listen_address).c_str());
  io.run();
  if (http) http->stop();
  worker.stop();
  if (syncer.ok()) syncer.value().reset();  // its last answers still reach `shared`
  sd_notify(0, "STOPPING=1");
  if (shared.fatal) return kExitStoreFailed;
  log::notice("stopped");
  return 0;
}

}  // namespace epsync::hub
