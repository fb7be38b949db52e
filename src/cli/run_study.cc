#include "cli/run_study.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <optional>

#include "cli/command.h"
#include "cli/progress.h"
#include "cli/study_output.h"
#include "cli/study_report.h"
#include "cli/study_source.h"

namespace qtune::cli {

void add_study_file_flags(CLI::App& app, std::string& file, std::string& storage) {
  app.add_option("study_file", file, "the study file (TOML)")->required();
  app.add_option("--storage", storage, "store URL, overriding [study] storage (env QTUNE_STORAGE)")
      ->envname("QTUNE_STORAGE");
}

void add_run_flags(CLI::App& app, RunFlags& flags) {
  add_study_file_flags(app, flags.file, flags.storage);
  app.add_flag("-q,--quiet", flags.quiet, "no progress on stderr");
  app.add_option("--report", flags.report,
                 "keep this HTML report of the study current: written at the start, after every "
                 "finished trial (the page reloads itself) and at the end");
}

study::RunnerOptions runner_options(const RunFlags& flags) {
  study::RunnerOptions options;
  options.file = flags.file;
  options.storage = flags.storage;
  return options;
}

namespace {

// Keeps the --report page of a running study current: written when the run starts and after
// every finished trial, with a reload tag, and once more at the end without it. Everything
// else goes to `next` (the progress display). A report that cannot be written is said once
// and does not stop the run.
class ReportWriter : public study::RunObserver {
 public:
  static constexpr int kRefreshSeconds = 10;

  ReportWriter(study::RunObserver& next, StudySource source, std::filesystem::path output,
               std::string who)
      : next_(next), source_(std::move(source)), output_(std::move(output)), who_(std::move(who)) {}

  void started(const study::StudyConfig& config, const std::filesystem::path& trials) override {
    next_.started(config, trials);
    write(kRefreshSeconds);
  }
  // At most once per kRefreshSeconds (the page reloads no faster): the page reads the whole
  // study, so a burst of short trials must not hold the run loop.
  void trial_finished(std::int64_t number, const std::vector<store::Param>& params,
                      const exec::TrialOutcome& outcome, const study::Progress& progress) override {
    next_.trial_finished(number, params, outcome, progress);
    if (std::chrono::steady_clock::now() - last_write_ >= std::chrono::seconds(kRefreshSeconds))
      write(kRefreshSeconds);
  }
  void note(const std::string& message) override { next_.note(message); }
  void progress(const study::Progress& progress) override { next_.progress(progress); }
  // The last page, without the reload tag.
  void finish() { write(0); }

 private:
  void write(int refresh_seconds) {
    last_write_ = std::chrono::steady_clock::now();
    const auto written = write_study_report(source_, output_, refresh_seconds);
    if (written.is_ok() || warned_) return;
    warned_ = true;
    next_.note(fmt::format("{}: --report {}: {}; the run goes on", who_, output_.string(),
                           written.status().message()));
  }

  study::RunObserver& next_;
  StudySource source_;
  std::filesystem::path output_;
  std::string who_;
  bool warned_ = false;
  std::chrono::steady_clock::time_point last_write_{};
};

}  // namespace

int run_study(const std::string& command, study::RunnerOptions options, const RunFlags& flags) {
  options.who = "qtune " + command;
  ProgressDisplay display(stderr, flags.quiet, command, options.worker);
  std::optional<ReportWriter> report;
  if (!flags.report.empty()) {
    report.emplace(display, StudySource{options.file.string(), options.storage, ""}, flags.report,
                   options.who);
  }
  study::RunObserver* observer = report ? static_cast<study::RunObserver*>(&*report) : &display;
  study::Runner runner(std::move(options), observer);
  const base::Result<study::RunResult> result = runner.run();
  if (report) report->finish();
  display.finish();
  if (!result.is_ok()) return report_error(command, result.status());
  switch (result->end) {
    case study::RunEnd::kInterrupted:
      display.note(fmt::format("qtune {}: {}", command, result->message));
      return kExitInterrupted;
    case study::RunEnd::kTimeUp:  // nothing to show yet: resumable, like an interrupted run
      display.note(fmt::format("qtune {}: {}", command, result->message));
      return kExitInterrupted;
    case study::RunEnd::kNoSuccess:
      std::fputs(
          fmt::format("qtune {}: the study finished with no successful trial; see the trial logs\n",
                      command)
              .c_str(),
          stderr);
      return kExitNoSuccess;
    case study::RunEnd::kFinished:
      if (!result->message.empty())
        display.note(fmt::format("qtune {}: {}", command, result->message));
      break;
  }
  std::fputs(format_best(*result->best, OutputFormat::kTable).c_str(), stdout);
  return kExitOk;
}

}  // namespace qtune::cli
