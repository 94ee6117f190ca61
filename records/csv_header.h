// What a CSV file's header says: each column's name in English, Kazakh or Russian (any case,
// spaces or underscores) mapped to the one English name epsync uses, the kind of records the file
// holds (trainees, Korean course hours, tests, medical or document checks), and the header's
// problems as "line 1: …".
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "records/csv.h"

namespace epsync {

enum class CsvKind { kTrainees, kKorean, kTests, kMedical, kDocuments };

// "trainees", "korean", "tests", "medical", "documents"; nullopt for anything else.
std::optional<CsvKind> csv_kind_named(std::string_view name);
std::string_view csv_kind_name(CsvKind kind);

// The English column name for a header cell ("ЖСН", "Дата рождения", "Given name" …), or nullopt
// for a name epsync does not know.
std::optional<std::string> canonical_column(std::string_view header_cell);

// What the header names: trainees when it has a trainee's name or birth date, else korean with
// hours, tests with score, medical with result, documents with kind or status.
std::optional<CsvKind> detect_kind(const CsvRecord& header);

struct CsvColumns {
  std::vector<std::string> all;       // English names, in the order export writes them
  std::vector<std::string> required;
};
const CsvColumns& columns_of_kind(CsvKind kind);

// The position of each column (by English name) for a file of `kind`. Unknown, repeated and
// missing columns are added to `errors` as "line 1: …".
std::map<std::string, size_t> header_index(const CsvRecord& header, const CsvColumns& columns,
                                           std::vector<std::string>& errors);

// What an import did: how many lines it wrote, or (non-empty errors) why it wrote nothing.
struct ImportOutcome {
  CsvKind kind = CsvKind::kTrainees;
  int imported = 0;
  std::vector<std::string> errors;
};

}  // namespace epsync
