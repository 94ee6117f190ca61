#include "net/net_steps.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "support/write_txn.h"

namespace epsync::test {

nlohmann::json status_json(NetWorld& w, const std::string& centre) {
  auto r = w.epsync({"status", "--json", "--config", w.centres.at(centre).config});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return nlohmann::json::parse(r.out);
}

void check_same(const HubState& now, const HubState& before) {
  CHECK(now.change_log == before.change_log);
  CHECK(now.quarantine == before.quarantine);
  CHECK(now.hwm == before.hwm);
  CHECK(now.dump == before.dump);
}

void hub_write(NetWorld& w, const std::function<void(WriteTxn&)>& fn) {
  auto hub = w.open_hub_store();
  write_and_commit(hub->store(), fn);
}

void store_write(NetWorld& w, const std::string& db, const std::function<void(WriteTxn&)>& fn) {
  auto store = w.open_store(db);
  write_and_commit(*store, fn);
}

RunResult s_client(NetWorld& w, const std::vector<std::string>& args, const std::string& input, int timeout_seconds) {
  static int n = 0;
  std::string in = w.dir.file("s_client-stdin-" + std::to_string(n++));
  write_file_bytes(in, input);
  std::vector<std::string> argv = {"openssl", "s_client", "-connect", w.hub_address(), "-CAfile", w.ca_crt};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_with_stdin(argv, in, timeout_seconds);
}

int tcp_connect(std::uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return fd;
}

bool peer_closes(int fd) {
  char buf[4096];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

}  // namespace epsync::test
