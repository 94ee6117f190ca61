// The hub's HTTP listener (SPEC §7, [http] address, default 127.0.0.1:7080), on threads of its
// own (cpp-httplib's pool), never touching the store worker's connection: every request opens
// its own read-only connection to the hub store (WAL: readers never block the writer).
//
//   /healthz          200 "ok" when the store opens and answers; no token needed. "degraded: REASON"
//                     when the CRL's nextUpdate is within 7 days (200) or has passed (503)
//   /metrics          Prometheus text format 0.0.4 (metrics.h)
//   /                 the dashboard (dashboard.h); ?as_of=YYYY-MM-DD or DD.MM.YYYY
//   /api/report       ?by=region|center|sector&as_of=YYYY-MM-DD (or DD.MM.YYYY): the JSON of `epsync hub report`
//
// Everything but /healthz needs the token of [http] token: "Authorization: Bearer TOKEN", or
// basic authentication with any user name and the token as password (so a browser can log in).
// Without a token configured only /healthz is served.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "hub/hub_config.h"
#include "hub/metrics.h"
#include "storage/status.h"

namespace epsync::hub {

class HttpServer {
 public:
  struct Options {
    std::string address = "127.0.0.1:7080";  // host:port, host an IP address
    std::string token;                       // empty: serve only /healthz
    std::string store_path;
    std::string version;                     // for epsync_hub_build_info
  };
  HttpServer(Options opt, const HubMetrics& metrics);
  ~HttpServer();  // stops
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the address (InvalidInput when it is malformed, IoError when it cannot be bound) and
  // starts serving on a background thread.
  Status start();
  // Stops accepting, finishes the requests in progress, joins the threads. Safe to call twice.
  void stop();
  // "IP:port" actually bound (useful with port 0).
  std::string bound_address() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The daemon's HTTP listener as cfg says, with what it serves logged: 2 when http.address is
// malformed (a configuration error), else 0; an address that cannot be bound is a warning only,
// since syncing goes on without metrics, health and dashboard.
int start_http(const HubConfig& cfg, const HubMetrics& metrics, const std::string& version,
               std::optional<HttpServer>& http);

}  // namespace epsync::hub
