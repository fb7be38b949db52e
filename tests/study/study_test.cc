// The Study ask/tell API on a real SQLite store: budget, waiting, failures, interruption,
// direction, refusal of a changed study file, and results.
#include "qtune/study/study.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "qtune/store/open_store.h"
#include "study/study_test_support.h"
#include "support/temp_dir.h"

namespace qtune::study {
namespace {

using base::StatusCode;
using testing::objective;
using testing::run_to_end;
using testing::study_toml;

class StudyTest : public testing::ToyStudyTest {
 protected:
  base::Status open_status(const std::string& toml) {
    auto config = parse_study_config(toml, dir_ / "toy.toml");
    if (!config.is_ok()) return config.status();
    return Study::open(std::move(config).value(), *store_).status();
  }

  TrialToRun ask_trial(Study& study) {
    auto next = study.ask("tester");
    EXPECT_TRUE(next.is_ok()) << next.status().to_string();
    EXPECT_TRUE(next.is_ok() && next->trial.has_value());
    return next.is_ok() && next->trial ? *next->trial : TrialToRun{};
  }
};

TEST_F(StudyTest, BudgetCountsDistinctEvaluations) {
  auto study = open(study_toml("random", 10));
  ASSERT_NE(study, nullptr);
  const auto states = run_to_end(*study);
  ASSERT_EQ(states.size(), 10u);
  EXPECT_EQ(std::set<space::StateId>(states.begin(), states.end()).size(), 10u);  // no repeats
  auto trials = study->trials();
  ASSERT_TRUE(trials.is_ok());
  for (std::size_t i = 0; i < trials->size(); ++i) {
    const store::TrialRecord& t = (*trials)[i];
    EXPECT_EQ(t.number, static_cast<std::int64_t>(i));
    EXPECT_EQ(t.state_id, states[i]);
    EXPECT_EQ(t.state, store::TrialState::kComplete);
    EXPECT_EQ(t.value, objective(t.params));
  }
  auto progress = study->progress();
  ASSERT_TRUE(progress.is_ok());
  EXPECT_EQ(progress->complete, 10u);
  EXPECT_EQ(progress->evaluations, 10u);
  EXPECT_EQ(progress->budget, 10u);
}

TEST_F(StudyTest, ParamsAreTheStatesValuesAsText) {
  auto study = open(study_toml("grid", 3));
  ASSERT_NE(study, nullptr);
  const TrialToRun t = ask_trial(*study);
  const space::Space& space = study->config().space;
  ASSERT_EQ(t.params.size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(t.params[k].name, space.dimension(k).name);
    EXPECT_EQ(t.params[k].value, space::format_value(space.value(t.state, k)));
  }
  EXPECT_EQ(t.number, 0);
  EXPECT_FALSE(t.resumed);
}

TEST_F(StudyTest, WaitsForRunningTrialsBeforeFinishing) {
  auto study = open(study_toml("random", 2) + "parallel = 2\n");
  ASSERT_NE(study, nullptr);
  const TrialToRun a = ask_trial(*study);
  const TrialToRun b = ask_trial(*study);
  EXPECT_NE(a.state, b.state);
  auto wait = study->ask();
  ASSERT_TRUE(wait.is_ok());
  EXPECT_FALSE(wait->trial.has_value());
  EXPECT_FALSE(wait->finished);  // budget spent, but two trials still run
  ASSERT_TRUE(study->tell(a.id, Outcome::success(1.0)).is_ok());
  ASSERT_TRUE(study->tell(b.id, Outcome::success(2.0)).is_ok());
  auto done = study->ask();
  ASSERT_TRUE(done.is_ok());
  EXPECT_TRUE(done->finished);
}

TEST_F(StudyTest, ExhaustedStrategyFinishesTheStudy) {
  auto study = open(study_toml(
      "grid", 100, "",
      "K = { range = [1, 2] }\ndim = { values = [64] }\nact = { values = [\"a\", \"elu\"] }\n"));
  ASSERT_NE(study, nullptr);
  EXPECT_EQ(run_to_end(*study).size(), 4u);
}

TEST_F(StudyTest, FailuresAreRecordedWithReasonAndLogTail) {
  auto study = open(study_toml("random", 5) + "parallel = 2\n");
  ASSERT_NE(study, nullptr);
  const TrialToRun a = ask_trial(*study);
  const TrialToRun b = ask_trial(*study);
  ASSERT_TRUE(study->tell(a.id, Outcome::failure("exit code 1", "Traceback ...")).is_ok());
  ASSERT_TRUE(
      study->tell(b.id, Outcome::success(std::numeric_limits<double>::quiet_NaN())).is_ok());
  auto trials = study->trials();
  ASSERT_TRUE(trials.is_ok());
  EXPECT_EQ((*trials)[0].state, store::TrialState::kFailed);
  EXPECT_EQ((*trials)[0].failure_reason, "exit code 1");
  EXPECT_EQ((*trials)[0].log_tail, "Traceback ...");
  EXPECT_EQ((*trials)[1].state, store::TrialState::kFailed);
  EXPECT_EQ((*trials)[1].failure_reason, "the metric is nan");
  auto progress = study->progress();
  ASSERT_TRUE(progress.is_ok());
  EXPECT_EQ(progress->failed, 2u);
  EXPECT_FALSE(progress->best.has_value());
}

// `qtune retry`: a failed trial is handed out again before anything new, as the same record,
// and its success is learned without the budget moving; a complete one cannot be retried.
TEST_F(StudyTest, RetriedFailedTrialRunsAgainAsTheSameRecordWithinTheBudget) {
  auto study = open(study_toml("q-learning", 2));
  ASSERT_NE(study, nullptr);
  const TrialToRun a = ask_trial(*study);
  ASSERT_TRUE(study->tell(a.id, Outcome::failure("node failure")).is_ok());
  const TrialToRun b = ask_trial(*study);
  ASSERT_TRUE(study->tell(b.id, Outcome::success(5.0)).is_ok());
  EXPECT_EQ(study->retry(b.id).code(), StatusCode::kConflict);
  ASSERT_TRUE(study->retry(a.id).is_ok());

  const TrialToRun again = ask_trial(*study);  // the budget (2) is spent: only the retried one
  EXPECT_EQ(again.id, a.id);
  EXPECT_EQ(again.number, a.number);
  EXPECT_EQ(again.state, a.state);
  EXPECT_EQ(again.attempt, 1);
  ASSERT_TRUE(study->tell(again.id, Outcome::success(1.0)).is_ok());
  auto next = study->ask("tester");
  ASSERT_TRUE(next.is_ok());
  EXPECT_FALSE(next->trial.has_value());
  EXPECT_TRUE(next->finished);
  auto trials = study->trials();
  ASSERT_TRUE(trials.is_ok());
  ASSERT_EQ(trials->size(), 2u);
  EXPECT_EQ((*trials)[0].state, store::TrialState::kComplete);
  EXPECT_EQ((*trials)[0].retries, 1);
  auto best = study->best();
  ASSERT_TRUE(best.is_ok() && best->has_value());
  EXPECT_EQ((*best)->number, a.number);
}

TEST_F(StudyTest, TellIsOnceAndOnlyForRunningTrialsOfThisStudy) {
  auto study = open(study_toml("random", 5));
  ASSERT_NE(study, nullptr);
  const TrialToRun a = ask_trial(*study);
  ASSERT_TRUE(study->tell(a.id, Outcome::success(1.0)).is_ok());
  const base::Status again = study->tell(a.id, Outcome::success(0.5));
  EXPECT_EQ(again.code(), StatusCode::kConflict);
  EXPECT_NE(again.message().find("COMPLETE"), std::string::npos) << again.message();
  EXPECT_EQ(study->tell(a.id + 1000, Outcome::success(1.0)).code(), StatusCode::kNotFound);
  auto trials = study->trials();
  ASSERT_TRUE(trials.is_ok());
  EXPECT_EQ((*trials)[0].value, 1.0);  // the finished trial kept its first value
}

TEST_F(StudyTest, InterruptedTrialIsHandedOutAgainFirst) {
  auto study = open(study_toml("random", 5));
  ASSERT_NE(study, nullptr);
  const TrialToRun a = ask_trial(*study);
  ASSERT_TRUE(study->mark_interrupted(a.id).is_ok());
  EXPECT_EQ(study->tell(a.id, Outcome::success(1.0)).code(), StatusCode::kConflict);
  const TrialToRun again = ask_trial(*study);
  EXPECT_EQ(again.id, a.id);
  EXPECT_EQ(again.number, a.number);
  EXPECT_EQ(again.state, a.state);
  EXPECT_TRUE(again.resumed);
  EXPECT_TRUE(study->tell(again.id, Outcome::success(1.0)).is_ok());
  EXPECT_EQ(ask_trial(*study).number, 1);
}

TEST_F(StudyTest, ReopenResumesWithTheProposalsOfAnUninterruptedRun) {
  std::vector<space::StateId> reference;
  {
    auto memory = store::open_store("sqlite://:memory:");
    ASSERT_TRUE(memory.is_ok());
    auto config = parse_study_config(study_toml("random", 12), dir_ / "toy.toml");
    ASSERT_TRUE(config.is_ok());
    auto study = Study::open(std::move(config).value(), **memory);
    ASSERT_TRUE(study.is_ok());
    reference = run_to_end(**study);
  }
  std::vector<space::StateId> states;
  {
    auto study = open(study_toml("random", 12));
    ASSERT_NE(study, nullptr);
    for (int i = 0; i < 5; ++i) {
      const TrialToRun t = ask_trial(*study);
      states.push_back(t.state);
      ASSERT_TRUE(study->tell(t.id, Outcome::success(objective(t.params))).is_ok());
    }
    states.push_back(ask_trial(*study).state);  // left RUNNING, as by a dead process
  }
  auto study = open(study_toml("random", 12));
  ASSERT_NE(study, nullptr);
  auto interrupted = store_->trials(study->id(), store::TrialState::kInterrupted);
  ASSERT_TRUE(interrupted.is_ok());
  ASSERT_EQ(interrupted->size(), 1u);
  EXPECT_EQ((*interrupted)[0].number, 5);
  const auto rest = run_to_end(*study);
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(rest.front(), states.back());  // the interrupted proposal comes first
  states.pop_back();
  states.insert(states.end(), rest.begin(), rest.end());
  EXPECT_EQ(states, reference);
}

TEST_F(StudyTest, ReadOnlyOpenLeavesARunningStudyAlone) {
  auto config = parse_study_config(study_toml("random", 5), dir_ / "toy.toml");
  ASSERT_TRUE(config.is_ok());
  EXPECT_EQ(Study::open_read_only(*config, *store_).status().code(), StatusCode::kNotFound);
  auto writer = open(study_toml("random", 5));
  ASSERT_NE(writer, nullptr);
  const TrialToRun done = ask_trial(*writer);
  ASSERT_TRUE(writer->tell(done.id, Outcome::success(objective(done.params))).is_ok());
  const TrialToRun running = ask_trial(*writer);

  auto reader = Study::open_read_only(*config, *store_);
  ASSERT_TRUE(reader.is_ok()) << reader.status().to_string();
  EXPECT_EQ((*reader)->ask().status().code(), StatusCode::kConflict);
  EXPECT_EQ((*reader)->tell(running.id, Outcome::success(1.0)).code(), StatusCode::kConflict);
  EXPECT_EQ((*reader)->mark_interrupted(running.id).code(), StatusCode::kConflict);
  EXPECT_EQ((*reader)->results().recommendation, done.state);
  auto progress = (*reader)->progress();
  ASSERT_TRUE(progress.is_ok());
  EXPECT_EQ(progress->running, 1u);  // not taken for interrupted
  EXPECT_TRUE(writer->tell(running.id, Outcome::success(objective(running.params))).is_ok());
}

TEST_F(StudyTest, AStudyTakenOverByAnotherProcessRefusesItsOldTrials) {
  auto first = open(study_toml("random", 5));
  ASSERT_NE(first, nullptr);
  const TrialToRun trial = ask_trial(*first);
  auto second = open(study_toml("random", 5));  // as a second `qtune run` would
  ASSERT_NE(second, nullptr);
  const TrialToRun again = ask_trial(*second);
  EXPECT_EQ(again.id, trial.id);
  EXPECT_TRUE(again.resumed);
  const base::Status stale = first->tell(trial.id, Outcome::success(1.0));
  EXPECT_EQ(stale.code(), StatusCode::kConflict);
  EXPECT_NE(stale.message().find("not handed out by this process"), std::string::npos)
      << stale.message();
  EXPECT_TRUE(second->tell(again.id, Outcome::success(objective(again.params))).is_ok());
}

TEST_F(StudyTest, ChangedStudyFileIsRefusedOnResume) {
  ASSERT_NE(open(study_toml("random", 5)), nullptr);
  const base::Status space =
      open_status(study_toml("random", 5, "",
                             "K = { range = [2, 6] }\n"
                             "dim = { values = [64, 128, 256, 512] }\n"
                             "act = { values = [\"relu\", \"elu\", \"tanh\", \"gelu\"] }\n"));
  EXPECT_EQ(space.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(space.message().find(
                "[space] changed: stored \"K = [2, 3, 4, 5]\", now \"K = [2, 3, 4, 5, 6]\""),
            std::string::npos)
      << space.message();
  const base::Status strategy = open_status(study_toml("grid", 5));
  EXPECT_EQ(strategy.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(strategy.message().find("[strategy] changed"), std::string::npos) << strategy.message();
  std::string reseeded = study_toml("random", 5);
  reseeded.replace(reseeded.find("seed = 42"), 9, "seed = 7");
  const base::Status seed = open_status(reseeded);
  EXPECT_NE(seed.message().find("seed changed: stored 42, now 7"), std::string::npos)
      << seed.message();
  const base::Status parallel = open_status(study_toml("random", 5) + "parallel = 3\n");
  EXPECT_NE(parallel.message().find("now \"# trajectories in use: 3\""), std::string::npos)
      << parallel.message();
  // A larger budget is not a different study.
  EXPECT_TRUE(open_status(study_toml("random", 50)).is_ok());
}

TEST_F(StudyTest, MaximisedMetricIsNegatedForTheStrategyOnly) {
  std::string toml = study_toml("random", 6);
  toml.replace(toml.find("seed = 42"), 0, "direction = \"maximize\"\n");
  auto study = open(toml);
  ASSERT_NE(study, nullptr);
  run_to_end(*study);
  auto trials = study->trials();
  ASSERT_TRUE(trials.is_ok());
  const store::TrialRecord* highest = &(*trials)[0];
  for (const auto& t : *trials) {
    EXPECT_EQ(t.value, objective(t.params));  // stored raw
    if (*t.value > *highest->value) highest = &t;
  }
  auto best = study->best();
  ASSERT_TRUE(best.is_ok() && best->has_value());
  EXPECT_EQ((*best)->number, highest->number);
  EXPECT_EQ(study->results().recommendation, highest->state_id);  // the strategy saw -value
}

// A pruned trial's intermediate value is often another quantity (a training loss printed per
// epoch, the metric being FID): the strategy is told the finished trials' median instead, so
// a pruned configuration is neither recommended nor believed good; its record keeps the
// value it printed.
TEST_F(StudyTest, PrunedTrialIsToldTheFinishedMedianNotItsIntermediateValue) {
  for (const std::string kind : {"grid", "q-learning"}) {
    SCOPED_TRACE(kind);
    std::string toml = study_toml(kind, 6);
    toml.replace(toml.find("\"toy\""), 5, "\"" + kind + "\"");
    auto study = open(toml);
    ASSERT_NE(study, nullptr);
    std::vector<space::StateId> finished;
    for (const double value : {10.0, 20.0, 30.0, 40.0, 50.0}) {
      const TrialToRun t = ask_trial(*study);
      finished.push_back(t.state);
      ASSERT_TRUE(study->tell(t.id, Outcome::success(value)).is_ok());
    }
    const TrialToRun pruned = ask_trial(*study);
    ASSERT_TRUE(study->tell(pruned.id, Outcome::pruned_at(0.001, "pruned at step 3")).is_ok());
    EXPECT_EQ(study->results().recommendation, finished[0]);
    auto trials = study->trials();
    ASSERT_TRUE(trials.is_ok());
    EXPECT_EQ(trials->back().state, store::TrialState::kPruned);
    EXPECT_EQ(trials->back().value, 0.001);
    const std::vector<space::StateId> at = {pruned.state};
    const std::vector<agent::Belief> beliefs = study->beliefs(at);
    if (kind == "q-learning") {
      ASSERT_EQ(beliefs.size(), 1u);
      // The model smooths its measurement of 30 with its neighbours' (10 to 50).
      EXPECT_GT(beliefs[0].mean, 15.0);
      EXPECT_LT(beliefs[0].mean, 45.0);
    }
  }
}

TEST_F(StudyTest, MaxTimeStopsNewTrials) {
  std::string toml = study_toml("random", 50);
  toml += "max_time = \"0.001\"\n";
  auto study = open(toml);
  ASSERT_NE(study, nullptr);
  std::this_thread::sleep_for(
      std::chrono::milliseconds(5));  // past max_time: not a timing assertion
  auto next = study->ask();
  ASSERT_TRUE(next.is_ok());
  EXPECT_FALSE(next->trial.has_value());
  EXPECT_TRUE(next->finished);
}

TEST_F(StudyTest, BaselinesHaveNoQTable) {
  auto study = open(study_toml("grid", 3));
  ASSERT_NE(study, nullptr);
  run_to_end(*study);
  const StrategyResults r = study->results();
  EXPECT_TRUE(r.policy.empty());
  EXPECT_TRUE(r.rollout.empty());
  EXPECT_EQ(q_table_csv(r, study->config().space), "state,K,dim,act\n");
  EXPECT_TRUE(r.recommendation.has_value());
}

TEST_F(StudyTest, WorkerThreadsShareOneStudy) {
  constexpr int kWorkers = 4;
  for (const std::string strategy :
       {"kind = \"random\"", "kind = \"q-learning\"\npreset = \"seed\""}) {
    SCOPED_TRACE(strategy);
    auto memory = store::open_store("sqlite://:memory:");
    ASSERT_TRUE(memory.is_ok());
    std::string toml = study_toml("grid", 40) + "parallel = 4\n";
    toml.replace(toml.find("kind = \"grid\""), 13, strategy);
    auto config = parse_study_config(toml, dir_ / "toy.toml");
    ASSERT_TRUE(config.is_ok()) << config.status().to_string();
    auto study = Study::open(std::move(config).value(), **memory);
    ASSERT_TRUE(study.is_ok()) << study.status().to_string();
    std::vector<std::thread> workers;
    for (int w = 0; w < kWorkers; ++w) {
      workers.emplace_back([&study, w] {
        while (true) {
          auto next = (*study)->ask("worker" + std::to_string(w));
          ASSERT_TRUE(next.is_ok()) << next.status().to_string();
          if (next->finished) return;
          if (!next->trial) {
            std::this_thread::yield();  // another worker's trial is running
            continue;
          }
          ASSERT_TRUE((*study)
                          ->tell(next->trial->id, Outcome::success(objective(next->trial->params)))
                          .is_ok());
        }
      });
    }
    for (auto& w : workers) w.join();
    auto trials = (*study)->trials();
    ASSERT_TRUE(trials.is_ok());
    ASSERT_EQ(trials->size(), 40u);
    std::set<space::StateId> states;
    for (const auto& t : *trials) {
      EXPECT_EQ(t.state, store::TrialState::kComplete);
      states.insert(t.state_id);
    }
    EXPECT_EQ(states.size(), 40u);  // no configuration ran twice
  }
}

TEST_F(StudyTest, QLearningPolicyRolloutAndQTableExports) {
  auto study = open(study_toml("q-learning", 12, "preset = \"seed\"\n"));
  ASSERT_NE(study, nullptr);
  run_to_end(*study);
  const StrategyResults r = study->results();
  const space::Space& space = study->config().space;
  ASSERT_FALSE(r.q_table.empty());
  ASSERT_EQ(r.actions.size(), 27u);  // joint moves in 3 dimensions
  EXPECT_EQ(r.actions[13], "stay");
  ASSERT_EQ(r.policy.size(), r.q_table.size());
  auto moves = space::Moves::create(space, space::MoveSet::kJoint);
  ASSERT_TRUE(moves.is_ok());
  for (std::size_t i = 0; i < r.policy.size(); ++i) {
    const PolicyStep& step = r.policy[i];
    const std::vector<double>& q = r.q_table[i].q;
    EXPECT_EQ(step.state, r.q_table[i].state);
    for (std::size_t a = 0; a < q.size(); ++a) {  // argmax, the lowest action on a tie
      if (a < step.action) {
        EXPECT_LT(q[a], step.q);
      } else {
        EXPECT_LE(q[a], step.q);
      }
    }
    EXPECT_EQ(step.next, moves->apply(step.state, step.action));
    EXPECT_EQ(step.move, moves->describe(step.action));
  }
  // The roll-out follows the policy from the start state until a state repeats or is unknown.
  ASSERT_FALSE(r.rollout.empty());
  EXPECT_EQ(r.rollout.front(), study->results().rollout.front());
  for (std::size_t i = 0; i + 1 < r.rollout.size(); ++i) {
    const auto step = std::find_if(r.policy.begin(), r.policy.end(),
                                   [&](const PolicyStep& p) { return p.state == r.rollout[i]; });
    ASSERT_NE(step, r.policy.end());
    EXPECT_EQ(step->next, r.rollout[i + 1]);
  }
  EXPECT_EQ(std::set<space::StateId>(r.rollout.begin(), r.rollout.end()).size(), r.rollout.size());

  const std::string csv = q_table_csv(r, space);
  EXPECT_EQ(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')),
            r.q_table.size() + 1);
  EXPECT_EQ(csv.substr(0, csv.find(',', 16)), "state,K,dim,act,K-1 dim-1 act-1");
  const auto json = nlohmann::json::parse(q_table_json(r, space));
  ASSERT_EQ(json["rows"].size(), r.q_table.size());
  EXPECT_EQ(json["dimensions"], nlohmann::json({"K", "dim", "act"}));
  EXPECT_EQ(json["rows"][0]["state"], r.q_table[0].state);
  EXPECT_EQ(json["rows"][0]["q"].get<std::vector<double>>(), r.q_table[0].q);
  EXPECT_EQ(json["rows"][0]["greedy"], r.policy[0].action);
  EXPECT_EQ(json["rows"][0]["params"]["K"],
            space::format_value(space.value(r.q_table[0].state, 0)));
}

}  // namespace
}  // namespace qtune::study
