// pytorch-fid's file set: compared with its own glob + sorted()
// (tests/reference/io_list_images.py).
#include <gtest/gtest.h>

#include "qtune/metrics/image.h"
#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::metrics {
namespace {

using qtune::testing::run_reference_script;
using qtune::testing::TempDir;

// A 2x1 (or 1x2) grey binary PGM: a valid image with a tiny header.
std::string pgm(std::size_t width, std::size_t height) {
  return "P5\n" + std::to_string(width) + " " + std::to_string(height) + "\n255\n" +
         std::string(width * height, '\x40');
}

TEST(ImageFolder, SameFilesAndOrderAsPytorchFid) {
  TempDir dir;
  for (const char* name :
       {"b.png", "a.png", "10.png", "9.jpg", "_x.jpeg", "Z.ppm", "c.pgm", ".hidden.png",
        "d.png.jpg", "e.jpg.txt", "UPPER.PNG", "f.Jpg", "noext", "\xc3\xa9t\xc3\xa9.png"}) {
    dir.write(name, pgm(2, 1));
  }
  std::filesystem::create_directory(dir / "sub");
  dir.write("sub/inner.png", pgm(2, 1));
  const auto files = list_image_files(dir.path());
  ASSERT_TRUE(files.is_ok()) << files.status().to_string();
  std::string ours;
  for (const auto& f : *files) ours += f.filename().string() + "\n";
  EXPECT_EQ(ours, run_reference_script("io_list_images.py", {dir.path().string()}).out);
  EXPECT_EQ(files->front().filename(), ".hidden.png");
}

TEST(ImageFolder, ImagesOfDifferentSizesLoadInOrder) {
  TempDir dir;
  dir.write("a.pgm", pgm(3, 2));
  dir.write("b.pgm", pgm(1, 5));
  const auto images = read_image_folder(dir.path());
  ASSERT_TRUE(images.is_ok()) << images.status().to_string();
  ASSERT_EQ(images->size(), 2u);
  EXPECT_EQ((*images)[0].width, 3u);
  EXPECT_EQ((*images)[1].height, 5u);
}

TEST(ImageFolder, EmptyFolderIsAnError) {
  TempDir dir;
  dir.write("notes.txt", "x");
  const auto files = list_image_files(dir.path());
  ASSERT_FALSE(files.is_ok());
  EXPECT_EQ(files.status().code(), base::StatusCode::kInvalidArgument);
  EXPECT_NE(files.status().message().find(dir.path().string() + ": no images"), std::string::npos);
}

// Every extension pytorch-fid globs is listed (and decoded: image_io_test); a broken one is
// an error of its own when read, naming the file.
TEST(ImageFolder, EveryPytorchFidExtensionIsListed) {
  TempDir dir;
  for (const char* name : {"a.png", "b.bmp", "c.tif", "d.tiff", "e.webp", "f.jpeg"})
    dir.write(name, pgm(1, 1));
  const auto files = list_image_files(dir.path());
  ASSERT_TRUE(files.is_ok()) << files.status().to_string();
  EXPECT_EQ(files->size(), 6u);
  TempDir broken;
  broken.write("scan.tiff", "II*");
  const auto images = read_image_folder(broken.path());
  ASSERT_FALSE(images.is_ok());
  EXPECT_NE(images.status().message().find("scan.tiff: not a PNG, JPEG"), std::string::npos)
      << images.status().message();
}

TEST(ImageFolder, CorruptImageNamesTheFile) {
  TempDir dir;
  dir.write("a.pgm", pgm(1, 1));
  dir.write("b.png", "\x89PNG\r\n\x1a\n truncated");
  const auto images = read_image_folder(dir.path());
  ASSERT_FALSE(images.is_ok());
  EXPECT_NE(images.status().message().find("b.png: PNG is corrupt or truncated"), std::string::npos)
      << images.status().message();
}

TEST(ImageFolder, MissingFolderIsNotFound) {
  EXPECT_EQ(list_image_files("/nonexistent/stim").status().code(), base::StatusCode::kNotFound);
}

}  // namespace
}  // namespace qtune::metrics
