// A raw TLS 1.3 client for the network tests: OpenSSL over a blocking socket on 127.0.0.1 with
// timeouts, to hold sessions open, send frames of the test's choosing (hostile ones included)
// and read what the hub answers, message by message.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sync/frame.h"
#include "sync/messages.h"

namespace epsync::test {

class TlsProbe {
 public:
  // Connects and handshakes with the client certificate PREFIX.crt / PREFIX.key. In TLS 1.3 the
  // handshake succeeds even when the hub refuses the certificate: that shows on the first read.
  TlsProbe(std::uint16_t port, const std::string& ca, const std::string& cert_prefix);
  ~TlsProbe();
  TlsProbe(const TlsProbe&) = delete;
  TlsProbe& operator=(const TlsProbe&) = delete;

  bool connected() const { return ssl_ != nullptr; }
  bool send(std::string_view bytes);
  bool send(const sync::Message& m);
  // The hub's next message, or nullopt (then `error` says why: "closed", a TLS alert, "timeout").
  std::optional<sync::Message> receive(std::chrono::seconds limit = std::chrono::seconds(10));
  // hello (for `center`, a fixed site) and the answer.
  std::optional<sync::Message> say_hello(const std::string& center);
  // A ping answered by a pong: the session is open and served.
  bool alive();
  void close();

  std::string error;

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  sync::FrameReader reader_;
};

// A msgpack ping padded with an ignored key to `bytes` bytes of payload: a large but harmless frame.
std::string padded_ping_frame(std::size_t bytes);
// The message's name and, for errors, "error code: message".
std::string describe(const std::optional<sync::Message>& m);

}  // namespace epsync::test
