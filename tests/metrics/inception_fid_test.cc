// InceptionFid against pytorch-fid's network built in PyTorch (nn_fid_inception.py) on the
// shared random-weight state dict that PyTorch writes (full 566-key FID Inception shapes),
// and the oneDNN backend against the plain reference backend.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "metrics/nn/inception.h"
#include "metrics/weights/state_dict.h"
#include "support/inception_weights.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::metrics {
namespace {

constexpr std::size_t kAllDims[] = {64, 192, 768, 2048};
constexpr std::size_t kTorchRow = 64 + 192 + 768 + 2048;  // nn_fid_inception.py features row

// A digit-like grey picture (a bright blob on black), or a photo-like colour picture
// (smooth colour waves with mild noise). Pure noise at full resolution is avoided on
// purpose: through a random-weight network it is ill-conditioned enough that PyTorch's own
// float32 features move by ~1e-4 relative against float64.
Image test_image(std::size_t height, std::size_t width, bool grey, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_real_distribution<double> phase(0.0, 6.28);
  const double phases[3] = {phase(rng), phase(rng), phase(rng)};
  Image image{width, height, std::vector<std::uint8_t>(width * height * 3)};
  const double cy = static_cast<double>(height) / 2, cx = static_cast<double>(width) / 2;
  for (std::size_t y = 0; y < height; ++y) {
    for (std::size_t x = 0; x < width; ++x) {
      const auto fy = static_cast<double>(y), fx = static_cast<double>(x);
      const double r = std::hypot(fy - cy, fx - cx);
      const auto blob =
          static_cast<std::uint8_t>(r < cx * 0.6 ? 255 - byte(rng) / 4 : byte(rng) / 16);
      for (std::size_t c = 0; c < 3; ++c) {
        const double wave =
            110 + 100 * std::sin(fx / (9.0 + static_cast<double>(c)) + fy / 13.0 + phases[c]);
        image.pixels[(y * width + x) * 3 + c] =
            grey ? blob : static_cast<std::uint8_t>(wave + byte(rng) / 8);
      }
    }
  }
  return image;
}

// max |a - b| over a row, relative to max |b| (features are ReLU outputs averaged over
// space: many are near 0, so an element-wise relative error would be meaningless). `b` is
// PyTorch's float32 row or another qtune row.
template <typename Reference>
double row_error(const double* a, const Reference* b, std::size_t n) {
  double diff = 0, scale = 0;
  for (std::size_t k = 0; k < n; ++k) {
    diff = std::max(diff, std::fabs(a[k] - static_cast<double>(b[k])));
    scale = std::max(scale, std::fabs(static_cast<double>(b[k])));
  }
  return diff / scale;
}

class InceptionFidTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    weights_path_ = testing::fid_inception_weights().string();
    auto dict = load_state_dict(weights_path_);
    ASSERT_TRUE(dict.is_ok()) << dict.status().to_string();
    weights_ = new StateDict(std::move(dict).value());
  }
  static void TearDownTestSuite() {
    delete weights_;
    delete dir_;
  }

  // pytorch-fid's features (all four dims) for `images`, computed by PyTorch.
  static std::vector<float> torch_features(const std::vector<Image>& images) {
    std::vector<std::string> args = {"features", weights_path_, (*dir_ / "torch.f32").string()};
    for (std::size_t i = 0; i < images.size(); ++i) {
      const Image& im = images[i];
      const auto path = dir_->write("image" + std::to_string(i) + ".u8",
                                    std::string(im.pixels.begin(), im.pixels.end()));
      args.push_back(path.string() + ":" + std::to_string(im.height) + ":" +
                     std::to_string(im.width));
    }
    testing::run_reference_script("nn_fid_inception.py", args);
    const std::string bytes = testing::read_file(*dir_ / "torch.f32");
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
    return values;
  }

  // Checks our features at every dims against PyTorch's within `tolerance` (row_error).
  static void expect_matches_torch(const std::vector<Image>& images, InceptionFid& net,
                                   double tolerance) {
    const std::vector<float> expected = torch_features(images);
    ASSERT_EQ(expected.size(), images.size() * kTorchRow);
    std::size_t column = 0;
    for (std::size_t dims : kAllDims) {
      auto got = net.features(images, dims);
      ASSERT_TRUE(got.is_ok()) << got.status().to_string();
      ASSERT_EQ(got->count, images.size());
      ASSERT_EQ(got->dims, dims);
      for (std::size_t i = 0; i < images.size(); ++i) {
        const double error =
            row_error(&got->values[i * dims], &expected[i * kTorchRow + column], dims);
        EXPECT_LE(error, tolerance) << "dims " << dims << ", image " << i;
      }
      column += dims;
    }
  }

  static testing::TempDir* dir_;
  static std::string weights_path_;
  static StateDict* weights_;
};

testing::TempDir* InceptionFidTest::dir_ = nullptr;
std::string InceptionFidTest::weights_path_;
StateDict* InceptionFidTest::weights_ = nullptr;

TEST_F(InceptionFidTest, OneDnnMatchesPyTorchOnGreyDigitsRgbAndMixedSizes) {
  auto net = InceptionFid::create(*weights_, InceptionOptions{.threads = 2, .batch_size = 2});
  ASSERT_TRUE(net.is_ok()) << net.status().to_string();
  // Grey 28x28 (the user's reconstructions), RGB noise, and sizes that differ inside one
  // batch (pytorch-fid cannot batch those; we resize each image alone).
  const std::vector<Image> images = {test_image(28, 28, true, 1), test_image(28, 28, true, 2),
                                     test_image(28, 28, true, 3), test_image(64, 48, false, 4),
                                     test_image(299, 299, false, 5)};
  // Measured: at most 5.2e-7 (float accumulation order); pytorch-fid's own bar is 1e-4.
  expect_matches_torch(images, *net, 1e-5);
}

TEST_F(InceptionFidTest, OneDnnAgreesWithReferenceBackend) {
  // A 75x75 network input (the smallest Inception-v3 takes) keeps the plain backend fast.
  InceptionOptions options{.threads = 2, .batch_size = 2, .input_size = 75};
  auto fast = InceptionFid::create(*weights_, options);
  options.backend = InceptionBackend::kReference;
  auto plain = InceptionFid::create(*weights_, options);
  ASSERT_TRUE(fast.is_ok() && plain.is_ok());
  const std::vector<Image> images = {test_image(28, 28, true, 11), test_image(40, 90, false, 12)};
  for (std::size_t dims : {std::size_t{64}, std::size_t{2048}}) {
    auto a = fast->features(images, dims);
    auto b = plain->features(images, dims);
    ASSERT_TRUE(a.is_ok() && b.is_ok());
    for (std::size_t i = 0; i < images.size(); ++i) {
      EXPECT_LE(row_error(&a->values[i * dims], &b->values[i * dims], dims), 1e-5)
          << "dims " << dims << ", image " << i;
    }
  }
}

// The batch size does not change the features. One network runs batches of 1, then 3 (its
// activation arena grows and moves), then 1 again (the first plan must now address the
// moved arena): each the same as a batch-1 network's.
TEST_F(InceptionFidTest, BatchSizeDoesNotChangeFeaturesAndPlansShareOneGrowingArena) {
  const std::vector<Image> images = {test_image(28, 28, true, 31), test_image(41, 37, false, 32),
                                     test_image(28, 28, true, 33)};
  auto one = InceptionFid::create(*weights_, InceptionOptions{.batch_size = 1, .input_size = 75});
  auto grown = InceptionFid::create(*weights_, InceptionOptions{.batch_size = 3, .input_size = 75});
  ASSERT_TRUE(one.is_ok() && grown.is_ok());
  auto expected = one->features(images, 2048);
  ASSERT_TRUE(expected.is_ok());
  const std::vector<std::vector<Image>> calls = {{images[0]}, images, {images[2]}};
  const std::vector<std::vector<std::size_t>> rows = {{0}, {0, 1, 2}, {2}};
  for (std::size_t c = 0; c < calls.size(); ++c) {
    auto got = grown->features(calls[c], 2048);
    ASSERT_TRUE(got.is_ok()) << got.status().to_string();
    ASSERT_EQ(got->count, rows[c].size());
    for (std::size_t r = 0; r < rows[c].size(); ++r) {
      EXPECT_LE(row_error(&got->values[r * 2048], &expected->values[rows[c][r] * 2048], 2048), 1e-6)
          << "call " << c << ", row " << r;
    }
  }
}

TEST_F(InceptionFidTest, RejectsBadDimsAndImages) {
  auto net = InceptionFid::create(*weights_, InceptionOptions{.input_size = 75});
  ASSERT_TRUE(net.is_ok());
  const std::vector<Image> images = {test_image(28, 28, true, 1)};
  auto bad_dims = net->features(images, 100);
  ASSERT_FALSE(bad_dims.is_ok());
  EXPECT_EQ(bad_dims.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(bad_dims.status().message().find("use 64, 192, 768 or 2048"), std::string::npos);

  auto none = net->features({}, 64);
  EXPECT_EQ(none.status().code(), base::StatusCode::kInvalidArgument);
  const std::vector<Image> empty = {Image{}};
  auto empty_image = net->features(empty, 64);
  EXPECT_EQ(empty_image.status().code(), base::StatusCode::kInvalidArgument);
}

TEST_F(InceptionFidTest, NamesMissingOrMisshapedWeights) {
  StateDict broken = *weights_;
  broken.erase("Mixed_6c.branch7x7_2.bn.running_var");
  auto missing = InceptionFid::create(broken);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("Mixed_6c.branch7x7_2.bn.running_var"),
            std::string::npos);

  broken = *weights_;
  broken["Conv2d_4a_3x3.conv.weight"].shape = {192, 80, 1, 9};
  auto misshaped = InceptionFid::create(broken);
  ASSERT_FALSE(misshaped.is_ok());
  EXPECT_NE(misshaped.status().message().find("[192, 80, 1, 9]; expected [192, 80, 3, 3]"),
            std::string::npos)
      << misshaped.status().message();
}

}  // namespace
}  // namespace qtune::metrics
