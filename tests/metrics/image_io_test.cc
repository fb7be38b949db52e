// Decoding against PIL: tests/reference/io_write_images.py writes PNGs of every colour type
// and bit depth, JPEGs (4:2:0, 4:2:2, 4:4:4, progressive, grey) and PPM/PGM, together with
// PIL's Image.open(path).convert("RGB") bytes; the decoder must match them byte for byte.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>

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

// Every file the script wrote (files.txt): PNG of every colour type and depth, JPEG
// (subsamplings, progressive, grey, CMYK), netpbm P1-P6 with maxvals 7 to 65535, BMP (palettes,
// 16/24/32 bits, bit fields, RLE8/4, top-down, OS/2), TIFF (codecs, grey 2-16 bits,
// palettes, CMYK, 16-bit big-endian, tiles), WebP (lossy, lossless alpha, animated).
TEST_F(ImageFiles, MatchesPilConvertRgbByteForByte) {
  std::istringstream list(read_file(*dir_ / "files.txt"));
  std::size_t checked = 0;
  for (std::string file; std::getline(list, file);) {
    SCOPED_TRACE(file);
    const auto image = read_image(*dir_ / file);
    ASSERT_TRUE(image.is_ok()) << image.status().to_string();
    const Image pil = read_pil(*dir_ / (file + ".rgb"));
    ASSERT_EQ(image->width, pil.width);
    ASSERT_EQ(image->height, pil.height);
    ASSERT_EQ(image->pixels.size(), pil.width * pil.height * 3);
    std::size_t differing = 0;
    for (std::size_t i = 0; i < pil.pixels.size(); ++i)
      differing += image->pixels[i] != pil.pixels[i];
    EXPECT_EQ(differing, 0u);
    ++checked;
  }
  EXPECT_EQ(checked, 71u);
}

// Every truncation of a PNG and a JPEG is an error naming the file; single-byte corruptions
// give an error or an image, never a crash (ASan/UBSan in CI check the "never").
TEST_F(ImageFiles, TruncatedOrCorruptFilesAreErrorsNotCrashes) {
  for (const char* file : {"rgb_interlaced.png", "jpeg420.jpg", "palette4bit.png", "ppm.ppm",
                           "rgb16.ppm", "bitmap.pbm", "palette4.bmp", "rgb565.bmp", "rgb_lzw.tif",
                           "rgb_tiled.tif", "lossy.webp", "animated.webp", "cmyk.jpg"}) {
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

// PIL's header rules: a comment does not end a token ("1#c\n3" is 13); plain samples are
// scaled by maxval, half to even (1 of 2 -> 127.5 -> 128), and one above maxval is refused.
TEST(ImageIo, NetpbmHeadersAndPlainSamplesAsPil) {
  const std::string pgm = std::string("P5 # comment\n2 1\n255\n") + "\x10\x20";
  const auto image = decode_image(as_bytes(pgm), "a.pgm");
  ASSERT_TRUE(image.is_ok()) << image.status().to_string();
  EXPECT_EQ(image->pixels, (std::vector<std::uint8_t>{16, 16, 16, 32, 32, 32}));
  const auto joined =
      decode_image(as_bytes(std::string("P2 1#c\n3 1 2\n1 1 1 1 1 1 1 1 1 1 1 1 1\n")), "j.pgm");
  ASSERT_TRUE(joined.is_ok()) << joined.status().to_string();
  EXPECT_EQ(joined->width, 13u);
  EXPECT_EQ(joined->pixels[0], 128);
  const auto above = decode_image(as_bytes("P2\n1 1\n7\n8\n"), "b.pgm");
  EXPECT_EQ(above.status().code(), base::StatusCode::kCorrupt);
  EXPECT_NE(above.status().message().find("b.pgm: plain netpbm sample 8 is above maxval 7"),
            std::string::npos)
      << above.status().message();
  const auto short_plain = decode_image(as_bytes("P3\n2 1\n255\n1 2 3 4 5\n"), "c.ppm");
  EXPECT_EQ(short_plain.status().code(), base::StatusCode::kCorrupt);
}

// A CMYK JPEG was refused as "corrupt or truncated"; the BMP/TIFF variants PIL does not read
// are refused as unsupported, naming what.
TEST(ImageIo, UnsupportedVariantsSayWhat) {
  std::string bmp = "BM" + std::string(12, '\0');
  bmp[10] = 54;
  bmp += std::string("\x28\0\0\0", 4) + std::string("\x01\0\0\0\x01\0\0\0\x01\0\x07\0", 12) +
         std::string(24, '\0') + std::string(8, '\0');
  const auto odd = decode_image(as_bytes(bmp), "odd.bmp");
  EXPECT_EQ(odd.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(odd.status().message().find("odd.bmp: BMP bit depth 7 is not supported"),
            std::string::npos)
      << odd.status().message();
}

// Found by the tiff fuzz target's 10-minute run: 961 bytes declaring a 20x18 image in tiles of
// 700 MB made the reader allocate a tile before libtiff found the data missing (2.8 s and
// 700 MB per image). Tiles beyond the image's 16-pixel padding are refused first.
TEST(ImageIo, TiffTilesFarLargerThanTheImageAreRefusedBeforeAllocating) {
  std::ifstream in(std::string(QTUNE_SOURCE_DIR) + "/fuzz/corpus/tiff/slow_huge_tiles.tif",
                   std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(bytes.size(), 961u);
  const auto tiles = decode_image(as_bytes(bytes), "tiles.tif");
  EXPECT_EQ(tiles.status().code(), base::StatusCode::kCorrupt);
  EXPECT_NE(tiles.status().message().find("for an image of 20x18"), std::string::npos)
      << tiles.status().message();
}

}  // namespace
}  // namespace qtune::metrics
