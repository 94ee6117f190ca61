// The hub's side of one sync session as a state machine with no I/O (sans-I/O). It enforces what
// needs no store: protocol order, version ranges, and that the centre in Hello is the one in the
// client certificate, push batch numbers (from 1, increasing) and no compressed frame before
// compression was agreed. The shell answers its actions from the store (registry, the site's owner
// and high-water mark, authorisation and group commit of pushes, routed reads).
//
// Time is an input, never read here. The transport's order of calls:
//   start(now, timeouts)        once the TLS handshake is done: the hello deadline starts
//   receive(bytes, now)         whatever arrived; silence is counted from here
//   next_action() until empty   each action answered (accept, pushed, ...) now or later
//   take_output()               the bytes to send
//   poll_timeout()              arm one timer for this instant (nullopt: none) after every call above
//   handle_timeout(now)         when that timer fires: past the deadline the session is closed
//                               with a `timeout` error, so next_action() and take_output() again
// A session never started with a time has no deadline (the in-memory tests that do not care).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "storage/status.h"
#include "sync/frame.h"
#include "sync/messages.h"
#include "sync/session_clock.h"

namespace epsync::sync {

struct ServerConfig {
  std::string cert_center;   // the CN of the verified client certificate: the only source of identity
  int proto_min = kMinProtocolVersion, proto_max = kProtocolVersion;
  // Store schema versions served. The data model's, which sync/ does not know: the hub gives its
  // store's latest; 0 for schema_min means one before schema_max.
  int schema_min = 0, schema_max = 0;
  bool allow_compression = true;
};

namespace server {
// Is this centre registered, and what is the hub's mark for this site? Answer accept() or refuse().
struct HelloReceived {
  Hello hello;
};
struct HeartbeatReceived {
  Heartbeat heartbeat;
};
// A pushed batch: authorise it, commit it durably (group commit), then answer pushed(), or
// refuse_push() when the hub can never accept it.
struct ApplyPush {
  Push push;
};
// Read what is routed to this centre after the cursor; answer pulled().
struct ReadPull {
  Pull pull;
};
// The session is over. `status` says why when it is not a clean goodbye; `refused_batch` is set
// when a batch was refused for authorisation (logged by the shell, nothing applied).
struct Closed {
  Status status;
};
}  // namespace server

using ServerAction = std::variant<server::HelloReceived, server::HeartbeatReceived, server::ApplyPush,
                                  server::ReadPull, server::Closed>;

class ServerSession {
 public:
  explicit ServerSession(ServerConfig cfg);

  void start(TimePoint now, SessionTimeouts timeouts);
  void receive(std::string_view bytes, TimePoint now);
  void receive(std::string_view bytes);  // without time: no deadline moves
  std::string take_output();
  std::optional<ServerAction> next_action();

  // Answers to actions.
  void accept(Welcome w);  // the agreed proto and schema and the compression are filled in here
  void refuse(const std::string& code, const std::string& message);
  void pushed(Ack ack);
  void refuse_push(Error e);  // a definite refusal (forbidden-row, bad-message); the session ends
  void pulled(Changes changes);
  // The shell's own reasons to end the session (timeout, shutdown, store failure).
  void abort(const std::string& code, const std::string& message);

  // When handle_timeout() is due; nullopt while no deadline applies.
  std::optional<TimePoint> poll_timeout() const;
  void handle_timeout(TimePoint now);

  bool closed() const { return state_ == State::kClosed; }
  // What hello and the hub agreed on (0 before a hello was taken): the welcome carries them.
  int proto() const { return proto_; }
  int schema() const { return schema_; }
  const std::string& site() const { return site_; }
  const std::string& center() const { return cfg_.cert_center; }

 private:
  enum class State { kAwaitHello, kAwaitAccept, kOpen, kClosed };
  void send(const Message& m);
  void on_message(Message m);
  void on_hello(Hello& h);
  void close(Status s);
  void refuse_and_close(const std::string& code, const std::string& message, Status::Code kind);
  std::string batch_problem(std::uint64_t batch) const;  // "" when the push's batch number is acceptable

  ServerConfig cfg_;
  State state_ = State::kAwaitHello;
  FrameReader reader_{kMaxFrameBytesBeforeWelcome};  // kMaxFrameBytes once welcomed
  std::string out_;
  bool compress_ = false;
  bool offered_zstd_ = false;
  std::uint64_t last_batch_ = 0;  // the highest push batch number of this session so far
  std::string site_;
  int proto_ = 0, schema_ = 0;
  SessionTimer timer_;
  TimePoint now_{};  // of the bytes being read
  std::deque<ServerAction> actions_;
};

}  // namespace epsync::sync
