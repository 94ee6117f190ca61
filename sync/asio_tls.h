// Internal to the TLS transports (sync/tls_client.cpp, sync/tls_server.cpp) and their tests: the
// Asio pieces both sides use. Include only there: Asio is heavy.
#pragma once

#include <openssl/err.h>

#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ssl.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "sync/session_clock.h"

namespace epsync::sync::tls {

using Stream = asio::ssl::stream<asio::ip::tcp::socket>;
// Asio 1.22 keeps as_tuple under experimental: results as (error_code, ...) instead of throws.
inline constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);

// OpenSSL's reason ("certificate verify failed", "tlsv13 alert certificate required") rather
// than Asio's generic text.
inline std::string describe(const std::error_code& ec) {
  if (ec.category() == asio::error::get_ssl_category()) {
    char buf[256];
    ERR_error_string_n(static_cast<unsigned long>(ec.value()), buf, sizeof buf);
    return buf;
  }
  return ec.message();
}

// One deadline for a connection, re-armed as its session's deadline moves. A timer that already
// expired may have its completion queued when it is re-armed or disarmed; that completion belongs
// to an arming that no longer exists and is ignored (each arming has its own generation), so a
// late completion never acts on a healthy connection. Destroying the Deadline disarms it too.
class Deadline {
 public:
  explicit Deadline(const asio::any_io_executor& ex) : timer_(ex), state_(std::make_shared<State>()) {}
  ~Deadline() { ++state_->generation; }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;

  // `on_expiry` runs once at `at`, unless arm() or disarm() is called before.
  void arm(TimePoint at, std::function<void()> on_expiry) {
    const std::uint64_t generation = ++state_->generation;
    state_->fired = false;
    timer_.expires_at(at);
    timer_.async_wait([state = state_, generation, f = std::move(on_expiry)](std::error_code ec) {
      if (ec || state->generation != generation) return;
      state->fired = true;
      f();
    });
  }
  void arm_after(std::chrono::milliseconds d, std::function<void()> on_expiry) {
    arm(SessionClock::now() + d, std::move(on_expiry));
  }
  void disarm() {
    ++state_->generation;
    timer_.cancel();
  }
  // The last arming expired (and its on_expiry ran).
  bool fired() const { return state_->fired; }

 private:
  struct State {
    std::uint64_t generation = 0;
    bool fired = false;
  };
  asio::steady_timer timer_;
  std::shared_ptr<State> state_;
};

}  // namespace epsync::sync::tls
