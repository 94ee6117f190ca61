#include "util/i18n.h"

#include <cstdlib>

namespace epsync {

namespace {
thread_local Lang g_lang = Lang::kEn;
}

std::optional<Lang> parse_lang(std::string_view text) {
  std::string_view code = text.substr(0, text.find_first_of("_.@"));
  if (code == "kk") return Lang::kKk;
  if (code == "ru") return Lang::kRu;
  if (code == "en" || code == "C" || code == "POSIX") return Lang::kEn;
  return std::nullopt;
}

std::string_view lang_code(Lang lang) {
  switch (lang) {
    case Lang::kKk: return "kk";
    case Lang::kRu: return "ru";
    case Lang::kEn: break;
  }
  return "en";
}

std::optional<Lang> lang_from_environment() {
  for (const char* name : {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* v = std::getenv(name);
    if (!v || !*v) continue;
    std::string_view first(v);
    first = first.substr(0, first.find(':'));
    if (auto l = parse_lang(first)) return l;
  }
  return std::nullopt;
}

Lang current_lang() { return g_lang; }
void set_current_lang(Lang lang) { g_lang = lang; }

std::string tr_in(Lang, const char* msgid) { return msgid; }
std::string tr(const char* msgid) { return tr_in(current_lang(), msgid); }

std::string vformat_translated(const char* msgid, fmt::format_args args) {
  return fmt::vformat(tr(msgid), args);
}

std::string vformat_translated_plural(const char* singular, const char* plural, long n,
                                      fmt::format_args args) {
  return fmt::vformat(n == 1 ? singular : plural, args);
}

}  // namespace epsync
