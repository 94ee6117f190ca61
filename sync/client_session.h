// The agent's side of one sync session as a state machine with no I/O (sans-I/O): feed it the
// bytes that arrived, take the bytes to send, and carry out the actions it asks for (read changes
// to push, apply pulled changes, record acknowledgements). The socket code and the store code are
// thin shells around it, and tests drive it directly against a ServerSession.
//
// Time is an input, never read here. The transport's order of calls:
//   start(now, timeouts)        after the TLS handshake: queues hello, the welcome deadline starts
//   next_action() until empty   each action answered (push, heartbeat, ...) at once
//   take_output(), then sent(now) once the hub has taken those bytes: silence restarts
//   receive(bytes, now)         whatever arrived; silence restarts
//   poll_timeout()              arm one timer for this instant (nullopt: none) after every call above
//   handle_timeout(now)         when that timer fires: past the deadline the session finishes
//                               (client::Finished) saying the hub did not answer
// start() without a time sets no deadline (the in-memory tests that do not care).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "storage/status.h"
#include "sync/codec.h"
#include "sync/frame.h"
#include "sync/messages.h"
#include "sync/session_clock.h"

namespace epsync::sync {

struct ClientConfig {
  Hello hello;
  std::string known_epoch;    // the hub store this agent last synced with ("" if never)
  std::int64_t pull_cursor = 0;
  std::string pull_check;
  std::int64_t max_pull_bytes = 1 << 20;
  int push_window = 16;       // batches in flight before waiting for acks
  // A session's first batch asks for this many bytes, each next request twice as many, up to
  // the hub's max_batch_bytes. On a slow link that drops every few seconds, a full first batch
  // may never arrive whole; the hub commits and acks each batch as soon as it has it, and every
  // new session starts small again, so each one gets something acked.
  std::int64_t first_batch_bytes = 64 * 1024;
};

namespace client {
// The hub accepted. The shell notes the epoch and the clock offset and answers heartbeat().
struct Welcomed {
  Welcome welcome;
  bool epoch_changed = false;  // a different hub store: pulling restarts from the beginning
};
// Read this site's row changes with site_seq > after_site_seq, about max_bytes of them, and
// answer push(); an empty batch means there is nothing more.
struct NeedPush {
  std::int64_t after_site_seq = 0;
  std::int64_t max_bytes = 0;
};
// The hub durably holds everything up to hwm; record it (and any quarantine notices).
struct Acked {
  Ack ack;
};
// Merge these into the store and save the cursor in the same transaction; answer pulled_applied().
struct ApplyPulled {
  Changes changes;
};
// The session is over: ok, or why not. `hub_error` is the hub's refusal when it sent one; a
// definite refusal of a push (forbidden-row, bad-message) names the change at fault (site_seq),
// which the shell sets aside so that it is not the head of the queue again.
struct Finished {
  Status status;
  std::optional<Error> hub_error = std::nullopt;
};
}  // namespace client

using ClientAction = std::variant<client::Welcomed, client::NeedPush, client::Acked, client::ApplyPulled, client::Finished>;

class ClientSession {
 public:
  explicit ClientSession(ClientConfig cfg);

  void start();                                   // queues Hello
  void start(TimePoint now, SessionTimeouts timeouts);
  void receive(std::string_view bytes);           // bytes from the hub
  void receive(std::string_view bytes, TimePoint now);
  std::string take_output();                      // bytes to send to the hub
  void sent(TimePoint now);                       // the hub took what take_output() gave
  // When handle_timeout() is due; nullopt while no deadline applies.
  std::optional<TimePoint> poll_timeout() const;
  void handle_timeout(TimePoint now);
  std::optional<ClientAction> next_action();

  // Answers to actions.
  void heartbeat(const Heartbeat& hb);
  void push(const PushBatch& batch);
  void push(const std::vector<RowChange>& batch);  // the same, from RowChanges
  void pulled_applied();
  // A local failure (store error) ends the session politely.
  void fail(const Status& s);

  bool finished() const { return state_ == State::kDone; }

 private:
  enum class State { kIdle, kAwaitWelcome, kPushing, kPulling, kDone };
  void send(const Message& m);
  void on_message(Message m);
  void protocol_error(const std::string& what);
  void finish(Status s, std::optional<Error> hub_error = std::nullopt);
  void maybe_need_push();
  void send_pull();

  ClientConfig cfg_;
  State state_ = State::kIdle;
  SessionTimer timer_;
  FrameReader reader_;
  std::string out_;
  bool compress_ = false;
  std::deque<ClientAction> actions_;
  std::int64_t max_batch_bytes_ = 1 << 20;
  std::int64_t next_batch_bytes_ = 0;  // the ramp from first_batch_bytes up to max_batch_bytes_
  std::int64_t pushed_up_to_ = 0;      // highest site_seq sent
  std::uint64_t next_batch_ = 1;
  std::deque<std::uint64_t> in_flight_;
  bool push_requested_ = false;        // a NeedPush is outstanding
  bool push_exhausted_ = false;        // the shell said there is nothing more
  bool pull_outstanding_ = false;
  bool last_more_ = false;             // the last Changes said more is due
};

}  // namespace epsync::sync
