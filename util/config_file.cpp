#include "util/config_file.h"

#include <fstream>
#include <sstream>
#include <toml++/toml.h>

namespace epsync {

namespace {
std::string where(const std::string& file, const toml::source_region& src) {
  return file + ":" + std::to_string(src.begin.line);
}
}  // namespace

Result<ConfigValues> read_config_file(const std::string& path, const std::vector<ConfigKey>& schema) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot read the configuration file");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  // toml++ 3.3 (Debian 12) reaches undefined behaviour on some non-ASCII bytes where whitespace
  // may stand (found by fuzzing; fixed upstream later). Every key and value epsync reads is ASCII.
  int line = 1;
  for (char c : text) {
    if (c == '\n') ++line;
    if (static_cast<unsigned char>(c) >= 0x80)
      return Status::InvalidInput(path + ":" + std::to_string(line) + ": only ASCII is allowed in the configuration file");
  }
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Status::InvalidInput(where(path, e.source()) + ": " + std::string(e.description()));
  }
  ConfigValues out;
  out.source = path;
  auto known_section = [&](const std::string& section) {
    for (const auto& k : schema)
      if (k.name.compare(0, section.size() + 1, section + ".") == 0) return true;
    return false;
  };
  for (const auto& [section_key, section_node] : root) {
    std::string section(section_key.str());
    if (!known_section(section))
      return Status::InvalidInput(where(path, section_node.source()) + ": [" + section + "]: unknown section");
    const toml::table* tbl = section_node.as_table();
    if (!tbl) return Status::InvalidInput(where(path, section_node.source()) + ": " + section + ": must be a [section]");
    for (const auto& [key_key, node] : *tbl) {
      std::string name = section + "." + std::string(key_key.str());
      const ConfigKey* k = nullptr;
      for (const auto& c : schema)
        if (c.name == name) k = &c;
      std::string at = where(path, node.source()) + ": " + name + ": ";
      if (!k) return Status::InvalidInput(at + "unknown key");
      if (k->integer) {
        if (!node.is_integer()) return Status::InvalidInput(at + "must be a whole number");
        std::int64_t v = *node.value<std::int64_t>();
        if (v < k->min || v > k->max)
          return Status::InvalidInput(at + "must be between " + std::to_string(k->min) + " and " + std::to_string(k->max));
        out.integer[name] = v;
        continue;
      }
      if (!node.is_string()) return Status::InvalidInput(at + "must be a quoted string");
      std::string v = *node.value<std::string>();
      if (v.empty()) return Status::InvalidInput(at + "must not be empty");
      out.text[name] = v;
    }
  }
  for (const auto& k : schema)
    if (k.required && !out.text.count(k.name) && !out.integer.count(k.name))
      return Status::InvalidInput(path + ": " + k.name + ": required key is missing");
  return out;
}

}  // namespace epsync
