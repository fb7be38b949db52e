// bench_table_networks: images/s of the evaluation table's network forward passes
// (metrics/nn/table_network.h: resize, normalisation and the network up to the layer the
// table reads) on the oneDNN builder, and in the same run torchvision's network in PyTorch
// (tests/reference/nn_evaluation_table.py bench: the same weights, thread count and layer,
// on inputs already at the network's side), with the ratio.
//
//   bench_table_networks [--nets efficientnet_b1,swav] [--threads 2] [--images 16]
//                        [--repeats 3] [--torch-batch 16]
//
// NET: alexnet (features.11, 256x256), inception_v3 (avgpool, 342x342), efficientnet_b1
// (avgpool, 255x255), swav (ResNet-50 avgpool, 224x224), clip_vit_l14 (CLIP ViT-L/14's image
// embedding, 224x224; PyTorch: the reference's re-creation of CLIP's VisionTransformer, the
// module `clip.load` builds), clip (the parity tests' small CLIP ViT: width 256, 2 blocks).
// Random weights are written by
// PyTorch first (speed does not depend on the values). Each side reports its best of
// `repeats` passes after a warm-up pass. Figures go to docs/benchmarks.md, "Evaluation
// table networks". Build with the release preset.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench_util.h"
#include "metrics/nn/table_network.h"
#include "metrics/weights/state_dict.h"

namespace {

namespace fs = std::filesystem;
using qtune::bench::option;
using qtune::metrics::Image;
using qtune::metrics::nn::TableNet;

std::string run_python(const std::string& args) {
  return qtune::bench::run_reference_script("bench_table_networks", "nn_evaluation_table.py", args);
}

struct BenchNet {
  std::string name;
  TableNet net;
  std::size_t side;
};

const std::vector<BenchNet> kNets = {{"alexnet", TableNet::kAlexnet, 256},
                                     {"inception_v3", TableNet::kInceptionV3, 342},
                                     {"efficientnet_b1", TableNet::kEfficientnetB1, 255},
                                     {"swav", TableNet::kResnet50, 224},
                                     {"clip_vit_l14", TableNet::kClipVit, 224},
                                     {"clip", TableNet::kClipVit, 224}};

// qtune's best images/s, or a negative value after printing the error.
double qtune_images_per_second(const BenchNet& b, const std::string& weights, int threads,
                               std::size_t count, int repeats) {
  auto dict = qtune::metrics::load_state_dict(weights);
  if (!dict.is_ok()) {
    std::fprintf(stderr, "bench_table_networks: %s\n", dict.status().to_string().c_str());
    return -1;
  }
  auto network = qtune::metrics::nn::TableNetwork::create(b.net, std::move(dict).value(), threads);
  if (!network.is_ok()) {
    std::fprintf(stderr, "bench_table_networks: %s\n", network.status().to_string().c_str());
    return -1;
  }
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<Image> images(count,
                            Image{b.side, b.side, std::vector<std::uint8_t>(b.side * b.side * 3)});
  for (Image& im : images) {
    for (auto& p : im.pixels) p = static_cast<std::uint8_t>(byte(rng));
  }
  const std::size_t stages = (*network)->stage_count();
  double best = 1e30;
  for (int r = 0; r <= repeats; ++r) {  // pass 0 builds the plans and prepacks: warm-up
    const auto start = std::chrono::steady_clock::now();
    auto features = (*network)->features(images, stages);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!features.is_ok()) {
      std::fprintf(stderr, "bench_table_networks: %s\n", features.status().to_string().c_str());
      return -1;
    }
    if (r > 0) best = std::min(best, seconds);
  }
  return static_cast<double>(count) / best;
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = std::stoi(option(argc, argv, "--threads", "2"));
  const auto count = static_cast<std::size_t>(std::stoul(option(argc, argv, "--images", "16")));
  const int repeats = std::stoi(option(argc, argv, "--repeats", "3"));
  const std::string torch_batch = option(argc, argv, "--torch-batch", "16");
  std::istringstream chosen(option(argc, argv, "--nets", "efficientnet_b1,swav"));
  std::printf("threads %d, %zu images, best of %d\n", threads, count, repeats);
  std::printf("%-16s %6s %14s %16s %7s\n", "net", "side", "qtune img/s", "PyTorch img/s", "ratio");
  for (std::string name; std::getline(chosen, name, ',');) {
    const auto b = std::find_if(kNets.begin(), kNets.end(),
                                [&name](const BenchNet& n) { return n.name == name; });
    if (b == kNets.end()) {
      std::fprintf(stderr, "bench_table_networks: unknown net \"%s\"\n", name.c_str());
      return 2;
    }
    const fs::path weights = fs::temp_directory_path() /
                             ("bench_table_networks." + std::to_string(::getpid()) + "." + name);
    run_python("weights " + name + " '" + weights.string() + "' 1");
    const double ours = qtune_images_per_second(*b, weights.string(), threads, count, repeats);
    if (ours < 0) return 1;
    const double torch = std::stod(run_python(
        "bench " + name + " '" + weights.string() + "' " + torch_batch + " " +
        std::to_string(b->side) + " " + std::to_string(repeats) + " " + std::to_string(threads)));
    fs::remove(weights);
    std::printf("%-16s %6zu %14.2f %16.2f %6.2fx\n", name.c_str(), b->side, ours, torch,
                ours / torch);
  }
  return 0;
}
