// bench_agent: cost of one seed-preset agent step and memory per visited state, on grids of
// 10^4 to 10^6 states, and the cost of one random-search draw on 10^12 states.
//
//   bench_agent [episodes]      (default 2000 episodes x 50 steps per grid)
//
// A run drives the strategy to exhaustion against an analytic loss (no trials), so its time
// is the agent's alone: per step = CPU time / (episodes x steps), free steps included. CPU
// time of this process, not wall time: the build machine is shared and often overloaded.
// Memory is the growth of glibc's allocated bytes (mallinfo2, heap and mmap) over the run, divided
// by the states evaluated (each has a cache entry and, once stood on, a Q-table row). Figures go to
// docs/benchmarks.md, "Agent step cost". Build with -O2 (release preset).
#include <malloc.h>
#include <time.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "qtune/agent/strategy_config.h"
#include "qtune/space/space.h"

namespace {

using qtune::agent::Observation;
using qtune::agent::StrategyConfig;
using qtune::space::Space;
using qtune::space::StateId;

Space grid(const std::vector<std::size_t>& sizes) {
  std::vector<qtune::space::Dimension> dims;
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    qtune::space::Dimension d{"p" + std::to_string(k), qtune::space::DimensionKind::kRange, {}};
    for (std::size_t v = 0; v < sizes[k]; ++v) d.values.emplace_back(static_cast<std::int64_t>(v));
    dims.push_back(std::move(d));
  }
  return Space::create(std::move(dims)).value();
}

// A smooth bowl over the indices, minimum at the centre of the grid.
double bowl(const Space& space, StateId id) {
  double loss = 0.0;
  for (std::size_t k = 0; k < space.dims(); ++k) {
    const double x = static_cast<double>(space.index(id, k)) -
                     static_cast<double>(space.dimension(k).size()) / 2.0;
    loss += x * x;
  }
  return loss;
}

// Heap bytes in use: small blocks plus the mmap-ed large ones (a Q-table's value array).
double cpu_us() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

std::size_t allocated() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

struct Run {
  double us_per_step = 0;
  std::size_t evaluations = 0;
  double bytes_per_state = 0;
};

Run run(const Space& space, const StrategyConfig& config, std::uint64_t seed) {
  const std::size_t before = allocated();
  auto strategy = qtune::agent::make_strategy(space, config, seed);
  if (!strategy.is_ok()) {
    std::fprintf(stderr, "%s\n", strategy.status().to_string().c_str());
    std::exit(1);
  }
  Run r;
  const double start = cpu_us();
  while (auto p = (*strategy)->ask()) {
    (*strategy)->tell(*p, Observation{bowl(space, p->state)});
    ++r.evaluations;
  }
  r.us_per_step = (cpu_us() - start) / (static_cast<double>(config.episodes) * config.steps);
  r.bytes_per_state =
      static_cast<double>(allocated() - before) / static_cast<double>(r.evaluations);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint32_t episodes = argc > 1 ? static_cast<std::uint32_t>(std::stoul(argv[1])) : 2000;
  std::printf("seed preset, %u episodes x 50 steps, loss = bowl over the indices\n", episodes);
  std::printf("%-22s %-8s %-9s %12s %12s %16s\n", "grid", "actions", "dyna", "us/step", "evaluated",
              "bytes/evaluated");
  struct Case {
    const char* name;
    std::vector<std::size_t> sizes;
    qtune::space::MoveSet actions;
    std::uint32_t planning_steps;
  };
  const std::vector<Case> cases = {
      {"10^4 (4 x 10)", {10, 10, 10, 10}, qtune::space::MoveSet::kJoint, 0},
      {"10^6 (4 x 31.6)", {32, 32, 32, 31}, qtune::space::MoveSet::kJoint, 0},
      {"10^6 (4 x 31.6)", {32, 32, 32, 31}, qtune::space::MoveSet::kSingle, 0},
      {"10^6 (6 x 10)", {10, 10, 10, 10, 10, 10}, qtune::space::MoveSet::kJoint, 0},
      {"10^6 (6 x 10)", {10, 10, 10, 10, 10, 10}, qtune::space::MoveSet::kJoint, 5},
  };
  for (const Case& c : cases) {
    const Space space = grid(c.sizes);
    StrategyConfig config;
    config.preset = qtune::agent::Preset::kSeed;
    config.episodes = episodes;
    config.actions = c.actions;
    config.planning_steps = c.planning_steps;
    const Run r = run(space, config, 1);
    std::printf("%-22s %-8s %-9u %12.2f %12zu %16.0f\n", c.name,
                std::string(qtune::space::move_set_name(c.actions)).c_str(), c.planning_steps,
                r.us_per_step, r.evaluations, r.bytes_per_state);
  }

  const Space trillion = grid({1000, 1000, 1000, 1000});
  StrategyConfig random;
  random.kind = qtune::agent::StrategyKind::kRandom;
  auto strategy = qtune::agent::make_strategy(trillion, random, 1).value();
  const std::size_t before = allocated();
  constexpr int kDraws = 100000;
  const double start = cpu_us();
  for (int i = 0; i < kDraws; ++i) {
    auto p = strategy->ask();
    strategy->tell(*p, Observation{1.0});
  }
  std::printf("random search on 10^12 states: %.2f us per draw, %.0f bytes per draw\n",
              (cpu_us() - start) / kDraws, static_cast<double>(allocated() - before) / kDraws);
  return 0;
}
