// Progress of `qtune run` on stderr: on a terminal one live line, rewritten in place; else
// (a log file, CI) one plain line per finished trial. Results never go here (stdout).
#pragma once

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "qtune/exec/executor.h"
#include "qtune/study/study.h"

namespace qtune::cli {

class ProgressDisplay {
 public:
  ProgressDisplay(std::FILE* out, bool quiet);

  // A trial finished: a plain line (kept above the live line on a terminal).
  void trial_finished(std::int64_t number, const std::string& params,
                      const exec::TrialOutcome& outcome, const study::Progress& progress);
  // Refreshes the live line (terminal only); cheap enough to call every poll.
  void update(const study::Progress& progress);
  // Prints a message on its own line.
  void note(const std::string& text);
  // Ends the live line.
  void finish();

 private:
  std::string summary(const study::Progress& progress) const;
  void clear_live_line();

  std::FILE* out_;
  bool quiet_;
  bool live_;
  bool live_shown_ = false;
  std::chrono::steady_clock::time_point started_;
  std::size_t finished_here_ = 0;  // trials finished in this session, for the estimate
  std::chrono::steady_clock::time_point last_update_;
};

}  // namespace qtune::cli
