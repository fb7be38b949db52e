// Progress of `qtune run` and `qtune worker` on stderr, as the Runner reports it: on a
// terminal one live line, rewritten in place; else (a log file, CI) one plain line per
// finished trial. Results never go here (stdout).
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "qtune/exec/executor.h"
#include "qtune/study/runner.h"
#include "qtune/study/study.h"

namespace qtune::cli {

class ProgressDisplay : public study::RunObserver {
 public:
  // `command`: "run" or "worker", for messages; `worker`: the id of `qtune worker`.
  ProgressDisplay(std::FILE* out, bool quiet, std::string command,
                  std::optional<std::string> worker);

  // The first line: which study, where, and where the trial logs go.
  void started(const study::StudyConfig& config, const std::filesystem::path& trials_dir) override;
  // A trial finished: a plain line (kept above the live line on a terminal).
  void trial_finished(std::int64_t number, const std::vector<store::Param>& params,
                      const exec::TrialOutcome& outcome, const study::Progress& progress) override;
  // Refreshes the live line (terminal only); cheap enough to call every poll.
  void progress(const study::Progress& progress) override;
  // Prints a message on its own line.
  void note(const std::string& text) override;
  // Ends the live line.
  void finish();

 private:
  std::string summary(const study::Progress& progress) const;
  void clear_live_line();

  std::FILE* out_;
  bool quiet_;
  std::string command_;                // "run" or "worker"
  std::optional<std::string> worker_;  // the worker id of `qtune worker`
  bool live_;
  bool live_shown_ = false;
  std::chrono::steady_clock::time_point started_;
  std::size_t finished_here_ = 0;  // trials finished in this session, for the estimate
  std::chrono::steady_clock::time_point last_update_;
};

}  // namespace qtune::cli
