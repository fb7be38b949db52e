// StudyRecord: what the store keeps about a study itself. The space and strategy texts are
// canonical descriptions of the study file's [space] and [strategy] (written by the study
// module); a study reopened with different ones is refused, since its trials and agent
// snapshot would no longer mean the same configurations.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "qtune/base/result.h"

namespace qtune::store {

using StudyId = std::int64_t;

// Whether the metric is minimised or maximised. Stored values are always the raw metric.
enum class Direction { kMinimize, kMaximize };

// "minimize" | "maximize".
std::string_view direction_name(Direction direction);
// kInvalidArgument for anything else, naming the valid values.
base::Result<Direction> parse_direction(std::string_view text);

struct StudyRecord {
  StudyId id = 0;        // assigned by the store
  std::string name;      // unique within a store
  std::string space;     // canonical [space] text (fingerprint, compared on resume)
  std::string strategy;  // canonical [strategy] text (fingerprint, compared on resume)
  Direction direction = Direction::kMinimize;
  std::uint64_t seed = 0;
  double created_at = 0;  // seconds since the Unix epoch, database clock; set by the store
};

}  // namespace qtune::store
