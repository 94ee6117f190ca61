// The examples under each command's --help: real command lines of a Kazakh training centre and of
// the hub, with dates as registrars write them (DD.MM.YYYY). Plain text, no CLI11.
#pragma once

#include <string>
#include <string_view>

namespace epsync::cli {

// "Examples:" in the current language and the command lines for `command` ("trainee add", "" for
// epsync itself); empty when the command has none.
std::string examples_footer(std::string_view command);

}  // namespace epsync::cli
