// The fixture of the CLI tests that run studies on the project's one-node Slurm cluster
// (slurm_cluster.h): the cluster started, a study folder, qtune run in it, and the trial
// script those tests share.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::testing {

// A file's text, "" before it exists (a log its process has not opened yet).
std::string text_of(const std::filesystem::path& path);

class SlurmStudyTest : public ::testing::Test {
 protected:
  // Starts the cluster (the test fails when it cannot).
  void SetUp() override;
  // `qtune ARGS` in the study folder, to its end.
  ProcessResult qtune(std::vector<std::string> args) const;
  // t.sh logs its start ("start X" in runs.log), waits for the file `go`, then prints FID: X.
  void write_gated_script() const;
  // squeue's lines ("ID\n" each, by id) for those of `jobs` still queued or running.
  static std::string queued(const std::vector<std::string>& jobs);

  TempDir dir_;
};

}  // namespace qtune::testing
