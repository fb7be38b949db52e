// Slurm's client commands as the Slurm executor uses them: sbatch, squeue, scancel, and
// scontrol or sacct for why a job ended. Each runs without a shell (process.h), its output
// captured through files in a scratch folder that this object owns, and is killed if it
// does not answer within a minute. Private to exec.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/exec/trial_config.h"

namespace qtune::exec::detail {

// How Slurm says a job ended: its state ("TIMEOUT", "CANCELLED", "NODE_FAIL", ...), the
// reason and "exit:signal" code Slurm recorded.
struct SlurmJobEnd {
  std::string state;
  std::string reason;
  std::string exit_code;
};

class SlurmCommands {
 public:
  // kIoError if the scratch folder cannot be made.
  static base::Result<std::unique_ptr<SlurmCommands>> create(const SlurmConfig& config);
  ~SlurmCommands();
  SlurmCommands(const SlurmCommands&) = delete;
  SlurmCommands& operator=(const SlurmCommands&) = delete;

  // kNotFound naming the program and the key to set when `sbatch --version` cannot run.
  base::Status check_sbatch();
  // sbatch `args` with environment `env` ("NAME=value", complete); the job id. Errors carry
  // sbatch's own message (one line): kUnavailable when Slurm cannot take jobs now but may
  // later (controller unreachable, a socket timeout, sbatch hanging), kInvalidArgument when
  // it refused the job for a reason that repeats (invalid partition, account, option).
  base::Result<std::string> submit(const std::vector<std::string>& args,
                                   const std::vector<std::string>& env);
  // One squeue call: the state of each of `ids` that is still queued or running; with
  // `name`, only of the jobs of that name. `reasons`, when given, gets Slurm's reason for
  // each (why a PENDING job waits: "Resources", "Priority", "BeginTime", ...; "None").
  base::Result<std::map<std::string, std::string>> queue_states(
      const std::vector<std::string>& ids, const std::string& name = {},
      std::map<std::string, std::string>* reasons = nullptr);
  // scancel; with `name`, only a job of that name is cancelled. Errors are ignored: a job
  // that already left is not one.
  void cancel(const std::vector<std::string>& ids, const std::string& name = {});
  // scontrol show job, else sacct; nullopt when neither knows the job (purged from the
  // controller and no accounting).
  std::optional<SlurmJobEnd> job_end(const std::string& id);

 private:
  struct Output {
    int exit_code = -1;
    std::string out;
    std::string err;
  };
  SlurmCommands(SlurmConfig config, std::filesystem::path scratch)
      : config_(std::move(config)), scratch_(std::move(scratch)) {}
  base::Result<Output> run(std::vector<std::string> argv, const std::vector<std::string>& env);

  SlurmConfig config_;
  std::filesystem::path scratch_;
};

}  // namespace qtune::exec::detail
