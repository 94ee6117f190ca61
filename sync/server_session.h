// The hub's side of one sync session as a state machine with no I/O (sans-I/O). It enforces what
// needs no store: protocol order, version ranges, and that the centre in Hello is the one in the
// client certificate. The shell answers its actions from the store (registry, the site's owner
// and high-water mark, authorisation and group commit of pushes, routed reads).
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

namespace epsync::sync {

struct ServerConfig {
  std::string cert_center;   // the CN of the verified client certificate: the only source of identity
  int proto_min = kMinProtocolVersion, proto_max = kProtocolVersion;
  // Store schema versions served; 0 means this build's latest, and one before it.
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

  void receive(std::string_view bytes);
  std::string take_output();
  std::optional<ServerAction> next_action();

  // Answers to actions.
  void accept(Welcome w);  // proto, schema and compression are filled in here
  void refuse(const std::string& code, const std::string& message);
  void pushed(Ack ack);
  void refuse_push(Error e);  // a definite refusal (forbidden-row, bad-message); the session ends
  void pulled(Changes changes);
  // The shell's own reasons to end the session (timeout, shutdown, store failure).
  void abort(const std::string& code, const std::string& message);

  bool closed() const { return state_ == State::kClosed; }
  const std::string& site() const { return site_; }
  const std::string& center() const { return cfg_.cert_center; }

 private:
  enum class State { kAwaitHello, kAwaitAccept, kOpen, kClosed };
  void send(const Message& m);
  void on_message(Message m);
  void close(Status s);
  void refuse_and_close(const std::string& code, const std::string& message, Status::Code kind);

  ServerConfig cfg_;
  State state_ = State::kAwaitHello;
  FrameReader reader_{kMaxFrameBytesBeforeWelcome};  // kMaxFrameBytes once welcomed
  std::string out_;
  bool compress_ = false;
  bool offered_zstd_ = false;
  std::string site_;
  std::deque<ServerAction> actions_;
};

}  // namespace epsync::sync
