// The rules every replicated row obeys (SPEC §3 Validation), as one table: each column's rule
// (type, length, enumeration, date, range) and the rules across a row's columns (the fields a new
// row must have, scores by test kind, the IIN against birth date and sex, the order of dates).
// The CLI and CSV import (records.h) and the hub's check of what centres push use these same
// functions. Messages name the field and the rule, never the value: they travel to the hub's
// quarantine list and to logs. They are in the thread's language (util/i18n.h): the hub checks what
// centres send in English, so what it stores and sends back stays English.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "records/date.h"
#include "storage/schema.h"
#include "storage/status.h"
#include "storage/value.h"

namespace epsync {

inline const std::vector<std::string> kSectors = {"manufacturing", "agriculture", "construction",
                                                  "fishery", "service"};
inline const std::vector<std::string> kTraineeStatuses = {"active", "withdrawn", "departed"};
inline const std::vector<std::string> kTestKinds = {"eps-topik", "topik", "mock", "skills"};
inline const std::vector<std::string> kMedicalResults = {"fit", "unfit", "pending"};
inline const std::vector<std::string> kDocumentKinds = {"passport", "criminal-record",
                                                        "immigration-record", "photo", "diploma"};
inline const std::vector<std::string> kDocumentStatuses = {"missing", "submitted", "verified",
                                                           "rejected"};

// Whether `v` is one of `allowed`; the allowed values as "a, b, c" for messages.
bool is_one_of(const std::string& v, const std::vector<std::string>& allowed);
std::string list_of(const std::vector<std::string>& allowed);

// Valid UTF-8 without control characters, at most `max_chars` characters; why not, if not.
std::optional<std::string> text_problem(const std::string& s, std::size_t max_chars);
// A plausible calendar date as typed: YYYY-MM-DD or DD.MM.YYYY (parse_input_date), real, between
// 1900 and 2100. The reason names both forms. (validate_cell takes stored dates in ISO only.)
std::optional<std::string> date_problem(const std::string& s);

// The score range of a test kind (EPS-TOPIK and mock 0-200, TOPIK 0-300, skills 0-100).
struct ScoreRange {
  std::int64_t lo = 0, hi = 0;
};
std::optional<ScoreRange> score_range(const std::string& kind);

// Checks one replicated cell: the value's type and the column's rule, without the rest of the
// row. "table.column: reason" on failure.
Status validate_cell(const std::string& table, const std::string& column, const Value& v);
// The same by position in eps_model() and its columns (both must be in range).
Status validate_cell(int table, int column, const Value& v);

// Who made a change (an account name): clean text of at most 64 characters.
Status validate_operator(const std::string& op);

// A row as a write leaves it: the value of each column by position, nullptr where it has none.
using RowValues = std::vector<const Value*>;
struct RowRules {
  bool is_new = false;  // the write creates the row: the fields a new row must have are required
  Date latest_date;     // dates of past events (birth, test, examination, issue) may not be later
  // The columns the write sets (bit i: column i); a rule is checked only when the write sets one
  // of its columns, so a write is never blamed for what the row already held. All by default.
  std::uint64_t written = ~std::uint64_t{0};
};
// The rules across a row's cells, for a row whose cells each passed validate_cell. The first
// failure as "table.column: reason".
Status check_row(int table, const RowValues& row, const RowRules& rules);

// A centre id, as `epsync init` and the hub's registry take it: 3-20 capital letters, digits and
// '-', starting with a letter (like ALM-014), and never HUB, the hub's own name for its sites and
// its store. Why not, if not.
std::optional<std::string> center_id_problem(std::string_view id);

// A row under check: its values, null where absent, and the failure naming a column.
struct RowCheck {
  const TableDef& def;
  const RowValues& row;
  const Value* value(int column) const;  // nullptr where the row has none (or null); column may be -1
  const std::string* text(int column) const;
  std::optional<Date> date(int column) const;
  Status bad(int column, const std::string& why) const;
};

// The rules across columns that the model (model.cpp) attaches to its tables; `columns` are the
// positions of the columns each names, in order.
Status check_iin_against_birth(const RowCheck& row, const std::vector<int>& columns);  // iin, birth_date, sex
Status check_score_by_kind(const RowCheck& row, const std::vector<int>& columns);      // kind, score
Status check_medical_dates(const RowCheck& row, const std::vector<int>& columns);  // check_date, result, valid_until
Status check_document_dates(const RowCheck& row, const std::vector<int>& columns);  // issued, expires

}  // namespace epsync
