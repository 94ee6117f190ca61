#include "chaos/chaos_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <vector>

#include "support/loopback.h"

namespace epsync::test {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

const char* fault_name(Fault f) {
  switch (f) {
    case Fault::kPass: return "pass";
    case Fault::kDrop: return "drop";
    case Fault::kDelay: return "delay";
    case Fault::kReset: return "reset";
    case Fault::kTruncate: return "truncate";
    case Fault::kStall: return "stall";
  }
  return "?";
}

namespace {

constexpr std::size_t kMaxQueued = 256 * 1024;  // stop reading a side whose bytes cannot leave

void close_fd(int& fd, bool rst = false) {
  if (fd < 0) return;
  if (rst) {  // SO_LINGER 0: close() sends a RST instead of a FIN
    linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  }
  ::close(fd);
  fd = -1;
}

// Blocking on loopback: it connects or is refused at once (the hub is up or down).
int connect_loopback(std::uint16_t port) {
  int fd = connect_to_loopback(port);
  if (fd >= 0) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

}  // namespace

// One side of a proxied connection and the bytes waiting to be written to it.
struct Chunk {
  Clock::time_point due;
  std::string bytes;
  bool eof = false;  // pass the peer's FIN on, after the bytes before it
};
struct Side {
  int fd = -1;
  bool read_eof = false, write_shut = false;
  bool hup = false;   // both directions over: no more polling (a hung-up socket polls ready forever)
  short revents = 0;  // from the last poll()
  std::deque<Chunk> out;
  std::size_t queued = 0;
};

struct ChaosProxy::Conn {
  Fault fault = Fault::kPass;
  Side agent, hub;
  std::int64_t moved = 0;    // bytes read from either side
  std::int64_t trigger = -1; // where a truncation, reset or stall starts
  milliseconds delay{0}, stall{0};
  bool long_stall = false, stalled = false, stall_over = false, cut = false;
  Clock::time_point stall_until{}, deadline{};
  bool done = false;
};

struct ChaosProxy::Conns {
  std::vector<std::unique_ptr<Conn>> list;
};

ChaosProxy::ChaosProxy(std::uint16_t upstream_port, std::uint64_t seed, ChaosProxyOptions opt)
    : opt_(opt), rng_(seed), upstream_(upstream_port), conns_(std::make_unique<Conns>()) {
  listen_fd_ = listen_on_loopback(64, port_, SOCK_NONBLOCK);
  if (listen_fd_ < 0) {
    error_ = std::string("chaos proxy cannot listen: ") + std::strerror(errno);
    return;
  }
  thread_ = std::thread([this] { run(); });
}

ChaosProxy::~ChaosProxy() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  for (auto& c : conns_->list) {
    close_fd(c->agent.fd);
    close_fd(c->hub.fd);
  }
  close_fd(listen_fd_);
}

void ChaosProxy::set_healthy(bool healthy) {
  healthy_ = healthy;
  if (healthy) reset_faulty_ = true;
}

ChaosProxyStats ChaosProxy::stats() {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void ChaosProxy::accept_one() {
  int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd < 0) return;
  auto c = std::make_unique<Conn>();
  c->deadline = Clock::now() + opt_.connection_limit;
  if (!healthy_ && static_cast<int>(rng_() % 100) < opt_.faulty_percent)
    c->fault = static_cast<Fault>(1 + rng_() % (kFaultKinds - 1));
  // Every connection draws the same numbers whatever its fault, so one seed gives one sequence.
  std::int64_t point = static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(opt_.max_cut_bytes + 1));
  auto delay = milliseconds(5 + static_cast<std::int64_t>(rng_() % static_cast<std::uint64_t>(opt_.max_delay.count())));
  bool long_stall = rng_() % 2 == 0;
  double frac = static_cast<double>(rng_() % 1000) / 1000.0;  // where in its range the stall ends
  auto t = static_cast<double>(opt_.agent_timeout.count());
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.by_fault[static_cast<std::size_t>(c->fault)];
  }
  switch (c->fault) {
    case Fault::kDrop:
      close_fd(fd);  // accepted, then closed at once
      return;
    case Fault::kDelay: c->delay = delay; break;
    case Fault::kReset:
    case Fault::kTruncate: c->trigger = point; break;
    case Fault::kStall:
      c->trigger = point;
      c->long_stall = long_stall;
      // Short: 5-80 % of the agent's timeout; long: 120-180 %, so the agent gives up first.
      c->stall = milliseconds(static_cast<std::int64_t>(long_stall ? t * (1.2 + 0.6 * frac) : t * (0.05 + 0.75 * frac)));
      break;
    case Fault::kPass: break;
  }
  int hub = connect_loopback(upstream_);
  if (hub < 0) {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.upstream_refused;
    close_fd(fd);
    return;
  }
  c->agent.fd = fd;
  c->hub.fd = hub;
  conns_->list.push_back(std::move(c));
}

// Reads what each side has sent (up to the fault's trigger point) and queues it for the other
// side, due after the connection's delay; returns false when a peer reset the connection.
bool ChaosProxy::forward_reads(Conn& c, Clock::time_point now) {
  std::array<char, 16 * 1024> buf;
  for (int s = 0; s < 2; ++s) {
    Side& from = s == 0 ? c.agent : c.hub;
    Side& to = s == 0 ? c.hub : c.agent;
    if (from.read_eof || to.queued > kMaxQueued || c.cut) continue;
    std::size_t want = buf.size();
    bool limited = c.trigger >= 0 && !c.stall_over;
    if (limited) want = std::min<std::size_t>(want, static_cast<std::size_t>(std::max<std::int64_t>(0, c.trigger - c.moved)));
    if (want > 0) {
      ssize_t n = ::recv(from.fd, buf.data(), want, MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
      if (n < 0) {  // the peer reset: pass the reset on
        close_fd(to.fd, true);
        return false;
      }
      if (n == 0) {
        from.read_eof = true;
        to.out.push_back({now + c.delay, {}, true});
      } else {
        c.moved += n;
        // Latency keeps the order: a chunk is never due before the one ahead of it.
        Clock::time_point due = now + c.delay;
        if (!to.out.empty()) due = std::max(due, to.out.back().due);
        to.out.push_back({due, std::string(buf.data(), static_cast<std::size_t>(n)), false});
        to.queued += static_cast<std::size_t>(n);
      }
    }
    if (limited && c.moved >= c.trigger) {
      if (c.fault == Fault::kStall) {
        c.stalled = true;
        c.stall_until = now + c.stall;
        std::lock_guard<std::mutex> lock(mu_);
        ++(c.long_stall ? stats_.long_stalls : stats_.short_stalls);
      } else {
        c.cut = true;  // truncation and reset: forward what was read up to the point, then end
      }
    }
  }
  return true;
}

// Writes the queued bytes that are due to each side; returns false when a write fails.
bool ChaosProxy::deliver(Conn& c, Clock::time_point now) {
  for (Side* to : {&c.hub, &c.agent}) {
    while (!to->out.empty() && to->out.front().due <= now && !c.stalled) {
      Chunk& ch = to->out.front();
      if (ch.eof) {
        if (!to->write_shut) ::shutdown(to->fd, SHUT_WR);
        to->write_shut = true;
        to->out.pop_front();
        continue;
      }
      ssize_t w = ::send(to->fd, ch.bytes.data(), ch.bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
      if (w <= 0) {
        close_fd(c.agent.fd, true);
        close_fd(c.hub.fd, true);
        return false;
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        stats_.bytes += w;
      }
      to->queued -= static_cast<std::size_t>(w);
      if (static_cast<std::size_t>(w) == ch.bytes.size()) to->out.pop_front();
      else ch.bytes.erase(0, static_cast<std::size_t>(w));
    }
  }
  return true;
}

// Moves what can move on one connection; returns false when it is over.
bool ChaosProxy::serve(Conn& c, Clock::time_point now) {
  if (now >= c.deadline) return false;
  if (c.stalled) {
    if (now < c.stall_until) return true;  // neither reads nor writes: bytes wait in the kernel
    c.stalled = false;
    c.stall_over = true;
  }
  for (Side* s : {&c.agent, &c.hub}) {
    if (s->revents & POLLERR) {  // reset by its peer: reset the other end too
      close_fd(c.agent.fd, true);
      close_fd(c.hub.fd, true);
      return false;
    }
    if ((s->revents & POLLHUP) && s->read_eof) s->hup = true;
    s->revents = 0;
  }
  if (!forward_reads(c, now) || !deliver(c, now)) return false;
  if (c.cut && c.agent.out.empty() && c.hub.out.empty()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.cuts;
    }
    bool rst = c.fault == Fault::kReset;
    close_fd(c.agent.fd, rst);
    close_fd(c.hub.fd, rst);
    return false;
  }
  // Both ends finished and everything delivered: a normal end.
  return !(c.agent.read_eof && c.hub.read_eof && c.agent.out.empty() && c.hub.out.empty());
}

void ChaosProxy::run() {
  auto& list = conns_->list;
  while (!stop_) {
    if (reset_faulty_.exchange(false)) {
      for (auto& c : list)
        if (c->fault != Fault::kPass) {
          close_fd(c->agent.fd, true);
          close_fd(c->hub.fd, true);
          c->done = true;
        }
    }
    std::vector<pollfd> fds;
    std::vector<Side*> sides;  // sides[i] goes with fds[i + 1]
    fds.push_back({listen_fd_, POLLIN, 0});
    auto now = Clock::now();
    int timeout = 20;
    for (auto& c : list) {
      if (c->done || c->stalled) continue;
      for (Side* s : {&c->agent, &c->hub}) {
        const Side& other = s == &c->agent ? c->hub : c->agent;
        if (s->hup) continue;
        short ev = s->read_eof || c->cut || other.queued > kMaxQueued ? 0 : POLLIN;
        if (!s->out.empty()) {
          auto wait = std::chrono::duration_cast<milliseconds>(s->out.front().due - now).count();
          if (wait <= 0) ev |= POLLOUT;
          else timeout = std::min<int>(timeout, static_cast<int>(wait));
        }
        fds.push_back({s->fd, ev, 0});
        sides.push_back(s);
      }
    }
    ::poll(fds.data(), fds.size(), std::max(timeout, 1));
    for (std::size_t i = 0; i < sides.size(); ++i) sides[i]->revents = fds[i + 1].revents;
    if (fds[0].revents & POLLIN)
      for (int i = 0; i < 16; ++i) accept_one();  // whatever is waiting; accept4 fails when none is
    now = Clock::now();
    for (auto& c : list)
      if (!c->done && !serve(*c, now)) {
        close_fd(c->agent.fd);
        close_fd(c->hub.fd);
        c->done = true;
      }
    std::erase_if(list, [](const std::unique_ptr<Conn>& c) { return c->done; });
  }
}

}  // namespace epsync::test
