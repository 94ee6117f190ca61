// How the centre commands print a trainee: the JSON object every command uses for one trainee, the
// full name, and `trainee show`'s whole file as text or JSON (labels in the registrar's language).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "records/records.h"
#include "records/trainee_file.h"

namespace epsync::cli {

nlohmann::ordered_json trainee_json(const Trainee& t);
std::string full_name(const Trainee& t);

// The trainee's keys, then korean, tests, medical, documents, ready and blockers.
nlohmann::ordered_json trainee_file_json(const TraineeFile& f);
// Stored text may have arrived from another site by sync: it is printed escaped.
std::string trainee_file_text(const TraineeFile& f, const std::string& short_id);

}  // namespace epsync::cli
