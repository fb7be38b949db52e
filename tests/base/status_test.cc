#include <gtest/gtest.h>

#include "base/seed.h"
#include "qtune/base/result.h"

namespace qtune::base {
namespace {

Result<int> parse_positive(int x) {
  if (x <= 0) return Status::invalid_argument("x must be > 0");
  return x;
}

Status twice(int x, int& out) {
  QTUNE_ASSIGN_OR_RETURN(int v, parse_positive(x));
  out = 2 * v;
  return Status::ok();
}

TEST(Status, ContextIsPrefixedNotReplaced) {
  Status s = Status::not_found("no such folder").with_context("study.toml:3");
  EXPECT_EQ(s.message(), "study.toml:3: no such folder");
  EXPECT_EQ(s.to_string(), "not found: study.toml:3: no such folder");
  EXPECT_TRUE(Status::ok().with_context("x").is_ok());
}

// One mapping for every command: bad input exits 2, a stop 130, anything else at run time 1.
TEST(Status, ExitCodeFollowsTheErrorKind) {
  EXPECT_EQ(exit_code(StatusCode::kOk), kExitOk);
  for (const StatusCode code : {StatusCode::kInvalidArgument, StatusCode::kNotFound,
                                StatusCode::kAlreadyExists, StatusCode::kCorrupt}) {
    EXPECT_EQ(error_kind(code), ErrorKind::kBadInput) << status_code_name(code);
    EXPECT_EQ(exit_code(code), kExitUsage) << status_code_name(code);
  }
  for (const StatusCode code : {StatusCode::kIoError, StatusCode::kUnavailable,
                                StatusCode::kInternal, StatusCode::kConflict}) {
    EXPECT_EQ(exit_code(code), kExitFailure) << status_code_name(code);
  }
  EXPECT_EQ(error_kind(StatusCode::kConflict), ErrorKind::kConflict);
  EXPECT_EQ(exit_code(StatusCode::kCancelled), kExitInterrupted);
}

TEST(Result, AssignOrReturnPropagates) {
  int out = 0;
  EXPECT_TRUE(twice(4, out).is_ok());
  EXPECT_EQ(out, 8);
  Status s = twice(-1, out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out, 8);
}

TEST(Seed, StreamsDifferByComponentAndIndexAndAreStable) {
  EXPECT_NE(derive_seed(0, "agent", 0), derive_seed(0, "agent", 1));
  EXPECT_NE(derive_seed(0, "agent", 0), derive_seed(0, "replay", 0));
  EXPECT_NE(derive_seed(0, "agent", 0), derive_seed(1, "agent", 0));
  EXPECT_EQ(derive_seed(7, "agent", 3), derive_seed(7, "agent", 3));
  EXPECT_EQ(mix64(0), 0xe220a8397b1dcdafULL);  // SplitMix64's first output for state 0
}

}  // namespace
}  // namespace qtune::base
