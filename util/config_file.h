// A TOML configuration file read against a schema: every key must be known and of its type, and
// every error names the file, the line and the key ("agent.toml:5: store.backup: unknown key"),
// so a typo never silently falls back to a default. The errors are in the caller's language
// (util/i18n.h); the keys in them stay as written in the file.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "storage/status.h"
#include "util/i18n.h"

namespace epsync {

struct ConfigKey {
  std::string name;  // "section.key"
  bool integer = false;
  bool required = false;
  std::int64_t min = 0, max = 0;  // for integers
  std::vector<std::string> one_of = {};  // for text: the values allowed, when not any
};

struct ConfigValues {
  std::string source;
  std::map<std::string, std::string> text;
  std::map<std::string, std::int64_t> integer;
  std::string get(const std::string& key, const std::string& fallback = "") const {
    auto it = text.find(key);
    return it == text.end() ? fallback : it->second;
  }
  std::int64_t get_int(const std::string& key, std::int64_t fallback) const {
    auto it = integer.find(key);
    return it == integer.end() ? fallback : it->second;
  }
};

Result<ConfigValues> read_config_file(const std::string& path, const std::vector<ConfigKey>& schema);

// [ui] lang = "kk" | "ru" | "en", in agent.toml and hub.toml alike: the language of the command
// line's texts when --lang is not given (SPEC §10). Any other value is refused with its line.
extern const ConfigKey kUiLangKey;
std::optional<Lang> configured_lang(const ConfigValues& values);

}  // namespace epsync
