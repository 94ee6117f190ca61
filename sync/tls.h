// The agent's TLS 1.3 transport around the client session: connect, handshake, run the session
// to its end, close. Mutual authentication always: the agent verifies the hub's certificate and
// host name; the hub verifies the agent's chain (and CRL) and takes the centre id from the
// certificate's CN, nowhere else (sync/tls_server.h). Asio and OpenSSL stay inside the .cpp files.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "storage/status.h"
#include "sync/client_session.h"
#include "sync/tls_context.h"

namespace epsync::sync {

struct ClientOptions {
  std::string address;  // host:port ([v6]:port for IPv6 literals)
  TlsFiles files;
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds idle_timeout{30000};
  // Called with a function that abandons the session from any thread (the daemon's SIGTERM), and
  // with an empty function when the session is over.
  std::function<void(std::function<void()>)> register_stop;
};

// Bytes written to and read from the TLS stream during a session (framing included, TLS record
// overhead not: about 22 bytes per 16 KiB record more on the wire).
struct TransferStats {
  std::int64_t bytes_sent = 0, bytes_received = 0;
};

// Connects, runs the session to its end and closes. `on_action` carries out each action the
// session asks for (the shell: AgentSync). The returned Status is the transport's verdict; the
// session's own result is the shell's business.
Status run_client(const ClientOptions& opt, ClientSession& session,
                  const std::function<void(ClientAction)>& on_action, TransferStats* stats = nullptr);

}  // namespace epsync::sync
