// The inputs of the FID tests (metrics pipeline, `qtune fid`, `qtune metrics`): the shared
// random-weight FID Inception file and two folders of seeded 28x28 grey PNGs like the user's
// reconstructions (stimuli with seed 1, reconstructions with seed 2), made once per suite.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "support/inception_weights.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::testing {

// `count` seeded 28x28 grey PNGs named 0.png, 1.png, ... in `folder` (stats_paired.py make).
void make_grey_pngs(const std::filesystem::path& folder, std::size_t count, int seed);

// pytorch-fid's FID of two paths (folders or .npz statistics), by stats_pytorch_fid.py with
// the shared weights.
double pytorch_fid(const std::filesystem::path& a, const std::filesystem::path& b,
                   std::size_t dims);

// `qtune COMMAND ARGS...` at dims 64 with the shared weights and no statistics cache.
ProcessResult run_qtune_fid_command(const std::string& command,
                                    const std::vector<std::string>& args);

// A suite fixture with kStimCount stimuli and kRecCount reconstructions.
template <std::size_t kStimCount, std::size_t kRecCount>
class FidInputsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    make_grey_pngs(stim(), kStimCount, 1);
    make_grey_pngs(rec(), kRecCount, 2);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static std::filesystem::path stim() { return *dir_ / "stim"; }
  static std::filesystem::path rec() { return *dir_ / "rec"; }
  static std::filesystem::path weights() { return fid_inception_weights(); }

 private:
  static inline TempDir* dir_ = nullptr;
};

}  // namespace qtune::testing
