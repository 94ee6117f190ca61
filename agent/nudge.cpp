#include "agent/nudge.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace epsync {

std::string nudge_socket_path(const std::string& store_path) { return store_path + ".nudge"; }

void nudge_agent(const std::string& store_path) {
  std::string path = nudge_socket_path(store_path);
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) return;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const char msg = 'n';
  (void)sendto(fd, &msg, 1, 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  close(fd);
}

}  // namespace epsync
