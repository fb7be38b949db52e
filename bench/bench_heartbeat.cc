// bench_heartbeat: what the heartbeats of many workers of one shared study cost the store.
// Each simulated worker (a thread with its own store connection, as a `qtune worker` process
// has) holds one RUNNING trial and does heartbeat rounds back to back, each round what the
// Runner does every --heartbeat: the trials' heartbeats, the worker's registration, and the
// search for dead workers' trials (Study::interrupt_stale). The rounds per second the store
// sustains with all of them at once bound how short --heartbeat may be.
//
//   bench_heartbeat [workers] [rounds per worker] [store URL]   (default 64 20 a SQLite file)
//
// Wall time. Figures go to docs/benchmarks.md.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "qtune/store/open_store.h"
#include "qtune/study/study.h"

namespace {

std::string study_toml(const std::string& name, int workers) {
  return "[study]\nname = \"" + name +
         "\"\nseed = 1\n[space]\nx = { range = [0, 999] }\n[strategy]\nkind = "
         "\"random\"\ntrajectories = " +
         std::to_string(workers) +
         "\n"
         "[budget]\ntrials = " +
         std::to_string(workers) + "\n";
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "bench_heartbeat: %s\n", what.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  const int workers = argc > 1 ? std::atoi(argv[1]) : 64;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 20;
  const std::string dir = "/tmp/bench_heartbeat_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  const std::string url = argc > 3 ? argv[3] : "sqlite://" + dir + "/study.db";
  const std::string name = "heartbeat_" + std::to_string(::getpid());

  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::atomic<long> failures{0};
  std::vector<std::thread> threads;
  const auto body = [&](int index) {
    auto config = qtune::study::parse_study_config(study_toml(name, workers), dir + "/s.toml");
    auto store = qtune::store::open_store(url);
    if (!config.is_ok() || !store.is_ok()) fail(config.status().to_string());
    auto study = qtune::study::Study::open_shared(std::move(config).value(), **store);
    for (int tries = 0; !study.is_ok() && tries < 20; ++tries) {  // creation race: try again
      auto again = qtune::study::parse_study_config(study_toml(name, workers), dir + "/s.toml");
      study = qtune::study::Study::open_shared(std::move(again).value(), **store);
    }
    if (!study.is_ok()) fail(study.status().to_string());
    const std::string id = "w" + std::to_string(index);
    auto asked = (*study)->ask(id);
    if (!asked.is_ok() || !asked->trial) fail("ask: " + asked.status().to_string());
    ++ready;
    while (!go.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    for (int r = 0; r < rounds; ++r) {
      if (!(*study)->heartbeat().is_ok()) ++failures;
      if (!(*study)->worker_heartbeat(id).is_ok()) ++failures;
      if (!(*study)->interrupt_stale(std::chrono::seconds(60)).is_ok()) ++failures;
    }
  };
  for (int i = 0; i < workers; ++i) threads.emplace_back(body, i);
  while (ready.load() < workers) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto start = std::chrono::steady_clock::now();
  go = true;
  for (std::thread& t : threads) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double per_second = workers * static_cast<double>(rounds) / seconds;
  std::printf("%d workers x %d rounds in %.2f s: %.0f heartbeat rounds/s (%ld failed calls)\n",
              workers, rounds, seconds, per_second, failures.load());
  for (const double heartbeat : {2.0, 5.0, 10.0, 30.0}) {
    std::printf("  --heartbeat %2.0fs: %d workers need %5.1f rounds/s = %5.1f%% of that\n",
                heartbeat, workers, workers / heartbeat, 100.0 * workers / heartbeat / per_second);
  }
  std::filesystem::remove_all(dir);
  return failures.load() == 0 ? 0 : 1;
}
