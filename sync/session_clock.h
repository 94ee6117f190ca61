// Time as an input to the sans-I/O sessions: the deadlines a session keeps (the peer's first answer,
// then silence) without reading a clock. The transport passes `now` in and arms one timer at the
// session's poll_timeout(); tests pass any instant they like.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>

namespace epsync::sync {

using SessionClock = std::chrono::steady_clock;
using TimePoint = SessionClock::time_point;

struct SessionTimeouts {
  // From start until the peer's opening message (hello at the hub, welcome at the agent). 0: none.
  std::chrono::milliseconds opening{0};
  // After that, how long the peer may stay silent while the session waits for it. 0: none.
  std::chrono::milliseconds idle{0};
};

// The deadline of one session. Not started: no deadline at all (a session driven without time).
class SessionTimer {
 public:
  void start(TimePoint now, SessionTimeouts t) {
    t_ = t;
    started_ = true;
    opening_ = true;
    since_ = now;
  }
  // The peer's opening message arrived: the idle rule applies from here on.
  void opened(TimePoint now) {
    opening_ = false;
    progress(now);
  }
  // Something moved (bytes from the peer; at the agent also bytes the hub took): silence restarts.
  void progress(TimePoint now) { since_ = std::max(since_, now); }
  void stop() { started_ = false; }

  std::optional<TimePoint> deadline() const {
    auto limit = opening_ ? t_.opening : t_.idle;
    if (!started_ || limit.count() <= 0) return std::nullopt;
    return since_ + limit;
  }
  bool expired(TimePoint now) const {
    auto d = deadline();
    return d && now >= *d;
  }
  bool opening() const { return opening_; }
  // The limit that applies now, in whole seconds, for messages.
  long long limit_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(opening_ ? t_.opening : t_.idle).count();
  }

 private:
  SessionTimeouts t_;
  bool started_ = false, opening_ = true;
  TimePoint since_{};
};

}  // namespace epsync::sync
