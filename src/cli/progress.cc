#include "cli/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include "cli/study_source.h"
#include "qtune/base/duration.h"

namespace qtune::cli {
namespace {

using Clock = std::chrono::steady_clock;

base::Duration since(Clock::time_point start) {
  return std::chrono::duration_cast<base::Duration>(Clock::now() - start);
}

}  // namespace

ProgressDisplay::ProgressDisplay(std::FILE* out, bool quiet, std::string command,
                                 std::optional<std::string> worker)
    : out_(out),
      quiet_(quiet),
      command_(std::move(command)),
      worker_(std::move(worker)),
      live_(!quiet && isatty(fileno(out)) != 0),
      started_(Clock::now()) {}

void ProgressDisplay::started(const study::StudyConfig& config,
                              const std::filesystem::path& trials_dir) {
  note(fmt::format("qtune {}: study \"{}\" in {}{}; trial logs in {}", command_, config.name,
                   config.storage, worker_ ? " as worker " + *worker_ : "", trials_dir.string()));
}

std::string ProgressDisplay::summary(const study::Progress& p) const {
  std::string line = p.budget ? fmt::format("[{}/{}]", p.evaluations, *p.budget)
                              : fmt::format("[{}]", p.evaluations);
  line += fmt::format(" done {} failed {} running {}", p.complete, p.failed, p.running);
  if (p.pruned > 0) line += fmt::format(" pruned {}", p.pruned);
  if (p.best)
    line += fmt::format(" | best {:.6g} ({})", p.best->value, describe_params(p.best->params));
  if (p.epsilon) line += fmt::format(" | eps {:.3f}", *p.epsilon);
  if (p.compute_budget_seconds) {
    line += fmt::format(" | compute {:.2f} of {:.2f} h", p.compute_spent_seconds / 3600,
                        *p.compute_budget_seconds / 3600);
  }
  const base::Duration elapsed = since(started_);
  line += fmt::format(" | {} elapsed", base::format_duration(elapsed));
  // Left: this session's pace per finished trial, times the trials still to finish.
  if (p.budget && finished_here_ > 0 && *p.budget >= p.evaluations) {
    const std::uint64_t left = *p.budget - p.evaluations + p.running;
    const auto per_trial = elapsed / static_cast<base::Duration::rep>(finished_here_);
    line += fmt::format(", ~{} left",
                        base::format_duration(per_trial * static_cast<base::Duration::rep>(left)));
  }
  return line;
}

void ProgressDisplay::clear_live_line() {
  if (live_shown_) std::fputs("\r\033[2K", out_);
  live_shown_ = false;
}

void ProgressDisplay::trial_finished(std::int64_t number, const std::vector<store::Param>& params,
                                     const exec::TrialOutcome& outcome,
                                     const study::Progress& progress) {
  ++finished_here_;
  if (quiet_) return;
  clear_live_line();
  std::string result =
      outcome.ok()
          ? fmt::format("{:.6g}", *outcome.value)
          : fmt::format("{} ({})", exec::failure_reason_name(outcome.reason), outcome.message);
  if (outcome.ok() && !outcome.components.empty()) {  // a combined metric: its components
    result.clear();
    for (const MetricComponent& c : outcome.components)
      result += fmt::format("{}{} {:.6g}", result.empty() ? "" : ", ", c.name, c.value);
  }
  std::fputs(fmt::format("trial {} {} -> {} in {}\n", number, describe_params(params), result,
                         base::format_duration(outcome.elapsed))
                 .c_str(),
             out_);
  if (live_) {
    this->progress(progress);  // the live line was cleared: shown again at once
  } else {
    std::fputs(fmt::format("  {}\n", summary(progress)).c_str(), out_);
  }
  std::fflush(out_);
}

void ProgressDisplay::progress(const study::Progress& progress) {
  // Once a second is enough for a clock that shows seconds.
  if (!live_ || (live_shown_ && Clock::now() - last_update_ < std::chrono::seconds(1))) return;
  last_update_ = Clock::now();
  clear_live_line();
  std::fputs(summary(progress).c_str(), out_);
  live_shown_ = true;
  std::fflush(out_);
}

void ProgressDisplay::note(const std::string& text) {
  if (quiet_) return;
  clear_live_line();
  std::fputs((text + "\n").c_str(), out_);
  std::fflush(out_);
}

void ProgressDisplay::finish() {
  if (live_shown_) std::fputs("\n", out_);
  live_shown_ = false;
  std::fflush(out_);
}

}  // namespace qtune::cli
