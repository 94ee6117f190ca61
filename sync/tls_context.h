// Mutual TLS 1.3 as both ends set it up, written once: the OpenSSL context (CA, own certificate
// and key, peer verification, the CRL at the hub), the checks on a centre's certificate beyond the
// chain (extendedKeyUsage clientAuth, SPEC §6), why a handshake was refused, and what a
// certificate says (CN, notAfter). No Asio here; the transports wrap the context.
#pragma once

#include <openssl/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "storage/status.h"

namespace epsync::sync {

struct SslCtxFree {
  void operator()(SSL_CTX* c) const;
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

struct TlsFiles {
  std::string ca, cert, key;
  std::string crl;  // optional, hub side
};

// What the CRL file holds, as far as the hub cares.
struct CrlFacts {
  std::int64_t next_update_s = 0;  // the earliest nextUpdate of its CRLs, Unix s; 0: none given
  std::int64_t last_update_s = 0;  // the latest lastUpdate
  std::size_t revoked = 0;         // revoked certificates listed
};

struct TlsContext {
  SslCtxPtr ctx;
  CrlFacts crl;  // all zero without a CRL
};

// The agent verifies the hub's chain (the host name: the transport, per connection); the hub
// requires a client certificate with clientAuth from its CA, checked against the CRL if given.
enum class TlsSide { kAgent, kHub };

// A context from `files`. Errors are InvalidInput and name the file. A CRL past its nextUpdate
// still loads: the hub judges its age itself.
Result<TlsContext> build_tls_context(TlsSide side, const TlsFiles& files);

// Certificate facts read with OpenSSL.
struct CertInfo {
  std::string common_name;     // "" if none
  std::int64_t not_after = 0;  // Unix seconds, 0 if none
};
Result<CertInfo> read_certificate(const std::string& pem_path);
// The verified peer certificate of a finished handshake.
CertInfo peer_certificate(SSL* ssl);

// Where the hub's verify callback writes why it refused this connection's client certificate,
// when it can say more than OpenSSL's error string. `reason` must outlive the handshake.
void set_refusal_slot(SSL* ssl, std::string* reason);
// Why a handshake failed, for the log: which certificate and why (no clientAuth, the hub's CRL
// expired, revoked, unknown CA...), not only "certificate verify failed". `callback_reason` is
// what the verify callback wrote in the refusal slot, `ssl_error` OpenSSL's reason.
std::string refusal_reason(SSL* ssl, const std::string& callback_reason, const std::string& ssl_error);

// "2026-01-31 12:00:00 UTC".
std::string utc_text(std::int64_t unix_s);

}  // namespace epsync::sync
