#include "hub/crl_watch.h"

#include <sys/stat.h>

#include "util/log.h"

namespace epsync::hub {

namespace {

// The hub's context from the files named in cfg (tls.ca, tls.cert, tls.key, tls.crl).
Result<sync::TlsContext> build_server_tls(const HubConfig& cfg) {
  return sync::build_tls_context(sync::TlsSide::kHub, {cfg.ca, cfg.cert, cfg.key, cfg.crl});
}

}  // namespace

CrlWatch::CrlWatch(const HubConfig& cfg, HubMetrics& metrics, Install install)
    : cfg_(cfg), metrics_(metrics), install_(std::move(install)) {}

CrlWatch::Stamp CrlWatch::stamp() const {
  Stamp s;
  struct stat st {};
  if (cfg_.crl.empty() || ::stat(cfg_.crl.c_str(), &st) != 0) return s;
  s.exists = true;
  s.dev = st.st_dev;
  s.ino = st.st_ino;
  s.size = st.st_size;
  s.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  return s;
}

Status CrlWatch::start(std::int64_t now_s) {
  seen_ = stamp();
  auto tls = build_server_tls(cfg_);
  if (!tls.ok()) return tls.status();
  crl_ = tls->crl;
  metrics_.crl_next_update_s.store(crl_.next_update_s, std::memory_order_relaxed);
  install_(std::move(tls.value().ctx));
  if (!cfg_.crl.empty())
    log::notice("certificate revocation list " + cfg_.crl + ": " + std::to_string(crl_.revoked) +
                " revoked certificate(s), next update " + (crl_.next_update_s ? utc_text(crl_.next_update_s) : "not given"));
  judge(now_s);
  return Status::Ok();
}

void CrlWatch::reload(std::int64_t now_s) {
  seen_ = stamp();
  rebuild("on SIGHUP", now_s);
  judge(now_s);
}

void CrlWatch::poll(std::int64_t now_s) {
  if (!cfg_.crl.empty()) {
    Stamp now = stamp();
    if (!(now == seen_)) {
      seen_ = now;  // taken before reading: a file still being written changes again, and is read again
      if (now.exists) rebuild("after " + cfg_.crl + " changed", now_s);
      else log::warning(cfg_.crl + " is gone; the hub keeps the revocation list it has");
    }
  }
  judge(now_s);
}

bool CrlWatch::rebuild(const std::string& why, std::int64_t now_s) {
  auto tls = build_server_tls(cfg_);
  if (tls.ok() && crl_state(tls->crl.next_update_s, now_s) == CrlState::kExpired &&
      crl_state(crl_.next_update_s, now_s) != CrlState::kExpired)
    tls = Status::InvalidInput(cfg_.crl + ": this certificate revocation list expired at " +
                               utc_text(tls->crl.next_update_s) + ", the one in use has not");
  if (!tls.ok()) {
    metrics_.crl_reload_failures.fetch_add(1, std::memory_order_relaxed);
    log::error("TLS files not reloaded " + why + ": " + tls.status().message() +
               "; new connections still get the certificates and revocation list loaded before");
    return false;
  }
  crl_ = tls->crl;
  metrics_.crl_next_update_s.store(crl_.next_update_s, std::memory_order_relaxed);
  metrics_.crl_reloads.fetch_add(1, std::memory_order_relaxed);
  install_(std::move(tls.value().ctx));
  std::string what = cfg_.crl.empty() ? "" : ", revocation list " + cfg_.crl + ": " + std::to_string(crl_.revoked) +
                                                  " revoked certificate(s), next update " +
                                                  (crl_.next_update_s ? utc_text(crl_.next_update_s) : "not given");
  log::notice("TLS files reloaded " + why + what + "; established sessions keep their connection");
  return true;
}

// Says it once per change of state: due soon (a warning), passed (an error), current again.
void CrlWatch::judge(std::int64_t now_s) {
  CrlState state = crl_state(crl_.next_update_s, now_s);
  if (state == said_) return;
  said_ = state;
  std::string problem = crl_problem(crl_.next_update_s, now_s);
  if (state == CrlState::kExpired) log::error(cfg_.crl + ": " + problem);
  else if (state == CrlState::kDueSoon) log::warning(cfg_.crl + ": " + problem);
  else log::notice(cfg_.crl + ": the certificate revocation list is current again");
}

}  // namespace epsync::hub
