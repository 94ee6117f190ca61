#include "support/run.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "support/temp_dir.h"

namespace epsync::test {

ExecPlan::ExecPlan(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env)
    : argv_text_(argv) {
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    if (!env.count(entry.substr(0, entry.find('=')))) env_text_.push_back(std::move(entry));
  }
  for (const auto& [k, v] : env) env_text_.push_back(k + "=" + v);
  for (auto& a : argv_text_) argv_.push_back(a.data());
  argv_.push_back(nullptr);
  for (auto& e : env_text_) envp_.push_back(e.data());
  envp_.push_back(nullptr);
}

RunResult collect_child(pid_t pid, const std::string& out_path, const std::string& err_path, int timeout_seconds) {
  RunResult r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  int status = 0;
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      r.err = "test harness: killed after " + std::to_string(timeout_seconds) + " s\n";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file_bytes(out_path);
  r.err += read_file_bytes(err_path);
  return r;
}

RunResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
              int timeout_seconds) {
  TempDir io;
  std::string out_path = io.file("out"), err_path = io.file("err");
  const ExecPlan plan(argv, env);
  pid_t pid = fork();
  if (pid == 0) {  // async-signal-safe calls only from here to exec
    int in = open("/dev/null", O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execve(plan.argv()[0], plan.argv(), plan.envp());
    _exit(127);
  }
  return collect_child(pid, out_path, err_path, timeout_seconds);
}

}  // namespace epsync::test
