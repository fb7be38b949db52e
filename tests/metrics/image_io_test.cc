// Decoding against PIL: tests/reference/io_write_images.py writes PNGs of every colour type
// and bit depth, JPEGs (4:2:0, 4:2:2, 4:4:4, progressive, grey) and PPM/PGM, together with
// PIL's Image.open(path).convert("RGB") bytes; the decoder must match them byte for byte.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>

#include "qtune/metrics/image.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::metrics {
namespace {

using qtune::testing::read_file;
using qtune::testing::run_reference_script;
using qtune::testing::TempDir;

class ImageFiles : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    run_reference_script("io_write_images.py", {dir_->path().string(), "5"});
  }
  static void TearDownTestSuite() { dir_.reset(); }
  static std::unique_ptr<TempDir> dir_;
};
std::unique_ptr<TempDir> ImageFiles::dir_;

// PIL's bytes: u32 width, u32 height, then HxWx3.
Image read_pil(const std::filesystem::path& path) {
  const std::string bytes = read_file(path);
  Image image;
  std::uint32_t size[2] = {0, 0};
  QTUNE_CHECK(bytes.size() >= 8);
  std::memcpy(size, bytes.data(), 8);
  image.width = size[0];
  image.height = size[1];
  image.pixels.assign(bytes.begin() + 8, bytes.end());
  return image;
}

std::span<const std::uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST_F(ImageFiles, MatchesPilConvertRgbByteForByte) {
  const char* files[] = {
      "grey28.png",       "grey_alpha.png",       "rgb.png",         "rgba.png",
      "palette_trns.png", "grey16_small.png",     "grey16.png",      "grey_alpha16.png",
      "rgb16.png",        "rgba16.png",           "grey1bit.png",    "grey2bit.png",
      "grey4bit.png",     "palette1bit.png",      "palette2bit.png", "palette4bit.png",
      "grey_trns.png",    "rgb_interlaced.png",   "jpeg420.jpg",     "jpeg422.jpg",
      "jpeg444.jpg",      "jpeg_progressive.jpg", "jpeg_grey.jpg",   "ppm.ppm",
      "pgm.pgm"};
  for (const char* file : files) {
    SCOPED_TRACE(file);
    const auto image = read_image(*dir_ / file);
    ASSERT_TRUE(image.is_ok()) << image.status().to_string();
    const std::string stem = std::filesystem::path(file).stem().string();
    const Image pil = read_pil(*dir_ / (stem + ".rgb"));
    ASSERT_EQ(image->width, pil.width);
    ASSERT_EQ(image->height, pil.height);
    ASSERT_EQ(image->pixels.size(), pil.width * pil.height * 3);
    std::size_t differing = 0;
    for (std::size_t i = 0; i < pil.pixels.size(); ++i)
      differing += image->pixels[i] != pil.pixels[i];
    EXPECT_EQ(differing, 0u);
  }
}

// Every truncation of a PNG and a JPEG is an error naming the file; single-byte corruptions
// give an error or an image, never a crash (ASan/UBSan in CI check the "never").
TEST_F(ImageFiles, TruncatedOrCorruptFilesAreErrorsNotCrashes) {
  for (const char* file : {"rgb_interlaced.png", "jpeg420.jpg", "palette4bit.png", "ppm.ppm"}) {
    const std::string good = read_file(*dir_ / file);
    for (std::size_t len = 0; len < good.size(); ++len) {
      const std::string cut = good.substr(0, len);
      const auto image = decode_image(as_bytes(cut), file);
      ASSERT_FALSE(image.is_ok()) << file << " cut to " << len;
      EXPECT_EQ(image.status().message().rfind(file, 0), 0u) << image.status().message();
    }
    for (std::size_t i = 0; i < good.size(); i += 3) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ 0x5a);
      (void)decode_image(as_bytes(bad), file).is_ok();
    }
  }
}

TEST(ImageIo, UnrecognisedBytesAreUnsupported) {
  const std::string text = "just some text";
  const auto image = decode_image(as_bytes(text), "notes.png");
  ASSERT_FALSE(image.is_ok());
  EXPECT_EQ(image.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(image.status().message().find("notes.png: not a PNG, JPEG"), std::string::npos);
}

TEST(ImageIo, MissingFileIsNotFound) {
  const auto image = read_image("/nonexistent/a.png");
  ASSERT_FALSE(image.is_ok());
  EXPECT_EQ(image.status().code(), base::StatusCode::kNotFound);
}

TEST(ImageIo, NetpbmHeaderWithCommentAndPlainFormatRefused) {
  const std::string pgm = std::string("P5 # comment\n2 1\n255\n") + "\x10\x20";
  const auto image = decode_image(as_bytes(pgm), "a.pgm");
  ASSERT_TRUE(image.is_ok()) << image.status().to_string();
  EXPECT_EQ(image->pixels, (std::vector<std::uint8_t>{16, 16, 16, 32, 32, 32}));
  const std::string plain = "P2\n1 1\n255\n7\n";
  EXPECT_EQ(decode_image(as_bytes(plain), "b.pgm").status().code(),
            base::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace qtune::metrics
