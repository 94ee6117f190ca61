// Dates in both accepted forms and the words of every enumeration (SPEC §10): what is accepted,
// what is refused, what text output shows in each language, and that the man page lists every word.
#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "records/date.h"
#include "records/local_input.h"
#include "records/row_rules.h"
#include "records/vocabulary.h"
#include "util/i18n.h"

using namespace epsync;

TEST_CASE("dates: YYYY-MM-DD and DD.MM.YYYY are read, nothing looser") {
  CHECK(parse_input_date("2000-05-17") == Date{2000, 5, 17});
  CHECK(parse_input_date("17.05.2000") == Date{2000, 5, 17});
  CHECK(parse_input_date("29.02.2024") == Date{2024, 2, 29});
  CHECK(parse_input_date("01.05.2000") == Date{2000, 5, 1});  // as Excel writes it in kk and ru
  for (const char* bad : {"31.02.2024", "29.02.2025", "1.5.2000", "01.5.2000", "1.05.2000", "01.05.00", "2000-5-1",
                          "2000.05.17", "17/05/2000", "05/17/2000", "17-05-2000", "17.05.2000 ", "32.01.2000",
                          "00.01.2000", "17.13.2000", "", "17.05.20000"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_input_date(bad));
  }
  // The stored form stays strictly ISO.
  CHECK_FALSE(parse_date("17.05.2000"));
}

TEST_CASE("dates: a refusal names both forms, in the current language") {
  CHECK(date_problem("17.05.2000") == std::nullopt);
  CHECK(date_problem("2000-05-17") == std::nullopt);
  CHECK(date_problem("1.5.2000") == "must be a date as DD.MM.YYYY or YYYY-MM-DD, got '1.5.2000'");
  CHECK(date_problem("31.02.2024") == "must be a date as DD.MM.YYYY or YYYY-MM-DD, got '31.02.2024'");
  CHECK(date_problem("01.01.1850") == "year 1850 is not plausible");
  {
    ScopedLang ru(Lang::kRu);
    CHECK(date_problem("2000-5-1") ==
          "дата должна быть в виде ДД.ММ.ГГГГ или ГГГГ-ММ-ДД (например, 17.05.2000), указано '2000-5-1'");
  }
  ScopedLang kk(Lang::kKk);
  CHECK(date_problem("2000-5-1")->find("КК.АА.ЖЖЖЖ немесе ЖЖЖЖ-АА-КК") != std::string::npos);
}

TEST_CASE("dates: normalised to ISO, shown as the language writes them") {
  CHECK(normalised_date("17.05.2000") == "2000-05-17");
  CHECK(normalised_date(" 17.05.2000 ") == "2000-05-17");  // a spreadsheet cell's padding
  CHECK(normalised_date("2000-05-17") == "2000-05-17");
  CHECK(normalised_date("31.02.2024") == "31.02.2024");  // left as typed, for the refusal to quote
  CHECK(display_date(Date{2026, 12, 6}) == "2026-12-06");
  CHECK(display_date("2026-12-06") == "2026-12-06");
  CHECK(display_date("not a date") == "not a date");
  {
    ScopedLang ru(Lang::kRu);
    CHECK(display_date(Date{2026, 12, 6}) == "06.12.2026");
  }
  ScopedLang kk(Lang::kKk);
  CHECK(display_date("2026-12-06") == "06.12.2026");
}

TEST_CASE("words: each enumeration's codes are the model's, and every word finds its own code") {
  CHECK(enum_codes(Enum::kSex) == std::vector<std::string>{"F", "M"});
  CHECK(enum_codes(Enum::kSector) == kSectors);
  CHECK(enum_codes(Enum::kTraineeStatus) == kTraineeStatuses);
  CHECK(enum_codes(Enum::kTestKind) == kTestKinds);
  CHECK(enum_codes(Enum::kMedicalResult) == kMedicalResults);
  CHECK(enum_codes(Enum::kDocumentKind) == kDocumentKinds);
  CHECK(enum_codes(Enum::kDocumentStatus) == kDocumentStatuses);
  for (Enum e : all_enums()) {
    std::set<std::string> folded_words;
    for (const auto& code : enum_codes(e)) {
      CAPTURE(code);
      CHECK(canonical_word(e, code) == code);
      CHECK(folded_words.insert(fold_word(code)).second);
      auto words = enum_words(e, code);
      CHECK_FALSE(words.empty());  // every code has at least its Kazakh or Russian word
      for (const auto& w : words) {
        CAPTURE(w);
        CHECK(canonical_word(e, w) == code);
        CHECK(folded_words.insert(fold_word(w)).second);  // no word stands for two codes
      }
    }
    CHECK_FALSE(canonical_word(e, ""));
    CHECK_FALSE(canonical_word(e, "mining"));
  }
}

TEST_CASE("words: case does not matter, in Cyrillic (Kazakh letters too) and in Latin") {
  CHECK(canonical_word(Enum::kSex, "М") == "M");  // Cyrillic Em
  CHECK(canonical_word(Enum::kSex, "м") == "M");
  CHECK(canonical_word(Enum::kSex, "Ж") == "F");
  CHECK(canonical_word(Enum::kSex, "ж") == "F");
  CHECK(canonical_word(Enum::kSex, "m") == "M");
  CHECK(canonical_word(Enum::kSex, "ӘЙЕЛ") == "F");
  CHECK(canonical_word(Enum::kSex, "Мужской") == "M");
  CHECK(canonical_word(Enum::kSex, "X") == std::nullopt);
  CHECK(canonical_word(Enum::kSector, "ПРОИЗВОДСТВО") == "manufacturing");
  CHECK(canonical_word(Enum::kSector, "  Сельское   хозяйство ") == "agriculture");
  CHECK(canonical_word(Enum::kSector, "ҚҰРЫЛЫС") == "construction");
  CHECK(canonical_word(Enum::kSector, "Балық Шаруашылығы") == "fishery");
  CHECK(canonical_word(Enum::kSector, "Manufacturing") == "manufacturing");
  CHECK(canonical_word(Enum::kMedicalResult, "Годен") == "fit");
  CHECK(canonical_word(Enum::kMedicalResult, "НЕ ГОДЕН") == "unfit");
  CHECK(canonical_word(Enum::kMedicalResult, "ЖАРАМСЫЗ") == "unfit");
  CHECK(canonical_word(Enum::kMedicalResult, "Күтуде") == "pending");
  CHECK(canonical_word(Enum::kDocumentStatus, "отклонен") == "rejected");  // ё written е
  CHECK(canonical_word(Enum::kDocumentStatus, "ОТКЛОНЁН") == "rejected");
  CHECK(canonical_word(Enum::kDocumentKind, "Паспорт") == "passport");
  CHECK(canonical_word(Enum::kDocumentKind, "Criminal-Record") == "criminal-record");
  CHECK(canonical_word(Enum::kTestKind, "EPS-TOPIK") == "eps-topik");
  CHECK(canonical_word(Enum::kTraineeStatus, "Выбыла") == "withdrawn");
  CHECK(fold_word("\xEF\xBB\xBFПроизводство") == fold_word("производство"));  // a BOM left on a cell
}

TEST_CASE("words: text output shows the current language's word; stored codes stay English") {
  CHECK(display_word(Enum::kSector, "manufacturing") == "manufacturing");
  CHECK(display_word(Enum::kSector, "something-new") == "something-new");  // a code a newer hub knows
  {
    ScopedLang ru(Lang::kRu);
    CHECK(display_word(Enum::kSector, "manufacturing") == "производство");
    CHECK(display_word(Enum::kMedicalResult, "unfit") == "не годен");
    CHECK(display_word(Enum::kSex, "F") == "женский");
  }
  ScopedLang kk(Lang::kKk);
  CHECK(display_word(Enum::kSector, "agriculture") == "ауыл шаруашылығы");
  CHECK(display_word(Enum::kMedicalResult, "fit") == "жарамды");
  CHECK(display_word(Enum::kDocumentStatus, "verified") == "тексерілді");
  CHECK(display_word_in(Lang::kRu, Enum::kDocumentKind, "passport") == "паспорт");
  CHECK(normalised_word(Enum::kSector, "құрылыс") == "construction");
  CHECK(normalised_word(Enum::kSector, "mining") == "mining");
}

TEST_CASE("words: a refusal names the field and lists the codes with the current language's words") {
  CHECK(enum_refusal(Enum::kSex, "--sex", "X") ==
        "--sex: must be F or M (also Ж, М, әйел, ер, женский, мужской), got 'X'");
  {
    ScopedLang ru(Lang::kRu);
    CHECK(enum_refusal(Enum::kSex, "--sex", "X") == "--sex: допустимо F или M (а также Ж, М, женский, мужской), указано 'X'");
    CHECK(enum_refusal(Enum::kMedicalResult, "result", "здоров") ==
          "result: допустимые значения: fit, unfit, pending (а также годен, не годен, ожидается), указано 'здоров'");
  }
  ScopedLang kk(Lang::kKk);
  CHECK(enum_refusal(Enum::kSector, "--sector", "тау-кен") ==
        "--sector: мына мәндердің бірі болуы керек: manufacturing, agriculture, construction, fishery, service "
        "(сондай-ақ өндіріс, ауыл шаруашылығы, құрылыс, балық шаруашылығы, қызмет көрсету), берілгені: 'тау-кен'");
}

TEST_CASE("words: --help and the man page list every accepted word") {
  std::ifstream in(std::string(EPSYNC_SOURCE_DIR) + "/systemd/epsync.1");
  REQUIRE(in);
  std::stringstream page;
  page << in.rdbuf();
  std::string man = page.str();
  for (std::size_t at = man.find("\\-"); at != std::string::npos; at = man.find("\\-", at)) man.replace(at, 2, "-");
  const auto section = man.find(".SH DATES AND WORDS");
  REQUIRE(section != std::string::npos);
  man = man.substr(section, man.find(".SH", section + 1) - section);
  CHECK(man.find("DD.MM.YYYY") != std::string::npos);
  for (Enum e : all_enums()) {
    const std::string help = accepted_words_help(e);
    for (const auto& code : enum_codes(e)) {
      CAPTURE(code);
      CHECK(help.find(code) != std::string::npos);
      CHECK(man.find(".B " + code + "\n") != std::string::npos);
      for (const auto& w : enum_words(e, code)) {
        CAPTURE(w);
        CHECK(help.find(w) != std::string::npos);
        CHECK(man.find(w) != std::string::npos);
      }
    }
  }
}
