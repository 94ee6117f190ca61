#include "net/fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "support/loopback.h"

namespace epsync::test {

namespace {

// Follows TLS records in one direction of the stream. Offsets are global: bytes forwarded in
// both directions before the chunk, plus the position in the chunk.
struct RecordTracker {
  bool to_hub = false;
  std::array<unsigned char, 5> header{};
  int header_got = 0;
  int count = 0;  // records started so far
  std::int64_t body_left = 0;

  // `on_header(index, end_offset, length)` runs when a record's header is complete: its end is
  // known from then on.
  template <typename F>
  void feed(const unsigned char* p, std::size_t n, std::int64_t offset_before, std::vector<RecordEnd>& out, F&& on_header) {
    std::size_t i = 0;
    auto finish = [&] {
      out.push_back({offset_before + static_cast<std::int64_t>(i), to_hub, count - 1, header[0], header[3] << 8 | header[4]});
      header_got = 0;
    };
    while (i < n) {
      if (header_got < 5) {
        header[static_cast<std::size_t>(header_got++)] = p[i++];
        if (header_got == 5) {
          body_left = header[3] << 8 | header[4];
          on_header(count++, offset_before + static_cast<std::int64_t>(i) + body_left, body_left);
          if (body_left == 0) finish();
        }
        continue;
      }
      std::size_t take = std::min<std::size_t>(static_cast<std::size_t>(body_left), n - i);
      i += take;
      body_left -= static_cast<std::int64_t>(take);
      if (body_left == 0) finish();
    }
  }
};

bool send_all(int fd, const unsigned char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

FaultProxy::FaultProxy(std::uint16_t upstream_port, CutPlan plan, std::chrono::milliseconds limit)
    : upstream_(upstream_port), plan_(plan), deadline_(std::chrono::steady_clock::now() + limit) {
  listen_fd_ = listen_on_loopback(4, port_);
  if (listen_fd_ < 0) {
    report_.error = std::string("proxy cannot listen: ") + std::strerror(errno);
    return;
  }
  thread_ = std::thread([this] { run(); });
}

FaultProxy::~FaultProxy() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  close_fd(listen_fd_);
}

ProxyReport FaultProxy::finish() {
  // The agent has gone by now, so the proxy ends within moments; the stop flag is the backstop.
  auto soft = std::min(deadline_, std::chrono::steady_clock::now() + std::chrono::seconds(5));
  while (thread_.joinable() && !done_ && std::chrono::steady_clock::now() < soft)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  return report_;
}

bool FaultProxy::over() const { return stop_ || std::chrono::steady_clock::now() >= deadline_; }

bool FaultProxy::open_ends(int& agent, int& hub) {
  while (!over()) {
    pollfd p{listen_fd_, POLLIN, 0};
    int r = ::poll(&p, 1, 20);
    if (r > 0) {
      agent = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (agent >= 0) break;
    }
  }
  close_fd(listen_fd_);
  if (agent < 0) return false;
  report_.accepted = true;
  hub = connect_to_loopback(upstream_);
  if (hub < 0) {
    report_.error = std::string("proxy cannot reach the hub: ") + std::strerror(errno);
    close_fd(agent);
    return false;
  }
  timeval tv{5, 0};  // a send never blocks for long
  ::setsockopt(agent, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  ::setsockopt(hub, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return true;
}

void FaultProxy::run() {
  int agent = -1, hub = -1;
  if (!open_ends(agent, hub)) {
    done_ = true;
    return;
  }

  RecordTracker up, down;
  up.to_hub = true;
  bool agent_open = true, hub_open = true;  // still reading from that side
  std::array<unsigned char, 16 * 1024> buf;
  std::int64_t limit = plan_.after_bytes;  // where to cut; -1 while unknown or never
  auto tighten = [&](std::int64_t at) {
    if (at >= 0 && (limit < 0 || at < limit)) limit = at;
  };
  if (limit == 0) report_.cut = true;
  while (!report_.cut && (agent_open || hub_open) && !over()) {
    pollfd p[2] = {{agent_open ? agent : -1, POLLIN, 0}, {hub_open ? hub : -1, POLLIN, 0}};
    int r = ::poll(p, 2, 20);
    if (r < 0 && errno != EINTR) break;
    if (r <= 0) continue;
    for (int side = 0; side < 2 && !report_.cut; ++side) {
      if (!(p[side].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      int from = side == 0 ? agent : hub, to = side == 0 ? hub : agent;
      std::size_t want = buf.size();
      if (limit >= 0) want = std::min<std::size_t>(want, static_cast<std::size_t>(limit - report_.forwarded));
      ssize_t n = ::recv(from, buf.data(), want, 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {  // that side finished (or reset): pass the end on
        (side == 0 ? agent_open : hub_open) = false;
        ::shutdown(to, SHUT_WR);
        if (n < 0) agent_open = hub_open = false;
        continue;
      }
      // Learn the records in this chunk first: a cut planned at a record's end may fall inside it.
      RecordTracker& t = side == 0 ? up : down;
      t.feed(buf.data(), static_cast<std::size_t>(n), report_.forwarded, report_.records,
             [&](int index, std::int64_t end, std::int64_t) {
               if (index == plan_.record && t.to_hub == plan_.record_to_hub) tighten(std::max<std::int64_t>(0, end + plan_.delta));
             });
      std::int64_t pass = n;
      if (limit >= 0) pass = std::max<std::int64_t>(0, std::min<std::int64_t>(pass, limit - report_.forwarded));
      if (pass > 0 && !send_all(to, buf.data(), static_cast<std::size_t>(pass))) {
        agent_open = hub_open = false;
        break;
      }
      report_.forwarded += pass;
      (side == 0 ? report_.to_hub : report_.to_agent) += pass;
      if (limit >= 0 && report_.forwarded >= limit) {
        report_.cut = true;
        report_.cut_at = report_.forwarded;
      }
    }
  }
  // Only the records that were forwarded whole.
  std::erase_if(report_.records, [&](const RecordEnd& e) { return e.offset > report_.forwarded; });
  close_fd(agent);
  close_fd(hub);
  done_ = true;
}

}  // namespace epsync::test
