#include "net/tls_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>

#include "records/model.h"
#include "storage/schema.h"
#include "sync/codec.h"

namespace epsync::test {

namespace {

std::string ssl_reason() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (!e) return "closed";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

void set_timeout(int fd, std::chrono::seconds limit) {
  timeval tv{static_cast<time_t>(limit.count()), 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

TlsProbe::TlsProbe(std::uint16_t port, const std::string& ca, const std::string& cert_prefix) {
  std::signal(SIGPIPE, SIG_IGN);  // a write after the hub closed fails, it does not kill the test
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (fd_ < 0 || connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    error = "cannot connect";
    return;
  }
  set_timeout(fd_, std::chrono::seconds(10));
  ctx_ = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_min_proto_version(ctx_, TLS1_3_VERSION);
  SSL_CTX_load_verify_locations(ctx_, ca.c_str(), nullptr);
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_CTX_get0_param(ctx_), "127.0.0.1");
  if (SSL_CTX_use_certificate_chain_file(ctx_, (cert_prefix + ".crt").c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx_, (cert_prefix + ".key").c_str(), SSL_FILETYPE_PEM) != 1) {
    error = "cannot load " + cert_prefix + ": " + ssl_reason();
    return;
  }
  SSL* ssl = SSL_new(ctx_);
  SSL_set_fd(ssl, fd_);
  if (SSL_connect(ssl) != 1) {
    error = "handshake: " + ssl_reason();
    SSL_free(ssl);
    return;
  }
  ssl_ = ssl;
}

TlsProbe::~TlsProbe() {
  close();
  if (ctx_) SSL_CTX_free(ctx_);
}

void TlsProbe::close() {
  if (ssl_) {
    SSL_shutdown(ssl_);
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool TlsProbe::send(std::string_view bytes) {
  if (!ssl_) return false;
  while (!bytes.empty()) {
    int n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    if (n <= 0) {
      error = ssl_reason();
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool TlsProbe::send(const sync::Message& m) { return send(sync::make_frame(sync::encode_message(m), false)); }

std::optional<sync::Message> TlsProbe::receive(std::chrono::seconds limit) {
  if (!ssl_) return std::nullopt;
  set_timeout(fd_, limit);
  for (;;) {
    auto payload = reader_.next();
    if (!payload.ok()) {
      error = payload.status().message();
      return std::nullopt;
    }
    if (payload.value()) {
      auto m = sync::decode_message(*payload.value());
      if (!m.ok()) error = m.status().message();
      return m.ok() ? std::optional<sync::Message>(std::move(m).value()) : std::nullopt;
    }
    char buf[16384];
    int n = SSL_read(ssl_, buf, sizeof buf);
    if (n <= 0) {
      int e = SSL_get_error(ssl_, n);
      error = e == SSL_ERROR_WANT_READ ? "timeout" : e == SSL_ERROR_ZERO_RETURN ? "closed" : ssl_reason();
      return std::nullopt;
    }
    reader_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
  }
}

std::optional<sync::Message> TlsProbe::say_hello(const std::string& center) {
  sync::Hello h;
  h.center = center;
  // A site of the probe's own per centre: the hub binds a site to the first centre presenting it.
  std::string site;
  for (unsigned char ch : center) {
    static const char* const hex = "0123456789abcdef";
    site += hex[ch >> 4];
    site += hex[ch & 15];
  }
  h.site = (site + std::string(32, '0')).substr(0, 32);
  h.agent_version = "probe";
  h.schema_max = latest_schema_version();
  if (!send(h)) return std::nullopt;
  return receive();
}

bool TlsProbe::alive() {
  if (!send(sync::Ping{})) return false;
  auto m = receive();
  return m && std::holds_alternative<sync::Pong>(*m);
}

std::string padded_ping_frame(std::size_t bytes) {
  // {"type": "ping", "pad": <str32 of the rest>}: unknown keys are ignored.
  std::string payload = "\x82\xa4type\xa4ping\xa3pad\xdb";
  std::size_t pad = bytes - payload.size() - 4;
  for (int shift = 24; shift >= 0; shift -= 8) payload += static_cast<char>((pad >> shift) & 0xff);
  payload.append(pad, 'x');
  return sync::make_frame(payload, false);
}

std::string describe(const std::optional<sync::Message>& m) {
  if (!m) return "nothing";
  if (auto* e = std::get_if<sync::Error>(&*m)) return "error " + e->code + ": " + e->message;
  return sync::message_name(*m);
}

}  // namespace epsync::test
