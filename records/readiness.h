// Readiness (SPEC §5): whether a trainee may be put forward on a reference date, and if not, why,
// in words. One engine for centre and hub; its parameters come from the replicated rules table, so
// both compute exactly the same answer.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "records/date.h"
#include "records/records.h"
#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

struct ReadinessRules {
  int min_age = 18;
  int max_age = 39;
  int eps_topik_pass_mark = 80;    // of 200
  int topik_pass_mark = 140;       // TOPIK I level 2 is 140 of 200
  int test_validity_months = 24;
  int passport_min_months = 6;     // the passport must be valid at least this long after the date
};

// The rules table's row ids, one per parameter; values are decimal integers.
inline const std::vector<std::string> kRuleNames = {"min_age", "max_age", "eps_topik_pass_mark",
                                                    "topik_pass_mark", "test_validity_months",
                                                    "passport_min_months"};
Result<ReadinessRules> load_rules(Store& store);
// Checks one parameter's value before the hub stores it; "rule: reason" on error.
Status validate_rule(const std::string& name, const std::string& value);

struct TestRecord {
  std::string kind, date;
  std::int64_t score = 0;
};
struct MedicalRecord {
  std::string id, date, result, valid_until;
};
struct DocumentRecord {
  std::string kind, status, expires;
};

// The trainee's own fields that readiness and the reports use (a Trainee has eleven more).
struct TraineeBasics {
  std::string id, center_id, birth_date, sector, status;
};

// What readiness needs to know about one trainee.
struct TraineeFacts {
  TraineeBasics trainee;
  std::vector<TestRecord> tests;
  std::vector<MedicalRecord> medicals;
  std::vector<DocumentRecord> documents;
};

// A reason not to be ready: `kind` groups like reasons for counting (age, language-test, medical,
// passport, criminal-record, immigration-record, status) and is the same in every language, so it
// is what the hub stores, compares and sends; `text` says it to a person, in the thread's language
// when assessed (dates as that language writes them).
struct Blocker {
  std::string kind;
  std::string text;
};

struct Readiness {
  bool ready = false;
  std::vector<Blocker> blockers;
};

Readiness assess(const TraineeFacts& facts, const ReadinessRules& rules, const Date& as_of);

struct TraineeReadiness {
  Trainee trainee;
  Readiness readiness;
};

// Every trainee of the store (of one centre when `center` is given), assessed on `as_of`, in the
// order of list_trainees (or in no particular order when `display_order` is false, as reports
// that only count need). Reads everything in a few bulk queries, not one per trainee.
Result<std::vector<TraineeReadiness>> assess_store(Store& store, const Date& as_of,
                                                   const std::optional<std::string>& center = {},
                                                   bool display_order = true);

// The hub's reports: every live trainee assessed on `as_of`, handed to `fn` one at a time in no
// particular order, without keeping the results or reading names.
Status for_each_readiness(Store& store, const Date& as_of,
                          const std::function<void(const TraineeBasics&, const Readiness&)>& fn);

}  // namespace epsync
