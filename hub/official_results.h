// Official EPS-TOPIK results imported at the hub (`epsync hub import-results`): a CSV with the
// header iin,test_date,score. Each result becomes a test_result row (source "official") owned by
// every centre where that IIN is enrolled, so it flows back to those centres. Unknown IINs are
// reported, never guessed; a malformed file imports nothing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hub/hub_store.h"
#include "records/date.h"

namespace epsync::hub {

struct ResultsOutcome {
  int imported = 0;                   // test_result rows written
  int already_present = 0;            // the same official result was imported before
  std::vector<std::string> unknown;   // "line N: iin: no trainee with this IIN is enrolled"
  std::vector<std::string> errors;    // "line N: field: reason"; non-empty means nothing written
};

Result<ResultsOutcome> import_official_results(HubStore& hub, std::string_view csv, const Date& today);

}  // namespace epsync::hub
