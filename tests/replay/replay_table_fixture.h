// Test helper: a replay table parsed from CSV texts with the objective in column "y".
#pragma once

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "qtune/replay/replay.h"

namespace qtune::testing {

// A parse error is reported as a test failure with its message before the check aborts.
inline replay::ReplayTable parse_replay_table(const std::vector<replay::TableText>& tables) {
  auto table = replay::ReplayTable::parse(tables, {"y", {}, std::nullopt, std::nullopt});
  EXPECT_TRUE(table.is_ok()) << table.status().to_string();
  return std::move(table).value();
}

}  // namespace qtune::testing
