#pragma once
// Real child processes for end-to-end tests: start with arguments and extra environment, send
// signals, wait with a deadline, capture output to a file.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace gw::test {

class process {
 public:
  /// Starts `argv[0]` with `argv`; `env` entries ("NAME=value") are added to this process's
  /// environment. stdout and stderr go to `log_file` when given.
  process(std::vector<std::string> argv, std::vector<std::string> env = {}, std::string log_file = {}) {
    std::vector<std::string> full_env;
    for (char** e = environ; *e; ++e) full_env.emplace_back(*e);
    for (auto& e : env) full_env.push_back(e);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      if (!log_file.empty()) {
        int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
          ::dup2(fd, 1);
          ::dup2(fd, 2);
          ::close(fd);
        }
      }
      std::vector<char*> av, ev;
      for (auto& a : argv) av.push_back(a.data());
      av.push_back(nullptr);
      for (auto& e : full_env) ev.push_back(e.data());
      ev.push_back(nullptr);
      ::execve(av[0], av.data(), ev.data());
      ::_exit(127);
    }
  }
  ~process() {
    if (running()) {
      ::kill(pid_, SIGKILL);
      wait_for(std::chrono::seconds(10));
    }
  }
  process(const process&) = delete;
  process& operator=(const process&) = delete;

  int pid() const { return pid_; }
  void signal(int sig) { ::kill(pid_, sig); }
  bool running() {
    if (exit_code_) return false;
    poll();
    return !exit_code_;
  }
  /// Waits until the process exits; returns its exit code (128 + signal when killed), or
  /// nothing when the deadline passed first.
  std::optional<int> wait_for(std::chrono::milliseconds deadline) {
    auto until = std::chrono::steady_clock::now() + deadline;
    while (!exit_code_) {
      poll();
      if (exit_code_ || std::chrono::steady_clock::now() > until) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return exit_code_;
  }

 private:
  void poll() {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      if (WIFEXITED(status))
        exit_code_ = WEXITSTATUS(status);
      else if (WIFSIGNALED(status))
        exit_code_ = 128 + WTERMSIG(status);
    }
  }
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

/// Runs a command to completion through the shell; returns its exit status.
inline int run_command(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

/// Polls `cond` until it holds or the deadline passes (no fixed sleeps in tests).
inline bool eventually(const std::function<bool()>& cond,
                       std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
  auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    if (cond()) return true;
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace gw::test
