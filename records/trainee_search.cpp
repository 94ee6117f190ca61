#include "records/trainee_search.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>

#include "records/trainee_ids.h"
#include "util/i18n.h"

namespace epsync {

std::string fold_for_search(std::string_view text) {
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* fold = icu::Normalizer2::getNFKCCasefoldInstance(error);
  if (U_FAILURE(error)) return std::string(text);  // ICU's data is part of the library: not expected
  // Bytes that are not UTF-8 become U+FFFD and match nothing a registrar types.
  icu::UnicodeString folded =
      fold->normalize(icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size()))), error);
  if (U_FAILURE(error)) return std::string(text);
  folded.findAndReplace(icu::UnicodeString(static_cast<UChar>(0x0451)), icu::UnicodeString(static_cast<UChar>(0x0435)));
  std::string out;
  folded.toUTF8String(out);
  return out;
}

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<std::string> words_of(const std::string& folded) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < folded.size()) {
    // NFKC turns other spaces (no-break, ideographic) into U+0020; tabs and newlines stay.
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (i < folded.size() && is_space(folded[i])) ++i;
    std::size_t j = i;
    while (j < folded.size() && !is_space(folded[j])) ++j;
    if (j > i) out.push_back(folded.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

TraineeSearch::TraineeSearch(std::string_view text) {
  for (auto& word : words_of(fold_for_search(text))) {
    if (all_digits(word)) iin_words_.push_back(std::move(word));
    else name_words_.push_back(std::move(word));
  }
}

bool TraineeSearch::matches(const Trainee& t) const {
  for (const auto& digits : iin_words_)
    if (t.iin.compare(0, digits.size(), digits) != 0) return false;
  if (name_words_.empty()) return true;
  // One folding per trainee; a word has no newline, so it cannot match across two names.
  const std::string names = fold_for_search(t.surname + "\n" + t.given_name + "\n" + t.patronymic);
  return std::all_of(name_words_.begin(), name_words_.end(),
                     [&](const std::string& w) { return names.find(w) != std::string::npos; });
}

Result<std::vector<Trainee>> search_trainees(Store& store, std::string_view text) {
  TraineeSearch search(text);
  if (search.empty()) return Status::InvalidInput(tr("search: give part of a name or the first digits of an IIN"));
  // The match runs inside SQLite, so only matching rows are read out and sorted: with 50,000
  // trainees 0.2 s, against 1.4 s to read every trainee and filter here (bench/bench_search.cpp).
  EPSYNC_RETURN_IF_ERROR(store.db().define_text_function("epsync_fold", fold_for_search));
  std::string sql = std::string("SELECT ") + kTraineeColumns + " FROM trainee WHERE deleted = 0";
  int param = 0;
  for (std::size_t i = 0; i < search.iin_words_.size(); ++i) {
    const std::string p = "?" + std::to_string(++param);
    sql += " AND substr(iin, 1, length(" + p + ")) = " + p;
  }
  for (std::size_t i = 0; i < search.name_words_.size(); ++i) {
    const std::string p = "?" + std::to_string(++param);
    sql += " AND instr(epsync_fold(surname || char(10) || given_name || char(10) || coalesce(patronymic, '')), " + p + ") > 0";
  }
  sql += " ORDER BY surname, given_name, id";
  auto st = store.db().prepare(sql);
  if (!st.ok()) return st.status();
  param = 0;
  for (const auto& w : search.iin_words_) st->bind(++param, w);
  for (const auto& w : search.name_words_) st->bind(++param, w);
  return trainees_from(st.value());
}

namespace {

std::string candidates_text(Store& store, const std::vector<Trainee>& found) {
  auto ids = ShortIds::load(store);
  constexpr std::size_t kShown = 10;
  std::string text;
  for (std::size_t i = 0; i < found.size() && i < kShown; ++i) {
    const Trainee& t = found[i];
    text += "\n  " + (ids.ok() ? ids->of(t.id) : t.id) + "  " + t.surname + " " + t.given_name;
    if (!t.patronymic.empty()) text += " " + t.patronymic;
    text += "  " + t.birth_date;
  }
  if (found.size() > kShown) text += "\n  " + trf("and {} more", found.size() - kShown);
  return text;
}

}  // namespace

Result<Trainee> find_trainee_or_search(Store& store, const std::string& ref) {
  auto direct = find_trainee(store, ref);
  if (direct.ok()) return direct;
  // Searched: a ref that is no id or IIN, too short for an id, or that names no id. Not searched:
  // an id prefix several trainees share (the search would only widen the choice) and failures.
  const auto code = direct.status().code();
  const bool id_shaped = ref.size() >= 6 && std::all_of(ref.begin(), ref.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  if (code != Status::Code::kNotFound && (code != Status::Code::kInvalidInput || id_shaped)) return direct;
  auto found = search_trainees(store, ref);
  if (!found.ok()) return direct;
  if (found->size() == 1) return std::move(found->front());
  if (found->empty())
    return Status::NotFound(code == Status::Code::kNotFound ? direct.status().message()
                                                           : trf("trainee: no trainee's name or IIN matches '{}'", ref));
  return Status::InvalidInput(trn("trainee: '{}' matches {} trainee; give one of these ids:{}",
                                  "trainee: '{}' matches {} trainees; give one of these ids:{}",
                                  static_cast<long>(found->size()), ref, found->size(),
                                  candidates_text(store, found.value())));
}

}  // namespace epsync
