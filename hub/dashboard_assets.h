// The dashboard's inline CSS and JavaScript: one page, nothing fetched from elsewhere.
#pragma once

namespace epsync::hub {

extern const char* const kDashboardStyle;
extern const char* const kDashboardScript;

}  // namespace epsync::hub
