// The hub's side of mutual TLS, without Asio: the OpenSSL context every new connection is made
// from (CA, hub certificate and key, the CRL), the checks on a centre's certificate beyond the
// chain (extendedKeyUsage clientAuth, SPEC §6), why a handshake was refused, and what the
// verified certificate says (CN, notAfter). hub_daemon.cpp wraps the context for Asio; a
// reloaded CRL means a new context for new connections while established ones keep theirs.
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <string>

#include "hub/hub_config.h"
#include "storage/status.h"

namespace epsync::hub {

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

// What the CRL file holds, as far as the hub cares.
struct CrlFacts {
  std::int64_t next_update_s = 0;  // the earliest nextUpdate of its CRLs, Unix s; 0: none given
  std::int64_t last_update_s = 0;  // the latest lastUpdate
  std::size_t revoked = 0;         // revoked certificates listed
};

struct ServerTls {
  SslCtxPtr ctx;
  CrlFacts crl;  // all zero without a CRL
};

// A server context from the files named in cfg (tls.ca, tls.cert, tls.key, tls.crl). Errors are
// InvalidInput and name the file. A CRL past its nextUpdate still loads: crl_state() judges it.
Result<ServerTls> build_server_tls(const HubConfig& cfg);

// Where the verify callback writes why it refused this connection's client certificate, when it
// can say more than OpenSSL's error string. `reason` must outlive the handshake.
void set_refusal_slot(SSL* ssl, std::string* reason);

// Why a handshake failed, for the log: which certificate and why (no clientAuth, the hub's CRL
// expired, revoked, unknown CA...), not only "certificate verify failed". `callback_reason` is
// what the verify callback wrote in the refusal slot, `ssl_error` OpenSSL's reason.
std::string refusal_reason(SSL* ssl, const std::string& callback_reason, const std::string& ssl_error);

// A CRL is due soon within this many seconds of its nextUpdate.
inline constexpr std::int64_t kCrlWarnSeconds = 7 * 86400;
enum class CrlState { kOk, kDueSoon, kExpired };
CrlState crl_state(std::int64_t next_update_s, std::int64_t now_s);
// For logs and /healthz: "" when kOk, else e.g. "the certificate revocation list expired at ...".
std::string crl_problem(std::int64_t next_update_s, std::int64_t now_s);

// The wall clock, Unix seconds (what OpenSSL checks nextUpdate against).
std::int64_t unix_now();
// "2026-01-31 12:00:00 UTC".
std::string utc_text(std::int64_t unix_s);

// The verified client certificate of a finished handshake: its CN ("" if none) and notAfter
// (Unix s, 0 if none).
struct PeerFacts {
  std::string common_name;
  std::int64_t not_after = 0;
};
PeerFacts peer_facts(SSL* ssl);

}  // namespace epsync::hub
