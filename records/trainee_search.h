// Finding trainees as a registrar remembers them (SPEC §6 `trainee list --search`): by any part of
// any name whatever the letter case, in Kazakh, Russian or Latin letters, or by the first digits
// of the IIN. Reading commands (show, history) also take such a search where an id is expected.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "records/records.h"
#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

// Text as the search compares it: Unicode case folding with compatibility normalisation (ICU's
// NFKC_Casefold, so Ә/ә, Қ/қ, І/і, W/w and a composed or decomposed ё compare equal), and ё read
// as е, which Russian writing leaves to the writer.
std::string fold_for_search(std::string_view text);

// A search of one or more words: a trainee matches when every word is found, a word of digits at
// the start of the IIN, any other word inside the surname, given name or patronymic.
class TraineeSearch {
 public:
  explicit TraineeSearch(std::string_view text);
  bool empty() const { return name_words_.empty() && iin_words_.empty(); }
  bool matches(const Trainee& t) const;

 private:
  friend Result<std::vector<Trainee>> search_trainees(Store& store, std::string_view text);
  std::vector<std::string> name_words_;  // folded
  std::vector<std::string> iin_words_;
};

// The live trainees matching `text`, in list order; the same matches as TraineeSearch, found
// by SQLite through ICU's folding registered on the connection.
Result<std::vector<Trainee>> search_trainees(Store& store, std::string_view text);

// For commands that only read (show, history): the trainee named by id, id prefix or IIN as
// find_trainee does, else by a search that matches exactly one trainee. Several matches are
// refused with their short ids, so the registrar can choose.
Result<Trainee> find_trainee_or_search(Store& store, const std::string& ref);

}  // namespace epsync
