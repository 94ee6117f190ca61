// What a registrar typed or a spreadsheet cell held, brought to the stored form before the Records
// writers validate it (SPEC §10): a date written DD.MM.YYYY becomes YYYY-MM-DD, an enumerated word
// in Kazakh, Russian or English becomes its canonical English code. A value that is neither is left
// as given, so that its refusal quotes what was typed. The CLI, CSV import and anything else that
// writes through Records get the same treatment.
#pragma once

#include <optional>
#include <string>

#include "records/records.h"
#include "records/vocabulary.h"

namespace epsync {

// YYYY-MM-DD for a date in either accepted form (spaces around it ignored); the text otherwise.
std::string normalised_date(const std::string& text);
// The canonical code for a word of `e`; the text otherwise.
std::string normalised_word(Enum e, const std::string& text);

TraineeFields normalised(const TraineeFields& f);
TestInput normalised(const TestInput& in);
MedicalInput normalised(const MedicalInput& in);
DocumentInput normalised(const DocumentInput& in);

// A field as the caller names it: "--valid-until" at the CLI, "valid_until" in a file.
std::string field_name(const char* column, FieldStyle style);

}  // namespace epsync
