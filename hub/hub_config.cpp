#include "hub/hub_config.h"

#include "util/config_file.h"

namespace epsync::hub {

Result<HubConfig> load_hub_config(const std::string& path) {
  static const std::vector<ConfigKey> kSchema = {
      {"listen.address"},
      {"tls.ca", false, true},
      {"tls.cert", false, true},
      {"tls.key", false, true},
      {"tls.crl"},
      {"store.path", false, true},
      {"http.address"},
      {"http.token"},
      {"sync.skew_bound_seconds", true, false, 1, 86400},
      {"sync.handshake_timeout_seconds", true, false, 1, 600},
      {"sync.idle_timeout_seconds", true, false, 1, 3600},
      {"limits.max_sessions", true, false, 1, 100000},
      {"limits.max_sessions_per_center", true, false, 1, 1000},
      {"limits.max_handshakes", true, false, 1, 10000},
      kUiLangKey,
  };
  auto v = read_config_file(path, kSchema);
  if (!v.ok()) return v.status();
  HubConfig c;
  c.source = path;
  c.listen_address = v->get("listen.address", c.listen_address);
  c.ca = v->get("tls.ca");
  c.cert = v->get("tls.cert");
  c.key = v->get("tls.key");
  c.crl = v->get("tls.crl");
  c.store_path = v->get("store.path");
  c.http_address = v->get("http.address", c.http_address);
  c.http_token = v->get("http.token");
  c.skew_bound_seconds = v->get_int("sync.skew_bound_seconds", c.skew_bound_seconds);
  c.handshake_timeout_seconds = v->get_int("sync.handshake_timeout_seconds", c.handshake_timeout_seconds);
  c.idle_timeout_seconds = v->get_int("sync.idle_timeout_seconds", c.idle_timeout_seconds);
  c.max_sessions = v->get_int("limits.max_sessions", c.max_sessions);
  c.max_sessions_per_center = v->get_int("limits.max_sessions_per_center", c.max_sessions_per_center);
  c.max_handshakes = v->get_int("limits.max_handshakes", c.max_handshakes);
  c.lang = configured_lang(v.value());
  return c;
}

}  // namespace epsync::hub
