// Runs a real program (the built `epsync`) as a child process and captures what it printed.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace epsync::test {

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

// `env` entries are added to (or replace in) the child's environment. Standard input is empty.
RunResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
              int timeout_seconds = 60);

}  // namespace epsync::test
