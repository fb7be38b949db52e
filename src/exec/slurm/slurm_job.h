// One trial as a Slurm job: its name, the job script qtune writes into the trial directory,
// the sbatch arguments, and the exit status file the script leaves. Private to exec.
// The exit status file it leaves: exec/exit_status.h.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exec/exit_status.h"
#include "qtune/exec/executor.h"
#include "qtune/exec/trial_config.h"

namespace qtune::exec::detail {

inline constexpr std::string_view kJobScriptFile = "job.sh";
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
// `number` is the trial's number, the name of its folder.
std::string job_script(const std::vector<std::string>& argv, const std::filesystem::path& trial_dir,
                       std::int64_t number);

// Everything after "sbatch": qtune's own options, then [trial.slurm]'s, then the script.
std::vector<std::string> sbatch_arguments(const SlurmConfig& config, const std::string& name,
                                          const std::filesystem::path& workdir,
                                          const std::filesystem::path& trial_dir);

}  // namespace qtune::exec::detail
