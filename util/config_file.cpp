#include "util/config_file.h"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "util/i18n.h"

namespace epsync {

namespace {

std::string where(const std::string& file, const toml::source_region& src) {
  return file + ":" + std::to_string(src.begin.line);
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

// The problem with `node` as the value of `key`, or "" when there is none; the value read into `out`.
std::string value_problem(const ConfigKey& key, const toml::node& node, ConfigValues& out) {
  if (key.integer) {
    if (!node.is_integer()) return tr("must be a whole number");
    std::int64_t v = *node.value<std::int64_t>();
    if (v < key.min || v > key.max) return trf("must be between {} and {}", key.min, key.max);
    out.integer[key.name] = v;
    return "";
  }
  if (!node.is_string()) return tr("must be a quoted string");
  std::string v = *node.value<std::string>();
  if (v.empty()) return tr("must not be empty");
  if (!key.one_of.empty() && std::find(key.one_of.begin(), key.one_of.end(), v) == key.one_of.end())
    return trf("must be one of {}, got '{}'", joined(key.one_of), v);
  out.text[key.name] = v;
  return "";
}

}  // namespace

const ConfigKey kUiLangKey = {"ui.lang", false, false, 0, 0, {"kk", "ru", "en"}};

std::optional<Lang> configured_lang(const ConfigValues& values) {
  auto it = values.text.find(kUiLangKey.name);
  return it == values.text.end() ? std::nullopt : parse_lang(it->second);
}

Result<ConfigValues> read_config_file(const std::string& path, const std::vector<ConfigKey>& schema) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == EACCES || errno == EPERM) return Status::PermissionDenied(path);
    return Status::NotFound(trf("{}: cannot read the configuration file", path));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  // toml++ 3.3 (Debian 12) reaches undefined behaviour on some non-ASCII bytes where whitespace
  // may stand (found by fuzzing; fixed upstream later). Every key and value epsync reads is ASCII.
  int line = 1;
  for (char c : text) {
    if (c == '\n') ++line;
    if (static_cast<unsigned char>(c) >= 0x80)
      return Status::InvalidInput(trf("{}:{}: only ASCII is allowed in the configuration file", path, line));
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
      return Status::InvalidInput(trf("{}: [{}]: unknown section", where(path, section_node.source()), section));
    const toml::table* tbl = section_node.as_table();
    if (!tbl)
      return Status::InvalidInput(trf("{}: {}: must be a [section]", where(path, section_node.source()), section));
    for (const auto& [key_key, node] : *tbl) {
      std::string name = section + "." + std::string(key_key.str());
      const ConfigKey* k = nullptr;
      for (const auto& c : schema)
        if (c.name == name) k = &c;
      std::string at = where(path, node.source());
      if (!k) return Status::InvalidInput(trf("{}: {}: unknown key", at, name));
      std::string problem = value_problem(*k, node, out);
      if (!problem.empty()) return Status::InvalidInput(at + ": " + name + ": " + problem);
    }
  }
  for (const auto& k : schema)
    if (k.required && !out.text.count(k.name) && !out.integer.count(k.name))
      return Status::InvalidInput(trf("{}: {}: required key is missing", path, k.name));
  return out;
}

}  // namespace epsync
