// TCP sockets on 127.0.0.1 for the tests' own proxies: a listener at a port the kernel picks, and
// a connection to a port on the same host. Both return -1 with errno set when the system refuses.
#pragma once

#include <cstdint>

namespace epsync::test {

// A socket listening on 127.0.0.1 at a free port, which is stored in `port`. `flags` are added
// to SOCK_STREAM | SOCK_CLOEXEC (SOCK_NONBLOCK, say).
int listen_on_loopback(int backlog, std::uint16_t& port, int flags = 0);

// A blocking connect to 127.0.0.1:`port` (on loopback it connects or is refused at once).
int connect_to_loopback(std::uint16_t port);

}  // namespace epsync::test
