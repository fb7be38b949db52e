#include "exec/process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace qtune::exec::detail {
namespace {

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// Closes a pipe end on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// In the child, between fork and exec: async-signal-safe calls only. On failure writes
// {step, errno} to `report` and exits 127.
[[noreturn]] void exec_child(const SpawnRequest& request, char** argv, char** envp, int report,
                             pid_t parent) {
  int step = 0;
  const auto fail = [&] {
    const int error[2] = {step, errno};
    [[maybe_unused]] const ssize_t ignored = ::write(report, error, sizeof error);
    ::_exit(127);
  };
  // Its own process group: a timeout or Ctrl-C kills the trial and everything it started,
  // and the terminal's SIGINT reaches qtune only, which then stops the trials itself.
  if (::setpgid(0, 0) != 0) fail();
  // If qtune dies (kill -9), the trial dies with it instead of running on unrecorded.
  step = 1;
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail();
  if (::getppid() != parent) ::_exit(127);  // qtune died before prctl took effect
  // qtune handles SIGINT/SIGTERM: the trial gets default dispositions and an empty mask.
  for (const int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGUSR1, SIGUSR2}) {
    ::signal(sig, SIG_DFL);
  }
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
  step = 2;
  const int in = ::open("/dev/null", O_RDONLY);
  const int out = ::open(request.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err = ::open(request.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || out < 0 || err < 0) fail();
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) fail();
  step = 3;
  if (::chdir(request.workdir.c_str()) != 0) fail();
  step = 4;
  ::execvpe(argv[0], argv, envp);
  fail();
  ::_exit(127);  // not reached: fail() exits
}

}  // namespace

base::Result<pid_t> spawn_in_new_group(const SpawnRequest& request) {
  std::vector<char*> argv = c_strings(request.argv);
  std::vector<char*> envp = c_strings(request.env);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return base::Status::io_error(
        fmt::format("{}: pipe: {}", request.argv[0], std::strerror(errno)));
  }
  Fd read_end{fds[0]};
  Fd write_end{fds[1]};
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0)
    return base::Status::io_error(
        fmt::format("{}: fork: {}", request.argv[0], std::strerror(errno)));
  if (pid == 0) exec_child(request, argv.data(), envp.data(), write_end.fd, parent);
  // Also set from the parent, so the group exists before anyone signals it.
  ::setpgid(pid, pid);
  ::close(write_end.fd);
  write_end.fd = -1;
  int error[2] = {0, 0};
  ssize_t n = 0;
  do {
    n = ::read(read_end.fd, error, sizeof error);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return pid;  // exec succeeded: the pipe closed with it
  ::waitpid(pid, nullptr, 0);
  static constexpr const char* kSteps[] = {"setpgid", "prctl", "redirecting stdout/stderr", "chdir",
                                           "exec"};
  const int step = error[0] >= 0 && error[0] <= 4 ? error[0] : 4;
  if (step == 4)
    return base::Status::io_error(fmt::format("{}: {}", request.argv[0], std::strerror(error[1])));
  return base::Status::io_error(fmt::format("{}: {} failed: {} (workdir {})", request.argv[0],
                                            kSteps[step], std::strerror(error[1]),
                                            request.workdir.string()));
}

void signal_group(pid_t group, int signal) {
  if (group > 0) ::kill(-group, signal);
}

}  // namespace qtune::exec::detail
