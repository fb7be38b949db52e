// bench_store: the bookkeeping cost of one trial, which the study pays on top of the
// evaluation itself: Study ask + tell (two store transactions, each with the agent
// snapshot), on a SQLite file (WAL, synchronous=NORMAL), on :memory: and, given its URL,
// on PostgreSQL, for the random strategy and the seed q-learning agent (whose snapshot
// grows with the visited states).
//
//   bench_store [trials] [postgresql://...]   (default 500 trials per case)
//
// Each PostgreSQL case is a new study (named after the process), left in the database.
//
// Wall time, since the file case is dominated by I/O. Figures go to docs/benchmarks.md.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "qtune/store/open_store.h"
#include "qtune/study/study.h"

namespace {

// 6 dimensions of 10 values: 10^6 states, so no strategy runs out within the budget.
std::string study_toml(const std::string& name, const std::string& strategy, long trials) {
  std::string toml = "[study]\nname = \"" + name + "\"\nseed = 1\n[space]\n";
  for (int k = 0; k < 6; ++k) toml += "p" + std::to_string(k) + " = { range = [0, 9] }\n";
  return toml + "[strategy]\n" + strategy + "\n[budget]\ntrials = " + std::to_string(trials) + "\n";
}

struct Cost {
  double us_per_trial;
  std::size_t snapshot_bytes;  // the agent snapshot written with each trial event, at the end
};

Cost run(const std::string& url, const std::string& name, const std::string& strategy,
         long trials) {
  auto config =
      qtune::study::parse_study_config(study_toml(name, strategy, trials), "/tmp/bench.toml");
  auto store = qtune::store::open_store(url);
  if (!config.is_ok() || !store.is_ok()) {
    std::fprintf(stderr, "bench_store: %s %s\n", config.status().to_string().c_str(),
                 store.status().to_string().c_str());
    std::exit(1);
  }
  auto study = qtune::study::Study::open(std::move(config).value(), **store);
  if (!study.is_ok()) {
    std::fprintf(stderr, "bench_store: %s\n", study.status().to_string().c_str());
    std::exit(1);
  }
  const auto start = std::chrono::steady_clock::now();
  long told = 0;
  while (true) {
    auto next = (*study)->ask();
    if (!next.is_ok() || !next->trial) break;
    double loss = 0;
    for (const auto& p : next->trial->params) loss += std::stod(p.value);
    if (!(*study)->tell(next->trial->id, qtune::study::Outcome::success(loss)).is_ok()) break;
    ++told;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (told != trials) {
    std::fprintf(stderr, "bench_store: only %ld of %ld trials ran\n", told, trials);
    std::exit(1);
  }
  auto snapshot = (*store)->snapshot((*study)->id());
  const std::size_t bytes =
      snapshot.is_ok() && snapshot->has_value() ? (*snapshot)->bytes.size() : 0;
  return {seconds / static_cast<double>(trials) * 1e6, bytes};
}

}  // namespace

int main(int argc, char** argv) {
  const long trials = argc > 1 ? std::atol(argv[1]) : 500;
  const std::string postgres = argc > 2 ? argv[2] : "";
  const auto dir =
      std::filesystem::temp_directory_path() / ("qtune-bench-store-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::printf("%-18s %-10s %14s %16s\n", "strategy", "storage", "us per trial", "snapshot bytes");
  const std::pair<const char*, const char*> strategies[] = {
      {"random", "kind = \"random\""},
      {"q-learning seed", "kind = \"q-learning\"\npreset = \"seed\""}};
  for (const auto& [name, strategy] : strategies) {
    const std::string kind = name[0] == 'r' ? "random" : "q";
    const std::pair<std::string, std::string> cases[] = {
        {"file", "sqlite://" + (dir / (kind + ".db")).string()},
        {":memory:", "sqlite://:memory:"},
        {"postgresql", postgres}};
    for (const auto& [label, url] : cases) {
      if (url.empty()) continue;
      const Cost cost =
          run(url, "bench_" + kind + "_" + std::to_string(getpid()), strategy, trials);
      std::printf("%-18s %-10s %14.1f %16zu\n", name, label.c_str(), cost.us_per_trial,
                  cost.snapshot_bytes);
    }
  }
  std::filesystem::remove_all(dir);
  return 0;
}
