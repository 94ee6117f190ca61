#include "hub/crl_state.h"

#include <ctime>

namespace epsync::hub {

CrlState crl_state(std::int64_t next_update_s, std::int64_t now_s) {
  if (next_update_s == 0) return CrlState::kOk;
  if (now_s >= next_update_s) return CrlState::kExpired;
  return next_update_s - now_s <= kCrlWarnSeconds ? CrlState::kDueSoon : CrlState::kOk;
}

std::string crl_problem(std::int64_t next_update_s, std::int64_t now_s) {
  switch (crl_state(next_update_s, now_s)) {
    case CrlState::kExpired:
      return "the certificate revocation list expired at " + utc_text(next_update_s) +
             " (its nextUpdate): every centre is refused until a current one is installed";
    case CrlState::kDueSoon: {
      std::int64_t hours = (next_update_s - now_s) / 3600;
      return "the certificate revocation list expires at " + utc_text(next_update_s) + " (its nextUpdate, in " +
             (hours >= 48 ? std::to_string(hours / 24) + " days" : std::to_string(hours) + " hours") +
             "): publish a new one (epsync-certs crl) and install it at the hub";
    }
    case CrlState::kOk:
      break;
  }
  return "";
}

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

}  // namespace epsync::hub
