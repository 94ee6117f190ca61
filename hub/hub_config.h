// The hub's configuration file (SPEC §7, /etc/epsync/hub.toml), validated like the agent's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "storage/status.h"
#include "util/i18n.h"

namespace epsync::hub {

inline constexpr const char* kDefaultHubConfig = "/etc/epsync/hub.toml";

struct HubConfig {
  std::string source;
  std::string listen_address = "0.0.0.0:7443";
  std::string ca, cert, key, crl;
  std::string store_path;
  std::string http_address = "127.0.0.1:7080";  // metrics, health, dashboard; "" turns HTTP off
  std::string http_token;  // needed for everything but /healthz; empty: only /healthz is served
  std::int64_t skew_bound_seconds = 300;
  std::int64_t handshake_timeout_seconds = 10;
  std::int64_t idle_timeout_seconds = 60;
  // [limits]: connections held at once (hub/session_limits.h).
  std::int64_t max_sessions = 1000;
  std::int64_t max_sessions_per_center = 4;
  std::int64_t max_handshakes = 100;
  // [ui] lang: the language of the hub commands' texts when --lang is not given (SPEC §10).
  std::optional<Lang> lang;
};

Result<HubConfig> load_hub_config(const std::string& path);

}  // namespace epsync::hub
