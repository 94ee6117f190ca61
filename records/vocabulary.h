// The words of each enumerated field in English, Kazakh and Russian (SPEC §10): what a registrar
// may type or a spreadsheet may hold (`М`, `производство`, `годен`), the canonical English code it
// stands for (what is stored and sent to the hub), and the word text output shows in the current
// language. Matching ignores case in Cyrillic and Latin alike, and ё against е.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/i18n.h"

namespace epsync {

enum class Enum { kSex, kSector, kTraineeStatus, kTestKind, kMedicalResult, kDocumentKind, kDocumentStatus };

// Every enumeration, for tests and the man page's list.
const std::vector<Enum>& all_enums();
// The canonical codes, in the order of the model's lists (kSectors and the others in row_rules.h).
std::vector<std::string> enum_codes(Enum e);
// Every accepted spelling of one code besides the code itself: its Kazakh and Russian words, the
// letters Ж and М for sex, and the usual variants (годен, годна).
std::vector<std::string> enum_words(Enum e, std::string_view code);

// The canonical code for any accepted word of `e` (the code itself included), or nullopt.
std::optional<std::string> canonical_word(Enum e, std::string_view text);

// The stored code as text output shows it: its Kazakh or Russian word in those languages, the code
// itself in English. An unknown code is returned unchanged.
std::string display_word(Enum e, std::string_view code);
std::string display_word_in(Lang lang, Enum e, std::string_view code);

// For --help and the man page: every code with its other accepted words,
// "fit (жарамды, годен, годна), unfit (...)".
std::string accepted_words_help(Enum e);

// The refusal of a value that is no word of `e`, naming the field as the caller calls it
// ("--sector" or "sector") and listing the accepted codes with the current language's words.
std::string enum_refusal(Enum e, std::string_view field, std::string_view value);

// Text as words are compared: case folded (NFKC_Casefold), ё as е, surrounding spaces trimmed and
// inner runs of spaces made one.
std::string fold_word(std::string_view text);

}  // namespace epsync
