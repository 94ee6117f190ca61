// A trainee's audit trail from the change log: who changed which field of the trainee or of one
// of their checks, when, from what to what. It is the same at every site that holds the changes.
#pragma once

#include <string>
#include <vector>

#include "storage/hlc.h"
#include "storage/status.h"
#include "storage/store.h"
#include "storage/value.h"

namespace epsync {

struct HistoryEntry {
  HlcTime hlc = 0;
  std::string op;      // operator
  std::string site;
  std::string table;   // trainee, medical_check, ...
  std::string row_id;
  std::string column;
  std::string subject;  // what the row is, in words: "trainee", "passport", "medical 2026-05-01"
  // The same in parts, for texts in the reader's language: the test or document kind and the
  // test or examination date (empty where the row has none).
  std::string subject_kind, subject_date;
  Value old_value;     // NULL when the field was first set
  Value new_value;
};

// In time (HLC) order. Superseded concurrent writes appear too: history hides nothing.
Result<std::vector<HistoryEntry>> trainee_history(Store& store, const std::string& trainee_id);

}  // namespace epsync
