#include "records/vocabulary.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <map>

namespace epsync {

namespace {

// One code and its words. `kk` and `ru` are the words text output shows; `letter` is the one-letter
// form sex is written with on Kazakh and Russian forms; `more` are other spellings accepted.
struct Entry {
  const char* code;
  const char* kk;
  const char* ru;
  const char* letter;
  std::vector<const char*> more;
};

// The terms a Kazakh training centre uses on its own forms; Russian participles in every gender a
// registrar may write (a passport is проверен, a certificate проверена).
const std::vector<Entry>& entries(Enum e) {
  static const std::vector<Entry> kSex = {
      {"F", "әйел", "женский", "Ж", {"female", "жен", "жен.", "женщина"}},
      {"M", "ер", "мужской", "М", {"male", "еркек", "муж", "муж.", "мужчина"}},
  };
  static const std::vector<Entry> kSector = {
      {"manufacturing", "өндіріс", "производство",
       nullptr, {"өнеркәсіп", "өңдеу өнеркәсібі", "промышленность", "обрабатывающая промышленность"}},
      {"agriculture", "ауыл шаруашылығы", "сельское хозяйство", nullptr, {"farming"}},
      {"construction", "құрылыс", "строительство", nullptr, {}},
      {"fishery", "балық шаруашылығы", "рыболовство", nullptr, {"fisheries", "fishing", "балық аулау", "рыбное хозяйство"}},
      {"service", "қызмет көрсету", "услуги", nullptr, {"services", "қызмет көрсету саласы", "сфера услуг"}},
  };
  static const std::vector<Entry> kTraineeStatus = {
      {"active", "оқуда", "обучается", nullptr, {"белсенді", "активный", "активна"}},
      {"withdrawn", "оқудан шықты", "выбыл", nullptr, {"шықты", "выбыла", "отчислен", "отчислена"}},
      {"departed", "жұмысқа кетті", "выехал", nullptr, {"кетті", "выехала", "уехал", "уехала"}},
  };
  static const std::vector<Entry> kTestKind = {
      {"eps-topik", "EPS-TOPIK", "EPS-TOPIK", nullptr, {"eps topik", "ЕПС-ТОПИК"}},
      {"topik", "TOPIK", "TOPIK", nullptr, {"ТОПИК"}},
      {"mock", "сынақ тест", "пробный тест", nullptr, {"сынақ", "пробный"}},
      {"skills", "дағды тесті", "проверка навыков", nullptr, {"skills test", "дағдылар", "навыки", "тест навыков"}},
  };
  static const std::vector<Entry> kMedicalResult = {
      {"fit", "жарамды", "годен", nullptr, {"годна"}},
      {"unfit", "жарамсыз", "не годен", nullptr, {"не годна", "негоден", "негодна"}},
      {"pending", "күтуде", "ожидается", nullptr, {"нәтиже күтілуде", "в ожидании", "ожидание"}},
  };
  static const std::vector<Entry> kDocumentKind = {
      {"passport", "төлқұжат", "паспорт", nullptr, {}},
      {"criminal-record", "соттылығы туралы анықтама", "справка о несудимости",
       nullptr, {"criminal record", "соттылық туралы анықтама", "несудимость", "справка о судимости"}},
      {"immigration-record", "көші-қон анықтамасы", "миграционная справка",
       nullptr, {"immigration record", "көші-қон туралы анықтама", "справка о миграции"}},
      {"photo", "фотосурет", "фотография", nullptr, {"photograph", "фото"}},
      {"diploma", "диплом", "диплом", nullptr, {}},
  };
  static const std::vector<Entry> kDocumentStatus = {
      {"missing", "жоқ", "отсутствует", nullptr, {"тапсырылмаған", "нет"}},
      {"submitted", "тапсырылды", "сдано", nullptr, {"сдан", "сдана", "подан", "подана", "подано"}},
      {"verified", "тексерілді", "проверено", nullptr, {"расталды", "проверен", "проверена"}},
      {"rejected", "қабылданбады", "отклонено", nullptr, {"қайтарылды", "отклонён", "отклонена"}},
  };
  switch (e) {
    case Enum::kSex: return kSex;
    case Enum::kSector: return kSector;
    case Enum::kTraineeStatus: return kTraineeStatus;
    case Enum::kTestKind: return kTestKind;
    case Enum::kMedicalResult: return kMedicalResult;
    case Enum::kDocumentKind: return kDocumentKind;
    case Enum::kDocumentStatus: break;
  }
  return kDocumentStatus;
}

const Entry* entry_of(Enum e, std::string_view code) {
  for (const auto& entry : entries(e))
    if (code == entry.code) return &entry;
  return nullptr;
}

// Adds `word` unless it is already there or is the code in another case.
void add_unique(std::vector<std::string>& out, const char* word, const Entry& entry) {
  if (!word) return;
  std::string w = word;
  if (fold_word(w) == fold_word(entry.code)) return;
  if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(std::move(w));
}

// Folded word -> code, per enumeration, built once.
const std::map<std::string, std::string>& lookup(Enum e) {
  static const auto tables = [] {
    std::map<Enum, std::map<std::string, std::string>> out;
    for (Enum each : all_enums())
      for (const auto& entry : entries(each)) {
        out[each][fold_word(entry.code)] = entry.code;
        for (const auto& w : enum_words(each, entry.code)) out[each][fold_word(w)] = entry.code;
      }
    return out;
  }();
  return tables.at(e);
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

}  // namespace

const std::vector<Enum>& all_enums() {
  static const std::vector<Enum> kAll = {Enum::kSex,           Enum::kSector,       Enum::kTraineeStatus,
                                         Enum::kTestKind,      Enum::kMedicalResult, Enum::kDocumentKind,
                                         Enum::kDocumentStatus};
  return kAll;
}

std::vector<std::string> enum_codes(Enum e) {
  std::vector<std::string> out;
  for (const auto& entry : entries(e)) out.emplace_back(entry.code);
  return out;
}

std::vector<std::string> enum_words(Enum e, std::string_view code) {
  std::vector<std::string> out;
  const Entry* entry = entry_of(e, code);
  if (!entry) return out;
  add_unique(out, entry->letter, *entry);
  add_unique(out, entry->kk, *entry);
  add_unique(out, entry->ru, *entry);
  for (const char* w : entry->more) add_unique(out, w, *entry);
  return out;
}

namespace {

// ASCII folds to lower case and nothing else: no need to go through ICU for it.
std::string fold_ascii(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) out += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

// NFKC_Casefold through ICU: Cyrillic, Kazakh letters, compatibility forms, ignorables (a BOM).
std::string fold_unicode(std::string_view text) {
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* fold = icu::Normalizer2::getNFKCCasefoldInstance(err);
  std::string folded;
  if (U_FAILURE(err)) {
    folded = std::string(text);
  } else {
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
    icu::UnicodeString n = fold->normalize(u, err);
    if (U_FAILURE(err)) folded = std::string(text);
    else n.toUTF8String(folded);
  }
  return folded;
}

}  // namespace

std::string fold_word(std::string_view text) {
  const bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return (c & 0x80) == 0; });
  const std::string folded = ascii ? fold_ascii(text) : fold_unicode(text);
  std::string out;
  for (size_t i = 0; i < folded.size(); ++i) {
    if (folded.compare(i, 2, "\xD1\x91") == 0) {  // ё, written е as often as not
      out += "\xD0\xB5";
      ++i;
    } else if (folded[i] == ' ' || folded[i] == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += folded[i];
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::optional<std::string> canonical_word(Enum e, std::string_view text) {
  for (const auto& entry : entries(e))  // the code itself, as export writes it: most of any file
    if (text == entry.code) return entry.code;
  const auto& table = lookup(e);
  auto it = table.find(fold_word(text));
  if (it == table.end()) return std::nullopt;
  return it->second;
}

std::string display_word_in(Lang lang, Enum e, std::string_view code) {
  const Entry* entry = entry_of(e, code);
  if (!entry || lang == Lang::kEn) return std::string(code);
  return lang == Lang::kKk ? entry->kk : entry->ru;
}

std::string display_word(Enum e, std::string_view code) { return display_word_in(current_lang(), e, code); }

std::string accepted_words_help(Enum e) {
  std::vector<std::string> parts;
  for (const auto& entry : entries(e)) {
    std::string words = joined(enum_words(e, entry.code));
    parts.push_back(std::string(entry.code) + (words.empty() ? "" : " (" + words + ")"));
  }
  return joined(parts);
}

std::string enum_refusal(Enum e, std::string_view field, std::string_view value) {
  const Lang lang = current_lang();
  std::vector<std::string> words;
  // The letters, then the Kazakh words, then the Russian ones (only the current language's in kk
  // and ru): "Ж, М, әйел, ер, женский, мужской".
  for (const auto& entry : entries(e)) add_unique(words, entry.letter, entry);
  if (lang != Lang::kRu)
    for (const auto& entry : entries(e)) add_unique(words, entry.kk, entry);
  if (lang != Lang::kKk)
    for (const auto& entry : entries(e)) add_unique(words, entry.ru, entry);
  if (e == Enum::kSex) return trf("{}: must be F or M (also {}), got '{}'", field, joined(words), value);
  return trf("{}: must be one of {} (also {}), got '{}'", field, joined(enum_codes(e)), joined(words), value);
}

}  // namespace epsync
