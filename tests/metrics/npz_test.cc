// .npz statistics against NumPy (tests/reference/io_npz.py): NumPy writes, we read equal
// values; we write, NumPy reads equal values; malformed files are errors naming the problem.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>

#include "qtune/metrics/stats_cache.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::metrics {
namespace {

using qtune::testing::read_file;
using qtune::testing::run_process;
using qtune::testing::run_reference_script;
using qtune::testing::TempDir;

constexpr std::size_t kDims = 96;

std::vector<double> read_f64(const std::filesystem::path& path) {
  const std::string bytes = read_file(path);
  std::vector<double> out(bytes.size() / 8);
  std::memcpy(out.data(), bytes.data(), out.size() * 8);
  return out;
}

class NpzFiles : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    run_reference_script("io_npz.py", {"write", dir_->path().string(), "3", std::to_string(kDims)});
  }
  static void TearDownTestSuite() { dir_.reset(); }
  static std::unique_ptr<TempDir> dir_;
};
std::unique_ptr<TempDir> NpzFiles::dir_;

TEST_F(NpzFiles, ReadsWhatNumpyWritesCompressedOrNot) {
  const std::vector<double> mu = read_f64(*dir_ / "mu.f64");
  const std::vector<double> sigma = read_f64(*dir_ / "sigma.f64");
  for (const char* name : {"compressed.npz", "plain.npz"}) {
    const auto stats = read_npz_statistics(*dir_ / name);
    ASSERT_TRUE(stats.is_ok()) << stats.status().to_string();
    EXPECT_EQ(stats->dims, kDims);
    EXPECT_EQ(stats->mu, mu) << name;
    EXPECT_EQ(stats->sigma, sigma) << name;
  }
}

TEST_F(NpzFiles, NumpyReadsWhatWeWrite) {
  for (std::size_t dims : {kDims, std::size_t{1}}) {
    FeatureStats stats;
    for (std::size_t i = 0; i < dims; ++i)
      stats.mu.push_back(1.0 / static_cast<double>(i + 3) - 0.25);
    for (std::size_t i = 0; i < dims * dims; ++i)
      stats.sigma.push_back(static_cast<double>(i % 17) * 1e-3 + 1e-300);
    TempDir tmp;
    ASSERT_TRUE(write_npz_statistics(tmp / "ours.npz", stats).is_ok());
    const std::string mu(reinterpret_cast<const char*>(stats.mu.data()), stats.mu.size() * 8);
    const std::string sigma(reinterpret_cast<const char*>(stats.sigma.data()),
                            stats.sigma.size() * 8);
    const auto mu_path = tmp.write("mu.f64", mu);
    const auto sigma_path = tmp.write("sigma.f64", sigma);
    const auto result = run_reference_script(
        "io_npz.py", {"check", (tmp / "ours.npz").string(), mu_path.string(), sigma_path.string()});
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    // And our own reader agrees.
    const auto back = read_npz_statistics(tmp / "ours.npz");
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_EQ(back->mu, stats.mu);
    EXPECT_EQ(back->sigma, stats.sigma);
  }
}

TEST_F(NpzFiles, MalformedStatisticsAreClearErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"f32.npz", "dtype '<f4' is not supported; expected '<f8'"},
      {"fortran.npz", "Fortran-ordered"},
      {"no_sigma.npz", "no 'sigma' array"},
      {"mismatch.npz", "mu has shape (96) and sigma (97, 97); expected (d,) and (d, d)"},
  };
  for (const auto& [name, message] : cases) {
    const auto stats = read_npz_statistics(*dir_ / name);
    ASSERT_FALSE(stats.is_ok()) << name;
    EXPECT_NE(stats.status().message().find(name), std::string::npos) << stats.status().message();
    EXPECT_NE(stats.status().message().find(message), std::string::npos)
        << stats.status().message();
  }
}

TEST_F(NpzFiles, TruncatedArchivesAreErrors) {
  const std::string good = read_file(*dir_ / "compressed.npz");
  TempDir tmp;
  std::vector<std::size_t> cuts;
  for (std::size_t len = 0; len < good.size(); len += good.size() / 40 + 1) cuts.push_back(len);
  for (std::size_t back = 1; back <= 30; ++back)
    cuts.push_back(good.size() - back);  // inside the end records
  for (std::size_t len : cuts) {
    const auto stats = read_npz_statistics(tmp.write("cut.npz", good.substr(0, len)));
    EXPECT_FALSE(stats.is_ok()) << "cut to " << len;
  }
}

TEST(Npz, WriteRefusesInconsistentSigma) {
  TempDir tmp;
  const base::Status status = write_npz_statistics(
      tmp / "bad.npz", FeatureStats{.dims = 2, .mu = {1.0, 2.0}, .sigma = {1.0}});
  EXPECT_EQ(status.code(), base::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace qtune::metrics
