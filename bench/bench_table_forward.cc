// bench_table_forward: images/s of the evaluation table's networks (metrics/nn/table_network.h)
// on the oneDNN backend, preprocessing (ToTensor, Normalize, transform_input) included, and in
// the same run the torchvision model in PyTorch on the same torch-written random weights and
// thread count (tests/reference/nn_evaluation_table.py bench: the forward pass alone):
//   AlexNet to features.11 on 256x256 (alexnet2 stops at features.4, the same pass's start),
//   inception_v3 to avgpool on 342x342 (inception2way).
// The FID Inception is bench_inception's.
//
//   bench_table_forward [--threads 2] [--images 16] [--repeats 3] [--torch-batch 16]
//
// Each side reports its best of `repeats` passes after a warm-up one. Figures go to
// docs/benchmarks.md, "Evaluation table". Build with the release preset.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "metrics/nn/table_network.h"
#include "metrics/weights/state_dict.h"

namespace {

namespace fs = std::filesystem;
using qtune::metrics::Image;
using qtune::metrics::nn::TableNet;
using qtune::metrics::nn::TableNetwork;

const fs::path kScript = fs::path(__FILE__).parent_path().parent_path() / "tests" / "reference" /
                         "nn_evaluation_table.py";

std::string run_python(const std::string& args) {
  const std::string command = "/usr/bin/python3 '" + kScript.string() + "' " + args;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {};
  std::string out;
  char buffer[256];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  if (pclose(pipe) != 0) {
    std::fprintf(stderr, "bench_table_forward: '%s' failed\n", command.c_str());
    std::exit(1);
  }
  return out;
}

std::string option(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return fallback;
}

struct Case {
  TableNet net;
  const char* name;  // as nn_evaluation_table.py names it
  int side;
  std::size_t stages;  // features.11 / avgpool
};

}  // namespace

int main(int argc, char** argv) {
  const int threads = std::stoi(option(argc, argv, "--threads", "2"));
  const auto count = static_cast<std::size_t>(std::stoul(option(argc, argv, "--images", "16")));
  const int repeats = std::stoi(option(argc, argv, "--repeats", "3"));
  const std::string torch_batch = option(argc, argv, "--torch-batch", "16");
  std::printf("threads %d, best of %d, random torch-written weights\n", threads, repeats);
  for (const Case& c : {Case{TableNet::kAlexnet, "alexnet", 256, 2},
                        Case{TableNet::kInceptionV3, "inception_v3", 342, 13}}) {
    const fs::path weights =
        fs::temp_directory_path() / ("bench_table_forward." + std::to_string(::getpid()) + ".pth");
    run_python(std::string("weights ") + c.name + " '" + weights.string() + "' 1");
    auto dict = qtune::metrics::load_state_dict(weights);
    if (!dict.is_ok()) {
      std::fprintf(stderr, "bench_table_forward: %s\n", dict.status().to_string().c_str());
      return 1;
    }
    auto net = TableNetwork::create(c.net, std::move(*dict), threads);
    if (!net.is_ok()) {
      std::fprintf(stderr, "bench_table_forward: %s\n", net.status().to_string().c_str());
      return 1;
    }
    std::mt19937 rng(1);
    std::uniform_int_distribution<int> byte(0, 255);
    const auto side = static_cast<std::size_t>(c.side);
    std::vector<Image> images(count, Image{side, side, std::vector<std::uint8_t>(side * side * 3)});
    for (Image& im : images) {
      for (auto& p : im.pixels) p = static_cast<std::uint8_t>(byte(rng));
    }
    double best = 1e30;
    for (int r = 0; r <= repeats; ++r) {  // pass 0 builds the network: warm-up
      const auto start = std::chrono::steady_clock::now();
      auto features = (*net)->features(images, c.stages);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!features.is_ok()) {
        std::fprintf(stderr, "bench_table_forward: %s\n", features.status().to_string().c_str());
        return 1;
      }
      if (r > 0) best = std::min(best, seconds);
    }
    const double ours = static_cast<double>(count) / best;
    const double torch = std::stod(run_python(
        std::string("bench ") + c.name + " '" + weights.string() + "' " + torch_batch + " " +
        std::to_string(c.side) + " " + std::to_string(repeats) + " " + std::to_string(threads)));
    fs::remove(weights);
    std::printf("%-13s %dx%d  qtune oneDNN %7.2f img/s  PyTorch %7.2f img/s  ratio %.2fx\n", c.name,
                c.side, c.side, ours, torch, ours / torch);
  }
  return 0;
}
