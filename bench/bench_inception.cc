// bench_inception: images/s of the FID Inception forward pass (299x299 input, dims 2048,
// input transform included) on the oneDNN backend, and in the same run pytorch-fid's
// network in PyTorch (tests/reference/nn_fid_inception.py bench) on the same weights and
// thread count, with the ratio.
//
//   bench_inception [--weights PTH] [--threads 2] [--images 16] [--batch 8]
//                   [--repeats 5] [--torch-batch 50]
//
// Without --weights, random FID Inception weights are written by PyTorch first (speed does
// not depend on the values). Each side reports its best of `repeats` passes (the machine
// is shared; the best pass is the least disturbed one). Figures go to docs/benchmarks.md,
// "Inception forward". Build with the release preset.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "bench_util.h"
#include "metrics/nn/inception.h"
#include "metrics/weights/state_dict.h"

namespace {

namespace fs = std::filesystem;
using qtune::bench::option;
using qtune::metrics::Image;

std::string run_python(const std::string& args) {
  return qtune::bench::run_reference_script("bench_inception", "nn_fid_inception.py", args);
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = std::stoi(option(argc, argv, "--threads", "2"));
  const auto count = static_cast<std::size_t>(std::stoul(option(argc, argv, "--images", "16")));
  const auto batch = static_cast<std::size_t>(std::stoul(option(argc, argv, "--batch", "8")));
  const int repeats = std::stoi(option(argc, argv, "--repeats", "5"));
  const std::string torch_batch = option(argc, argv, "--torch-batch", "50");
  std::string weights = option(argc, argv, "--weights", "");
  const fs::path scratch =
      fs::temp_directory_path() / ("bench_inception." + std::to_string(::getpid()) + ".pth");
  if (weights.empty()) {
    weights = scratch.string();
    run_python("weights '" + weights + "' 1");
  }

  auto dict = qtune::metrics::load_state_dict(weights);
  if (!dict.is_ok()) {
    std::fprintf(stderr, "bench_inception: %s\n", dict.status().to_string().c_str());
    return 1;
  }
  qtune::metrics::InceptionOptions options;
  options.threads = threads;
  options.batch_size = batch;
  auto net = qtune::metrics::InceptionFid::create(*dict, options);
  if (!net.is_ok()) {
    std::fprintf(stderr, "bench_inception: %s\n", net.status().to_string().c_str());
    return 1;
  }

  std::mt19937 rng(1);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<Image> images(count, Image{299, 299, std::vector<std::uint8_t>(299 * 299 * 3)});
  for (Image& im : images) {
    for (auto& p : im.pixels) p = static_cast<std::uint8_t>(byte(rng));
  }

  double best = 1e30;
  for (int r = 0; r <= repeats; ++r) {  // pass 0 builds the plans and prepacks: warm-up
    const auto start = std::chrono::steady_clock::now();
    auto features = net->features(images, 2048);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!features.is_ok()) {
      std::fprintf(stderr, "bench_inception: %s\n", features.status().to_string().c_str());
      return 1;
    }
    if (r > 0) best = std::min(best, seconds);
  }
  const double ours = static_cast<double>(count) / best;
  const double torch =
      std::stod(run_python("bench '" + weights + "' " + torch_batch + " " +
                           std::to_string(repeats) + " " + std::to_string(threads)));
  if (fs::exists(scratch)) fs::remove(scratch);

  std::printf("threads %d, 299x299, dims 2048, best of %d\n", threads, repeats);
  std::printf("qtune oneDNN   (batch %zu, %zu images): %7.2f img/s\n", batch, count, ours);
  std::printf("PyTorch model  (batch %s):            %7.2f img/s\n", torch_batch.c_str(), torch);
  std::printf("ratio qtune / PyTorch: %.2fx\n", ours / torch);
  return 0;
}
