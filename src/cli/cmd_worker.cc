// qtune worker STUDY.toml: one of several processes (on any hosts, e.g. a Slurm job array)
// that share one study (Study::open_shared) through a store they all reach; each runs trials
// like `qtune run` (study::Runner) until the study is finished, then exits 0.
#include <fmt/format.h>

#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/run_study.h"
#include "cli/study_source.h"
#include "qtune/base/duration.h"

namespace qtune::cli {
namespace {

struct WorkerFlags {
  RunFlags run;
  std::string worker_id;
  std::string heartbeat = "10s";
  std::string stale_after = "1m";
};

base::Result<base::Duration> flag_duration(std::string_view flag, const std::string& text) {
  auto parsed = base::parse_duration(text);
  if (!parsed.is_ok()) return parsed.status().with_context(std::string(flag));
  return parsed;
}

int run_worker(WorkerFlags flags) {
  auto heartbeat = flag_duration("--heartbeat", flags.heartbeat);
  if (!heartbeat.is_ok()) return report_error("worker", heartbeat.status());
  auto stale_after = flag_duration("--stale-after", flags.stale_after);
  if (!stale_after.is_ok()) return report_error("worker", stale_after.status());
  if (*stale_after <= *heartbeat) {
    return report_error(
        "worker", base::Status::invalid_argument(fmt::format(
                      "--stale-after {} is not longer than --heartbeat {}: live workers would be "
                      "taken for dead; make it several heartbeats long (default 1m vs 10s)",
                      flags.stale_after, flags.heartbeat)));
  }
  study::RunnerOptions options = runner_options(flags.run);
  options.heartbeat = *heartbeat;
  options.stale_after = *stale_after;
  options.worker = flags.worker_id;
  return run_study("worker", std::move(options), flags.run);
}

}  // namespace

Command add_worker_command(CLI::App& app) {
  auto added =
      add_subcommand<WorkerFlags>(app, "worker",
                                  "run trials of a study shared with other workers (any hosts); "
                                  "exits when the study is finished");
  CLI::App* sub = added.first;
  const std::shared_ptr<WorkerFlags> flags = added.second;
  add_run_flags(*sub, flags->run);
  sub->add_option(
      "--worker-id", flags->worker_id,
      "this worker's name in the trials (default host:pid, JOB_TASK@host:pid in a Slurm array)");
  sub->add_option("--heartbeat", flags->heartbeat,
                  "how often to tell the store this worker's trials live")
      ->capture_default_str();
  sub->add_option("--stale-after", flags->stale_after,
                  "a running trial without a heartbeat for this long belongs to a dead worker and "
                  "runs again")
      ->capture_default_str();
  return {sub, [flags] { return run_worker(*flags); }};
}

}  // namespace qtune::cli
