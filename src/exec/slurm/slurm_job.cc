#include "exec/slurm/slurm_job.h"

#include <fmt/format.h>

#include "base/text_file.h"
#include "exec/slurm/slurm_commands.h"
#include "qtune/exec/template.h"

namespace qtune::exec::detail {
namespace {

// Slurm expands %j, %x, ... in --output and --error; "%%" is a literal '%'.
std::string literal_file_name(const std::filesystem::path& path) {
  std::string out;
  for (const char c : path.string()) out += c == '%' ? std::string("%%") : std::string(1, c);
  return out;
}

}  // namespace

}  // namespace qtune::exec::detail

namespace qtune::exec {

std::optional<std::string> slurm_job_id(const std::filesystem::path& trial_dir) {
  return base::read_small_file(trial_dir / detail::kJobIdFile);
}

base::Result<std::map<std::string, SlurmJobState>> slurm_job_states(
    const SlurmConfig& config, const std::vector<std::string>& ids) {
  std::map<std::string, SlurmJobState> out;
  if (ids.empty()) return out;
  QTUNE_ASSIGN_OR_RETURN(const auto commands, detail::SlurmCommands::create(config));
  std::map<std::string, std::string> reasons;
  QTUNE_ASSIGN_OR_RETURN(const auto states, commands->queue_states(ids, {}, &reasons));
  for (const auto& [id, state] : states) out[id] = {state, reasons[id]};
  return out;
}

}  // namespace qtune::exec

namespace qtune::exec::detail {

std::string job_name(std::string_view study, const TrialSpec& spec) {
  std::string name = fmt::format("qtune-{}-{}", study, spec.dir.filename().string());
  for (char& c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '.' || c == '-';
    if (!plain) c = '_';
  }
  return name;
}

std::string job_script(const std::vector<std::string>& argv, const std::filesystem::path& trial_dir,
                       std::int64_t number) {
  std::string command;
  for (const std::string& word : argv) command += (command.empty() ? "" : " ") + shell_quote(word);
  // Slurm ends a job (scancel, time limit) with SIGTERM to all its processes: the trap lets
  // the script see that after the program died, and then it records nothing, so qtune asks
  // Slurm why the job ended instead of blaming the program.
  return fmt::format(R"sh(#!/bin/sh
# qtune trial {number}: written by qtune at each submission. Runs the trial's command and, when
# it ends on its own, records how in exit_status beside this script: exit=N, signal=N (the
# shell's status 128+N) or launch (no such program). Nothing when Slurm terminated the job.
status_file={status}
: > {started}
record() {{ printf '%s\n' "$1" > "$status_file.tmp" && mv -f "$status_file.tmp" "$status_file"; }}
terminated=
trap 'terminated=1' TERM
if ! command -v {program} >/dev/null 2>&1; then
  printf 'qtune: %s: no such program (PATH=%s, workdir %s)\n' {program} "$PATH" "$(pwd)" >&2
  record launch
  exit 127
fi
{command}
status=$?
[ -z "$terminated" ] || exit "$status"
if [ "$status" -gt 128 ]; then record "signal=$((status - 128))"; else record "exit=$status"; fi
exit "$status"
)sh",
                     fmt::arg("number", number),
                     fmt::arg("status", shell_quote((trial_dir / kExitStatusFile).string())),
                     fmt::arg("started", shell_quote((trial_dir / kJobStartedFile).string())),
                     fmt::arg("program", shell_quote(argv.at(0))), fmt::arg("command", command));
}

std::vector<std::string> sbatch_arguments(const SlurmConfig& config, const std::string& name,
                                          const std::filesystem::path& workdir,
                                          const std::filesystem::path& trial_dir) {
  std::vector<std::string> args = {
      "--parsable",
      "--job-name=" + name,
      "--chdir=" + workdir.string(),
      "--output=" + literal_file_name(trial_dir / "stdout.log"),
      "--error=" + literal_file_name(trial_dir / "stderr.log"),
      "--export=ALL",
  };
  const auto add = [&](std::string_view option, const std::string& value) {
    if (!value.empty()) args.push_back(fmt::format("--{}={}", option, value));
  };
  add("partition", config.partition);
  if (config.time.count() > 0) {
    // Slurm keeps limits in whole minutes.
    add("time", std::to_string((config.time.count() + 59'999) / 60'000));
  }
  if (config.cpus_per_task > 0) add("cpus-per-task", std::to_string(config.cpus_per_task));
  add("mem", config.mem);
  add("gres", config.gres);
  add("gpus-per-task", config.gpus_per_task);
  add("account", config.account);
  add("qos", config.qos);
  args.insert(args.end(), config.extra.begin(), config.extra.end());
  args.push_back((trial_dir / kJobScriptFile).string());
  return args;
}

}  // namespace qtune::exec::detail
