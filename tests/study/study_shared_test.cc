// Studies shared by several processes (Study::open_shared): two Study objects, each on its
// own connection to one SQLite file as two workers would be, interleave ask and tell.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "qtune/store/open_store.h"
#include "qtune/study/study.h"
#include "study/liveness.h"
#include "study/study_test_support.h"
#include "support/eventually.h"
#include "support/temp_dir.h"

namespace qtune::study {
namespace {

using base::StatusCode;
using testing::objective;
using testing::study_toml;

// A worker: its own store connection and its own Study.
struct Worker {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<Study> study;
};

class StudyShared : public ::testing::TestWithParam<std::string> {
 protected:
  std::string toml(int trials) const {
    const std::string extra = GetParam() == "q-learning-seed" ? "preset = \"seed\"\n" : "";
    const std::string kind = GetParam() == "q-learning-seed" ? "q-learning" : GetParam();
    return study_toml(kind, trials, extra) + "parallel = 2\n";
  }

  Worker open_worker(const std::string& text, bool shared = true) {
    auto store = store::open_store("sqlite://" + (dir_ / "toy.db").string());
    EXPECT_TRUE(store.is_ok()) << store.status().to_string();
    if (!store.is_ok()) return {};
    auto config = parse_study_config(text, dir_ / "toy.toml");
    EXPECT_TRUE(config.is_ok()) << config.status().to_string();
    if (!config.is_ok()) return {};
    auto study = shared ? Study::open_shared(std::move(config).value(), **store)
                        : Study::open(std::move(config).value(), **store);
    EXPECT_TRUE(study.is_ok()) << study.status().to_string();
    if (!study.is_ok()) return {};
    return {std::move(store).value(), std::move(study).value()};
  }

  // Drives `studies` (one, or several sharing the study) with one fixed sequence of calls: the
  // k-th ask goes to studies[k % n]; with `most` trials out, the oldest is told by the Study
  // that asked it. Returns the proposed states in order.
  static std::vector<space::StateId> drive(const std::vector<Study*>& studies, std::size_t most) {
    std::vector<space::StateId> states;
    std::deque<std::pair<Study*, TrialToRun>> out;
    for (std::size_t k = 0;; ++k) {
      if (out.size() == most) {
        auto [owner, trial] = out.front();
        out.pop_front();
        const base::Status told = owner->tell(trial.id, Outcome::success(objective(trial.params)));
        EXPECT_TRUE(told.is_ok()) << told.to_string();
      }
      Study* asker = studies[k % studies.size()];
      auto next = asker->ask("w" + std::to_string(k % studies.size()));
      EXPECT_TRUE(next.is_ok()) << next.status().to_string();
      if (!next.is_ok()) return states;
      if (!next->trial) {
        if (out.empty()) return states;
        auto [owner, trial] = out.front();  // waiting for a trajectory: tell and go on
        out.pop_front();
        EXPECT_TRUE(owner->tell(trial.id, Outcome::success(objective(trial.params))).is_ok());
        continue;
      }
      states.push_back(next->trial->state);
      out.emplace_back(asker, *next->trial);
    }
  }

  ::qtune::testing::TempDir dir_;
};

TEST_P(StudyShared, TwoWorkersRunEachConfigurationOnceWithinTheBudget) {
  Worker a = open_worker(toml(20));
  Worker b = open_worker(toml(20));
  ASSERT_TRUE(a.study && b.study);
  // Random interleaving of the two workers' asks and tells.
  std::mt19937 rng(7);
  std::map<TrialId, std::pair<Study*, TrialToRun>> out;
  std::size_t asked = 0;
  for (int step = 0; step < 400; ++step) {
    Study* study = rng() % 2 == 0 ? a.study.get() : b.study.get();
    if (out.empty() || (out.size() < 3 && rng() % 2 == 0)) {
      auto next = study->ask();
      ASSERT_TRUE(next.is_ok()) << next.status().to_string();
      if (next->finished) break;
      if (next->trial) {
        ++asked;
        out.emplace(next->trial->id, std::make_pair(study, *next->trial));
      }
      continue;
    }
    auto it = out.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(rng() % out.size()));
    const auto& [owner, trial] = it->second;
    // A worker tells only trials it runs.
    Study* other = owner == a.study.get() ? b.study.get() : a.study.get();
    EXPECT_EQ(other->tell(trial.id, Outcome::success(1.0)).code(), StatusCode::kConflict);
    ASSERT_TRUE(owner->tell(trial.id, Outcome::success(objective(trial.params))).is_ok());
    out.erase(it);
  }
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(asked, 20u);
  auto trials = a.study->trials();
  ASSERT_TRUE(trials.is_ok());
  ASSERT_EQ(trials->size(), 20u);  // the budget is global
  std::set<space::StateId> states;
  for (const auto& t : *trials) {
    EXPECT_EQ(t.state, store::TrialState::kComplete);
    if (!t.remeasure) states.insert(t.state_id);
  }
  EXPECT_EQ(states.size(),
            static_cast<std::size_t>(std::count_if(trials->begin(), trials->end(),
                                                   [](const auto& t) { return !t.remeasure; })));
  auto done = b.study->ask();
  ASSERT_TRUE(done.is_ok());
  EXPECT_TRUE(done->finished);
}

// Every call is applied to the strategy restored from the latest snapshot, so two workers
// taking turns propose exactly what one process making the same calls proposes. What holds:
// random and grid with two trials out at once; q-learning with one, since with two
// trajectories its ask() may return nullopt while one waits, and the agent steps taken in
// such an ask stay in that process's memory (study.h, "Determinism").
TEST_P(StudyShared, TwoWorkersTakingTurnsProposeWhatOneProcessWould) {
  const std::size_t most = GetParam() == "q-learning-seed" ? 1 : 2;
  std::vector<space::StateId> alone;
  {
    ::qtune::testing::TempDir other;
    auto store = store::open_store("sqlite://" + (other / "alone.db").string());
    ASSERT_TRUE(store.is_ok());
    auto config = parse_study_config(toml(16), other / "toy.toml");
    ASSERT_TRUE(config.is_ok());
    auto study = Study::open(std::move(config).value(), **store);
    ASSERT_TRUE(study.is_ok());
    alone = drive({study->get()}, most);
  }
  Worker a = open_worker(toml(16));
  Worker b = open_worker(toml(16));
  ASSERT_TRUE(a.study && b.study);
  const std::vector<space::StateId> shared = drive({a.study.get(), b.study.get()}, most);
  EXPECT_EQ(alone.size(), 16u);
  EXPECT_EQ(shared, alone);
}

TEST_P(StudyShared, ADeadWorkersTrialIsHandedToAnotherAndItsOwnTellIsRefused) {
  Worker dead = open_worker(toml(6));
  Worker live = open_worker(toml(6));
  ASSERT_TRUE(dead.study && live.study);
  auto lost = dead.study->ask("dead");
  ASSERT_TRUE(lost.is_ok() && lost->trial);
  // Opening a shared study leaves running trials alone.
  Worker joining = open_worker(toml(6));
  ASSERT_TRUE(joining.study);
  auto still = live.store->trial(lost->trial->id);
  ASSERT_TRUE(still.is_ok());
  EXPECT_EQ(still->state, store::TrialState::kRunning);

  auto none = live.study->interrupt_stale(std::chrono::hours(1));
  ASSERT_TRUE(none.is_ok());
  EXPECT_EQ(*none, 0u);
  auto stale =
      live.study->interrupt_stale(std::chrono::duration<double>(-1.0));  // everything running
  ASSERT_TRUE(stale.is_ok());
  EXPECT_EQ(*stale, 1u);
  auto again = live.study->ask("live");
  ASSERT_TRUE(again.is_ok() && again->trial);
  EXPECT_EQ(again->trial->id, lost->trial->id);  // the same trial, same proposal
  EXPECT_EQ(again->trial->state, lost->trial->state);
  EXPECT_TRUE(again->trial->resumed);
  EXPECT_EQ(again->trial->attempt, 1);

  // The dead worker comes back: its heartbeat reports the trial lost, and its tell is refused.
  auto beat = dead.study->heartbeat();
  ASSERT_TRUE(beat.is_ok()) << beat.status().to_string();
  EXPECT_EQ(*beat, (std::vector<TrialId>{lost->trial->id}));
  EXPECT_EQ(dead.study->tell(lost->trial->id, Outcome::success(9.0)).code(), StatusCode::kConflict);
  auto live_beat = live.study->heartbeat();
  ASSERT_TRUE(live_beat.is_ok());
  EXPECT_TRUE(live_beat->empty());
  ASSERT_TRUE(live.study->tell(again->trial->id, Outcome::success(objective(again->trial->params)))
                  .is_ok());
  auto told = live.store->trial(lost->trial->id);
  ASSERT_TRUE(told.is_ok());
  EXPECT_EQ(told->state, store::TrialState::kComplete);
  EXPECT_EQ(told->worker, "live");
}

TEST_P(StudyShared, LiveTrialsAreThoseWithFreshHeartbeatsOfLivingProcesses) {
  Worker a = open_worker(toml(6));
  ASSERT_TRUE(a.study);
  auto mine = a.study->ask();                  // this process's id: alive
  auto gone = a.study->ask("no-such-host:1");  // fresh heartbeat, unknown host: alive
  ASSERT_TRUE(mine.is_ok() && mine->trial && gone.is_ok() && gone->trial);
  EXPECT_EQ(a.study->default_worker(), this_worker_id());
  auto live = live_trials(*a.store, a.study->id(), std::chrono::minutes(5));
  ASSERT_TRUE(live.is_ok());
  EXPECT_EQ(live->size(), 2u);
  auto none = live_trials(*a.store, a.study->id(), std::chrono::duration<double>(-1.0));
  ASSERT_TRUE(none.is_ok());
  EXPECT_TRUE(none->empty());

  // A killed `qtune run` of this host: its trials are dead at once, also while the process
  // is a zombie its parent has not reaped yet. (Two trajectories: the first two are told.)
  ASSERT_TRUE(a.study->tell(mine->trial->id, Outcome::success(1.0)).is_ok());
  ASSERT_TRUE(a.study->tell(gone->trial->id, Outcome::success(2.0)).is_ok());
  const std::string self = this_worker_id();
  const std::string host = self.substr(0, self.rfind(':') + 1);
  const pid_t reaped = ::fork();
  if (reaped == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(reaped, nullptr, 0), reaped);
  const pid_t zombie = ::fork();
  if (zombie == 0) ::_exit(0);
  ASSERT_TRUE(qtune::testing::eventually([&] {
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(zombie), &info, WEXITED | WNOWAIT) == 0;
  }));
  auto dead = a.study->ask(host + std::to_string(reaped));
  auto undead = a.study->ask(host + std::to_string(zombie));
  ASSERT_TRUE(dead.is_ok() && dead->trial && undead.is_ok() && undead->trial);
  live = live_trials(*a.store, a.study->id(), std::chrono::minutes(5));
  ::waitpid(zombie, nullptr, 0);
  ASSERT_TRUE(live.is_ok());
  EXPECT_TRUE(live->empty()) << live->size() << " live, e.g. worker " << live->front().worker;
}

INSTANTIATE_TEST_SUITE_P(Strategies, StudyShared,
                         ::testing::Values("random", "grid", "q-learning-seed"),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           std::string name = p.param;
                           std::erase(name, '-');
                           return name;
                         });

}  // namespace
}  // namespace qtune::study
