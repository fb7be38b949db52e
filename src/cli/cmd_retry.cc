// qtune retry STUDY.toml --failed: runs the failed trials of a study again (those that failed
// for reasons outside the trial: a node failure, a time limit reached while qtune was not
// watching, a cancelled job) and then goes on like `qtune run`. Each keeps its number and its
// record (attempt and retries count on); the budget is not touched. Refused, like `qtune run`,
// while other processes run the study: a configuration never runs twice at once.
#include <fmt/format.h>

#include <string>

#include "cli/command.h"
#include "cli/run_study.h"

namespace qtune::cli {
namespace {

struct RetryFlags {
  RunFlags run;
  bool failed = false;
  std::string reason;
};

int run_retry(const RetryFlags& flags) {
  if (!flags.failed) {
    return report_error(
        "retry", base::Status::invalid_argument(
                     "retry: say which trials to run again: --failed (all failed trials, or with "
                     "--reason TEXT those whose failure reason contains TEXT)"));
  }
  study::RunnerOptions options = runner_options(flags.run);
  options.retry_failed = true;
  options.retry_reason = flags.reason;
  return run_study("retry", std::move(options), flags.run);
}

}  // namespace

Command add_retry_command(CLI::App& app) {
  auto added = add_subcommand<RetryFlags>(
      app, "retry",
      "run failed trials of a study again (same numbers, budget untouched), then go on as run");
  CLI::App* sub = added.first;
  const std::shared_ptr<RetryFlags> flags = added.second;
  add_run_flags(*sub, flags->run);
  sub->add_flag("--failed", flags->failed, "run every FAILED trial again");
  sub->add_option("--reason", flags->reason,
                  "with --failed: only the trials whose failure reason contains this text, e.g. "
                  "\"not watching\"");
  return {sub, [flags] { return run_retry(*flags); }};
}

}  // namespace qtune::cli
