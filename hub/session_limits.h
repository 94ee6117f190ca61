// How many connections the hub holds at once ([limits] in hub.toml). Every accepted socket first
// takes a handshake slot (max_handshakes: a TLS handshake needs no certificate yet, so this is
// what an anonymous flood meets; over it the socket is closed at once). A finished handshake
// becomes a session of its certificate's centre if fewer than max_sessions are open in all and
// fewer than max_sessions_per_center of that centre; otherwise the centre is told `busy` and the
// connection keeps its handshake slot until it is gone. So no more than max_handshakes +
// max_sessions connections exist at any time. Used on the daemon's io thread only.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace epsync::hub {

class SessionLimits {
 public:
  SessionLimits(std::int64_t max_sessions, std::int64_t max_per_center, std::int64_t max_handshakes)
      : max_sessions_(max_sessions), max_per_center_(max_per_center), max_handshakes_(max_handshakes) {}

  bool begin_handshake() {
    if (handshakes_ >= max_handshakes_) return false;
    ++handshakes_;
    return true;
  }
  void end_handshake() { --handshakes_; }

  // "" when the centre's session may start (call leave() when it ends), else why not.
  std::string admit(const std::string& center) {
    if (sessions_ >= max_sessions_) return std::to_string(max_sessions_) + " sessions are open (limits.max_sessions)";
    std::int64_t& mine = per_center_[center];
    if (mine >= max_per_center_) {
      std::string why = std::to_string(mine) + " sessions of " + center + " are open (limits.max_sessions_per_center)";
      if (mine == 0) per_center_.erase(center);
      return why;
    }
    ++mine;
    ++sessions_;
    return "";
  }
  void leave(const std::string& center) {
    --sessions_;
    if (auto it = per_center_.find(center); it != per_center_.end() && --it->second <= 0) per_center_.erase(it);
  }

  std::int64_t handshakes() const { return handshakes_; }
  std::int64_t sessions() const { return sessions_; }

 private:
  std::int64_t max_sessions_, max_per_center_, max_handshakes_;
  std::int64_t handshakes_ = 0, sessions_ = 0;
  std::map<std::string, std::int64_t> per_center_;
};

}  // namespace epsync::hub
