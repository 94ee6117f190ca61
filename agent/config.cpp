#include "agent/config.h"

#include <map>
#include <set>
#include <toml++/toml.h>

namespace epsync {

namespace {

std::string where(const std::string& file, const toml::source_region& src) {
  return file + ":" + std::to_string(src.begin.line);
}

}  // namespace

Result<AgentConfig> load_agent_config(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::string msg(e.description());
    if (msg.find("File could not be opened") != std::string::npos)
      return Status::NotFound(path + ": cannot read the configuration file");
    return Status::InvalidInput(where(path, e.source()) + ": " + msg);
  }
  // section -> key -> is_integer
  static const std::map<std::string, std::map<std::string, bool>> kKnown = {
      {"center", {{"id", false}}},
      {"store", {{"path", false}}},
      {"hub", {{"address", false}, {"ca", false}, {"cert", false}, {"key", false}}},
      {"sync", {{"interval_seconds", true}}},
  };
  AgentConfig cfg;
  cfg.source = path;
  for (const auto& [section_key, section_node] : root) {
    std::string section(section_key.str());
    auto known = kKnown.find(section);
    if (known == kKnown.end())
      return Status::InvalidInput(where(path, section_node.source()) + ": [" + section + "]: unknown section");
    const toml::table* tbl = section_node.as_table();
    if (!tbl) return Status::InvalidInput(where(path, section_node.source()) + ": " + section + ": must be a [section]");
    for (const auto& [key_key, node] : *tbl) {
      std::string key(key_key.str());
      std::string name = section + "." + key;
      auto k = known->second.find(key);
      if (k == known->second.end())
        return Status::InvalidInput(where(path, node.source()) + ": " + name + ": unknown key");
      if (k->second) {
        auto v = node.value<std::int64_t>();
        if (!v || !node.is_integer())
          return Status::InvalidInput(where(path, node.source()) + ": " + name + ": must be a whole number");
        if (*v < 1 || *v > 86400)
          return Status::InvalidInput(where(path, node.source()) + ": " + name + ": must be between 1 and 86400");
        cfg.sync_interval_seconds = static_cast<int>(*v);
        continue;
      }
      if (!node.is_string())
        return Status::InvalidInput(where(path, node.source()) + ": " + name + ": must be a quoted string");
      std::string v = *node.value<std::string>();
      if (v.empty()) return Status::InvalidInput(where(path, node.source()) + ": " + name + ": must not be empty");
      if (name == "center.id") cfg.center_id = v;
      else if (name == "store.path") cfg.store_path = v;
      else if (name == "hub.address") cfg.hub_address = v;
      else if (name == "hub.ca") cfg.hub_ca = v;
      else if (name == "hub.cert") cfg.hub_cert = v;
      else if (name == "hub.key") cfg.hub_key = v;
    }
  }
  if (cfg.center_id.empty()) return Status::InvalidInput(path + ": center.id: required key is missing");
  if (cfg.store_path.empty()) return Status::InvalidInput(path + ": store.path: required key is missing");
  return cfg;
}

}  // namespace epsync
