// Centre records (SPEC §3): trainees and their Korean course, tests, medical and document checks.
// Every write is validated first (messages name the field and the rule) and then goes through
// change capture, so the CLI, CSV import and the hub all enrol and record the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/change_log.h"
#include "records/date.h"
#include "records/row_rules.h"
#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

// How a caller names its inputs in error messages: the CLI says "--birth-date", CSV "birth_date".
enum class FieldStyle { kColumn, kFlag };

// Trainee fields as text, as a registrar typed them or a CSV cell held them. nullopt: not given.
struct TraineeFields {
  std::optional<std::string> iin, surname, given_name, patronymic, birth_date, sex, phone, sector,
      status;
};

struct Trainee {
  std::string id, center_id, iin, surname, given_name, patronymic, birth_date, sex, phone, sector,
      status;
  bool deleted = false;
};

// Every problem with the fields, each as "field: reason" in the current language. Dates and words
// are taken in every accepted form (local_input.h: normalised). `existing` is the stored trainee for
// an update (fields not given keep its values for cross-checks), nullptr for a new one.
std::vector<std::string> validate_trainee(const TraineeFields& f, const Trainee* existing,
                                          FieldStyle style, const Date& today);

struct TestInput {
  std::string kind, date;
  std::int64_t score = 0;
  std::string source = "center";
};
struct MedicalInput {
  std::string date, result;
  std::optional<std::string> valid_until, clinic;
};
struct DocumentInput {
  std::string kind, status;
  std::optional<std::string> number, issued, expires, note;
};
struct KoreanInput {
  std::int64_t hours = 0;
  std::optional<std::string> level;
};

// Centre-side writes inside one WriteTxn (so an import is all or nothing). Each returns the id of
// the row it wrote, or an InvalidInput status naming the field.
class Records {
 public:
  Records(WriteTxn& w, std::string center, Date today)
      : w_(w), center_(std::move(center)), today_(today) {}

  Result<std::string> add_trainee(const TraineeFields& f, FieldStyle style);
  Result<std::string> update_trainee(const std::string& ref, const TraineeFields& f, FieldStyle style);
  Result<std::string> remove_trainee(const std::string& ref);
  // Dates may be given as YYYY-MM-DD or DD.MM.YYYY and enumerated values as their Kazakh, Russian
  // or English words (local_input.h); what is stored is ISO and the canonical code. `style` names
  // the fields in messages: "--valid-until" or "valid_until".
  Result<std::string> record_korean(const std::string& ref, const KoreanInput& in, FieldStyle style = FieldStyle::kColumn);
  Result<std::string> record_test(const std::string& ref, const TestInput& in, FieldStyle style = FieldStyle::kColumn);
  Result<std::string> record_medical(const std::string& ref, const MedicalInput& in, FieldStyle style = FieldStyle::kColumn);
  Result<std::string> record_document(const std::string& ref, const DocumentInput& in,
                                      FieldStyle style = FieldStyle::kColumn);

 private:
  Result<Trainee> trainee(const std::string& ref);
  Status check_write(const std::string& table, const std::string& row_id, const Columns& cols, bool is_new);
  Status insert(const std::string& table, const std::string& row_id, const Columns& cols);
  Status update(const std::string& table, const std::string& row_id, const Columns& cols);
  WriteTxn& w_;
  std::string center_;
  Date today_;
};

// Finds a trainee by id (or a unique id prefix of at least 6 characters, such as the short ids of
// records/trainee_ids.h) or by IIN (the active enrolment first). Removed trainees are not found.
// Anything else is refused with how to search (records/trainee_search.h): writes never guess.
Result<Trainee> find_trainee(Store& store, const std::string& ref);
Result<std::vector<Trainee>> list_trainees(Store& store);
// The columns trainee_from_row reads, in order, for queries of the trainee table.
extern const char* const kTraineeColumns;
Trainee trainee_from_row(const Stmt& st);
// Every row of a prepared query of kTraineeColumns, stepped to the end.
Result<std::vector<Trainee>> trainees_from(Stmt& st);
// The id of an active trainee with this IIN at the centre, if any (duplicates are refused).
Result<std::optional<std::string>> active_trainee_with_iin(Store& store, const std::string& center,
                                                           const std::string& iin);

}  // namespace epsync
