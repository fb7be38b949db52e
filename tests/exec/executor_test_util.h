// Helpers shared by the executor tests (local_executor_test, slurm_executor_test and
// executor_conformance_test): a study over a `word` that a shell would split or run and an
// integer `K`, trial specs under a temp dir, running trials to their end, and the gated
// script that keeps a trial running until the test lets it finish.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "exec/study_text.h"
#include "qtune/exec/executor.h"
#include "qtune/exec/trial_config.h"
#include "support/eventually.h"
#include "support/temp_dir.h"

namespace qtune::testing {

// The [trial] table `trial` (with executor = `executor`) of a study file in `dir`, over
//   word = { values = ["a b", "$(touch pwned)", "x;y|z&", "'q'", "*"] }, K = { range = [1, 3] };
// relative paths resolve against `dir`. For "slurm", [trial.slurm] polls every 0.2 s and
// takes `slurm_lines` too.
inline exec::TrialConfig executor_trial_config(const TempDir& dir, std::string_view executor,
                                               std::string_view trial,
                                               std::string_view slurm_lines = "") {
  std::string text = std::string(R"toml([space]
word = { values = ["a b", "$(touch pwned)", "x;y|z&", "'q'", "*"] }
K = { range = [1, 3] }
[trial]
executor = ")toml") + std::string(executor) +
                     "\"\n" + std::string(trial) + "\n";
  if (executor == "slurm")
    text += "[trial.slurm]\npoll_interval = 0.2\n" + std::string(slurm_lines);
  auto parsed = parse_study_text(text, (dir / "study.toml").string());
  EXPECT_TRUE(parsed.trial.is_ok()) << parsed.trial.status().to_string();
  return parsed.trial.is_ok() ? std::move(parsed.trial).value() : exec::TrialConfig{};
}

// Trial `id` of that study, number `id`, in dir/trials/<id>.
inline exec::TrialSpec trial_spec(const TempDir& dir, TrialId id, std::string word = "a b",
                                  std::string k = "2") {
  return {id,
          {{"word", std::move(word)}, {"K", std::move(k)}},
          dir / "trials" / std::to_string(id),
          id};
}

// Starts every trial, then waits until nothing runs; outcomes by trial id. A trial returned
// twice, or anything poll() returns after the last one, fails the test.
inline std::map<TrialId, exec::TrialOutcome> run_all(exec::Executor& executor,
                                                     const std::vector<exec::TrialSpec>& trials) {
  for (const exec::TrialSpec& trial : trials) EXPECT_TRUE(executor.start(trial).is_ok());
  std::map<TrialId, exec::TrialOutcome> outcomes;
  while (executor.running() > 0 || outcomes.empty()) {
    const std::vector<exec::FinishedTrial> done = executor.wait_any(std::chrono::seconds(60));
    if (done.empty()) break;
    for (const exec::FinishedTrial& f : done)
      EXPECT_TRUE(outcomes.emplace(f.id, f.outcome).second) << "twice: " << f.id;
  }
  EXPECT_GE(outcomes.size(), trials.size());
  EXPECT_EQ(executor.running(), 0u);
  EXPECT_TRUE(executor.poll().empty()) << "returned again after the last trial finished";
  return outcomes;
}

// gated.sh (run in `dir`) logs "run" to runs.log, waits for the file `go`, then prints
// FID: 4. It also ends once `dir` is gone, so a failed test leaves no trial (no Slurm job)
// waiting forever.
inline void write_gated_script(const TempDir& dir) {
  dir.write("gated.sh",
            "echo run >> runs.log\nwhile [ ! -e go ] && [ -d trials ]; do sleep 0.1; done\n"
            "echo FID: 4\n");
}

}  // namespace qtune::testing
