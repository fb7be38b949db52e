// libFuzzer target: collecting a trial's metric from arbitrary output: the regex source on
// a stdout log, the JSON source (a key and a JSON pointer) on a JSON file, and
// parse_metric_text, each on the input.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "exec/metric_source.h"

namespace {

const std::filesystem::path& workdir() {
  static const std::filesystem::path dir = [] {
    auto path = std::filesystem::temp_directory_path() /
                ("qtune-metric-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
    return path;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace qtune::exec;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)parse_metric_text(text);
  const TrialFiles files{
      .stdout_log = workdir() / "stdout.log", .workdir = workdir(), .values = {}};
  for (const char* name : {"stdout.log", "metrics.json"}) {
    std::ofstream(workdir() / name, std::ios::binary | std::ios::trunc) << text;
  }
  (void)read_metric(RegexMetric{.pattern = R"(FID:\s*(\S+))"}, files, {});
  static const Template json_path = Template::parse("metrics.json", {}).value();
  (void)read_metric(JsonMetric{.path = json_path, .key = "fid"}, files, {});
  (void)read_metric(JsonMetric{.path = json_path, .key = "/val/0/fid"}, files, {});
  return 0;
}
