// A trainee's whole file as a registrar reads it (SPEC §6 `trainee show`): the trainee, the Korean
// course, every test (an official EPS-TOPIK result from the hub among them), every medical and
// document check, and readiness on a date with what blocks it. The CLI prints it; the registrars'
// web app shows the same.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "records/date.h"
#include "records/readiness.h"
#include "records/records.h"
#include "storage/status.h"
#include "storage/store.h"

namespace epsync {

struct KoreanCourse {
  std::string id;
  std::int64_t hours = 0;
  std::string level;  // empty: not recorded
};

struct TestEntry {
  std::string id, kind, date;
  std::int64_t score = 0;
  std::string source;  // "center", or "official": a result the hub imported from the EPS-TOPIK office
  bool official() const { return source == "official"; }
};

// Empty strings are fields not recorded.
struct MedicalEntry {
  std::string id, date, result, valid_until, clinic;
};
struct DocumentEntry {
  std::string id, kind, status, number, issued, expires, note;
};

struct TraineeFile {
  Trainee trainee;
  std::optional<KoreanCourse> korean;
  std::vector<TestEntry> tests;          // newest first
  std::vector<MedicalEntry> medical;     // newest first
  std::vector<DocumentEntry> documents;  // by kind
  Readiness readiness;                   // on the date asked for
};

// Only records the trainee's own centre made are read, as readiness counts them: a row another
// centre attached to this trainee's id is no part of the file (docs/SECURITY.md).
Result<TraineeFile> read_trainee_file(Store& store, const Trainee& trainee, const Date& as_of);

}  // namespace epsync
