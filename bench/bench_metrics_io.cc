// bench_metrics_io: the metrics module's input side against its Python references, in the
// same run and on the same files:
//   - read_image_folder on N grey 28x28 PNGs and N RGB 64x48 JPEGs vs pytorch-fid's loading
//     (sorted glob + PIL Image.open().convert("RGB"));
//   - load_state_dict on a FID Inception state dict (95 MB, zip and legacy formats) vs
//     torch.load.
//
//   bench_metrics_io [--images 500] [--repeats 5]
//
// Inputs are written first by tests/reference/io_bench.py and io_write_state_dict.py into a
// temporary folder. Each side reports its best of `repeats` (the machine is shared). Build
// with the release preset. Figures go to the report / docs/benchmarks.md.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include "bench_util.h"
#include "metrics/weights/state_dict.h"
#include "qtune/metrics/image.h"

namespace {

namespace fs = std::filesystem;

std::string python(const std::string& script, const std::string& args) {
  return qtune::bench::run_reference_script("bench_metrics_io", script, args);
}

double best_seconds(int repeats, const std::function<bool()>& work) {
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    if (!work()) std::exit(1);
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

void report(const char* what, double ours, double reference) {
  std::printf("%-40s qtune %9.4f s   reference %9.4f s   speed-up %6.1fx\n", what, ours, reference,
              reference / ours);
}

}  // namespace

int main(int argc, char** argv) {
  int images = 500;
  int repeats = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--images") images = std::atoi(argv[i + 1]);
    if (flag == "--repeats") repeats = std::atoi(argv[i + 1]);
  }
  const fs::path dir = fs::temp_directory_path() / ("qtune-bench-io-" + std::to_string(getpid()));
  fs::create_directories(dir);
  python("io_bench.py", "images '" + dir.string() + "' " + std::to_string(images));
  python("io_write_state_dict.py", "'" + dir.string() + "' fid 1");

  for (const char* kind : {"png", "jpg"}) {
    const fs::path folder = dir / kind;
    const double ours = best_seconds(repeats, [&] {
      const auto loaded = qtune::metrics::read_image_folder(folder);
      if (!loaded.is_ok()) std::fprintf(stderr, "%s\n", loaded.status().to_string().c_str());
      return loaded.is_ok();
    });
    const double pil = std::stod(
        python("io_bench.py", "pil '" + folder.string() + "' " + std::to_string(repeats)));
    report((std::to_string(images) + " " + kind + " images, decode to RGB").c_str(), ours, pil);
  }
  for (const char* file : {"fid_zip.pth", "fid_legacy.pth"}) {
    const fs::path path = dir / file;
    const double ours = best_seconds(repeats, [&] {
      const auto dict = qtune::metrics::load_state_dict(path);
      if (!dict.is_ok()) std::fprintf(stderr, "%s\n", dict.status().to_string().c_str());
      return dict.is_ok();
    });
    const double torch = std::stod(
        python("io_bench.py", "torch '" + path.string() + "' " + std::to_string(repeats)));
    report((std::string("load_state_dict ") + file + " (95 MB)").c_str(), ours, torch);
  }
  fs::remove_all(dir);
  return 0;
}
