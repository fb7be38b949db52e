// PostgreSQL-specific behaviour of the store, against the project's test server: several
// connections racing on one study, what one connection writes read back through another,
// connection errors and the reconnect, hostile values. The contract itself is checked by
// store_conformance_test.cc.
#include "store/postgres/postgres_store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <barrier>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "qtune/store/open_store.h"
#include "support/postgres_server.h"

namespace qtune::store {
namespace {

using base::StatusCode;

std::unique_ptr<Store> open_or_fail(const std::string& url) {
  auto opened = open_store(url);
  EXPECT_TRUE(opened.is_ok()) << opened.status().to_string();
  return opened.is_ok() ? std::move(opened).value() : nullptr;
}

StudyRecord make_study(std::string name) {
  StudyRecord s;
  s.name = std::move(name);
  s.space = "x=[0,1,2]";
  s.strategy = "kind = 'random'";
  s.seed = 7;
  return s;
}

NewTrial make_trial(space::StateId state, std::string worker) {
  return NewTrial{state, {{"x", std::to_string(state)}}, 0, false, std::move(worker)};
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = open_or_fail(schema_.url());
    b_ = open_or_fail(schema_.url());
    ASSERT_TRUE(a_ && b_);
    auto created = a_->create_study(make_study("s"));
    ASSERT_TRUE(created.is_ok()) << created.status().to_string();
    study_ = created->id;
  }

  testing::PostgresSchema schema_;
  std::unique_ptr<Store> a_;  // two connections to one store, as two workers have
  std::unique_ptr<Store> b_;
  StudyId study_ = 0;
};

// Workers on several connections create trials through the snapshot guard, as Study does:
// read the latest event, create; on kConflict read again. Numbers stay consecutive and
// every creation is one snapshot event.
TEST_F(PostgresStoreTest, RacingConnectionsGetConsecutiveNumbersAndOrderedEvents) {
  constexpr int kWorkers = 4;
  constexpr int kPerWorker = 8;
  std::vector<std::unique_ptr<Store>> stores;
  for (int w = 0; w < kWorkers; ++w) stores.push_back(open_or_fail(schema_.url()));
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&, w] {
      Store& store = *stores[static_cast<std::size_t>(w)];
      for (int made = 0; made < kPerWorker;) {
        auto snap = store.snapshot(study_);
        ASSERT_TRUE(snap.is_ok()) << snap.status().to_string();
        const std::int64_t event = snap->has_value() ? (*snap)->event : 0;
        auto t = store.create_trial(
            study_, make_trial(static_cast<space::StateId>(made), "w" + std::to_string(w)),
            "after " + std::to_string(event + 1), event);
        if (t.is_ok()) {
          ++made;
        } else {
          ASSERT_EQ(t.status().code(), StatusCode::kConflict) << t.status().to_string();
          ++conflicts;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  auto all = a_->trials(study_);
  ASSERT_TRUE(all.is_ok());
  ASSERT_EQ(all->size(), static_cast<std::size_t>(kWorkers * kPerWorker));
  for (std::size_t i = 0; i < all->size(); ++i)
    EXPECT_EQ((*all)[i].number, static_cast<std::int64_t>(i));
  auto snap = b_->snapshot(study_);
  ASSERT_TRUE(snap.is_ok() && snap->has_value());
  EXPECT_EQ((*snap)->event, kWorkers * kPerWorker);
  EXPECT_EQ((*snap)->bytes, "after " + std::to_string(kWorkers * kPerWorker));
  EXPECT_EQ((*snap)->after_trial, all->back().id);
}

// Two connections claim the same interrupted trial at the same moment: exactly one wins.
TEST_F(PostgresStoreTest, RacingClaimsHaveExactlyOneWinner) {
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    auto t =
        a_->create_trial(study_, make_trial(static_cast<space::StateId>(round), "w"), "s", round);
    ASSERT_TRUE(t.is_ok()) << t.status().to_string();
    ASSERT_TRUE(a_->interrupt_trial(t->id).is_ok());
    std::barrier start(2);
    std::atomic<int> winners{0};
    std::string winner;
    auto claim = [&](Store& store, const std::string& worker) {
      start.arrive_and_wait();
      auto claimed = store.claim_trial(t->id, worker);
      ASSERT_TRUE(claimed.is_ok()) << claimed.status().to_string();
      if (claimed->has_value()) {
        ++winners;
        winner = (*claimed)->worker;
      }
    };
    std::thread first(claim, std::ref(*a_), "a");
    std::thread second(claim, std::ref(*b_), "b");
    first.join();
    second.join();
    ASSERT_EQ(winners.load(), 1) << "round " << round;
    auto read = b_->trial(t->id);
    ASSERT_TRUE(read.is_ok());
    EXPECT_EQ(read->state, TrialState::kRunning);
    EXPECT_EQ(read->worker, winner);
    EXPECT_EQ(read->attempt, 1);
  }
}

void expect_same_trial(const TrialRecord& x, const TrialRecord& y) {
  EXPECT_EQ(x.id, y.id);
  EXPECT_EQ(x.study, y.study);
  EXPECT_EQ(x.number, y.number);
  EXPECT_EQ(x.state_id, y.state_id);
  EXPECT_EQ(x.params, y.params);
  EXPECT_EQ(x.trajectory, y.trajectory);
  EXPECT_EQ(x.remeasure, y.remeasure);
  EXPECT_EQ(x.state, y.state);
  EXPECT_EQ(x.value, y.value);
  EXPECT_EQ(x.failure_reason, y.failure_reason);
  EXPECT_EQ(x.log_tail, y.log_tail);
  EXPECT_EQ(x.worker, y.worker);
  EXPECT_EQ(x.attempt, y.attempt);
  EXPECT_EQ(x.created_at, y.created_at);
  EXPECT_EQ(x.started_at, y.started_at);
  EXPECT_EQ(x.finished_at, y.finished_at);
  EXPECT_EQ(x.heartbeat_at, y.heartbeat_at);
}

// Hostile text everywhere a value goes: quotes, semicolons, SQL comments, backslashes and
// non-ASCII in names and parameters; bytes that are not UTF-8 (NUL included) in the
// failure reason, log tail and snapshot. Written through one connection, read back
// identically through another.
TEST_F(PostgresStoreTest, HostileValuesRoundTripThroughAnotherConnection) {
  const std::string evil = "x'); DROP TABLE trials; --\\\"$1 ; é ∂";
  StudyRecord study = make_study(evil);
  study.space = evil + "\n[space]";
  study.strategy = "kind = '" + evil + "'";
  study.direction = Direction::kMaximize;
  study.seed = 0xFFFF'FFFF'FFFF'FFFFULL;
  auto created = a_->create_study(study);
  ASSERT_TRUE(created.is_ok()) << created.status().to_string();
  auto found = b_->find_study(evil);
  ASSERT_TRUE(found.is_ok() && found->has_value()) << found.status().to_string();
  EXPECT_EQ((*found)->id, created->id);
  EXPECT_EQ((*found)->name, evil);
  EXPECT_EQ((*found)->space, study.space);
  EXPECT_EQ((*found)->strategy, study.strategy);
  EXPECT_EQ((*found)->direction, Direction::kMaximize);
  EXPECT_EQ((*found)->seed, study.seed);
  EXPECT_EQ((*found)->created_at, created->created_at);

  const NewTrial trial{
      0xFFFF'FFFF'FFFF'FFFEULL, {{"a'b", evil}, {"c;d", "--"}}, 3, true, "host'; --:1"};
  const std::string bytes("\0\xff\xfe'\\;", 6);
  auto t = a_->create_trial(created->id, trial, bytes, 0);
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  EXPECT_TRUE(a_->heartbeat(t->id, trial.worker).is_ok());
  const TrialResult failed{TrialState::kFailed, std::nullopt, "reason " + bytes, "tail\n" + bytes};
  ASSERT_TRUE(a_->finish_trial(t->id, failed, bytes + bytes, 1).is_ok());

  auto x = a_->trial(t->id);
  auto y = b_->trial(t->id);
  ASSERT_TRUE(x.is_ok() && y.is_ok());
  expect_same_trial(*x, *y);
  EXPECT_EQ(y->params, trial.params);
  EXPECT_EQ(y->state_id, trial.state_id);
  EXPECT_EQ(y->trajectory, 3u);
  EXPECT_TRUE(y->remeasure);
  EXPECT_EQ(y->worker, trial.worker);
  EXPECT_EQ(y->failure_reason, failed.failure_reason);
  EXPECT_EQ(y->log_tail, failed.log_tail);
  auto listed = b_->trials(created->id, TrialState::kFailed);
  ASSERT_TRUE(listed.is_ok());
  ASSERT_EQ(listed->size(), 1u);
  expect_same_trial((*listed)[0], *x);
  auto snap = b_->snapshot(created->id);
  ASSERT_TRUE(snap.is_ok() && snap->has_value());
  EXPECT_EQ((*snap)->bytes, bytes + bytes);
  EXPECT_EQ((*snap)->event, 2);
  // The tables are all still there.
  auto counts = b_->count_trials(study_);
  ASSERT_TRUE(counts.is_ok()) << counts.status().to_string();
  EXPECT_EQ(counts->total(), 0u);
}

TEST_F(PostgresStoreTest, CompleteValuesRoundTripExactly) {
  const double values[] = {0.1, 1.0 / 3.0, -2.5e-300, 1.7976931348623157e308, 12345678.901234567};
  std::int64_t event = 0;
  for (const double v : values) {
    auto t = a_->create_trial(study_, make_trial(0, "w"), "s", event++);
    ASSERT_TRUE(t.is_ok());
    ASSERT_TRUE(a_->finish_trial(t->id, {TrialState::kComplete, v, "", ""}, "s", event++).is_ok());
    auto read = b_->trial(t->id);
    ASSERT_TRUE(read.is_ok());
    EXPECT_EQ(read->value, v);
  }
}

// Processes that open a store on an empty database at the same moment all succeed: the
// schema is created once, under the advisory lock.
TEST(PostgresSchemaCreation, ConcurrentOpensOfAnEmptySchemaAllSucceed) {
  testing::PostgresSchema schema;
  constexpr int kOpeners = 4;
  std::barrier start(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      auto opened = open_store(schema.url());
      EXPECT_TRUE(opened.is_ok()) << opened.status().to_string();
    });
  }
  for (auto& t : threads) t.join();
  auto store = open_or_fail(schema.url());
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->create_study(make_study("s")).is_ok());
}

TEST(PostgresOpen, UnreachableServerNamesHostAndPortNotThePassword) {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  auto opened = open_store("postgresql://qtune:s3cret-pw@127.0.0.1:1/qtune");
  ASSERT_FALSE(opened.is_ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kUnavailable);
  const std::string& message = opened.status().message();
  EXPECT_NE(message.find("host 127.0.0.1 port 1,"), std::string::npos) << message;
  EXPECT_NE(message.find("database \"qtune\""), std::string::npos) << message;
  EXPECT_EQ(message.find("s3cret-pw"), std::string::npos) << message;
}

TEST(PostgresOpen, WrongDatabaseNamesIt) {
  const std::string url = testing::postgres_url();
  auto opened = open_store(url.substr(0, url.rfind('/')) + "/no_such_db");
  ASSERT_FALSE(opened.is_ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(opened.status().message().find("no_such_db"), std::string::npos)
      << opened.status().message();
}

TEST(PostgresOpen, BadUrlsAreRefusedWithTheForms) {
  // libpq checks values only when it connects: unavailable, with its reason.
  auto port = open_store("postgresql://qtune:pw@127.0.0.1:notaport/qtune");
  ASSERT_FALSE(port.is_ok());
  EXPECT_EQ(port.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(port.status().message().find("notaport"), std::string::npos) << port.status().message();
  EXPECT_EQ(port.status().message().find("pw@"), std::string::npos) << port.status().message();

  auto option = open_store("postgresql://127.0.0.1/qtune?no_such_option=1");
  ASSERT_FALSE(option.is_ok());
  EXPECT_EQ(option.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(option.status().message().find("no_such_option"), std::string::npos)
      << option.status().message();

  for (const std::string bad :
       {"postgresql:nothing", "postgresql:host = 1 =", "postgresql://[::1"}) {
    auto refused = open_store(bad);
    ASSERT_FALSE(refused.is_ok()) << bad;
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(refused.status().message().find("postgresql://user:password@host:port/database"),
              std::string::npos)
        << refused.status().message();
  }

  auto scheme = open_store("mysql://x");
  EXPECT_EQ(scheme.status().code(), StatusCode::kInvalidArgument);
  // A mistyped scheme is not opened, and its message does not show the password either.
  auto typo = open_store("postgresq://qtune:s3cret@db/qtune");
  EXPECT_EQ(typo.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(typo.status().message().find("s3cret"), std::string::npos) << typo.status().message();
  EXPECT_NE(typo.status().message().find("postgresq://qtune:***@db/qtune"), std::string::npos)
      << typo.status().message();
}

TEST(PostgresOpen, RedactPasswordHidesOnlyThePassword) {
  EXPECT_EQ(redact_password("postgresql://user:pw@db1:5432/qtune"),
            "postgresql://user:***@db1:5432/qtune");
  EXPECT_EQ(redact_password("postgres://u:p:w@h/d?password=x&port=1"),
            "postgres://u:***@h/d?password=***&port=1");
  EXPECT_EQ(redact_password("postgresql://user@h/d"), "postgresql://user@h/d");
  EXPECT_EQ(redact_password("postgresql://h/d?user=a@b"), "postgresql://h/d?user=a@b");
  EXPECT_EQ(redact_password("postgresql:host=h password='a b' dbname=d"),
            "postgresql:host=h password=*** dbname=d");
  EXPECT_EQ(redact_password("postgresql:password=secret"), "postgresql:password=***");
  EXPECT_EQ(redact_password("sqlite:///tmp/password=x.db"), "sqlite:///tmp/password=x.db");
  EXPECT_EQ(redact_password("mysql://u:pw@h/d"), "mysql://u:***@h/d");
  // Issue 11: a malformed URL's password is all hidden: it runs to the last '@', whatever
  // it holds, with or without the scheme's slashes.
  EXPECT_EQ(redact_password("postgresql://u:se/cr@et?x@h/d"), "postgresql://u:***@h/d");
  EXPECT_EQ(redact_password("postgresql://u:secret@[::1:5433/db"),
            "postgresql://u:***@[::1:5433/db");
  EXPECT_EQ(redact_password("postgresql:/u:secret@h/d"), "postgresql:/u:***@h/d");
  EXPECT_EQ(redact_password("postgres:u:secret@h/d"), "postgres:u:***@h/d");
}

// A study's storage formats as its shown form everywhere a message names it.
TEST(PostgresOpen, StorageUrlFormatsWithoutThePassword) {
  const StorageUrl storage("postgresql://user:pw@db1/qtune?password=pw2");
  EXPECT_EQ(storage.url(), "postgresql://user:pw@db1/qtune?password=pw2");
  EXPECT_EQ(fmt::format("store {}.", storage),
            "store postgresql://user:***@db1/qtune?password=***.");
  EXPECT_EQ(fmt::format("{}", StorageUrl("sqlite:///a/b.db")), "sqlite:///a/b.db");
}

TEST(PostgresOpen, KeywordValueAndShortSchemeReachTheSameStore) {
  testing::PostgresSchema schema;
  auto first = open_or_fail(schema.url());
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->create_study(make_study("kv")).is_ok());
  const std::string url = testing::postgres_url();
  const std::string port = url.substr(url.rfind(':') + 1, url.rfind('/') - url.rfind(':') - 1);
  for (const std::string& other :
       {"postgresql:host=127.0.0.1 port=" + port +
            " user=qtune password=qtune dbname=qtune options=-csearch_path=" + schema.name(),
        "postgres://qtune:qtune@127.0.0.1:" + port + "/qtune?options=-csearch_path%3D" +
            schema.name()}) {
    auto store = open_or_fail(other);
    ASSERT_TRUE(store);
    auto found = store->find_study("kv");
    ASSERT_TRUE(found.is_ok() && found->has_value()) << other;
  }
}

// The server ends the store's connection (as a restart or a network cut would): the next
// call reconnects once and succeeds. When the database is gone, the reconnect fails with
// an error naming the server.
TEST(PostgresReconnect, ALostConnectionIsReopenedOnceThenReported) {
  const std::string db = "qtune_reconnect_" + std::to_string(::getpid());
  ASSERT_TRUE(testing::postgres_exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)"));
  ASSERT_TRUE(testing::postgres_exec("CREATE DATABASE " + db));
  const std::string url = testing::postgres_url();
  auto opened = postgres::PostgresStore::open(url.substr(0, url.rfind('/') + 1) + db);
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  postgres::PostgresStore& store = **opened;
  auto study = store.create_study(make_study("s"));
  ASSERT_TRUE(study.is_ok());

  const int first_backend = store.backend_pid();
  ASSERT_TRUE(
      testing::postgres_exec("SELECT pg_terminate_backend(" + std::to_string(first_backend) + ")"));
  auto t = store.create_trial(study->id, make_trial(1, "w"), "s",
                              0);  // a write: its transaction runs again
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  EXPECT_NE(store.backend_pid(), first_backend);
  ASSERT_TRUE(testing::postgres_exec("SELECT pg_terminate_backend(" +
                                     std::to_string(store.backend_pid()) + ")"));
  auto read = store.trials(study->id, std::nullopt);  // a read
  ASSERT_TRUE(read.is_ok()) << read.status().to_string();
  EXPECT_EQ(read->size(), 1u);

  ASSERT_TRUE(testing::postgres_exec("DROP DATABASE " + db + " WITH (FORCE)"));
  auto gone = store.trials(study->id, std::nullopt);
  ASSERT_FALSE(gone.is_ok());
  EXPECT_EQ(gone.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(gone.status().message().find("could not reconnect"), std::string::npos)
      << gone.status().message();
  EXPECT_NE(gone.status().message().find(db), std::string::npos) << gone.status().message();
}

// A read-only store stays read-only across a reconnect (a new session forgets SET SESSION).
TEST(PostgresReconnect, AReadOnlyStoreStaysReadOnlyAfterAReconnect) {
  const std::string url = testing::postgres_url();
  auto writer = postgres::PostgresStore::open(url);
  ASSERT_TRUE(writer.is_ok()) << writer.status().to_string();
  auto opened = postgres::PostgresStore::open_read_only(url);
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  postgres::PostgresStore& reader = **opened;
  ASSERT_TRUE(testing::postgres_exec("SELECT pg_terminate_backend(" +
                                     std::to_string(reader.backend_pid()) + ")"));
  const std::string name = "ro_" + std::to_string(::getpid());
  auto created = reader.create_study(make_study(name));
  EXPECT_FALSE(created.is_ok());
  EXPECT_NE(created.status().message().find("read-only"), std::string::npos)
      << created.status().message();
  auto found = (*writer)->find_study(name);
  ASSERT_TRUE(found.is_ok());
  EXPECT_FALSE(found->has_value());
}

}  // namespace
}  // namespace qtune::store
