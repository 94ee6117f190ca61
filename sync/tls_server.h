// The hub's TLS 1.3 transport around the server session: it listens, accepts, completes each
// handshake within a time limit, takes the centre from the verified certificate's CN (nowhere
// else), runs one ServerSession per connection with the session's deadlines on a timer, and hands
// the session's actions to a shell the hub supplies (hub/hub_daemon.cpp). It also runs the hub's
// event loop: work posted from other threads, periodic checks, signals. Asio and OpenSSL stay in
// the .cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "storage/status.h"
#include "sync/server_session.h"
#include "sync/tls_context.h"

namespace epsync::sync {

struct ServerTransportOptions {
  std::chrono::milliseconds handshake_timeout{10000};
  SessionTimeouts session;  // the hello and the idle rule, kept by each ServerSession
  int schema_max = 0;       // the hub store's schema (ServerConfig::schema_max)
};

// What a shell may ask of its connection, on the loop's thread.
class ServerLink {
 public:
  virtual ~ServerLink() = default;
  // Sends what the session has to say; once the session is closed and all is sent, closes.
  virtual void flush() = 0;
  // Keeps the connection (and so its shell and session) alive while held.
  virtual std::shared_ptr<void> keep_alive() = 0;
};

// The hub's side of one connection after its handshake; lives as long as the connection.
class ServerShell {
 public:
  virtual ~ServerShell() = default;
  // The session may have actions (after bytes arrived, a timeout, a shutdown): hand them on.
  virtual void on_actions() = 0;
  virtual void on_bytes(std::size_t received, std::size_t sent) = 0;
};

struct ServerHooks {
  // A TCP connection arrived: a handshake slot, held until the shell lets it go, or null to close
  // the connection unanswered.
  std::function<std::shared_ptr<void>()> begin_handshake;
  // A TLS handshake failed or timed out (the transport logs who and why).
  std::function<void()> handshake_failed;
  // The verified peer of a new session: its shell. `session` and `link` outlive the shell.
  std::function<std::unique_ptr<ServerShell>(const CertInfo& cert, const std::string& peer, ServerSession& session,
                                             ServerLink& link, std::shared_ptr<void> handshake_slot)>
      open;
};

class TlsServer {
 public:
  TlsServer(ServerTransportOptions opt, ServerHooks hooks);
  ~TlsServer();
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;

  // Binds "ip:port". InvalidInput: a malformed address; IoError: it cannot be bound.
  Status listen(const std::string& address);
  std::string local_address() const;  // "ip:port" as bound
  // The context for connections accepted from now on (established ones keep theirs). Call before
  // run() or on the loop's thread.
  void set_context(SslCtxPtr ctx);

  // From any thread: `work` runs on the loop's thread.
  void post(std::function<void()> work);
  // On the loop's thread, every `period` from run() on.
  void every(std::chrono::milliseconds period, std::function<void()> work);
  // On the loop's thread, each time `signal` arrives.
  void on_signal(int signal, std::function<void()> work);
  // On the loop's thread: stops accepting, ends every session ("hub is shutting down"), and ends
  // the loop once they are closed or after `grace`.
  void shutdown(std::chrono::milliseconds grace);
  // From any thread: the loop ends now.
  void stop();
  // Accepts and serves until stop() or the end of shutdown().
  void run();

  struct Impl;  // opaque: defined in tls_server.cpp, where the connections use it too

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace epsync::sync
