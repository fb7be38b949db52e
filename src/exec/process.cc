#include "exec/process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
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

// Appends the decimal digits of `value` to buf[at...]; returns the new end. Async-signal-safe.
std::size_t put_number(char* buf, std::size_t at, unsigned long long value) {
  char digits[24];
  std::size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) buf[at++] = digits[--n];
  return at;
}

std::size_t put_text(char* buf, std::size_t at, const char* text, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) buf[at++] = text[i];
  return at;
}

volatile sig_atomic_t g_stopped_by_qtune = 0;
extern "C" void on_stop(int) { g_stopped_by_qtune = 1; }

// Writes `text` to tmp and renames it to path. Async-signal-safe.
bool write_atomically(const char* tmp, const char* path, const char* text, std::size_t size) {
  const int out = ::open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) return false;
  const bool written = ::write(out, text, size) == static_cast<ssize_t>(size);
  ::close(out);
  return written && ::rename(tmp, path) == 0;
}

// The child's process record (process.h), written to record_tmp_path and renamed.
// Async-signal-safe: stack buffers, open/read/write/rename only.
bool write_record(const SpawnRequest& request) {
  char stat[1024];
  const int in = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  if (in < 0) return false;
  const ssize_t n = ::read(in, stat, sizeof stat);
  ::close(in);
  if (n <= 0) return false;
  const std::optional<base::ProcessStat> self =
      base::parse_process_stat(stat, static_cast<std::size_t>(n));
  if (!self) return false;
  if (request.record_tail.size() > 3000) return false;
  char text[4096];
  std::size_t at = 0;
  at = put_text(text, at, "pid=", 4);
  at = put_number(text, at, static_cast<unsigned long long>(self->pid));
  at = put_text(text, at, "\nstart=", 7);
  at = put_number(text, at, self->start_ticks);
  at = put_text(text, at, "\npgid=", 6);
  at = put_number(text, at, static_cast<unsigned long long>(self->pgid));
  at = put_text(text, at, "\n", 1);
  at = put_text(text, at, request.record_tail.data(), request.record_tail.size());
  return write_atomically(request.record_tmp_path.c_str(), request.record_path.c_str(), text, at);
}

// The spawned process with exit_status_path set (process.h): forks the program, waits for
// it, records how it ended and ends the same way. Async-signal-safe calls only. An exec
// failure of the program is reported on `report` (as exec_child does) and recorded nowhere.
[[noreturn]] void run_and_record(const SpawnRequest& request, char** argv, char** envp,
                                 int report) {
  int exec_failed[2];
  if (::pipe2(exec_failed, O_CLOEXEC) != 0) {
    const int error[2] = {4, errno};
    [[maybe_unused]] const ssize_t ignored = ::write(report, error, sizeof error);
    ::_exit(127);
  }
  const pid_t program = ::fork();
  if (program == 0) {
    ::execvpe(argv[0], argv, envp);
    const int error[2] = {4, errno};
    [[maybe_unused]] ssize_t ignored = ::write(report, error, sizeof error);
    ignored = ::write(exec_failed[1], error, sizeof error);
    ::_exit(127);
  }
  // Stops of the whole group reach the program; here they only mean "record nothing".
  struct sigaction action = {};
  action.sa_handler = on_stop;
  sigemptyset(&action.sa_mask);
  for (const int sig : {SIGTERM, SIGINT, SIGHUP}) ::sigaction(sig, &action, nullptr);
  ::close(report);
  ::close(exec_failed[1]);
  if (program < 0) ::_exit(127);
  int error[2];
  ssize_t n = 0;
  do {
    n = ::read(exec_failed[0], error, sizeof error);
  } while (n < 0 && errno == EINTR);
  int status = 0;
  while (::waitpid(program, &status, 0) < 0) {
    if (errno != EINTR) ::_exit(127);
  }
  if (n > 0) ::_exit(127);  // the program never ran: qtune reports the launch failure
  if (g_stopped_by_qtune == 0) {
    char text[32];
    std::size_t at = 0;
    if (WIFSIGNALED(status)) {
      at = put_text(text, at, "signal=", 7);
      at = put_number(text, at, static_cast<unsigned long long>(WTERMSIG(status)));
    } else {
      at = put_text(text, at, "exit=", 5);
      at = put_number(text, at, static_cast<unsigned long long>(WEXITSTATUS(status)));
    }
    at = put_text(text, at, "\n", 1);
    write_atomically(request.exit_status_tmp_path.c_str(), request.exit_status_path.c_str(), text,
                     at);
  }
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    ::signal(sig, SIG_DFL);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, sig);
    ::sigprocmask(SIG_UNBLOCK, &only, nullptr);
    ::kill(::getpid(), sig);
  }
  ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 127);
}

// In the child, between fork and exec: async-signal-safe calls only. On failure writes
// {step, errno} to `report` and exits 127.
[[noreturn]] void exec_child(const SpawnRequest& request, char** argv, char** envp, int report) {
  int step = 0;
  const auto fail = [&] {
    const int error[2] = {step, errno};
    [[maybe_unused]] const ssize_t ignored = ::write(report, error, sizeof error);
    ::_exit(127);
  };
  // Its own process group: a timeout or Ctrl-C kills the trial and everything it started,
  // and the terminal's SIGINT reaches qtune only, which then stops the trials itself.
  if (::setpgid(0, 0) != 0) fail();
  // No PR_SET_PDEATHSIG: a trial outlives a killed qtune, and the next run takes it over
  // (local_executor.h). Its record names it for that run.
  step = 1;
  if (!request.record_path.empty() && !write_record(request)) fail();
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
  if (!request.exit_status_path.empty()) run_and_record(request, argv, envp, report);
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
  const pid_t pid = ::fork();
  if (pid < 0)
    return base::Status::io_error(
        fmt::format("{}: fork: {}", request.argv[0], std::strerror(errno)));
  if (pid == 0) exec_child(request, argv.data(), envp.data(), write_end.fd);
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
  static constexpr const char* kSteps[] = {"setpgid", "writing the process record",
                                           "redirecting stdout/stderr", "chdir", "exec"};
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
