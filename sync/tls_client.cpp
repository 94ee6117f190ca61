#include <openssl/ssl.h>

#include <array>
#include <memory>

#include "sync/asio_tls.h"
#include "sync/tls.h"
#include "util/address.h"

namespace epsync::sync {

namespace {

using asio::awaitable;
using tls::Deadline;
using tls::describe;
using tls::kTuple;
using tls::Stream;

// One run of run_client: what it was given and what it concluded.
struct ClientRun {
  const ClientOptions& opt;
  ClientSession& session;
  const std::function<void(ClientAction)>& on_action;
  TransferStats& stats;
  std::string host, port;
  Status result;
};

Result<std::unique_ptr<asio::ssl::context>> client_context(const TlsFiles& files, const std::string& host) {
  auto built = build_tls_context(TlsSide::kAgent, files);
  if (!built.ok()) return built.status();
  auto ctx = std::make_unique<asio::ssl::context>(built.value().ctx.release());
  ctx->set_verify_mode(asio::ssl::verify_peer);
  ctx->set_verify_callback(asio::ssl::host_name_verification(host));
  return ctx;
}

void close_socket(Stream& stream) {
  std::error_code ignored;
  stream.lowest_layer().close(ignored);
}

// Resolves, connects and completes the TLS handshake, each within connect_timeout.
awaitable<Status> open(Stream& stream, Deadline& dog, const ClientRun& r) {
  asio::ip::tcp::resolver resolver(stream.get_executor());
  auto [rec, endpoints] = co_await resolver.async_resolve(r.host, r.port, kTuple);
  if (rec) co_return Status::IoError("cannot resolve hub address " + r.host + ": " + rec.message());
  dog.arm_after(r.opt.connect_timeout, [&stream] { close_socket(stream); });
  auto [cec, ep] = co_await asio::async_connect(stream.lowest_layer(), endpoints, kTuple);
  dog.disarm();
  if (cec)
    co_return Status::IoError("cannot connect to hub " + r.opt.address + ": " + (dog.fired() ? "timed out" : describe(cec)));
  // A one-change session is a few small frames each way: Nagle would hold each one back for the
  // peer's delayed ACK (~40 ms).
  std::error_code ignored;
  stream.lowest_layer().set_option(asio::ip::tcp::no_delay(true), ignored);
  std::error_code not_ip;
  asio::ip::make_address(r.host, not_ip);
  if (not_ip) SSL_set_tlsext_host_name(stream.native_handle(), r.host.c_str());  // SNI for names only
  dog.arm_after(r.opt.connect_timeout, [&stream] { close_socket(stream); });
  auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, kTuple);
  dog.disarm();
  if (hec)
    co_return Status::IoError("TLS handshake with hub " + r.opt.address + " failed: " +
                              (dog.fired() ? "timed out" : describe(hec)));
  co_return Status::Ok();
}

// The session's deadline on the socket: past it the socket closes, which fails the operation.
void arm(Deadline& dog, Stream& stream, const ClientSession& session) {
  if (auto at = session.poll_timeout()) dog.arm(*at, [&stream] { close_socket(stream); });
  else dog.disarm();
}

// The deadline passed: the session finishes saying why, and the shell hears it.
Status timed_out(ClientRun& r) {
  r.session.handle_timeout(SessionClock::now());
  while (auto a = r.session.next_action()) r.on_action(std::move(*a));
  return Status::IoError("hub " + r.opt.address + " did not answer within " +
                         std::to_string(r.opt.idle_timeout.count() / 1000) + " s");
}

// Lets the shell act until the session has nothing more to ask. What each action produces is
// written at once: the hub starts on one batch while the next is read from the store (filling the
// window before writing left the hub idle for 0.13 s of B1).
awaitable<Status> act_and_write(Stream& stream, Deadline& dog, ClientRun& r) {
  for (bool more = true; more;) {
    auto a = r.session.next_action();
    more = a.has_value();
    if (more) r.on_action(std::move(*a));
    std::string out = r.session.take_output();
    if (out.empty()) continue;
    arm(dog, stream, r.session);
    auto [wec, written] = co_await asio::async_write(stream, asio::buffer(out), kTuple);
    dog.disarm();
    r.stats.bytes_sent += static_cast<std::int64_t>(written);
    if (wec) co_return dog.fired() ? timed_out(r) : Status::IoError("connection to hub lost while sending: " + describe(wec));
    r.session.sent(SessionClock::now());
  }
  co_return Status::Ok();
}

awaitable<void> client_main(ClientRun& r, asio::ssl::context& ctx) {
  Stream stream(co_await asio::this_coro::executor, ctx);
  Deadline dog(stream.get_executor());
  if (r.result = co_await open(stream, dog, r); !r.result.ok()) co_return;
  r.session.start(SessionClock::now(), SessionTimeouts{r.opt.idle_timeout, r.opt.idle_timeout});
  std::array<char, 64 * 1024> buf;
  for (;;) {
    if (r.result = co_await act_and_write(stream, dog, r); !r.result.ok()) co_return;
    if (r.session.finished()) break;
    arm(dog, stream, r.session);
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(buf), kTuple);
    dog.disarm();
    if (ec) {
      r.result = dog.fired() ? timed_out(r) : Status::IoError("connection to hub lost: " + describe(ec));
      co_return;
    }
    r.stats.bytes_received += static_cast<std::int64_t>(n);
    r.session.receive(std::string_view(buf.data(), n), SessionClock::now());
  }
  // Polite close; a peer that just drops the connection is fine too.
  dog.arm_after(std::chrono::milliseconds(2000), [&stream] { close_socket(stream); });
  co_await stream.async_shutdown(kTuple);
  dog.disarm();
}

}  // namespace

Status run_client(const ClientOptions& opt, ClientSession& session,
                  const std::function<void(ClientAction)>& on_action, TransferStats* stats) {
  TransferStats local;
  ClientRun r{opt, session, on_action, stats ? *stats : local, {}, {}, Status::Ok()};
  EPSYNC_RETURN_IF_ERROR(split_address(opt.address, r.host, r.port));
  auto ctx = client_context(opt.files, r.host);
  if (!ctx.ok()) return ctx.status();
  asio::io_context io;
  asio::co_spawn(io, client_main(r, *ctx.value()), [&](std::exception_ptr e) {
    if (e) r.result = Status::IoError("sync client failed unexpectedly");
  });
  bool stopped = false;
  if (opt.register_stop) opt.register_stop([&io, &stopped] {
      asio::post(io, [&io, &stopped] {
        stopped = true;
        io.stop();
      });
    });
  io.run();
  if (opt.register_stop) opt.register_stop({});
  if (stopped) return Status::IoError("sync abandoned: the agent is stopping");
  return r.result;
}

}  // namespace epsync::sync
