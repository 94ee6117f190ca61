// The hub's TLS context over time: built at start, rebuilt on SIGHUP and whenever the CRL file
// changes (its size, mtime or inode, polled), and the CRL's nextUpdate watched. A new context
// serves new connections only; established sessions keep the one they were accepted with. A
// rebuild that fails keeps the current context and says why. No Asio here: the daemon's timer and
// signal handler call poll() and reload() on its io thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>

#include "hub/crl_state.h"
#include "hub/hub_config.h"
#include "hub/metrics.h"

namespace epsync::hub {

class CrlWatch {
 public:
  using Install = std::function<void(SslCtxPtr)>;  // the context for connections accepted from now on
  CrlWatch(const HubConfig& cfg, HubMetrics& metrics, Install install);

  // The first context. Unreadable files are an error (the hub does not start). A CRL past its
  // nextUpdate is not: the hub starts, says so (log, /healthz, /metrics), refuses centres with that
  // reason, and takes a current CRL as soon as one is installed.
  Status start(std::int64_t now_s);
  // SIGHUP: every TLS file read again now.
  void reload(std::int64_t now_s);
  // Every few seconds: reload when the CRL file changed; warn as its nextUpdate nears and passes.
  void poll(std::int64_t now_s);

 private:
  struct Stamp {
    bool exists = false;
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const Stamp&) const = default;
  };
  Stamp stamp() const;
  bool rebuild(const std::string& why, std::int64_t now_s);
  void judge(std::int64_t now_s);

  const HubConfig& cfg_;
  HubMetrics& metrics_;
  Install install_;
  Stamp seen_;
  CrlFacts crl_;
  CrlState said_ = CrlState::kOk;  // what the log last said of the CRL's age
};

}  // namespace epsync::hub
