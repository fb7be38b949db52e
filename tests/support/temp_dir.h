// TempDir: a fresh directory under $TMPDIR (or /tmp), removed with its contents on scope exit
// unless QTUNE_KEEP_TEMP is set (then its path is printed, for debugging a failed test).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace qtune::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }
  // Writes `content` to path()/name (creating parent folders) and returns the full path.
  std::filesystem::path write(std::string_view name, std::string_view content) const;

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& path);

}  // namespace qtune::testing
