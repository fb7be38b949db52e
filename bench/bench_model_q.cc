// bench_model_q: the model-based q-learning preset (issue 2) measured two ways.
//
//   bench_model_q regret [key=value ...]    median normalised regret over 50 seeds at 20 and
//       80 evaluations: ae4 (noisy replay over bench/tables/ae4_seed{0,1,2}.csv, `mse`),
//       branin15 (`value`), and synthetic multimodal grids (Hartmann-6, Rastrigin, Ackley,
//       Styblinski-Tang, discretised here) on which the restart rule was chosen.
//   bench_model_q decision [key=value ...]  wall and CPU time of one ask() on a 6-D grid of
//       15,625 states after n = 20, 40, 80 evaluations, and on a 10^6-state grid (windowed).
//       The CPU time is the process's (every thread), so on a shared, loaded machine it
//       stands for the wall time a quiet core would take.
//
// key=value sets a model option (exploring_starts, paid_discount, free_discount,
// restart_after, remeasure, max_measurements, window_states, epsilon, trajectories, seeds;
// walk_only=1: rules = ["walk"], the default before issue 15's proposal portfolio).
// Figures go to docs/benchmarks.md, "Model-based q-learning". Build with -O2 (release).
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <numbers>
#include <string>
#include <vector>

#include "agent/model/model_q_learning.h"
#include "qtune/replay/replay.h"

namespace {

using qtune::agent::StrategyConfig;
namespace replay = qtune::replay;

struct Options {
  StrategyConfig config;
  std::uint32_t seeds = 50;
};

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto eq = arg.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = arg.substr(0, eq);
    char* end = nullptr;
    const double v = std::strtod(arg.c_str() + eq + 1, &end);
    if (end == arg.c_str() + eq + 1 || *end != '\0') {
      std::fprintf(stderr, "option %s: expected a number after '='\n", arg.c_str());
      std::exit(2);
    }
    auto& m = o.config.model;
    if (key == "exploring_starts")
      m.exploring_starts = static_cast<std::uint32_t>(v);
    else if (key == "paid_discount")
      m.paid_discount = v;
    else if (key == "free_discount")
      m.free_discount = v;
    else if (key == "restart_after")
      m.restart_after = static_cast<std::uint32_t>(v);
    else if (key == "remeasure")
      m.remeasure = v != 0.0;
    else if (key == "max_measurements")
      m.max_measurements = static_cast<std::uint32_t>(v);
    else if (key == "window_states")
      m.window_states = static_cast<std::uint32_t>(v);
    else if (key == "epsilon")
      o.config.epsilon = v;
    else if (key == "trajectories")
      o.config.trajectories = static_cast<std::uint32_t>(v);
    else if (key == "seeds")
      o.seeds = static_cast<std::uint32_t>(v);
    else if (key == "walk_only")
      m.rules = v != 0.0 ? std::vector{qtune::agent::ProposalRule::kWalk}
                         : qtune::agent::ModelOptions{}.rules;
    else
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
  }
  return o;
}

// A synthetic grid as a one-table CSV: `levels` values per dimension of [lo, hi]^d.
std::string synthetic_csv(std::size_t d, std::size_t levels, double lo, double hi,
                          const std::function<double(const std::vector<double>&)>& f) {
  std::string csv;
  for (std::size_t k = 0; k < d; ++k) csv += "x" + std::to_string(k) + ",";
  csv += "value\n";
  std::vector<std::size_t> idx(d, 0);
  std::vector<double> x(d);
  for (;;) {
    for (std::size_t k = 0; k < d; ++k) {
      x[k] = lo + (hi - lo) * static_cast<double>(idx[k]) / static_cast<double>(levels - 1);
      csv += std::to_string(idx[k]) + ",";
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.12g\n", f(x));
    csv += buf;
    std::size_t k = d;
    while (k-- > 0) {
      if (++idx[k] < levels) break;
      idx[k] = 0;
    }
    if (k == static_cast<std::size_t>(-1)) break;
  }
  return csv;
}

double hartmann6(const std::vector<double>& x) {
  static const double a[4] = {1.0, 1.2, 3.0, 3.2};
  static const double A[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                 {0.05, 10, 17, 0.1, 8, 14},
                                 {3, 3.5, 1.7, 10, 17, 8},
                                 {17, 8, 0.05, 10, 0.1, 14}};
  static const double P[4][6] = {{.1312, .1696, .5569, .0124, .8283, .5886},
                                 {.2329, .4135, .8307, .3736, .1004, .9991},
                                 {.2348, .1451, .3522, .2883, .3047, .6650},
                                 {.4047, .8828, .8732, .5743, .1091, .0381}};
  double s = 0.0;
  for (int i = 0; i < 4; ++i) {
    double e = 0.0;
    for (int j = 0; j < 6; ++j)
      e += A[i][j] * std::pow(x[static_cast<std::size_t>(j)] - P[i][j], 2);
    s += a[i] * std::exp(-e);
  }
  return -s;
}

double rastrigin(const std::vector<double>& x) {
  double s = 10.0 * static_cast<double>(x.size());
  for (double v : x) s += v * v - 10.0 * std::cos(2.0 * std::numbers::pi * v);
  return s;
}

double ackley(const std::vector<double>& x) {
  double sq = 0.0, cs = 0.0;
  for (double v : x) {
    sq += v * v;
    cs += std::cos(2.0 * std::numbers::pi * v);
  }
  const double n = static_cast<double>(x.size());
  return -20.0 * std::exp(-0.2 * std::sqrt(sq / n)) - std::exp(cs / n) + 20.0 + std::numbers::e;
}

double styblinski_tang(const std::vector<double>& x) {
  double s = 0.0;
  for (double v : x) s += 0.5 * (v * v * v * v - 16.0 * v * v + 5.0 * v);
  return s;
}

void report(const std::string& name, const replay::ReplayTable& table, const Options& o) {
  replay::ReplayOptions ro;
  ro.budget = 80;
  ro.seeds = o.seeds;
  ro.report_budgets = {20};
  ro.threads = 2;
  const qtune::space::Space& space = table.space();
  const StrategyConfig config = o.config;
  const replay::StrategyFactory factory = [&space, config](std::uint64_t seed) {
    return qtune::agent::make_model_q_learning(space, config, seed);
  };
  const auto start = std::chrono::steady_clock::now();
  auto summary = replay::replay(table, factory, ro);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!summary.is_ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), summary.status().to_string().c_str());
    std::exit(1);
  }
  const auto& s = *summary;
  std::printf(
      "%-22s states %8llu  regret@20 %.4f  regret@80 %.4f  found@80 %.2f  evals-to-best %s  (%.1f "
      "s)\n",
      name.c_str(), static_cast<unsigned long long>(space.size()),
      s.report_budgets[0].median_regret, s.median_regret_at_budget, s.found_best_fraction,
      s.median_evals_to_best ? std::to_string(*s.median_evals_to_best).c_str() : "never", seconds);
  std::fflush(stdout);
}

replay::ReplayTable load_or_die(const std::vector<std::filesystem::path>& files,
                                replay::TableSpec spec) {
  auto t = replay::ReplayTable::load(files, spec);
  if (!t.is_ok()) {
    std::fprintf(stderr, "%s\n", t.status().to_string().c_str());
    std::exit(1);
  }
  return std::move(t).value();
}

replay::ReplayTable synthetic_or_die(const std::string& name, const std::string& csv) {
  auto t = replay::ReplayTable::parse({{name, csv}},
                                      replay::TableSpec{"value", {}, std::nullopt, std::nullopt});
  if (!t.is_ok()) {
    std::fprintf(stderr, "%s\n", t.status().to_string().c_str());
    std::exit(1);
  }
  return std::move(t).value();
}

void run_regret(const Options& o) {
  const std::filesystem::path tables = std::filesystem::path(__FILE__).parent_path() / "tables";
  report(
      "ae4 (noisy, mse)",
      load_or_die(
          {tables / "ae4_seed0.csv", tables / "ae4_seed1.csv", tables / "ae4_seed2.csv"},
          {"mse", {"K", "intermediate_dim", "batch_size", "maxiter"}, std::nullopt, std::nullopt}),
      o);
  report("branin15",
         load_or_die({tables / "branin15.csv"}, {"value", {}, std::nullopt, std::nullopt}), o);
  report("hartmann6 5^6", synthetic_or_die("hartmann6", synthetic_csv(6, 5, 0.0, 1.0, hartmann6)),
         o);
  report("rastrigin 4d 9^4",
         synthetic_or_die("rastrigin", synthetic_csv(4, 9, -4.0, 4.0, rastrigin)), o);
  report("ackley 3d 15^3", synthetic_or_die("ackley", synthetic_csv(3, 15, -3.0, 3.5, ackley)), o);
  report("styblinski 4d 9^4",
         synthetic_or_die("styblinski", synthetic_csv(4, 9, -5.0, 5.0, styblinski_tang)), o);
}

// The process's CPU time (all threads) in milliseconds.
double process_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) * 1e-6;
}

// Mean wall and CPU time of the ask() that follows n evaluations of a smooth 6-D function.
void time_decisions(const std::string& name, std::size_t levels, std::size_t d, const Options& o) {
  std::vector<qtune::space::Dimension> dims;
  for (std::size_t k = 0; k < d; ++k) {
    qtune::space::Dimension dim;
    dim.name = "x" + std::to_string(k);
    for (std::size_t i = 0; i < levels; ++i) dim.values.emplace_back(static_cast<std::int64_t>(i));
    dims.push_back(dim);
  }
  const auto space = qtune::space::Space::create(dims).value();
  auto strategy = qtune::agent::make_model_q_learning(space, o.config, 1).value();
  std::size_t evaluations = 0;
  for (const std::size_t checkpoint : std::array<std::size_t, 3>{20, 40, 80}) {
    double total = 0.0;
    double total_cpu = 0.0;
    int timed = 0;
    while (evaluations < checkpoint) {
      const auto start = std::chrono::steady_clock::now();
      const double cpu_start = process_cpu_ms();
      const auto p = strategy->ask();
      const double cpu_ms = process_cpu_ms() - cpu_start;
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      if (!p) break;
      if (evaluations + 5 >= checkpoint) {  // the last five decisions before the checkpoint
        total += ms;
        total_cpu += cpu_ms;
        ++timed;
      }
      std::vector<double> x;
      for (auto i : space.decode(p->state))
        x.push_back(static_cast<double>(i) / static_cast<double>(levels - 1));
      strategy->tell(*p, {hartmann6(x)});
      ++evaluations;
    }
    std::printf("%-28s n=%3zu  %8.2f ms per decision (%.2f ms of CPU)\n", name.c_str(), checkpoint,
                total / static_cast<double>(timed), total_cpu / static_cast<double>(timed));
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "regret";
  const Options o = parse_options(argc, argv);
  if (mode == "regret")
    run_regret(o);
  else if (mode == "decision") {
    time_decisions("6-D, 5 levels (15,625)", 5, 6, o);
    time_decisions("6-D, 10 levels (10^6, window)", 10, 6, o);
  } else {
    std::fprintf(stderr, "usage: bench_model_q regret|decision [key=value ...]\n");
    return 2;
  }
  return 0;
}
