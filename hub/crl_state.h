// How old the hub's certificate revocation list is, as the log, /healthz and /metrics tell it: due
// soon within a week of its nextUpdate, expired after it. The TLS context itself, the CRL loading
// and the certificate checks are sync/tls_context.h, shared with the agent.
#pragma once

#include <cstdint>
#include <string>

#include "sync/tls_context.h"

namespace epsync::hub {

using sync::CrlFacts;
using sync::SslCtxPtr;
using sync::utc_text;

// A CRL is due soon within this many seconds of its nextUpdate.
inline constexpr std::int64_t kCrlWarnSeconds = 7 * 86400;
enum class CrlState { kOk, kDueSoon, kExpired };
CrlState crl_state(std::int64_t next_update_s, std::int64_t now_s);
// For logs and /healthz: "" when kOk, else e.g. "the certificate revocation list expired at ...".
std::string crl_problem(std::int64_t next_update_s, std::int64_t now_s);

// The wall clock, Unix seconds (what OpenSSL checks nextUpdate against).
std::int64_t unix_now();

}  // namespace epsync::hub
