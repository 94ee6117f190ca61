// The catalogue loader: languages chosen by name and by environment, texts found in the embedded
// catalogues, placeholders and plural rules, and English whenever a text has no translation.
#include "util/i18n.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <thread>

using namespace epsync;

TEST_CASE("languages are named by code or by locale") {
  CHECK(parse_lang("kk") == Lang::kKk);
  CHECK(parse_lang("ru_RU.UTF-8") == Lang::kRu);
  CHECK(parse_lang("kk_KZ") == Lang::kKk);
  CHECK(parse_lang("en_GB.UTF-8@euro") == Lang::kEn);
  CHECK(parse_lang("C.UTF-8") == Lang::kEn);
  CHECK_FALSE(parse_lang("de").has_value());
  CHECK_FALSE(parse_lang("").has_value());
  CHECK(lang_code(Lang::kRu) == "ru");
}

TEST_CASE("the environment's first language that epsync speaks wins, LANGUAGE before LANG") {
  setenv("LANG", "ru_RU.UTF-8", 1);
  CHECK(lang_from_environment() == Lang::kRu);
  setenv("LANGUAGE", "kk:ru", 1);
  CHECK(lang_from_environment() == Lang::kKk);
  setenv("LANGUAGE", "de", 1);
  CHECK(lang_from_environment() == Lang::kRu);
  unsetenv("LANGUAGE");
  setenv("LANG", "C.UTF-8", 1);
}

TEST_CASE("texts come from the embedded catalogues, English when untranslated") {
  ScopedLang ru(Lang::kRu);
  CHECK(trf("--lang: must be kk, ru or en, got '{}'", "de") == "--lang: допустимо kk, ru или en, указано 'de'");
  CHECK(tr("a text no catalogue has") == "a text no catalogue has");
  CHECK(tr_in(Lang::kKk, "--lang: must be kk, ru or en, got '{}'").find("болуы керек") != std::string::npos);
  CHECK(tr_in(Lang::kEn, "--lang: must be kk, ru or en, got '{}'") == "--lang: must be kk, ru or en, got '{}'");
}

TEST_CASE("plural forms follow each language's rule") {
  {
    ScopedLang ru(Lang::kRu);
    CHECK(trn("{} trainee", "{} trainees", 1, 1) == "1 слушатель");
    CHECK(trn("{} trainee", "{} trainees", 3, 3) == "3 слушателя");
    CHECK(trn("{} trainee", "{} trainees", 11, 11) == "11 слушателей");
    CHECK(trn("{} trainee", "{} trainees", 21, 21) == "21 слушатель");
  }
  CHECK(trn("{} trainee", "{} trainees", 1, 1) == "1 trainee");
  CHECK(trn("{} trainee", "{} trainees", 5, 5) == "5 trainees");
  CHECK(trn("{} untranslated", "{} untranslated ones", 2, 2) == "2 untranslated ones");
}

TEST_CASE("each thread has its own language, English by default") {
  ScopedLang kk(Lang::kKk);
  Lang seen = Lang::kKk;
  std::thread([&] { seen = current_lang(); }).join();
  CHECK(seen == Lang::kEn);
  CHECK(current_lang() == Lang::kKk);
}
