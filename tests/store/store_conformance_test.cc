// The Store contract (include/qtune/store/store.h), run against every implementation:
// SQLite on a real file, SQLite :memory:, and PostgreSQL (the test server, a schema per test).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "qtune/store/open_store.h"
#include "support/postgres_server.h"
#include "support/temp_dir.h"

namespace qtune::store {
namespace {

using base::StatusCode;

struct Backend {
  std::string name;
  bool file;  // true: a SQLite file in a temporary folder
  bool postgres = false;
};

class StoreConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam().postgres) schema_.emplace();
    const std::string url = GetParam().postgres ? schema_->url()
                            : GetParam().file   ? "sqlite://" + (dir_ / "study.db").string()
                                                : "sqlite://:memory:";
    auto opened = open_store(url);
    ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
    store_ = std::move(opened).value();
    auto created = store_->create_study(make_study("s"));
    ASSERT_TRUE(created.is_ok()) << created.status().to_string();
    study_ = created->id;
  }

  static StudyRecord make_study(std::string name) {
    StudyRecord s;
    s.name = std::move(name);
    s.space = "K=[2,3,4]";
    s.strategy = "kind = 'random'";
    s.direction = Direction::kMaximize;
    s.seed = std::numeric_limits<std::uint64_t>::max();  // needs all 64 bits
    return s;
  }

  static NewTrial make_trial(space::StateId state) {
    return NewTrial{state, {{"K", std::to_string(state + 2)}, {"act", "relu"}}, 1, false, "host:1"};
  }

  TrialRecord create(space::StateId state, std::string_view snapshot = "snap") {
    auto t = store_->create_trial(study_, make_trial(state), snapshot, event_);
    EXPECT_TRUE(t.is_ok()) << t.status().to_string();
    if (t.is_ok()) ++event_;
    return t.is_ok() ? *t : TrialRecord{};
  }

  // finish_trial guarded by the event this test last saw.
  base::Status finish(TrialId trial, const TrialResult& result, std::string_view snapshot = "s") {
    base::Status s = store_->finish_trial(trial, result, snapshot, event_);
    if (s.is_ok()) ++event_;
    return s;
  }

  static TrialResult complete(double value) { return {TrialState::kComplete, value, "", ""}; }

  testing::TempDir dir_;
  std::optional<testing::PostgresSchema> schema_;  // outlives store_
  std::unique_ptr<Store> store_;
  StudyId study_ = 0;
  std::int64_t event_ = 0;  // the snapshot event after this test's last write
};

TEST_P(StoreConformance, StudyRoundTripsAndNamesAreUnique) {
  auto found = store_->find_study("s");
  ASSERT_TRUE(found.is_ok());
  ASSERT_TRUE(found->has_value());
  const StudyRecord& s = **found;
  EXPECT_EQ(s.id, study_);
  EXPECT_EQ(s.space, "K=[2,3,4]");
  EXPECT_EQ(s.strategy, "kind = 'random'");
  EXPECT_EQ(s.direction, Direction::kMaximize);
  EXPECT_EQ(s.seed, std::numeric_limits<std::uint64_t>::max());
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(s.created_at, now, 60.0);  // the database clock, in Unix seconds

  auto again = store_->create_study(make_study("s"));
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  auto missing = store_->find_study("other");
  ASSERT_TRUE(missing.is_ok());
  EXPECT_FALSE(missing->has_value());
  auto other = store_->create_study(make_study("other"));
  ASSERT_TRUE(other.is_ok());
  EXPECT_NE(other->id, study_);
}

TEST_P(StoreConformance, TrialsAreNumberedAndRoundTrip) {
  const space::StateId big = std::numeric_limits<std::uint64_t>::max() - 1;
  const TrialRecord t0 = create(5);
  const TrialRecord t1 = create(big);
  EXPECT_EQ(t0.number, 0);
  EXPECT_EQ(t1.number, 1);
  EXPECT_EQ(t1.state_id, big);
  EXPECT_EQ(t0.state, TrialState::kRunning);
  EXPECT_EQ(t0.params, (std::vector<Param>{{"K", "7"}, {"act", "relu"}}));
  EXPECT_EQ(t0.trajectory, 1u);
  EXPECT_FALSE(t0.remeasure);
  EXPECT_EQ(t0.worker, "host:1");
  EXPECT_EQ(t0.started_at, t0.created_at);
  EXPECT_FALSE(t0.finished_at.has_value());
  EXPECT_FALSE(t0.value.has_value());

  NewTrial again = make_trial(5);
  again.remeasure = true;
  auto t2 = store_->create_trial(study_, again, "s", event_);
  ASSERT_TRUE(t2.is_ok());
  EXPECT_TRUE(t2->remeasure);

  auto all = store_->trials(study_);
  ASSERT_TRUE(all.is_ok());
  ASSERT_EQ(all->size(), 3u);
  for (std::size_t i = 0; i < all->size(); ++i)
    EXPECT_EQ((*all)[i].number, static_cast<std::int64_t>(i));
}

TEST_P(StoreConformance, FinishIsOnceAndFinishedTrialsAreImmutable) {
  const TrialRecord t = create(1);
  ASSERT_TRUE(finish(t.id, complete(12.5), "after").is_ok());
  auto read = store_->trial(t.id);
  ASSERT_TRUE(read.is_ok());
  EXPECT_EQ(read->state, TrialState::kComplete);
  EXPECT_EQ(read->value, 12.5);
  ASSERT_TRUE(read->finished_at.has_value());
  EXPECT_GE(*read->finished_at, read->created_at);

  EXPECT_EQ(finish(t.id, complete(1.0), "x").code(), StatusCode::kConflict);
  EXPECT_EQ(finish(t.id, {TrialState::kFailed, {}, "late", ""}, "x").code(), StatusCode::kConflict);
  EXPECT_EQ(store_->interrupt_trial(t.id).code(), StatusCode::kConflict);
  auto claimed = store_->claim_trial(t.id, "w");
  ASSERT_TRUE(claimed.is_ok());
  EXPECT_FALSE(claimed->has_value());
  auto unchanged = store_->trial(t.id);
  ASSERT_TRUE(unchanged.is_ok());
  EXPECT_EQ(unchanged->value, 12.5);
  auto snap = store_->snapshot(study_);
  ASSERT_TRUE(snap.is_ok() && snap->has_value());
  EXPECT_EQ((*snap)->bytes, "after");  // refused finishes saved no snapshot
}

TEST_P(StoreConformance, FailureKeepsReasonAndLogTail) {
  const TrialRecord t = create(2);
  ASSERT_TRUE(
      finish(t.id, {TrialState::kFailed, std::nullopt, "exit code 1", "Traceback\n..."}, "s")
          .is_ok());
  auto read = store_->trial(t.id);
  ASSERT_TRUE(read.is_ok());
  EXPECT_EQ(read->state, TrialState::kFailed);
  EXPECT_FALSE(read->value.has_value());
  EXPECT_EQ(read->failure_reason, "exit code 1");
  EXPECT_EQ(read->log_tail, "Traceback\n...");
}

TEST_P(StoreConformance, InvalidFinishesAndUnknownIdsAreRefused) {
  const TrialRecord t = create(2);
  EXPECT_EQ(finish(t.id, {TrialState::kComplete, std::nullopt, "", ""}, "s").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(finish(t.id, {TrialState::kRunning, 1.0, "", ""}, "s").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(finish(t.id + 100, complete(1.0), "s").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->interrupt_trial(t.id + 100).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->claim_trial(t.id + 100, "w").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->trial(t.id + 100).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->create_trial(study_ + 100, make_trial(0), "s", 0).status().code(),
            StatusCode::kNotFound);
}

TEST_P(StoreConformance, InterruptedTrialIsClaimedOnceAndKeepsItsNumber) {
  const TrialRecord t = create(3);
  EXPECT_EQ(store_->interrupt_trial(t.id).code(), StatusCode::kOk);
  EXPECT_EQ(store_->interrupt_trial(t.id).code(), StatusCode::kConflict);
  EXPECT_EQ(finish(t.id, complete(1.0), "s").code(), StatusCode::kConflict);
  auto interrupted = store_->trials(study_, TrialState::kInterrupted);
  ASSERT_TRUE(interrupted.is_ok());
  ASSERT_EQ(interrupted->size(), 1u);

  auto first = store_->claim_trial(t.id, "host:2");
  ASSERT_TRUE(first.is_ok() && first->has_value());
  EXPECT_EQ((*first)->state, TrialState::kRunning);
  EXPECT_EQ((*first)->worker, "host:2");
  EXPECT_EQ((*first)->number, t.number);
  EXPECT_EQ(t.attempt, 0);
  EXPECT_EQ((*first)->attempt, 1);
  EXPECT_GE((*first)->started_at, t.created_at);
  auto second = store_->claim_trial(t.id, "host:3");
  ASSERT_TRUE(second.is_ok());
  EXPECT_FALSE(second->has_value());  // lost the race: not an error
  EXPECT_TRUE(finish(t.id, complete(4.0), "s").is_ok());
}

// `qtune retry`: the one way out of a final state is FAILED -> INTERRUPTED, counted in
// retries; the record keeps its number and last failure, and is claimed like any other.
TEST_P(StoreConformance, FailedTrialIsRetriedOnceAndKeepsItsRecord) {
  const TrialRecord t = create(3);
  ASSERT_TRUE(finish(t.id, {TrialState::kFailed, std::nullopt, "node failure", "tail"}).is_ok());
  const TrialRecord done = create(4);
  ASSERT_TRUE(finish(done.id, complete(1.0)).is_ok());
  EXPECT_EQ(store_->retry_trial(done.id).code(), StatusCode::kConflict);  // COMPLETE stays
  EXPECT_EQ(store_->retry_trial(t.id + 100).code(), StatusCode::kNotFound);

  ASSERT_TRUE(store_->retry_trial(t.id).is_ok());
  EXPECT_EQ(store_->retry_trial(t.id).code(), StatusCode::kConflict);  // INTERRUPTED now
  auto reopened = store_->trial(t.id);
  ASSERT_TRUE(reopened.is_ok());
  EXPECT_EQ(reopened->state, TrialState::kInterrupted);
  EXPECT_EQ(reopened->retries, 1);
  EXPECT_EQ(reopened->failure_reason, "node failure");
  EXPECT_EQ(reopened->log_tail, "");
  EXPECT_FALSE(reopened->finished_at.has_value());
  auto counts = store_->count_trials(study_);
  ASSERT_TRUE(counts.is_ok());
  EXPECT_EQ(counts->failed, 0u);
  EXPECT_EQ(counts->run(), 2u);  // the budget counts it once, as before

  auto claimed = store_->claim_trial(t.id, "host:2");
  ASSERT_TRUE(claimed.is_ok() && claimed->has_value());
  EXPECT_EQ((*claimed)->number, t.number);
  EXPECT_EQ((*claimed)->attempt, 1);
  EXPECT_TRUE(finish(t.id, complete(2.0)).is_ok());
  auto after = store_->trial(t.id);
  ASSERT_TRUE(after.is_ok());
  EXPECT_EQ(after->state, TrialState::kComplete);
  EXPECT_EQ(after->retries, 1);
  EXPECT_EQ(store_->retry_trial(t.id).code(), StatusCode::kConflict);
}

// A taken-over trial's start is the earlier run's, set by the worker that runs it now.
TEST_P(StoreConformance, StartOfATakenOverTrialIsSetByItsWorkerOnly) {
  const TrialRecord t = create(1);
  EXPECT_TRUE(store_->set_started_at(t.id, "host:1", 1000.5).is_ok());
  auto read = store_->trial(t.id);
  ASSERT_TRUE(read.is_ok());
  EXPECT_EQ(read->started_at, 1000.5);
  EXPECT_EQ(store_->set_started_at(t.id, "host:9", 2000).code(), StatusCode::kConflict);
  ASSERT_TRUE(finish(t.id, complete(1.0)).is_ok());
  EXPECT_EQ(store_->set_started_at(t.id, "host:1", 2000).code(), StatusCode::kConflict);
  EXPECT_EQ(store_->set_started_at(t.id + 100, "host:1", 2000).code(), StatusCode::kNotFound);
}

TEST_P(StoreConformance, TrialsFilterByState) {
  const TrialRecord a = create(0);
  const TrialRecord b = create(1);
  const TrialRecord c = create(2);
  create(3);
  ASSERT_TRUE(finish(a.id, complete(1.0), "s").is_ok());
  ASSERT_TRUE(finish(b.id, {TrialState::kFailed, {}, "timeout", ""}, "s").is_ok());
  ASSERT_TRUE(store_->interrupt_trial(c.id).is_ok());
  auto count = [&](TrialState s) {
    auto r = store_->trials(study_, s);
    EXPECT_TRUE(r.is_ok());
    return r.is_ok() ? r->size() : 0;
  };
  EXPECT_EQ(count(TrialState::kComplete), 1u);
  EXPECT_EQ(count(TrialState::kFailed), 1u);
  EXPECT_EQ(count(TrialState::kInterrupted), 1u);
  EXPECT_EQ(count(TrialState::kRunning), 1u);
  auto counts = store_->count_trials(study_);
  ASSERT_TRUE(counts.is_ok());
  EXPECT_EQ(counts->complete, 1u);
  EXPECT_EQ(counts->failed, 1u);
  EXPECT_EQ(counts->interrupted, 1u);
  EXPECT_EQ(counts->running, 1u);
  EXPECT_EQ(counts->total(), 4u);
  auto other = store_->create_study(make_study("other"));
  ASSERT_TRUE(other.is_ok());
  auto none = store_->trials(other->id);
  ASSERT_TRUE(none.is_ok());
  EXPECT_TRUE(none->empty());
  auto zero = store_->count_trials(other->id);
  ASSERT_TRUE(zero.is_ok());
  EXPECT_EQ(zero->total(), 0u);
}

TEST_P(StoreConformance, SnapshotFollowsEveryTrialEvent) {
  auto before = store_->snapshot(study_);
  ASSERT_TRUE(before.is_ok());
  EXPECT_FALSE(before->has_value());

  const std::string binary("a\0b\xff", 4);  // opaque bytes, NULs included
  const TrialRecord t = create(0, binary);
  auto s1 = store_->snapshot(study_);
  ASSERT_TRUE(s1.is_ok() && s1->has_value());
  EXPECT_EQ((*s1)->event, 1);
  EXPECT_EQ((*s1)->after_trial, t.id);
  EXPECT_EQ((*s1)->bytes, binary);

  const TrialRecord u = create(1, "two");
  ASSERT_TRUE(finish(t.id, complete(3.0), "three").is_ok());
  ASSERT_TRUE(store_->interrupt_trial(u.id).is_ok());  // no agent event: snapshot unchanged
  auto s3 = store_->snapshot(study_);
  ASSERT_TRUE(s3.is_ok() && s3->has_value());
  EXPECT_EQ((*s3)->event, 3);
  EXPECT_EQ((*s3)->after_trial, t.id);
  EXPECT_EQ((*s3)->bytes, "three");
}

TEST_P(StoreConformance, ConcurrentCreatesGetDistinctNumbers) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10;
  // Each write names the event it read; a writer that lost the race reads again and retries,
  // as a Study does.
  auto guarded = [&](auto write) {
    while (true) {
      auto snap = store_->snapshot(study_);
      EXPECT_TRUE(snap.is_ok());
      if (!snap.is_ok()) return;
      const base::Status s = write(*snap ? (*snap)->event : 0);
      if (s.code() != StatusCode::kConflict) {
        EXPECT_TRUE(s.is_ok()) << s.to_string();
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < kPerThread; ++j) {
        TrialId id = 0;
        guarded([&](std::int64_t event) {
          auto t = store_->create_trial(
              study_, make_trial(static_cast<space::StateId>(i * kPerThread + j)), "s", event);
          if (t.is_ok()) id = t->id;
          return t.status();
        });
        guarded([&](std::int64_t event) {
          return store_->finish_trial(id, complete(1.0), "s", event);
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  auto all = store_->trials(study_);
  ASSERT_TRUE(all.is_ok());
  std::set<std::int64_t> numbers;
  for (const auto& t : *all) {
    numbers.insert(t.number);
    EXPECT_EQ(t.state, TrialState::kComplete);
  }
  EXPECT_EQ(numbers.size(), static_cast<std::size_t>(kThreads * kPerThread));
  EXPECT_EQ(*numbers.rbegin(), kThreads * kPerThread - 1);
  auto snap = store_->snapshot(study_);
  ASSERT_TRUE(snap.is_ok() && snap->has_value());
  EXPECT_EQ((*snap)->event, 2 * kThreads * kPerThread);  // every write applied once
}

TEST_P(StoreConformance, ImportedTrialsAreCompleteKeepTheirSourceAndAreCountedApart) {
  const TrialRecord run = create(0);
  ASSERT_TRUE(finish(run.id, complete(2.0)).is_ok());
  const std::vector<ImportedTrial> imports = {
      {1, {{"K", "3"}, {"act", "relu"}}, 40.25, "/data/FID_Results.csv:1"},
      {2, {{"K", "4"}, {"act", "relu"}}, 30.5, "/data/FID_Results.csv:2"},
  };
  auto stale = store_->import_trials(study_, imports, "stale", 0);
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);  // nothing written

  auto added = store_->import_trials(study_, imports, "after-import", event_);
  ASSERT_TRUE(added.is_ok()) << added.status().to_string();
  ++event_;
  ASSERT_EQ(added->size(), 2u);
  EXPECT_EQ((*added)[0].number, 1);
  EXPECT_EQ((*added)[1].number, 2);
  auto second = store_->trial((*added)[1].id);
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(second->state, TrialState::kComplete);
  EXPECT_EQ(second->value, 30.5);
  EXPECT_EQ(second->source, "/data/FID_Results.csv:2");
  EXPECT_TRUE(second->imported());
  EXPECT_EQ(second->worker, "import");
  EXPECT_EQ(second->state_id, 2u);
  EXPECT_EQ(second->params, imports[1].params);
  EXPECT_TRUE(second->finished_at.has_value());
  auto first_run = store_->trial(run.id);
  ASSERT_TRUE(first_run.is_ok());
  EXPECT_FALSE(first_run->imported());

  auto counts = store_->count_trials(study_);
  ASSERT_TRUE(counts.is_ok());
  EXPECT_EQ(counts->complete, 3u);
  EXPECT_EQ(counts->imported, 2u);
  EXPECT_EQ(counts->run(), 1u);
  auto snap = store_->snapshot(study_);
  ASSERT_TRUE(snap.is_ok() && snap->has_value());
  EXPECT_EQ((*snap)->bytes, "after-import");
  EXPECT_EQ((*snap)->after_trial, (*added)[1].id);
  // Imported trials are finished: immutable like any other.
  EXPECT_EQ(finish((*added)[0].id, complete(1.0)).code(), StatusCode::kConflict);
  // An empty import writes nothing, not even a snapshot.
  auto none = store_->import_trials(study_, {}, "unused", event_);
  ASSERT_TRUE(none.is_ok());
  EXPECT_TRUE(none->empty());
  auto unchanged = store_->snapshot(study_);
  EXPECT_EQ((*unchanged)->bytes, "after-import");
}

TEST_P(StoreConformance, WritesNamingAnOldSnapshotEventAreRefused) {
  const TrialRecord t = create(0, "one");  // event 1
  auto stale = store_->create_trial(study_, make_trial(1), "stale", 0);
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);
  EXPECT_EQ(store_->finish_trial(t.id, complete(1.0), "stale", 0).code(), StatusCode::kConflict);
  EXPECT_EQ(store_->finish_trial(t.id, complete(1.0), "ahead", 2).code(), StatusCode::kConflict);
  auto counts = store_->count_trials(study_);
  ASSERT_TRUE(counts.is_ok());
  EXPECT_EQ(counts->total(), 1u);  // the refused create left no trial
  auto running = store_->trial(t.id);
  ASSERT_TRUE(running.is_ok());
  EXPECT_EQ(running->state, TrialState::kRunning);  // the refused finish changed nothing
  auto snap = store_->snapshot(study_);
  ASSERT_TRUE(snap.is_ok() && snap->has_value());
  EXPECT_EQ((*snap)->event, 1);
  EXPECT_EQ((*snap)->bytes, "one");

  EXPECT_TRUE(store_->finish_trial(t.id, complete(1.0), "two", 1).is_ok());
  auto next = store_->create_trial(study_, make_trial(1), "three", 2);
  ASSERT_TRUE(next.is_ok()) << next.status().to_string();
  auto after = store_->snapshot(study_);
  ASSERT_TRUE(after.is_ok() && after->has_value());
  EXPECT_EQ((*after)->event, 3);
  EXPECT_EQ((*after)->bytes, "three");
}

TEST_P(StoreConformance, HeartbeatOnlyFromTheTrialsWorkerWhileRunning) {
  const TrialRecord t = create(0);  // worker "host:1"
  EXPECT_EQ(t.heartbeat_at, t.started_at);
  ASSERT_TRUE(store_->heartbeat(t.id, "host:1").is_ok());
  auto beaten = store_->trial(t.id);
  ASSERT_TRUE(beaten.is_ok());
  EXPECT_GE(beaten->heartbeat_at, t.heartbeat_at);
  EXPECT_EQ(beaten->started_at, t.started_at);
  EXPECT_EQ(store_->heartbeat(t.id, "host:2").code(), StatusCode::kConflict);
  EXPECT_EQ(store_->heartbeat(t.id + 100, "host:1").code(), StatusCode::kNotFound);

  ASSERT_TRUE(store_->interrupt_trial(t.id).is_ok());
  EXPECT_EQ(store_->heartbeat(t.id, "host:1").code(), StatusCode::kConflict);
  auto claimed = store_->claim_trial(t.id, "host:2");
  ASSERT_TRUE(claimed.is_ok() && claimed->has_value());
  EXPECT_EQ((*claimed)->heartbeat_at, (*claimed)->started_at);
  EXPECT_EQ(store_->heartbeat(t.id, "host:1").code(),
            StatusCode::kConflict);  // the old worker lost it
  EXPECT_TRUE(store_->heartbeat(t.id, "host:2").is_ok());
  ASSERT_TRUE(finish(t.id, complete(1.0)).is_ok());
  EXPECT_EQ(store_->heartbeat(t.id, "host:2").code(), StatusCode::kConflict);
}

TEST_P(StoreConformance, InterruptStaleTakesOnlyRunningTrialsWithOldHeartbeats) {
  const TrialRecord done = create(0);
  const TrialRecord a = create(1);
  const TrialRecord b = create(2);
  ASSERT_TRUE(finish(done.id, complete(1.0)).is_ok());
  // Nothing is an hour old.
  auto none = store_->interrupt_stale(study_, 3600.0);
  ASSERT_TRUE(none.is_ok()) << none.status().to_string();
  EXPECT_TRUE(none->empty());
  // Everything running is older than -1 s (the database clock has moved on by then).
  auto other = store_->create_study(make_study("other"));
  ASSERT_TRUE(other.is_ok());
  auto elsewhere = store_->create_trial(other->id, make_trial(0), "s", 0);
  ASSERT_TRUE(elsewhere.is_ok());
  auto stale = store_->interrupt_stale(study_, -1.0);
  ASSERT_TRUE(stale.is_ok()) << stale.status().to_string();
  EXPECT_EQ(*stale, (std::vector<TrialId>{a.id, b.id}));
  for (const TrialId id : {a.id, b.id}) {
    auto read = store_->trial(id);
    ASSERT_TRUE(read.is_ok());
    EXPECT_EQ(read->state, TrialState::kInterrupted);
  }
  auto finished = store_->trial(done.id);
  ASSERT_TRUE(finished.is_ok());
  EXPECT_EQ(finished->state, TrialState::kComplete);
  auto untouched = store_->trial(elsewhere->id);  // another study's trial
  ASSERT_TRUE(untouched.is_ok());
  EXPECT_EQ(untouched->state, TrialState::kRunning);
  auto again = store_->interrupt_stale(study_, -1.0);
  ASSERT_TRUE(again.is_ok());
  EXPECT_TRUE(again->empty());
}

TEST_P(StoreConformance, WorkersRegisterBeatAndLeavePerStudy) {
  auto other = store_->create_study(make_study("other"));
  ASSERT_TRUE(other.is_ok());
  ASSERT_TRUE(store_->worker_heartbeat(study_, {"w1", "h", 11, "", 0, 0}).is_ok());
  ASSERT_TRUE(store_->worker_heartbeat(study_, {"w0", "h", 10, "7_1", 0, 0}).is_ok());
  ASSERT_TRUE(store_->worker_heartbeat(other->id, {"w0", "g", 12, "", 0, 0}).is_ok());
  auto first = store_->workers(study_);
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  ASSERT_EQ(first->size(), 2u);
  const WorkerRecord w0 = first->at(0);
  EXPECT_EQ(w0.worker, "w0");
  EXPECT_EQ(w0.host, "h");
  EXPECT_EQ(w0.pid, 10);
  EXPECT_EQ(w0.slurm_job, "7_1");
  EXPECT_GT(w0.started_at, 0);
  EXPECT_EQ(w0.heartbeat_at, w0.started_at);
  EXPECT_EQ(first->at(1).worker, "w1");

  // A beat moves heartbeat_at (never back) and keeps started_at.
  ASSERT_TRUE(store_->worker_heartbeat(study_, {"w0", "h", 13, "7_1", 0, 0}).is_ok());
  auto beaten = store_->workers(study_);
  ASSERT_TRUE(beaten.is_ok());
  EXPECT_EQ(beaten->at(0).started_at, w0.started_at);
  EXPECT_GE(beaten->at(0).heartbeat_at, w0.heartbeat_at);
  EXPECT_EQ(beaten->at(0).pid, 13);

  ASSERT_TRUE(store_->remove_worker(study_, "w0").is_ok());
  ASSERT_TRUE(store_->remove_worker(study_, "nobody").is_ok());
  auto left = store_->workers(study_);
  ASSERT_TRUE(left.is_ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->at(0).worker, "w1");
  auto elsewhere = store_->workers(other->id);  // another study's w0 stays
  ASSERT_TRUE(elsewhere.is_ok());
  ASSERT_EQ(elsewhere->size(), 1u);
  EXPECT_EQ(elsewhere->at(0).host, "g");
}

TEST_P(StoreConformance, PrunedTrialKeepsItsLastValueIsFinalAndCountedApart) {
  const TrialRecord t = create(4);
  EXPECT_EQ(finish(t.id, {TrialState::kPruned, std::nullopt, "pruned", ""}).code(),
            StatusCode::kInvalidArgument);  // a pruned trial keeps its last value
  ASSERT_TRUE(finish(t.id, {TrialState::kPruned, 80.5, "pruned at step 3", ""}).is_ok());
  auto read = store_->trial(t.id);
  ASSERT_TRUE(read.is_ok());
  EXPECT_EQ(read->state, TrialState::kPruned);
  EXPECT_EQ(read->value, 80.5);
  EXPECT_EQ(read->failure_reason, "pruned at step 3");
  ASSERT_TRUE(read->finished_at.has_value());
  EXPECT_TRUE(is_finished(read->state));
  EXPECT_EQ(finish(t.id, complete(1.0)).code(), StatusCode::kConflict);
  EXPECT_EQ(store_->interrupt_trial(t.id).code(), StatusCode::kConflict);
  auto claimed = store_->claim_trial(t.id, "w");
  ASSERT_TRUE(claimed.is_ok());
  EXPECT_FALSE(claimed->has_value());
  const TrialRecord done = create(5);
  ASSERT_TRUE(finish(done.id, complete(2.0)).is_ok());
  auto counts = store_->count_trials(study_);
  ASSERT_TRUE(counts.is_ok());
  EXPECT_EQ(counts->pruned, 1u);
  EXPECT_EQ(counts->complete, 1u);
  EXPECT_EQ(counts->failed, 0u);
  EXPECT_EQ(counts->total(), 2u);
  auto pruned = store_->trials(study_, TrialState::kPruned);
  ASSERT_TRUE(pruned.is_ok());
  ASSERT_EQ(pruned->size(), 1u);
  EXPECT_EQ(pruned->front().id, t.id);
}

TEST_P(StoreConformance, MetricComponentsRoundTripWithACompleteTrialOnly) {
  const TrialRecord t = create(1);
  TrialResult result = complete(0.375);
  result.components = {{"fid", 80.25, 1, false},
                       {"alexnet2", 0.8125, 3, true},
                       {"naïve \"name\", 2", -1e-300, 0.5, false}};
  ASSERT_TRUE(finish(t.id, result).is_ok());
  auto read = store_->trial(t.id);
  ASSERT_TRUE(read.is_ok()) << read.status().to_string();
  EXPECT_EQ(read->value, 0.375);
  EXPECT_EQ(read->components, result.components);
  auto listed = store_->trials(study_, TrialState::kComplete);
  ASSERT_TRUE(listed.is_ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().components, result.components);

  const TrialRecord plain = create(2);
  ASSERT_TRUE(finish(plain.id, complete(1.0)).is_ok());
  auto plain_read = store_->trial(plain.id);
  ASSERT_TRUE(plain_read.is_ok());
  EXPECT_TRUE(plain_read->components.empty());

  const TrialRecord bad = create(3);
  const auto refused = [&](TrialResult r) { return finish(bad.id, r).code(); };
  TrialResult failed{TrialState::kFailed, std::nullopt, "exit code 1", ""};
  failed.components = {{"fid", 1, 1, false}};
  EXPECT_EQ(refused(failed), StatusCode::kInvalidArgument);
  TrialResult twice = complete(0.5);
  twice.components = {{"fid", 1, 1, false}, {"fid", 2, 1, false}};
  EXPECT_EQ(refused(twice), StatusCode::kInvalidArgument);
  TrialResult not_finite = complete(0.5);
  not_finite.components = {{"fid", std::numeric_limits<double>::infinity(), 1, false}};
  EXPECT_EQ(refused(not_finite), StatusCode::kInvalidArgument);
  TrialResult no_weight = complete(0.5);
  no_weight.components = {{"fid", 1, 0, false}};
  EXPECT_EQ(refused(no_weight), StatusCode::kInvalidArgument);
  auto still = store_->trial(bad.id);
  ASSERT_TRUE(still.is_ok());
  EXPECT_EQ(still->state, TrialState::kRunning);  // every refusal left it as it was
}

TEST_P(StoreConformance, ProgressIsAppendedInStepOrderOnlyWhileRunning) {
  const TrialRecord a = create(1);
  const TrialRecord b = create(2);
  EXPECT_TRUE(store_->add_progress(a.id, {}).is_ok());
  ASSERT_TRUE(store_->add_progress(a.id, {{1, 9.5}, {2, 8.25}}).is_ok());
  ASSERT_TRUE(store_->add_progress(b.id, {{10, 7.0}}).is_ok());
  ASSERT_TRUE(store_->add_progress(a.id, {{5, 6.0}}).is_ok());
  // A step that does not follow the last stored one, a step repeated within the list and a
  // value that is not finite are refused whole.
  EXPECT_EQ(store_->add_progress(a.id, {{4, 1.0}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->add_progress(a.id, {{6, 1.0}, {6, 2.0}}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->add_progress(a.id, {{7, std::numeric_limits<double>::quiet_NaN()}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->add_progress(a.id + 100, {{1, 1.0}}).code(), StatusCode::kNotFound);
  auto progress = store_->progress(study_);
  ASSERT_TRUE(progress.is_ok()) << progress.status().to_string();
  ASSERT_EQ(progress->size(), 2u);
  EXPECT_EQ((*progress)[0].trial, a.id);
  EXPECT_EQ((*progress)[0].points, (std::vector<ProgressPoint>{{1, 9.5}, {2, 8.25}, {5, 6.0}}));
  EXPECT_EQ((*progress)[1].trial, b.id);
  EXPECT_EQ((*progress)[1].points, (std::vector<ProgressPoint>{{10, 7.0}}));

  // Finished: no more progress, what it had is kept.
  ASSERT_TRUE(finish(a.id, {TrialState::kPruned, 6.0, "pruned", ""}).is_ok());
  EXPECT_EQ(store_->add_progress(a.id, {{9, 1.0}}).code(), StatusCode::kConflict);
  // Interrupted and claimed again: the new attempt starts without the old one's progress.
  ASSERT_TRUE(store_->interrupt_trial(b.id).is_ok());
  EXPECT_EQ(store_->add_progress(b.id, {{11, 1.0}}).code(), StatusCode::kConflict);
  auto claimed = store_->claim_trial(b.id, "w2");
  ASSERT_TRUE(claimed.is_ok() && claimed->has_value());
  ASSERT_TRUE(store_->add_progress(b.id, {{1, 3.0}}).is_ok());
  progress = store_->progress(study_);
  ASSERT_TRUE(progress.is_ok());
  ASSERT_EQ(progress->size(), 2u);
  EXPECT_EQ((*progress)[0].points.size(), 3u);
  EXPECT_EQ((*progress)[1].points, (std::vector<ProgressPoint>{{1, 3.0}}));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance,
                         ::testing::Values(Backend{"SqliteFile", true},
                                           Backend{"SqliteMemory", false},
                                           Backend{"Postgres", false, true}),
                         [](const ::testing::TestParamInfo<Backend>& param) {
                           return param.param.name;
                         });

}  // namespace
}  // namespace qtune::store
