// A store that fails on request, around the real SQLite store: when the store refuses a
// trial's creation or finish, the Study reports the error and stays in step with the store,
// so the study continues with exactly the proposals of a run that never failed.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "qtune/store/open_store.h"
#include "qtune/study/study.h"
#include "study/study_test_support.h"

namespace qtune::study {
namespace {

using testing::objective;
using testing::run_to_end;
using testing::study_toml;

// Delegates to a real store; the next create_trial / finish_trial fails when armed.
class FaultyStore final : public store::Store {
 public:
  explicit FaultyStore(std::unique_ptr<store::Store> real) : real_(std::move(real)) {}
  bool fail_next_create = false;
  bool fail_next_finish = false;

  base::Result<std::optional<store::StudyRecord>> find_study(std::string_view name) const override {
    return real_->find_study(name);
  }
  base::Result<store::StudyRecord> create_study(const store::StudyRecord& study) override {
    return real_->create_study(study);
  }
  base::Result<store::TrialRecord> create_trial(store::StudyId study, const store::NewTrial& trial,
                                                std::string_view snapshot,
                                                std::int64_t expected_event) override {
    if (std::exchange(fail_next_create, false))
      return base::Status::io_error("injected: disk full");
    return real_->create_trial(study, trial, snapshot, expected_event);
  }
  base::Status finish_trial(TrialId trial, const store::TrialResult& result,
                            std::string_view snapshot, std::int64_t expected_event) override {
    if (std::exchange(fail_next_finish, false))
      return base::Status::unavailable("injected: database locked");
    return real_->finish_trial(trial, result, snapshot, expected_event);
  }
  base::Result<std::vector<store::TrialRecord>> import_trials(
      store::StudyId study, const std::vector<store::ImportedTrial>& trials,
      std::string_view snapshot, std::int64_t expected_event) override {
    return real_->import_trials(study, trials, snapshot, expected_event);
  }
  base::Status interrupt_trial(TrialId trial) override { return real_->interrupt_trial(trial); }
  base::Status retry_trial(TrialId trial) override { return real_->retry_trial(trial); }
  base::Status set_started_at(TrialId trial, std::string_view worker, double at) override {
    return real_->set_started_at(trial, worker, at);
  }
  base::Result<std::optional<store::TrialRecord>> claim_trial(TrialId trial,
                                                              std::string_view worker) override {
    return real_->claim_trial(trial, worker);
  }
  base::Status heartbeat(TrialId trial, std::string_view worker) override {
    return real_->heartbeat(trial, worker);
  }
  base::Result<std::vector<TrialId>> interrupt_stale(store::StudyId study,
                                                     double older_than_seconds) override {
    return real_->interrupt_stale(study, older_than_seconds);
  }
  base::Status worker_heartbeat(store::StudyId study, const store::WorkerRecord& worker) override {
    return real_->worker_heartbeat(study, worker);
  }
  base::Status remove_worker(store::StudyId study, std::string_view worker) override {
    return real_->remove_worker(study, worker);
  }
  base::Result<std::vector<store::WorkerRecord>> workers(store::StudyId study) const override {
    return real_->workers(study);
  }
  base::Result<store::TrialRecord> trial(TrialId trial) const override {
    return real_->trial(trial);
  }
  base::Result<std::vector<store::TrialRecord>> trials(
      store::StudyId study, std::optional<store::TrialState> state) const override {
    return real_->trials(study, state);
  }
  base::Result<store::TrialCounts> count_trials(store::StudyId study) const override {
    return real_->count_trials(study);
  }
  base::Status add_progress(TrialId trial, const std::vector<ProgressPoint>& points) override {
    return real_->add_progress(trial, points);
  }
  base::Result<std::vector<store::TrialProgress>> progress(store::StudyId study) const override {
    return real_->progress(study);
  }
  base::Result<std::optional<store::Snapshot>> snapshot(store::StudyId study) const override {
    return real_->snapshot(study);
  }

 private:
  std::unique_ptr<store::Store> real_;
};

std::unique_ptr<Study> open_on(store::Store& store, const std::string& toml) {
  auto config = parse_study_config(toml, "/tmp/toy.toml");
  EXPECT_TRUE(config.is_ok()) << config.status().to_string();
  if (!config.is_ok()) return nullptr;
  auto study = Study::open(std::move(config).value(), store);
  EXPECT_TRUE(study.is_ok()) << study.status().to_string();
  return study.is_ok() ? std::move(study).value() : nullptr;
}

class StudyFault : public ::testing::TestWithParam<std::string> {
 protected:
  std::string toml() const {
    return GetParam() == "q-learning-seed" ? study_toml("q-learning", 12, "preset = \"seed\"\n")
                                           : study_toml(GetParam(), 12);
  }
};

TEST_P(StudyFault, RefusedCreateAndFinishLeaveTheStudyInStep) {
  std::vector<space::StateId> reference;
  {
    auto memory = store::open_store("sqlite://:memory:");
    ASSERT_TRUE(memory.is_ok());
    auto study = open_on(**memory, toml());
    ASSERT_NE(study, nullptr);
    reference = run_to_end(*study);
  }
  auto real = store::open_store("sqlite://:memory:");
  ASSERT_TRUE(real.is_ok());
  FaultyStore store(std::move(real).value());
  auto study = open_on(store, toml());
  ASSERT_NE(study, nullptr);

  std::vector<space::StateId> states;
  for (int i = 0; i < 12; ++i) {
    store.fail_next_create = i % 3 == 1;
    auto next = study->ask();
    if (i % 3 == 1) {
      EXPECT_EQ(next.status().code(), base::StatusCode::kIoError);
      next = study->ask();  // the same proposal again: the strategy was brought back
    }
    ASSERT_TRUE(next.is_ok()) << next.status().to_string();
    ASSERT_TRUE(next->trial.has_value());
    states.push_back(next->trial->state);
    const Outcome outcome = Outcome::success(objective(next->trial->params));
    store.fail_next_finish = i % 3 == 2;
    if (i % 3 == 2) {
      EXPECT_EQ(study->tell(next->trial->id, outcome).code(), base::StatusCode::kUnavailable);
      auto trial = store.trial(next->trial->id);
      ASSERT_TRUE(trial.is_ok());
      EXPECT_EQ(trial->state, store::TrialState::kRunning);  // still to be told
    }
    ASSERT_TRUE(study->tell(next->trial->id, outcome).is_ok());
  }
  auto done = study->ask();
  ASSERT_TRUE(done.is_ok());
  EXPECT_TRUE(done->finished);
  EXPECT_EQ(states, reference);
}

INSTANTIATE_TEST_SUITE_P(Strategies, StudyFault, ::testing::Values("random", "q-learning-seed"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           std::erase(name, '-');
                           return name;
                         });

}  // namespace
}  // namespace qtune::study
