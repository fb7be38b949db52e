#include "exec/slurm/slurm_commands.h"

#include <fmt/format.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/text_file.h"
#include "exec/process.h"
#include "exec/trial_run.h"

namespace qtune::exec::detail {
namespace {

using Clock = std::chrono::steady_clock;
// A client command that takes longer is stuck (controller down: its own retries end sooner).
constexpr std::chrono::seconds kCommandLimit{60};

// A command's stderr as one line: "sbatch: error: a; sbatch: error: b".
std::string one_line(std::string_view text) {
  std::string out;
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    if (!out.empty()) out += "; ";
    out += line;
  }
  return out;
}

std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ",") + id;
  return out;
}

// The value of `key=` in scontrol's one-line "Key=value Key=value" output.
std::string field(const std::string& text, std::string_view key) {
  const std::string needle = fmt::format(" {}=", key);
  const std::size_t at = (" " + text).find(needle);
  if (at == std::string::npos) return {};
  const std::size_t begin = at + needle.size() - 1;
  return text.substr(begin, text.find_first_of(" \n", begin) - begin);
}

// sbatch's messages when the controller cannot take the job now but may later: the
// controller is down or busy, a socket timed out. Anything else sbatch refuses repeats for
// every trial (an invalid partition, account, QOS, gres or option).
bool is_transient(std::string_view message) {
  static constexpr std::string_view kTransient[] = {"Unable to contact slurm controller",
                                                    "Socket timed out",
                                                    "temporarily unable",
                                                    "Resource temporarily unavailable",
                                                    "Connection refused",
                                                    "Zero Bytes were transmitted",
                                                    "Slurm backup controller in standby mode",
                                                    "Communication connection failure"};
  for (const std::string_view text : kTransient) {
    if (message.find(text) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

base::Result<std::unique_ptr<SlurmCommands>> SlurmCommands::create(const SlurmConfig& config) {
  std::string pattern = (std::filesystem::temp_directory_path() / "qtune-slurm-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return base::Status::io_error(
        fmt::format("{}: cannot create the Slurm executor's scratch folder: {}; set TMPDIR "
                    "to a writable folder",
                    pattern, std::strerror(errno)));
  }
  return std::unique_ptr<SlurmCommands>(new SlurmCommands(config, pattern));
}

SlurmCommands::~SlurmCommands() {
  std::error_code ignored;
  std::filesystem::remove_all(scratch_, ignored);
}

base::Result<SlurmCommands::Output> SlurmCommands::run(std::vector<std::string> argv,
                                                       const std::vector<std::string>& env) {
  SpawnRequest request;
  request.argv = std::move(argv);
  request.workdir = scratch_;
  request.env = env.empty() ? environment_with({}) : env;
  request.stdout_path = scratch_ / "out";
  request.stderr_path = scratch_ / "err";
  QTUNE_ASSIGN_OR_RETURN(const pid_t pid, spawn_in_new_group(request));
  const Clock::time_point deadline = Clock::now() + kCommandLimit;
  int status = 0;
  std::chrono::milliseconds pause{1};
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      return base::Status::io_error(
          fmt::format("{}: waitpid: {}", request.argv[0], std::strerror(errno)));
    }
    if (Clock::now() > deadline) {
      signal_group(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      return base::Status::unavailable(
          fmt::format("{}: no answer within {} s; is the Slurm controller up?", request.argv[0],
                      kCommandLimit.count()));
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
  Output output;
  output.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  output.out = base::read_small_file(request.stdout_path).value_or("");
  output.err = base::read_small_file(request.stderr_path).value_or("");
  return output;
}

base::Status SlurmCommands::check_sbatch() {
  const auto version = run({config_.sbatch, "--version"}, {});
  if (version.is_ok() && version->exit_code == 0) return base::Status::ok();
  return base::Status::not_found(fmt::format(
      "[trial.slurm] sbatch: \"{} --version\" failed ({}); install Slurm's client commands or set "
      "sbatch to "
      "their path",
      config_.sbatch, version.is_ok() ? one_line(version->err) : version.status().message()));
}

base::Result<std::string> SlurmCommands::submit(const std::vector<std::string>& args,
                                                const std::vector<std::string>& env) {
  std::vector<std::string> argv = {config_.sbatch};
  argv.insert(argv.end(), args.begin(), args.end());
  QTUNE_ASSIGN_OR_RETURN(const Output output, run(std::move(argv), env));  // a hang: transient
  // --parsable prints "<job id>" or "<job id>;<cluster>".
  const std::string id = output.out.substr(0, output.out.find_first_of(";\n"));
  if (output.exit_code == 0 && !id.empty()) return id;
  const std::string message = one_line(output.err);
  if (is_transient(message)) return base::Status::unavailable(message);
  return base::Status::invalid_argument(fmt::format(
      "[trial.slurm]: sbatch refused the job: {}; fix the partition, account, qos, gres or "
      "extra options it names and run again (no trial was counted)",
      message.empty()
          ? fmt::format("{} exited with status {} and no message", config_.sbatch, output.exit_code)
          : message));
}

base::Result<std::map<std::string, std::string>> SlurmCommands::queue_states(
    const std::vector<std::string>& ids, const std::string& name,
    std::map<std::string, std::string>* reasons) {
  std::map<std::string, std::string> states;
  if (ids.empty()) return states;
  // The reason may hold spaces ("launch failed requeued held"): '|' separates the fields.
  std::vector<std::string> argv = {config_.squeue, "--noheader", "--format=%i|%T|%r",
                                   "--jobs=" + joined(ids)};
  if (!name.empty()) argv.push_back("--name=" + name);
  QTUNE_ASSIGN_OR_RETURN(const Output output, run(std::move(argv), {}));
  if (output.exit_code != 0) {
    // squeue fails when none of the ids is known any more: then none is queued.
    if (output.err.find("Invalid job id") != std::string::npos) return states;
    return base::Status::unavailable(fmt::format("{}: {}", config_.squeue, one_line(output.err)));
  }
  std::istringstream lines(output.out);
  for (std::string line; std::getline(lines, line);) {
    const std::size_t first = line.find('|');
    const std::size_t second = line.find('|', first == std::string::npos ? first : first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string id = line.substr(0, first);
    states[id] = line.substr(first + 1, second - first - 1);
    if (reasons != nullptr) (*reasons)[id] = line.substr(second + 1);
  }
  return states;
}

void SlurmCommands::cancel(const std::vector<std::string>& ids, const std::string& name) {
  if (ids.empty()) return;
  std::vector<std::string> argv = {config_.scancel};
  if (!name.empty()) argv.push_back("--name=" + name);
  argv.insert(argv.end(), ids.begin(), ids.end());
  [[maybe_unused]] const auto ignored = run(std::move(argv), {});
}

std::optional<SlurmJobEnd> SlurmCommands::job_end(const std::string& id) {
  const auto shown = run({config_.scontrol, "--oneliner", "show", "job", id}, {});
  if (shown.is_ok() && shown->exit_code == 0 && !field(shown->out, "JobState").empty()) {
    return SlurmJobEnd{field(shown->out, "JobState"), field(shown->out, "Reason"),
                       field(shown->out, "ExitCode")};
  }
  // After MinJobAge the controller forgets the job; accounting (when there is any) does not.
  const auto accounted = run({config_.sacct, "--noheader", "--allocations", "--parsable2",
                              "--jobs=" + id, "--format=State,ExitCode"},
                             {});
  if (!accounted.is_ok() || accounted->exit_code != 0) return std::nullopt;
  const std::string line = accounted->out.substr(0, accounted->out.find('\n'));
  const std::size_t bar = line.find('|');
  if (line.empty() || bar == std::string::npos) return std::nullopt;
  // "CANCELLED by 0|0:15"
  return SlurmJobEnd{line.substr(0, std::min(line.find(' '), bar)), "", line.substr(bar + 1)};
}

}  // namespace qtune::exec::detail
