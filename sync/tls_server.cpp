#include "sync/tls_server.h"

#include <openssl/ssl.h>

#include <array>
#include <set>
#include <vector>

#include "sync/asio_tls.h"
#include "util/address.h"
#include "util/log.h"

namespace epsync::sync {

namespace {

using asio::awaitable;
using tls::Deadline;
using tls::describe;
using tls::kTuple;
using tls::Stream;

void close_socket(Stream& stream) {
  std::error_code ignored;
  stream.lowest_layer().close(ignored);
}

}  // namespace

class TlsServerConnection;

struct TlsServer::Impl {
  asio::io_context io;  // first: destroyed last, after every I/O object below
  ServerTransportOptions opt;
  ServerHooks hooks;
  asio::ip::tcp::acceptor acceptor{io};
  std::shared_ptr<asio::ssl::context> tls;
  std::set<std::weak_ptr<TlsServerConnection>, std::owner_less<std::weak_ptr<TlsServerConnection>>> live;
  std::vector<std::unique_ptr<asio::steady_timer>> timers;
  std::vector<std::unique_ptr<asio::signal_set>> signals;
  bool stopping = false;
};

// One accepted connection: its handshake, its session and the shell the hub gave it.
class TlsServerConnection : public ServerLink, public std::enable_shared_from_this<TlsServerConnection> {
 public:
  TlsServerConnection(TlsServer::Impl& server, asio::ip::tcp::socket socket, std::shared_ptr<asio::ssl::context> tls,
             std::shared_ptr<void> slot)
      : server_(server), tls_(std::move(tls)), stream_(std::move(socket), *tls_), deadline_(stream_.get_executor()),
        slot_(std::move(slot)) {
    std::error_code ec;
    auto ep = stream_.lowest_layer().remote_endpoint(ec);
    peer_ = ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
    stream_.lowest_layer().set_option(asio::ip::tcp::no_delay(true), ec);  // see tls_client.cpp
    set_refusal_slot(stream_.native_handle(), &refusal_);
  }

  awaitable<void> run() {
    auto self = shared_from_this();
    if (!co_await handshake()) co_return close();
    ServerConfig config{cert_.common_name};
    config.schema_max = server_.opt.schema_max;
    session_ = std::make_unique<ServerSession>(config);
    session_->start(SessionClock::now(), server_.opt.session);
    shell_ = server_.hooks.open(cert_, peer_, *session_, *this, std::move(slot_));
    shell_->on_actions();
    flush();
    std::array<char, 64 * 1024> buf;
    while (!closed_ && !session_->closed()) {
      arm();
      auto [ec, n] = co_await stream_.async_read_some(asio::buffer(buf), kTuple);
      if (closed_ || session_->closed()) break;
      if (ec) {
        if (ec != asio::error::eof && ec != asio::ssl::error::stream_truncated)
          log::info("session of " + cert_.common_name + " from " + peer_ + " ended: " + describe(ec));
        break;
      }
      shell_->on_bytes(n, 0);
      session_->receive(std::string_view(buf.data(), n), SessionClock::now());
      shell_->on_actions();
      flush();
    }
    if (!writing_) close();
  }

  // The hub is stopping: the session says so, then the connection closes.
  void stop() {
    if (!session_ || session_->closed()) return close();
    session_->abort(kErrorInternal, "hub is shutting down");
    shell_->on_actions();
    flush();
  }

  void flush() override {
    if (writing_ || closed_ || !session_) return;
    out_ = session_->take_output();
    if (out_.empty()) {
      if (session_->closed()) close();
      return;
    }
    writing_ = true;
    asio::async_write(stream_, asio::buffer(out_), [self = shared_from_this()](std::error_code ec, std::size_t n) {
      self->writing_ = false;
      self->shell_->on_bytes(0, n);
      if (ec) return self->close();
      self->flush();
    });
  }

  std::shared_ptr<void> keep_alive() override { return shared_from_this(); }

 private:
  // The TLS handshake, bounded in time. The centre is the verified certificate's CN, and its
  // certificate's expiry is read from there too, never from what the agent says.
  awaitable<bool> handshake() {
    deadline_.arm_after(server_.opt.handshake_timeout, [this] { close_socket(stream_); });
    auto [hec] = co_await stream_.async_handshake(asio::ssl::stream_base::server, kTuple);
    deadline_.disarm();
    if (hec) {
      std::string why = deadline_.fired() ? "no handshake within the time limit"
                                          : refusal_reason(stream_.native_handle(), refusal_, describe(hec));
      log::warning("refused connection from " + peer_ + ": TLS handshake failed: " + why);
      if (server_.hooks.handshake_failed) server_.hooks.handshake_failed();
      co_return false;
    }
    cert_ = peer_certificate(stream_.native_handle());
    if (cert_.common_name.empty()) {
      log::warning("refused connection from " + peer_ + ": client certificate has no common name");
      co_return false;
    }
    co_return true;
  }

  // The session's deadline (the hello, then silence) on the timer.
  void arm() {
    auto at = session_->poll_timeout();
    if (!at) return deadline_.disarm();
    deadline_.arm(*at, [this] {
      if (closed_) return;
      session_->handle_timeout(SessionClock::now());
      if (!session_->closed()) return arm();  // woke early: the deadline is still ahead
      shell_->on_actions();
      flush();
    });
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    // Try a polite TLS close, bounded in time, then drop the socket.
    deadline_.arm_after(std::chrono::seconds(2), [this] { close_socket(stream_); });
    stream_.async_shutdown([self = shared_from_this()](std::error_code) {
      self->deadline_.disarm();
      close_socket(self->stream_);
    });
  }

  TlsServer::Impl& server_;
  std::shared_ptr<asio::ssl::context> tls_;  // the context this connection was accepted with, kept across reloads
  Stream stream_;
  Deadline deadline_;
  std::shared_ptr<void> slot_;  // the handshake slot, until the shell takes it
  std::unique_ptr<ServerSession> session_;
  std::unique_ptr<ServerShell> shell_;  // after session_: destroyed before it
  CertInfo cert_;
  std::string peer_, out_;
  std::string refusal_;  // why the verify callback refused the client's certificate
  bool writing_ = false, closed_ = false;
};

namespace {

// New connections get the TLS context current when they arrive (it changes on reloads).
awaitable<void> accept_loop(TlsServer::Impl& s) {
  asio::steady_timer pause(s.io);
  for (;;) {
    auto [ec, socket] = co_await s.acceptor.async_accept(kTuple);
    if (ec) {
      if (s.stopping || ec == asio::error::operation_aborted) co_return;
      log::warning("accept failed: " + ec.message());
      pause.expires_after(std::chrono::milliseconds(100));  // e.g. out of descriptors: no busy loop
      co_await pause.async_wait(kTuple);
      continue;
    }
    auto slot = s.hooks.begin_handshake ? s.hooks.begin_handshake() : std::make_shared<int>(0);
    if (!slot || !s.tls) continue;  // the socket closes as it goes out of scope
    auto conn = std::make_shared<TlsServerConnection>(s, std::move(socket), s.tls, std::move(slot));
    s.live.insert(conn);
    asio::co_spawn(s.io, conn->run(), [&s, weak = std::weak_ptr<TlsServerConnection>(conn)](std::exception_ptr) {
      s.live.erase(weak);
    });
  }
}

}  // namespace

TlsServer::TlsServer(ServerTransportOptions opt, ServerHooks hooks) : impl_(std::make_unique<Impl>()) {
  impl_->opt = opt;
  impl_->hooks = std::move(hooks);
}

TlsServer::~TlsServer() = default;

Status TlsServer::listen(const std::string& address) {
  std::string host, port;
  EPSYNC_RETURN_IF_ERROR(split_address(address, host, port));
  std::error_code ec;
  auto ip = asio::ip::make_address(host, ec);
  if (ec) return Status::InvalidInput("'" + host + "' is not an IP address");
  asio::ip::tcp::endpoint endpoint(ip, static_cast<unsigned short>(std::stoi(port)));
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IoError("cannot listen on " + address + ": " + ec.message());
  return Status::Ok();
}

std::string TlsServer::local_address() const {
  std::error_code ec;
  auto local = impl_->acceptor.local_endpoint(ec);
  return ec ? "" : local.address().to_string() + ":" + std::to_string(local.port());
}

void TlsServer::set_context(SslCtxPtr ctx) { impl_->tls = std::make_shared<asio::ssl::context>(ctx.release()); }

void TlsServer::post(std::function<void()> work) { asio::post(impl_->io, std::move(work)); }

void TlsServer::every(std::chrono::milliseconds period, std::function<void()> work) {
  auto& timer = *impl_->timers.emplace_back(std::make_unique<asio::steady_timer>(impl_->io));
  asio::co_spawn(impl_->io, [&timer, period, work = std::move(work)]() -> awaitable<void> {
    for (;;) {
      timer.expires_after(period);
      auto [ec] = co_await timer.async_wait(kTuple);
      if (ec) co_return;
      work();
    }
  }, asio::detached);
}

void TlsServer::on_signal(int signal, std::function<void()> work) {
  auto& set = *impl_->signals.emplace_back(std::make_unique<asio::signal_set>(impl_->io, signal));
  asio::co_spawn(impl_->io, [&set, work = std::move(work)]() -> awaitable<void> {
    for (;;) {
      auto [ec, n] = co_await set.async_wait(kTuple);
      if (ec) co_return;
      work();
    }
  }, asio::detached);
}

void TlsServer::shutdown(std::chrono::milliseconds grace) {
  Impl& s = *impl_;
  s.stopping = true;
  std::error_code ignored;
  s.acceptor.close(ignored);
  bool any = false;
  for (auto& w : s.live)
    if (auto c = w.lock()) {
      c->stop();
      any = true;
    }
  if (!any) return s.io.stop();
  // Sessions get a moment to say goodbye; then the loop ends regardless.
  auto deadline = std::make_shared<asio::steady_timer>(s.io, grace);
  deadline->async_wait([&io = s.io, deadline](std::error_code) { io.stop(); });
}

void TlsServer::stop() {
  asio::post(impl_->io, [&io = impl_->io] { io.stop(); });
}

void TlsServer::run() {
  asio::co_spawn(impl_->io, accept_loop(*impl_), asio::detached);
  impl_->io.run();
}

}  // namespace epsync::sync
