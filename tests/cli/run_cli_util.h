// Helpers for the `qtune run/status/best/export` CLI tests: a qtune process in the
// background (to kill it or send it SIGINT), and reading a study back as JSON.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/eventually.h"
#include "support/run_process.h"

namespace qtune::testing {

// qtune started with fork/exec with `args` (after the program name); stdout and stderr go
// to `log`. Killed with SIGKILL if the test has not waited for it.
class BackgroundQtune {
 public:
  BackgroundQtune(const std::filesystem::path& log, std::vector<std::string> args) {
    args.insert(args.begin(), qtune_cli());
    const std::string log_text = log.string();
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      const int fd = ::open(log_text.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~BackgroundQtune() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      wait();
    }
  }
  BackgroundQtune(const BackgroundQtune&) = delete;
  BackgroundQtune& operator=(const BackgroundQtune&) = delete;

  void signal(int sig) const { ::kill(pid_, sig); }
  pid_t pid() const { return pid_; }
  // The wait status.
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    return status;
  }
  // The exit code, or -1 when a signal ended it.
  int exit_code() {
    const int status = wait();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// `qtune run <study>` in the background.
class BackgroundRun : public BackgroundQtune {
 public:
  BackgroundRun(const std::filesystem::path& study, const std::filesystem::path& log)
      : BackgroundQtune(log, {"run", study.string()}) {}
};

// Lines of a file (empty if it does not exist).
inline std::vector<std::string> lines_of(const std::filesystem::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Now as `qtune export` writes times (ISO-8601 UTC, milliseconds): such strings compare as
// the times do.
inline std::string iso_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", text, static_cast<int>(ms.count()));
  return out;
}

// `qtune export <study> --format json`: every trial.
inline nlohmann::json exported_trials(const std::filesystem::path& study) {
  const ProcessResult result =
      run_process({qtune_cli(), "export", study.string(), "--format", "json"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return result.exit_code == 0 ? nlohmann::json::parse(result.out) : nlohmann::json::array();
}

}  // namespace qtune::testing
