// Runs a real program (the built `epsync`) as a child process and captures what it printed.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace epsync::test {

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

// What a forked child needs to exec, made before fork(): in a process with threads (a notify
// reader, a fault proxy) the child may make only async-signal-safe calls until exec, and malloc is
// not one (an ASan-built test's child once hung in it, never reaching exec).
class ExecPlan {
 public:
  // The environment is this process's, with `env` added or replaced.
  ExecPlan(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env);
  char* const* argv() const { return argv_.data(); }
  char* const* envp() const { return envp_.data(); }

 private:
  std::vector<std::string> argv_text_, env_text_;
  std::vector<char*> argv_, envp_;
};

// Waits for a forked child to end (killing it after `timeout_seconds`) and reads what it wrote to
// `out_path` and `err_path`. The exit code is 128 + the signal when a signal ended it.
RunResult collect_child(pid_t pid, const std::string& out_path, const std::string& err_path, int timeout_seconds);

// `env` entries are added to (or replace in) the child's environment. Standard input is empty.
RunResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
              int timeout_seconds = 60);

}  // namespace epsync::test
