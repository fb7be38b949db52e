// to_inception_input against pytorch-fid's own transform run by PyTorch (nn_resize.py):
// ToTensor, F.interpolate(bilinear, align_corners=False), 2x - 1 on odd sizes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "metrics/nn/resize.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::metrics {
namespace {

Image random_image(std::size_t height, std::size_t width, bool grey, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  Image image{width, height, std::vector<std::uint8_t>(width * height * 3)};
  for (std::size_t i = 0; i < width * height; ++i) {
    const auto v = static_cast<std::uint8_t>(byte(rng));
    for (std::size_t c = 0; c < 3; ++c)
      image.pixels[i * 3 + c] = grey ? v : static_cast<std::uint8_t>(byte(rng));
  }
  return image;
}

std::vector<float> read_floats(const std::filesystem::path& path) {
  const std::string bytes = testing::read_file(path);
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
  return values;
}

// |a - b| in units in the last place of the interpolated value v = (b + 1) / 2 in [0, 1]:
// 2v - 1 is exact up to one rounding, so an ulp of v is the fair unit (ulps of the output
// itself explode near 0, where 2v - 1 cancels).
double ulps_of_interpolated(float a, float b) {
  const float v = (b + 1.0f) / 2.0f;
  const float ulp = std::nextafter(std::max(v, std::numeric_limits<float>::min()), 2.0f) -
                    std::max(v, std::numeric_limits<float>::min());
  return std::fabs(static_cast<double>(a) - static_cast<double>(b)) /
         (2.0 * static_cast<double>(ulp));
}

TEST(ResizeInceptionInput, MatchesPyTorchOnOddSizes) {
  const std::vector<Image> images = {random_image(28, 28, true, 1),
                                     random_image(300, 217, false, 2),
                                     random_image(299, 299, false, 3), random_image(1, 1, false, 4),
                                     random_image(5, 640, false, 5)};
  testing::TempDir dir;
  std::vector<std::string> args = {"299", (dir / "out.f32").string()};
  for (std::size_t i = 0; i < images.size(); ++i) {
    const Image& im = images[i];
    const auto path = dir.write("in" + std::to_string(i) + ".u8",
                                std::string(im.pixels.begin(), im.pixels.end()));
    args.push_back(path.string() + ":" + std::to_string(im.height) + ":" +
                   std::to_string(im.width));
  }
  testing::run_reference_script("nn_resize.py", args);
  const std::vector<float> expected = read_floats(dir / "out.f32");
  const std::size_t plane = 3 * kInceptionInputSize * kInceptionInputSize;
  ASSERT_EQ(expected.size(), images.size() * plane);

  std::vector<float> got(plane);
  for (std::size_t i = 0; i < images.size(); ++i) {
    to_inception_input(images[i], kInceptionInputSize, got);
    double worst = 0;
    std::size_t differing = 0;
    for (std::size_t k = 0; k < plane; ++k) {
      worst = std::max(worst, ulps_of_interpolated(got[k], expected[i * plane + k]));
      if (got[k] != expected[i * plane + k]) ++differing;
    }
    const std::string what = "image " + std::to_string(i) + " (" +
                             std::to_string(images[i].height) + "x" +
                             std::to_string(images[i].width) + ")";
    // Bitwise equal, except the degenerate 1x1 input: there PyTorch itself scatters the
    // constant pixel over +-1 ulp, so the two may sit 2 ulps apart.
    EXPECT_LE(worst, 2.0) << what;
    if (images[i].width > 1) {
      EXPECT_EQ(differing, 0u) << what;
    }
  }
}

TEST(ResizeInceptionInput, ConstantImageStaysConstant) {
  Image image{3, 2, std::vector<std::uint8_t>(18, 51)};  // 51/255 = 0.2 -> 2*0.2-1 = -0.6
  std::vector<float> planes(3 * 7 * 7);
  to_inception_input(image, 7, planes);
  for (float v : planes) EXPECT_FLOAT_EQ(v, 2.0f * (51.0f / 255.0f) - 1.0f);
}

}  // namespace
}  // namespace qtune::metrics
