// One trial as a Slurm job: its name, the job script qtune writes into the trial directory,
// the sbatch arguments, and the exit status file the script leaves. Private to exec.
//
// exit_status holds one line: "exit=N" (the program exited with N <= 128), "signal=N" (the
// shell reported 128+N: killed by signal N) or "launch" (the program was not found). It is
// written to exit_status.tmp and renamed, so a reader never sees half of it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/exec/executor.h"
#include "qtune/exec/trial_config.h"

namespace qtune::exec::detail {

inline constexpr std::string_view kJobScriptFile = "job.sh";
inline constexpr std::string_view kExitStatusFile = "exit_status";
inline constexpr std::string_view kJobIdFile = "slurm_job_id";  // the job of the latest submission
// Created by job.sh when it starts: its modification time is the job's start.
inline constexpr std::string_view kJobStartedFile = "job_started";
// Written with the job id before qtune scancels that job: a resumed trial never takes over a
// job qtune stopped (its script may still have recorded the SIGTERM as its end).
inline constexpr std::string_view kCancelledFile = "slurm_cancelled";

// "qtune-<study>-<trial dir name>", characters other than [A-Za-z0-9_.-] replaced by '_'.
std::string job_name(std::string_view study, const TrialSpec& spec);

// The job script: runs `argv` (every word single-quoted) and records its end in
// <trial_dir>/exit_status unless Slurm terminated the job (SIGTERM to the script).
std::string job_script(const std::vector<std::string>& argv, const std::filesystem::path& trial_dir,
                       TrialId id);

// Everything after "sbatch": qtune's own options, then [trial.slurm]'s, then the script.
std::vector<std::string> sbatch_arguments(const SlurmConfig& config, const std::string& name,
                                          const std::filesystem::path& workdir,
                                          const std::filesystem::path& trial_dir);

struct RecordedEnd {
  enum class Kind { kExit, kSignal, kLaunch };
  Kind kind = Kind::kExit;
  int value = 0;  // the exit status or signal number
};

// nullopt for text that is not one of the three forms.
std::optional<RecordedEnd> parse_exit_status(std::string_view text);

}  // namespace qtune::exec::detail
