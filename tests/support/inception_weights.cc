#include "support/inception_weights.h"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>

#include "support/run_process.h"

namespace qtune::testing {
namespace {

// A short fingerprint of the reference script that writes a file: a changed script makes a
// new file instead of reusing what its earlier version wrote.
std::string script_fingerprint(const std::string& script) {
  std::ifstream in(source_dir() / "tests/reference" / script, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return fmt::format("{:08x}", std::hash<std::string>{}(text)&0xffffffffu);
}

// QTUNE_TEST_DATA_DIR/<stem>-<fingerprint of script><extension>, made first by
// `make(partial)` if it is not there yet. The partial name is unique to this process; rename
// replaces atomically, so when two processes race both write a complete file and either one
// wins.
std::filesystem::path cached_test_file(
    const std::string& script, std::string_view stem, std::string_view extension,
    const std::function<void(const std::filesystem::path&)>& make) {
  const std::filesystem::path path =
      std::filesystem::path(QTUNE_TEST_DATA_DIR) /
      fmt::format("{}-{}{}", stem, script_fingerprint(script), extension);
  if (std::filesystem::exists(path)) return path;
  std::filesystem::create_directories(path.parent_path());
  const std::filesystem::path partial = path.string() + ".partial-" + std::to_string(::getpid());
  make(partial);
  std::error_code
      failed;  // `make` has reported its own failure; the test then fails to load `path`
  std::filesystem::rename(partial, path, failed);
  return path;
}

}  // namespace

std::filesystem::path fid_inception_weights() {
  return cached_test_file(
      "nn_fid_inception.py", "fid_inception_random_7", ".pth",
      [](const std::filesystem::path& out) {
        run_reference_script("nn_fid_inception.py", {"weights", out.string(), "7"});
      });
}

std::filesystem::path fid_inception_weights_legacy() {
  return cached_test_file(
      "io_write_state_dict.py", fid_inception_weights().stem().string() + "_legacy", ".pth",
      [](const std::filesystem::path& out) {
        run_reference_script("io_write_state_dict.py",
                             {"legacy", fid_inception_weights().string(), out.string()});
      });
}

std::filesystem::path fid_inception_weights_values() {
  return cached_test_file(
      "io_write_state_dict.py", fid_inception_weights().stem().string() + "_values", ".bin",
      [](const std::filesystem::path& out) {
        run_reference_script("io_write_state_dict.py",
                             {"values", fid_inception_weights().string(), out.string()});
      });
}

std::filesystem::path table_network_weights(const std::string& net) {
  return cached_test_file(
      "nn_evaluation_table.py", "table_" + net + "_random_3", ".pth",
      [&net](const std::filesystem::path& out) {
        run_reference_script("nn_evaluation_table.py", {"weights", net, out.string(), "3"});
      });
}

}  // namespace qtune::testing
