#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "qtune/metrics/fid_pipeline.h"
#include "qtune/metrics/stats_cache.h"
#include "support/fid_inputs.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::metrics {
namespace {

using qtune::testing::pytorch_fid;
using qtune::testing::run_reference_script;
using qtune::testing::TempDir;

class FidPipelineTest : public qtune::testing::FidInputsTest<5, 4> {
 protected:
  static FidPipeline pipeline(std::size_t dims,
                              std::optional<std::filesystem::path> cache = std::nullopt) {
    auto p = FidPipeline::create(
        {.dims = dims, .batch_size = 3, .weights = weights(), .threads = 0, .cache_dir = cache});
    QTUNE_CHECK(p.is_ok());
    return std::move(p).value();
  }

  static double fid_of(FidPipeline& p, const std::filesystem::path& a,
                       const std::filesystem::path& b) {
    auto sa = p.side(a);
    auto sb = p.side(b);
    EXPECT_TRUE(sa.is_ok()) << sa.status().to_string();
    EXPECT_TRUE(sb.is_ok()) << sb.status().to_string();
    auto value = fid(*sa, *sb);
    EXPECT_TRUE(value.is_ok()) << value.status().to_string();
    return value.is_ok() ? *value : std::nan("");
  }
};

TEST_F(FidPipelineTest, MatchesPytorchFidAtDims64And2048) {
  for (std::size_t dims : {64u, 2048u}) {
    SCOPED_TRACE(dims);
    const double expected = pytorch_fid(stim(), rec(), dims);
    FidPipeline p = pipeline(dims);
    EXPECT_NEAR(fid_of(p, stim(), rec()), expected, 1e-5 * expected);
  }
}

TEST_F(FidPipelineTest, ReadsPytorchFidNpzStatistics) {
  TempDir out;
  const auto npz = out / "stim.npz";
  run_reference_script("stats_pytorch_fid.py",
                       {"save", stim().string(), npz.string(), weights().string(), "64", "50"});
  const double expected = pytorch_fid(npz, rec(), 64);
  FidPipeline p = pipeline(64);
  auto side = p.side(npz);
  ASSERT_TRUE(side.is_ok()) << side.status().to_string();
  EXPECT_FALSE(side->features.has_value());
  EXPECT_EQ(side->stats.dims, 64u);
  EXPECT_NEAR(fid_of(p, npz, rec()), expected, 1e-5 * expected);
}

TEST_F(FidPipelineTest, CacheReturnsTheSameSideAndNoticesChanges) {
  TempDir cache;
  TempDir copy;
  std::filesystem::copy(stim(), copy / "stim");
  FidPipeline p = pipeline(64, cache.path());
  auto first = p.side(copy / "stim");
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  ASSERT_EQ(std::distance(std::filesystem::directory_iterator(cache.path()), {}), 1);

  FidPipeline fresh = pipeline(64, cache.path());
  auto hit = fresh.side(copy / "stim");
  ASSERT_TRUE(hit.is_ok());
  ASSERT_TRUE(hit->features.has_value());  // 5 < 64 images: the features are kept
  EXPECT_EQ(hit->features->values, first->features->values);
  EXPECT_EQ(hit->stats.sigma, first->stats.sigma);

  // Touching one image gives another key: a second entry, never the stale one.
  const auto image = copy / "stim/0.png";
  std::filesystem::last_write_time(
      image, std::filesystem::last_write_time(image) + std::chrono::seconds(5));
  ASSERT_TRUE(fresh.side(copy / "stim").is_ok());
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(cache.path()), {}), 2);
}

TEST_F(FidPipelineTest, CorruptCacheEntryIsRecomputed) {
  TempDir cache;
  FidPipeline p = pipeline(64, cache.path());
  auto first = p.side(stim());
  ASSERT_TRUE(first.is_ok());
  for (const auto& entry : std::filesystem::directory_iterator(cache.path())) {
    std::filesystem::resize_file(entry.path(), 40);
  }
  auto again = p.side(stim());
  ASSERT_TRUE(again.is_ok()) << again.status().to_string();
  EXPECT_EQ(again->stats.mu, first->stats.mu);
}

TEST_F(FidPipelineTest, FeaturesForKid) {
  FidPipeline p = pipeline(64);
  auto f = p.features(rec());
  ASSERT_TRUE(f.is_ok()) << f.status().to_string();
  EXPECT_EQ(f->count, 4u);
  EXPECT_EQ(f->dims, 64u);
}

TEST_F(FidPipelineTest, ErrorsNameThePath) {
  EXPECT_EQ(FidPipeline::create({.dims = 100, .weights = weights()}).status().code(),
            base::StatusCode::kInvalidArgument);
  FidPipeline p = pipeline(64);
  auto missing = p.side(stim() / "nope");
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);
  FidPipeline no_weights =
      std::move(FidPipeline::create({.dims = 64, .weights = stim() / "none.pth"}).value());
  auto side = no_weights.side(stim());
  ASSERT_FALSE(side.is_ok());
  EXPECT_NE(side.status().message().find("none.pth"), std::string::npos) << side.status().message();
}

TEST(FewImagesNote, OnlyBelowDims) {
  EXPECT_FALSE(few_images_note(2048, 2048, "stim").has_value());
  const auto note = few_images_note(10, 2048, "rec");
  ASSERT_TRUE(note.has_value());
  EXPECT_NE(note->find("rec: 10 images for 2048 dims"), std::string::npos) << *note;
  EXPECT_NE(note->find("KID"), std::string::npos);
  EXPECT_NE(note->find("--dims 64/192"), std::string::npos);
  // only dims smaller than the run's own are suggested
  EXPECT_TRUE(
      few_images_note(10, 192, "rec")->ends_with("(qtune metrics --metrics kid) or --dims 64"));
  EXPECT_EQ(few_images_note(10, 64, "rec")->find("--dims"), std::string::npos);
}

}  // namespace
}  // namespace qtune::metrics
