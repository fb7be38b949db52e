#include "support/inception_weights.h"

#include <unistd.h>

#include <functional>
#include <string>
#include <string_view>
#include <system_error>

#include "support/run_process.h"

namespace qtune::testing {
namespace {

// <build>/test-data/<name>, made first by `make(partial)` if it is not there yet. The
// partial name is unique to this process; rename replaces atomically, so when two processes
// race both write a complete file and either one wins.
std::filesystem::path cached_test_file(
    std::string_view name, const std::function<void(const std::filesystem::path&)>& make) {
  const std::filesystem::path path = std::filesystem::path(QTUNE_BINARY_DIR) / "test-data" / name;
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
  return cached_test_file("fid_inception_random_7.pth", [](const std::filesystem::path& out) {
    run_reference_script("nn_fid_inception.py", {"weights", out.string(), "7"});
  });
}

std::filesystem::path fid_inception_weights_legacy() {
  return cached_test_file(
      "fid_inception_random_7_legacy.pth", [](const std::filesystem::path& out) {
        run_reference_script("io_write_state_dict.py",
                             {"legacy", fid_inception_weights().string(), out.string()});
      });
}

std::filesystem::path fid_inception_weights_values() {
  return cached_test_file(
      "fid_inception_random_7_values.bin", [](const std::filesystem::path& out) {
        run_reference_script("io_write_state_dict.py",
                             {"values", fid_inception_weights().string(), out.string()});
      });
}

std::filesystem::path table_network_weights(const std::string& net) {
  return cached_test_file(
      "table_" + net + "_random_3.pth", [&net](const std::filesystem::path& out) {
        run_reference_script("nn_evaluation_table.py", {"weights", net, out.string(), "3"});
      });
}

}  // namespace qtune::testing
