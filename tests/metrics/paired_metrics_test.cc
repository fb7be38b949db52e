#include "qtune/metrics/paired_metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <sstream>
#include <string>

#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::metrics {
namespace {

using qtune::testing::run_reference_script;
using qtune::testing::TempDir;

// A structured image (gradients and a disc) plus seeded noise of the given amplitude.
std::vector<std::uint8_t> structured(std::size_t h, std::size_t w, std::size_t c, int noise,
                                     std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> jitter(-noise, noise);
  std::vector<std::uint8_t> v(h * w * c);
  for (std::size_t y = 0; y < h; ++y) {
    for (std::size_t x = 0; x < w; ++x) {
      const double dx = static_cast<double>(x) - static_cast<double>(w) / 2;
      const double dy = static_cast<double>(y) - static_cast<double>(h) / 2;
      const bool disc = dx * dx + dy * dy < static_cast<double>(h * w) / 10;
      for (std::size_t k = 0; k < c; ++k) {
        const int base =
            static_cast<int>((x * 255) / w / (k + 1) + (y * 100) / h) + (disc ? 60 : 0);
        v[(y * w + x) * c + k] = static_cast<std::uint8_t>(std::clamp(base + jitter(rng), 0, 255));
      }
    }
  }
  return v;
}

std::vector<std::uint8_t> random_pixels(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<std::uint8_t> v(n);
  for (auto& p : v) p = static_cast<std::uint8_t>(byte(rng));
  return v;
}

Image to_rgb(const std::vector<std::uint8_t>& v, std::size_t h, std::size_t w, std::size_t c) {
  Image image{.width = w, .height = h, .pixels = std::vector<std::uint8_t>(h * w * 3)};
  for (std::size_t i = 0; i < h * w; ++i) {
    for (std::size_t k = 0; k < 3; ++k) image.pixels[i * 3 + k] = v[i * c + (c == 1 ? 0 : k)];
  }
  return image;
}

struct Expected {
  double mse, psnr, ssim, pcc;
};

Expected reference(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b,
                   std::size_t h, std::size_t w, std::size_t c) {
  TempDir dir;
  dir.write("a.bin", std::string(a.begin(), a.end()));
  dir.write("b.bin", std::string(b.begin(), b.end()));
  const auto r = run_reference_script("stats_paired.py",
                                      {"pair", (dir / "a.bin").string(), (dir / "b.bin").string(),
                                       std::to_string(h), std::to_string(w), std::to_string(c)});
  // ssim is "nan" below 11x11, which operator>> does not read.
  std::istringstream in(r.out);
  std::string mse, psnr, ssim, pcc;
  in >> mse >> psnr >> ssim >> pcc;
  return Expected{std::stod(mse), std::stod(psnr), std::stod(ssim), std::stod(pcc)};
}

void expect_matches(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b,
                    std::size_t h, std::size_t w, std::size_t c) {
  SCOPED_TRACE(std::to_string(h) + "x" + std::to_string(w) + "x" + std::to_string(c));
  const Expected expected = reference(a, b, h, w, c);
  auto scores = score_pair(to_rgb(a, h, w, c), to_rgb(b, h, w, c), "pair");
  ASSERT_TRUE(scores.is_ok()) << scores.status().to_string();
  EXPECT_NEAR(scores->mse, expected.mse, 1e-9);
  EXPECT_NEAR(scores->psnr, expected.psnr, 1e-9);
  EXPECT_NEAR(scores->ssim, expected.ssim, 1e-9);
  EXPECT_NEAR(scores->pcc, expected.pcc, 1e-9);
}

TEST(PairedMetrics, MatchScikitImageOnStructuredRgb) {
  expect_matches(structured(32, 40, 3, 0, 1), structured(32, 40, 3, 30, 2), 32, 40, 3);
}

TEST(PairedMetrics, MatchScikitImageOnRandomRgb) {
  expect_matches(random_pixels(17 * 23 * 3, 3), random_pixels(17 * 23 * 3, 4), 17, 23, 3);
}

TEST(PairedMetrics, GreyReplicatedToRgbMatchesScikitImageOnTheGreyImage) {
  // the user's case: 28x28 grey digits and their reconstructions
  expect_matches(structured(28, 28, 1, 5, 5), structured(28, 28, 1, 40, 6), 28, 28, 1);
}

TEST(PairedMetrics, SmallestImageForTheWindow) {
  expect_matches(random_pixels(11 * 11 * 3, 7), random_pixels(11 * 11 * 3, 8), 11, 11, 3);
}

// sklearn digits' 8x8: mse, psnr and pcc need no window; only ssim refuses them.
TEST(PairedMetrics, WithoutSsimImagesBelowTheWindowAreScored) {
  const auto a = structured(8, 8, 1, 5, 11);
  const auto b = structured(8, 8, 1, 40, 12);
  const Expected expected = reference(a, b, 8, 8, 1);
  auto scores = score_pair(to_rgb(a, 8, 8, 1), to_rgb(b, 8, 8, 1), "digit", PairedSsim::kSkip);
  ASSERT_TRUE(scores.is_ok()) << scores.status().to_string();
  EXPECT_NEAR(scores->mse, expected.mse, 1e-9);
  EXPECT_NEAR(scores->psnr, expected.psnr, 1e-9);
  EXPECT_NEAR(scores->pcc, expected.pcc, 1e-9);
  EXPECT_TRUE(std::isnan(scores->ssim));
  EXPECT_FALSE(score_pair(to_rgb(a, 8, 8, 1), to_rgb(b, 8, 8, 1), "digit").is_ok());
  const Image wider = to_rgb(random_pixels(8 * 9 * 3, 1), 8, 9, 3);
  EXPECT_FALSE(score_pair(to_rgb(a, 8, 8, 1), wider, "digit", PairedSsim::kSkip).is_ok());
}

TEST(PairedMetrics, IdenticalImages) {
  const Image a = to_rgb(structured(16, 16, 3, 10, 9), 16, 16, 3);
  auto scores = score_pair(a, a, "same");
  ASSERT_TRUE(scores.is_ok());
  EXPECT_EQ(scores->mse, 0.0);
  EXPECT_TRUE(std::isinf(scores->psnr));
  EXPECT_NEAR(scores->ssim, 1.0, 1e-12);
  EXPECT_NEAR(scores->pcc, 1.0, 1e-12);
}

TEST(PairedMetrics, ConstantImageHasNoCorrelation) {
  const Image flat{.width = 12, .height = 12, .pixels = std::vector<std::uint8_t>(12 * 12 * 3, 7)};
  const Image other = to_rgb(random_pixels(12 * 12 * 3, 10), 12, 12, 3);
  auto scores = score_pair(flat, other, "flat");
  ASSERT_TRUE(scores.is_ok());
  EXPECT_TRUE(std::isnan(scores->pcc));
}

TEST(PairedMetrics, SizeMismatchAndTinyImagesNameThePair) {
  const Image a = to_rgb(random_pixels(12 * 12 * 3, 1), 12, 12, 3);
  const Image b = to_rgb(random_pixels(12 * 13 * 3, 2), 12, 13, 3);
  auto mismatch = score_pair(a, b, "stim/3.png ~ rec/3.png");
  ASSERT_FALSE(mismatch.is_ok());
  EXPECT_NE(
      mismatch.status().message().find("stim/3.png ~ rec/3.png: the images are 12x12 and 13x12"),
      std::string::npos)
      << mismatch.status().message();
  const Image tiny = to_rgb(random_pixels(10 * 10 * 3, 1), 10, 10, 3);
  auto small = score_pair(tiny, tiny, "tiny");
  ASSERT_FALSE(small.is_ok());
  EXPECT_NE(small.status().message().find("smaller than the 11x11 SSIM window"), std::string::npos);
}

TEST(PairedFolders, MeansMatchScikitImageOnPngFolders) {
  TempDir dir;
  run_reference_script("stats_paired.py",
                       {"make", (dir / "stim").string(), "3", "28", "28", "L", "1"});
  run_reference_script("stats_paired.py",
                       {"make", (dir / "rec").string(), "3", "28", "28", "L", "2"});
  const auto r = run_reference_script("stats_paired.py",
                                      {"folders", (dir / "stim").string(), (dir / "rec").string()});
  std::istringstream in(r.out);
  Expected expected{};
  in >> expected.mse >> expected.psnr >> expected.ssim >> expected.pcc;

  auto report = score_folders(dir / "stim", dir / "rec");
  ASSERT_TRUE(report.is_ok()) << report.status().to_string();
  ASSERT_EQ(report->pairs.size(), 3u);
  EXPECT_EQ(report->pairs[0].name,
            (dir / "stim/0.png").string() + " ~ " + (dir / "rec/0.png").string());
  EXPECT_NEAR(report->mean.mse, expected.mse, 1e-9);
  EXPECT_NEAR(report->mean.psnr, expected.psnr, 1e-9);
  EXPECT_NEAR(report->mean.ssim, expected.ssim, 1e-9);
  EXPECT_NEAR(report->mean.pcc, expected.pcc, 1e-9);
}

TEST(PairedFolders, DifferentImageCountsAreAnError) {
  TempDir dir;
  run_reference_script("stats_paired.py",
                       {"make", (dir / "stim").string(), "3", "12", "12", "RGB", "1"});
  run_reference_script("stats_paired.py",
                       {"make", (dir / "rec").string(), "2", "12", "12", "RGB", "2"});
  auto report = score_folders(dir / "stim", dir / "rec");
  ASSERT_FALSE(report.is_ok());
  EXPECT_NE(report.status().message().find("3 and 2 images"), std::string::npos)
      << report.status().message();
}

}  // namespace
}  // namespace qtune::metrics
