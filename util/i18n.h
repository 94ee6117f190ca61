// Texts people read, in Kazakh, Russian or English (SPEC §10), from the gettext catalogues in po/.
// Mark every text a registrar or administrator reads with tr/trf/trn, write the English text as
// the message id, and add its Kazakh and Russian forms to po/<area>.kk.po and po/<area>.ru.po; the
// `i18n` test fails when a marked text lacks either. Logs, JSON keys, config keys and what goes on
// the wire to the hub stay English: leave them unmarked.
#pragma once

#include <fmt/core.h>

#include <optional>
#include <string>
#include <string_view>

namespace epsync {

enum class Lang { kEn, kKk, kRu };

// "kk", "ru", "en", also a locale name such as "ru_RU.UTF-8" or "kk_KZ"; nullopt for anything else.
std::optional<Lang> parse_lang(std::string_view text);
std::string_view lang_code(Lang lang);
// The language named by $LANGUAGE's first entry, else $LC_ALL, $LC_MESSAGES, $LANG; nullopt when
// none names kk, ru or en.
std::optional<Lang> lang_from_environment();

// The language of this thread's texts. English until set, so daemon threads (logs, refusals sent to
// centres) stay English; the CLI sets it once, a web request for its user.
Lang current_lang();
void set_current_lang(Lang lang);

// Sets the thread's language for a scope.
class ScopedLang {
 public:
  explicit ScopedLang(Lang lang) : saved_(current_lang()) { set_current_lang(lang); }
  ~ScopedLang() { set_current_lang(saved_); }
  ScopedLang(const ScopedLang&) = delete;
  ScopedLang& operator=(const ScopedLang&) = delete;

 private:
  Lang saved_;
};

// `msgid` in the current language; the English text itself when the catalogue lacks it.
std::string tr(const char* msgid);
// The same in a given language.
std::string tr_in(Lang lang, const char* msgid);
// tr for a text whose translation depends on where it stands (gettext's msgctxt): the same English
// "not ready" is a trainee's state in one place and a column of counts in another.
std::string trc(const char* context, const char* msgid);

std::string vformat_translated(const char* msgid, fmt::format_args args);
std::string vformat_translated_plural(const char* singular, const char* plural, long n,
                                      fmt::format_args args);

// tr with placeholders filled as fmt does: trf("line {}: {}", 3, "bad"); a translation may use
// positional {0} {1} to reorder them.
template <class... Args>
std::string trf(const char* msgid, const Args&... args) {
  return vformat_translated(msgid, fmt::make_format_args(args...));
}

// The singular or plural form for n in the current language (Russian has three), placeholders
// filled as trf: trn("{} trainee", "{} trainees", n, n).
template <class... Args>
std::string trn(const char* singular, const char* plural, long n, const Args&... args) {
  return vformat_translated_plural(singular, plural, n, fmt::make_format_args(args...));
}

}  // namespace epsync

// Marks a text for the catalogue where it is defined (a table of words) without translating it;
// translate it with tr() where it is shown.
#define N_(text) text
