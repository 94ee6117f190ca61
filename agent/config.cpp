#include "agent/config.h"

#include "util/config_file.h"

namespace epsync {

Result<AgentConfig> load_agent_config(const std::string& path) {
  static const std::vector<ConfigKey> kSchema = {
      {"center.id", false, true},   {"store.path", false, true}, {"hub.address"},
      {"hub.ca"},                   {"hub.cert"},                {"hub.key"},
      {"sync.interval_seconds", true, false, 1, 86400},
      {"sync.timeout_seconds", true, false, 1, 3600},
      kUiLangKey,
  };
  auto v = read_config_file(path, kSchema);
  if (!v.ok()) return v.status();
  AgentConfig cfg;
  cfg.source = path;
  cfg.center_id = v->get("center.id");
  cfg.store_path = v->get("store.path");
  cfg.hub_address = v->get("hub.address");
  cfg.hub_ca = v->get("hub.ca");
  cfg.hub_cert = v->get("hub.cert");
  cfg.hub_key = v->get("hub.key");
  cfg.sync_interval_seconds = static_cast<int>(v->get_int("sync.interval_seconds", 60));
  cfg.sync_timeout_seconds = static_cast<int>(v->get_int("sync.timeout_seconds", 30));
  cfg.lang = configured_lang(v.value());
  return cfg;
}

}  // namespace epsync
