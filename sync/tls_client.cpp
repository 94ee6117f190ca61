#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

#include "sync/asio_tls.h"
#include "sync/tls.h"

namespace epsync::sync {

namespace {

using asio::awaitable;
using tls::describe;
using tls::kTuple;
using tls::Stream;

// Closes the socket if an operation outlives its deadline, which fails that operation.
class Watchdog {
 public:
  explicit Watchdog(Stream& s) : stream_(s), timer_(s.get_executor()) {}
  void arm(std::chrono::milliseconds d) {
    fired_ = false;
    timer_.expires_after(d);
    timer_.async_wait([this](std::error_code ec) {
      if (ec) return;
      fired_ = true;
      std::error_code ignored;
      stream_.lowest_layer().close(ignored);
    });
  }
  void disarm() { timer_.cancel(); }
  bool fired() const { return fired_; }

 private:
  Stream& stream_;
  asio::steady_timer timer_;
  bool fired_ = false;
};


}  // namespace

Status split_address(const std::string& address, std::string& host, std::string& port) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size())
    return Status::InvalidInput("address '" + address + "' must be host:port");
  host = address.substr(0, colon);
  port = address.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty() || port.find_first_not_of("0123456789") != std::string::npos)
    return Status::InvalidInput("address '" + address + "' must be host:port");
  return Status::Ok();
}

Result<CertInfo> read_certificate(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return Status::NotFound(path + ": cannot read the certificate");
  X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (!x) return Status::InvalidInput(path + ": not a PEM certificate");
  CertInfo info;
  char cn[256] = {0};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn) > 0) info.common_name = cn;
  struct tm t {};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &t) == 1) info.not_after = static_cast<std::int64_t>(timegm(&t));
  X509_free(x);
  return info;
}

Status run_client(const ClientOptions& opt, ClientSession& session,
                  const std::function<void(ClientAction)>& on_action, TransferStats* stats) {
  TransferStats local;
  if (!stats) stats = &local;
  std::string host, port;
  EPSYNC_RETURN_IF_ERROR(split_address(opt.address, host, port));
  asio::ssl::context ctx(asio::ssl::context::tlsv13_client);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_3_VERSION);
  std::error_code ec;
  ctx.load_verify_file(opt.files.ca, ec);
  if (ec) return Status::InvalidInput(opt.files.ca + ": cannot load the CA certificate: " + describe(ec));
  ctx.use_certificate_chain_file(opt.files.cert, ec);
  if (ec) return Status::InvalidInput(opt.files.cert + ": cannot load the centre certificate: " + describe(ec));
  ctx.use_private_key_file(opt.files.key, asio::ssl::context::pem, ec);
  if (ec) return Status::InvalidInput(opt.files.key + ": cannot load the centre key: " + describe(ec));
  ctx.set_verify_mode(asio::ssl::verify_peer);
  ctx.set_verify_callback(asio::ssl::host_name_verification(host));

  asio::io_context io;
  Status result;
  auto main = [&]() -> awaitable<void> {
    auto ex = co_await asio::this_coro::executor;
    Stream stream(ex, ctx);
    Watchdog dog(stream);
    asio::ip::tcp::resolver resolver(ex);
    auto [rec, endpoints] = co_await resolver.async_resolve(host, port, kTuple);
    if (rec) {
      result = Status::IoError("cannot resolve hub address " + host + ": " + rec.message());
      co_return;
    }
    dog.arm(opt.connect_timeout);
    auto [cec, ep] = co_await asio::async_connect(stream.lowest_layer(), endpoints, kTuple);
    dog.disarm();
    if (cec) {
      result = Status::IoError("cannot connect to hub " + opt.address + ": " + (dog.fired() ? "timed out" : describe(cec)));
      co_return;
    }
    std::error_code not_ip;
    asio::ip::make_address(host, not_ip);
    if (not_ip) SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());  // SNI for names only
    dog.arm(opt.connect_timeout);
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, kTuple);
    dog.disarm();
    if (hec) {
      result = Status::IoError("TLS handshake with hub " + opt.address + " failed: " +
                               (dog.fired() ? "timed out" : describe(hec)));
      co_return;
    }
    session.start();
    std::array<char, 64 * 1024> buf;
    for (;;) {
      // Let the shell act until the session has nothing more to ask, then read. What each action
      // produces is written at once: the hub starts on one batch while the next is read from the
      // store (filling the window before writing left the hub idle for 0.13 s of B1).
      for (bool more = true; more;) {
        auto a = session.next_action();
        more = a.has_value();
        if (more) on_action(std::move(*a));
        std::string out = session.take_output();
        if (out.empty()) continue;
        dog.arm(opt.idle_timeout);
        auto [wec, written] = co_await asio::async_write(stream, asio::buffer(out), kTuple);
        dog.disarm();
        stats->bytes_sent += static_cast<std::int64_t>(written);
        if (wec) {
          result = Status::IoError("connection to hub lost while sending: " + (dog.fired() ? "timed out" : describe(wec)));
          co_return;
        }
      }
      if (session.finished()) break;
      dog.arm(opt.idle_timeout);
      auto [ec2, n] = co_await stream.async_read_some(asio::buffer(buf), kTuple);
      dog.disarm();
      if (ec2) {
        result = dog.fired() ? Status::IoError("hub " + opt.address + " did not answer within " +
                                               std::to_string(opt.idle_timeout.count() / 1000) + " s")
                             : Status::IoError("connection to hub lost: " + describe(ec2));
        co_return;
      }
      stats->bytes_received += static_cast<std::int64_t>(n);
      session.receive(std::string_view(buf.data(), n));
    }
    // Polite close; a peer that just drops the connection is fine too.
    dog.arm(std::chrono::milliseconds(2000));
    co_await stream.async_shutdown(kTuple);
    dog.disarm();
  };
  asio::co_spawn(io, main(), [&](std::exception_ptr e) {
    if (e) result = Status::IoError("sync client failed unexpectedly");
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
  return result;
}

}  // namespace epsync::sync
