// SQLite specifics of the store: the URL forms, WAL, the versioned schema, persistence
// across connections, and the races between two connections (as between two processes).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "qtune/store/open_store.h"
#include "store/sqlite/schema.h"
#include "support/temp_dir.h"

namespace qtune::store {
namespace {

using base::StatusCode;

// Reads one value with the plain sqlite3 API, beside the store (an independent reader).
std::string query_text(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  std::string out;
  if (sqlite3_step(stmt) == SQLITE_ROW)
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

int exec(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(file.c_str(), &db);
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(db);
  return rc;
}

StudyRecord study(std::string name) {
  StudyRecord s;
  s.name = std::move(name);
  s.space = "K=[1,2]";
  s.strategy = "kind = 'grid'";
  return s;
}

TEST(Direction, NamesParseBackAndOthersAreRefused) {
  EXPECT_EQ(parse_direction("minimize").value(), Direction::kMinimize);
  EXPECT_EQ(parse_direction("maximize").value(), Direction::kMaximize);
  EXPECT_EQ(direction_name(Direction::kMaximize), "maximize");
  auto bad = parse_direction("min");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().message(),
            "direction \"min\" is unknown; use \"minimize\" or \"maximize\"");
}

TEST(OpenStore, UrlForms) {
  struct Case {
    std::string url;
    StatusCode code;
    std::string message_part;
  };
  const Case cases[] = {
      {"sqlite://:memory:", StatusCode::kOk, ""},
      {"postgresql://127.0.0.1:1/qtune", StatusCode::kUnavailable, "host 127.0.0.1 port 1,"},
      {"mysql://x", StatusCode::kInvalidArgument, "unknown scheme"},
      {"study.db", StatusCode::kInvalidArgument, "unknown scheme"},
      {"sqlite://", StatusCode::kInvalidArgument, "no database path"},
      {"sqlite:///nonexistent-folder-qtune/x.db", StatusCode::kIoError, "cannot open"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.url);
    auto store = open_store(c.url);
    EXPECT_EQ(store.status().code(), c.code) << store.status().to_string();
    EXPECT_NE(store.status().message().find(c.message_part), std::string::npos)
        << store.status().message();
  }
}

TEST(OpenStore, RelativePathIsRelativeToTheCurrentDirectory) {
  testing::TempDir dir;
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  {
    auto store = open_store("sqlite://rel.db");
    EXPECT_TRUE(store.is_ok()) << store.status().to_string();
  }
  std::filesystem::current_path(cwd);
  EXPECT_TRUE(std::filesystem::exists(dir / "rel.db"));
}

TEST(SqliteStore, FileIsWalWithCurrentSchemaAndPersists) {
  testing::TempDir dir;
  const auto file = dir / "s.db";
  StudyId id = 0;
  {
    auto store = open_store("sqlite://" + file.string());
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    auto s = (*store)->create_study(study("a"));
    ASSERT_TRUE(s.is_ok());
    id = s->id;
    auto t = (*store)->create_trial(id, {3, {{"K", "2"}}, 0, false, "w"}, "snap", 0);
    ASSERT_TRUE(t.is_ok());
    ASSERT_TRUE(
        (*store)->finish_trial(t->id, {TrialState::kComplete, 0.5, "", ""}, "snap2", 1).is_ok());
  }
  EXPECT_EQ(query_text(file, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query_text(file, "PRAGMA user_version"), std::to_string(sqlite::kMigrations.size()));
  EXPECT_EQ(query_text(file, "SELECT value FROM trials"), "0.5");

  auto reopened = open_store("sqlite://" + file.string());
  ASSERT_TRUE(reopened.is_ok());
  auto trials = (*reopened)->trials(id);
  ASSERT_TRUE(trials.is_ok());
  ASSERT_EQ(trials->size(), 1u);
  EXPECT_EQ((*trials)[0].value, 0.5);
  auto snap = (*reopened)->snapshot(id);
  ASSERT_TRUE(snap.is_ok() && snap->has_value());
  EXPECT_EQ((*snap)->bytes, "snap2");
}

TEST(SqliteStore, AFileOfSchemaVersionOneIsMigrated) {
  testing::TempDir dir;
  const auto file = dir / "old.db";
  const std::string v1 = std::string(sqlite::kMigrations[0]) +
                         "INSERT INTO studies VALUES (1, 'a', 's', 'g', 'minimize', 0, 0);"
                         "INSERT INTO trials (study_id, number, state_id, params, trajectory, "
                         "remeasure, state, worker,"
                         " created_at, started_at) VALUES (1, 0, 3, '[[\"K\",\"2\"]]', 0, 0, "
                         "'INTERRUPTED', 'w', 0, 0);"
                         "PRAGMA user_version = 1;";
  ASSERT_EQ(exec(file, v1), SQLITE_OK);
  auto store = open_store("sqlite://" + file.string());
  ASSERT_TRUE(store.is_ok()) << store.status().to_string();
  EXPECT_EQ(query_text(file, "PRAGMA user_version"), std::to_string(sqlite::kMigrations.size()));
  auto old = (*store)->trial(1);
  ASSERT_TRUE(old.is_ok()) << old.status().to_string();
  EXPECT_EQ(old->heartbeat_at, old->started_at);  // no heartbeat yet: read as its start
  EXPECT_TRUE(old->components.empty());           // migration 7: no metric components
  auto claimed = (*store)->claim_trial(1, "w2");
  ASSERT_TRUE(claimed.is_ok() && claimed->has_value()) << claimed.status().to_string();
  EXPECT_EQ((*claimed)->attempt, 1);
  EXPECT_GT((*claimed)->heartbeat_at, 0.0);
  EXPECT_TRUE((*store)->heartbeat(1, "w2").is_ok());
  EXPECT_EQ((*claimed)->params, (std::vector<Param>{{"K", "2"}}));
  EXPECT_EQ((*claimed)->source, "");  // a trial qtune ran
}

TEST(SqliteStore, NewerSchemaIsRefused) {
  testing::TempDir dir;
  const auto file = dir / "s.db";
  ASSERT_TRUE(open_store("sqlite://" + file.string()).is_ok());
  ASSERT_EQ(exec(file, "PRAGMA user_version = 99"), SQLITE_OK);
  auto store = open_store("sqlite://" + file.string());
  EXPECT_EQ(store.status().code(), StatusCode::kCorrupt);
  EXPECT_NE(store.status().message().find("newer"), std::string::npos) << store.status().message();
}

TEST(SqliteStore, NotADatabaseIsCorrupt) {
  testing::TempDir dir;
  const auto file = dir.write("junk.db", std::string(4096, 'x'));
  auto store = open_store("sqlite://" + file.string());
  EXPECT_EQ(store.status().code(), StatusCode::kCorrupt) << store.status().to_string();
}

TEST(SqliteStore, FinishedTrialsAreImmutableEvenBehindTheStoresBack) {
  testing::TempDir dir;
  const auto file = dir / "s.db";
  auto store = open_store("sqlite://" + file.string());
  ASSERT_TRUE(store.is_ok());
  auto s = (*store)->create_study(study("a"));
  ASSERT_TRUE(s.is_ok());
  auto t = (*store)->create_trial(s->id, {0, {}, 0, false, "w"}, "", 0);
  ASSERT_TRUE(t.is_ok());
  ASSERT_TRUE((*store)->finish_trial(t->id, {TrialState::kComplete, 1.0, "", ""}, "", 1).is_ok());
  EXPECT_EQ(exec(file, "UPDATE trials SET value = 2"), SQLITE_CONSTRAINT);
  EXPECT_EQ(query_text(file, "SELECT value FROM trials"), "1.0");
}

TEST(SqliteStore, TwoConnectionsRaceForOneClaimAndOneFinish) {
  testing::TempDir dir;
  const std::string url = "sqlite://" + (dir / "s.db").string();
  auto a = open_store(url);
  auto b = open_store(url);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  auto s = (*a)->create_study(study("a"));
  ASSERT_TRUE(s.is_ok());
  EXPECT_EQ((*b)->create_study(study("a")).status().code(), StatusCode::kAlreadyExists);
  auto t = (*a)->create_trial(s->id, {0, {}, 0, false, "w"}, "", 0);
  ASSERT_TRUE(t.is_ok());
  ASSERT_TRUE((*b)->interrupt_trial(t->id).is_ok());
  auto claim_a = (*a)->claim_trial(t->id, "a");
  auto claim_b = (*b)->claim_trial(t->id, "b");
  ASSERT_TRUE(claim_a.is_ok() && claim_b.is_ok());
  EXPECT_TRUE(claim_a->has_value());
  EXPECT_FALSE(claim_b->has_value());
  EXPECT_TRUE((*b)->finish_trial(t->id, {TrialState::kComplete, 1.0, "", ""}, "", 1).is_ok());
  EXPECT_EQ((*a)->finish_trial(t->id, {TrialState::kComplete, 2.0, "", ""}, "", 2).code(),
            StatusCode::kConflict);
}

// The README's worker array: every task opens the same new file at the same moment. Turning
// a new file to WAL needs its exclusive lock, and SQLite answers a second connection that
// holds a shared lock "busy" at once, without its busy timeout (that wait could deadlock);
// the store retries. Eight connections, twenty new files: every open succeeds.
TEST(SqliteStore, ConnectionsOpeningOneNewFileAtOnceAllSucceed) {
  testing::TempDir dir;
  for (int round = 0; round < 20; ++round) {
    const std::string url = "sqlite://" + (dir / ("s" + std::to_string(round) + ".db")).string();
    std::atomic<int> ready = 0;
    std::vector<std::string> errors(8);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < errors.size(); ++i) {
      threads.emplace_back([&, i] {
        ++ready;
        while (ready.load() < static_cast<int>(errors.size())) std::this_thread::yield();
        auto store = open_store(url);
        if (!store.is_ok()) errors[i] = store.status().message();
      });
    }
    for (std::thread& t : threads) t.join();
    for (const std::string& e : errors) EXPECT_EQ(e, "") << "round " << round;
  }
}

// The threshold on a backdated clock: one trial's heartbeat set 100 s into the past.
TEST(SqliteStore, InterruptStaleTakesTheTrialWhoseHeartbeatIsOlderThanTheLimit) {
  testing::TempDir dir;
  const auto file = dir / "s.db";
  auto store = open_store("sqlite://" + file.string());
  ASSERT_TRUE(store.is_ok());
  auto s = (*store)->create_study(study("a"));
  ASSERT_TRUE(s.is_ok());
  auto old = (*store)->create_trial(s->id, {0, {}, 0, false, "dead"}, "", 0);
  auto fresh = (*store)->create_trial(s->id, {1, {}, 0, false, "live"}, "", 1);
  ASSERT_TRUE(old.is_ok() && fresh.is_ok());
  ASSERT_EQ(exec(file, "UPDATE trials SET heartbeat_at = heartbeat_at - 100 WHERE id = " +
                           std::to_string(old->id)),
            SQLITE_OK);
  auto stale = (*store)->interrupt_stale(s->id, 50.0);
  ASSERT_TRUE(stale.is_ok()) << stale.status().to_string();
  EXPECT_EQ(*stale, (std::vector<TrialId>{old->id}));
  auto kept = (*store)->trial(fresh->id);
  ASSERT_TRUE(kept.is_ok());
  EXPECT_EQ(kept->state, TrialState::kRunning);
  // A heartbeat keeps a trial off the list however old its start is.
  ASSERT_EQ(exec(file, "UPDATE trials SET started_at = started_at - 100 WHERE id = " +
                           std::to_string(fresh->id)),
            SQLITE_OK);
  ASSERT_TRUE((*store)->heartbeat(fresh->id, "live").is_ok());
  auto none = (*store)->interrupt_stale(s->id, 50.0);
  ASSERT_TRUE(none.is_ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace qtune::store
