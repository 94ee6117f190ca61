// The catalogues are gettext .mo files compiled from po/ and embedded in the binary
// (cmake/embed_catalogues.cmake); Boost.Locale's gettext reader parses them and evaluates each
// language's plural rule. No system locale is needed, and each thread may speak its own language.
#include "util/i18n.h"

#include <boost/locale/gnu_gettext.hpp>
#include <cstdlib>
#include <locale>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace epsync {

namespace i18n_data {
extern const std::string_view kk;
extern const std::string_view ru;
}  // namespace i18n_data

namespace {

thread_local Lang g_lang = Lang::kEn;

using Catalogue = boost::locale::message_format<char>;

// The facet belongs to the std::locale made around it (facets are reference-counted by locales).
std::locale load_catalogue(const char* code, std::string_view mo) {
  namespace gg = boost::locale::gnu_gettext;
  gg::messages_info info;
  info.language = code;
  info.encoding = "UTF-8";
  info.domains.push_back(gg::messages_info::domain("epsync"));
  info.paths.push_back("embedded");
  const std::string wanted = std::string("embedded/") + code + "/LC_MESSAGES/epsync.mo";
  info.callback = [wanted, mo](const std::string& file, const std::string&) {
    return file == wanted ? std::vector<char>(mo.begin(), mo.end()) : std::vector<char>{};
  };
  return std::locale(std::locale::classic(), gg::create_messages_facet<char>(info));
}

// nullptr for English, whose texts are the message ids themselves. Loaded once, then read-only.
const Catalogue* catalogue(Lang lang) {
  static const std::locale kk = load_catalogue("kk", i18n_data::kk);
  static const std::locale ru = load_catalogue("ru", i18n_data::ru);
  switch (lang) {
    case Lang::kKk: return &std::use_facet<Catalogue>(kk);
    case Lang::kRu: return &std::use_facet<Catalogue>(ru);
    case Lang::kEn: break;
  }
  return nullptr;
}

// A translation whose placeholders do not fit the arguments must not cost the registrar the
// message: the English text is shown instead (the i18n test keeps this from happening).
std::string format_or_english(const char* translated, const char* english, fmt::format_args args) {
  if (translated != english) {
    try {
      return fmt::vformat(translated, args);
    } catch (const std::runtime_error&) {  // fmt::format_error
    }
  }
  return fmt::vformat(english, args);
}

}  // namespace

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

namespace {

const char* lookup(Lang lang, const char* msgid) {
  const Catalogue* c = catalogue(lang);
  if (!c) return msgid;
  const char* found = c->get(0, nullptr, msgid);
  return found && *found ? found : msgid;
}

}  // namespace

std::string tr_in(Lang lang, const char* msgid) { return lookup(lang, msgid); }
std::string tr(const char* msgid) { return lookup(current_lang(), msgid); }

std::string trc(const char* context, const char* msgid) {
  const Catalogue* c = catalogue(current_lang());
  const char* found = c ? c->get(0, context, msgid) : nullptr;
  return found && *found ? found : msgid;
}

std::string vformat_translated(const char* msgid, fmt::format_args args) {
  return format_or_english(lookup(current_lang(), msgid), msgid, args);
}

std::string vformat_translated_plural(const char* singular, const char* plural, long n,
                                      fmt::format_args args) {
  const char* english = n == 1 ? singular : plural;
  const char* translated = english;
  if (const Catalogue* c = catalogue(current_lang())) {
    const char* found = c->get(0, nullptr, singular, static_cast<int>(n % 1000000));
    if (found && *found) translated = found;
  }
  return format_or_english(translated, english, args);
}

}  // namespace epsync
