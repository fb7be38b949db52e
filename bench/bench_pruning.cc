// bench_pruning: how much trial time the [pruning] rules save, and whether the study still
// finds the configuration it finds without pruning, on the learning curves of
// examples/learning_curve/train.py (noisy, crossing, one diverging learning rate).
//
//   bench_pruning [--seeds 20] [--script examples/learning_curve/train.py]
//
// For each seed: every configuration's curve (train.py --dump --seed S, 50 epochs), run one
// at a time in a random order (the seed's), each epoch costing 1. After each epoch the rule
// (study::decide_pruning, the code `qtune run` uses) sees the curves of the trials finished
// so far; a stopped trial costs the epochs it ran. The best configuration is the finished
// trial with the lowest last value; without pruning every trial finishes. Prints a markdown
// table: per rule, the median and least time saved over the seeds, the seeds that found the
// same best configuration as without pruning, and the median count of pruned trials.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "qtune/study/pruning.h"

namespace {

using namespace qtune;

struct Trial {
  std::string config;
  study::Curve curve;  // every epoch, nan where it diverged
};

std::vector<Trial> curves(const std::string& script, int seed) {
  const std::string command = fmt::format("python3 {} --dump --seed {}", script, seed);
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  std::vector<Trial> out;
  if (!pipe) return out;
  char lr[64];
  char width[64];
  long long epoch = 0;
  char value[64];
  std::map<std::string, std::size_t> index;
  while (std::fscanf(pipe.get(), "%63s %63s %lld %63s", lr, width, &epoch, value) == 4) {
    const std::string config = fmt::format("lr={} width={}", lr, width);
    auto [at, added] = index.emplace(config, out.size());
    if (added) out.push_back({config, {}});
    out[at->second].curve.push_back({epoch, std::strtod(value, nullptr)});
  }
  return out;
}

struct Run {
  double cost = 0;
  std::string best;
  int pruned = 0;
};

Run run(const std::vector<Trial>& trials, const std::vector<std::size_t>& order,
        const std::optional<study::PruningConfig>& rule) {
  Run out;
  std::vector<study::Curve> finished;
  std::vector<study::Curve> others;
  double best = INFINITY;
  for (const std::size_t i : order) {
    study::Curve seen;  // what the progress reader passes on: finite values only
    bool stopped = false;
    for (const ProgressPoint& p : trials[i].curve) {
      out.cost += 1;
      if (!std::isfinite(p.value)) continue;
      seen.push_back(p);
      if (rule && study::decide_pruning(*rule, finished, others, seen).prune) {
        stopped = true;
        break;
      }
    }
    if (!seen.empty()) others.push_back(seen);
    if (stopped) {
      ++out.pruned;
      continue;
    }
    const double final_value = trials[i].curve.back().value;
    if (!std::isfinite(final_value)) continue;  // a failed trial
    finished.push_back(seen);
    if (final_value < best) {
      best = final_value;
      out.best = trials[i].config;
    }
  }
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  int seeds = 20;
  std::string script = "examples/learning_curve/train.py";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--seeds") seeds = std::atoi(argv[i + 1]);
    if (flag == "--script") script = argv[i + 1];
  }
  study::PruningConfig defaults;
  defaults.rule = study::PruningRule::kMedian;  // [pruning] with no other key
  study::PruningConfig plain = defaults;
  plain.noise = 0;
  study::PruningConfig asha = defaults;
  asha.rule = study::PruningRule::kAsha;
  const std::vector<std::pair<std::string, study::PruningConfig>> rules = {
      {"median, noise-aware (the default: noise = 2)", defaults},
      {"median, plain (noise = 0)", plain},
      {"asha (reduction_factor = 3, min_step = 1)", asha},
  };
  std::map<std::string, std::vector<double>> saved;
  std::map<std::string, int> same;
  std::map<std::string, std::vector<double>> pruned;
  for (int seed = 0; seed < seeds; ++seed) {
    const std::vector<Trial> trials = curves(script, seed);
    if (trials.empty()) {
      std::fprintf(stderr, "bench_pruning: no curves from %s\n", script.c_str());
      return 1;
    }
    std::vector<std::size_t> order(trials.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::mt19937_64 rng(static_cast<std::uint64_t>(seed));
    std::shuffle(order.begin(), order.end(), rng);
    const Run full = run(trials, order, std::nullopt);
    for (const auto& [name, rule] : rules) {
      const Run r = run(trials, order, rule);
      saved[name].push_back(1 - r.cost / full.cost);
      same[name] += r.best == full.best ? 1 : 0;
      pruned[name].push_back(r.pruned);
    }
  }
  std::printf(
      "| rule | trial time saved, median (least) | same best configuration | pruned "
      "trials, median |\n|---|---|---|---|\n");
  for (const auto& [name, rule] : rules) {
    std::printf("| %s | %.0f%% (%.0f%%) | %d of %d seeds | %.0f of %zu |\n", name.c_str(),
                100 * median(saved[name]),
                100 * *std::min_element(saved[name].begin(), saved[name].end()), same[name], seeds,
                median(pruned[name]), curves(script, 0).size());
  }
  return 0;
}
