// How trial and study fields are encoded in SQL columns, shared by the SQLite and
// PostgreSQL stores so that both keep the same data the same way (schema.h of each).
#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/store/store.h"

namespace qtune::store {

// 64-bit unsigned numbers (state ids, seeds) as the signed 64-bit integer with the same bits.
inline std::int64_t to_sql(std::uint64_t v) { return std::bit_cast<std::int64_t>(v); }
inline std::uint64_t from_sql(std::int64_t v) { return std::bit_cast<std::uint64_t>(v); }

// params: a JSON array of [name, value] pairs, in dimension order.
std::string params_to_json(const std::vector<Param>& params);
// kCorrupt (naming trial id `trial`) for anything else.
base::Result<std::vector<Param>> params_from_json(const std::string& text, std::int64_t trial);

// components: a JSON array of {"name", "value", "weight", "maximize"} objects, in the order
// of the study file's combine; "[]" without.
std::string components_to_json(const std::vector<MetricComponent>& components);
// kCorrupt (naming trial id `trial`) for anything else.
base::Result<std::vector<MetricComponent>> components_from_json(const std::string& text,
                                                                std::int64_t trial);

// kInvalidArgument unless `result` is a COMPLETE or PRUNED with a value, or a FAILED: the only
// finishes.
base::Status check_finish(TrialId trial, const TrialResult& result);
// kInvalidArgument unless every value is finite and the steps increase, after `last_step`
// (the trial's last stored step) when there is one.
base::Status check_progress(TrialId trial, std::optional<std::int64_t> last_step,
                            const std::vector<ProgressPoint>& points);
// kConflict: `action` ("finish", "interrupt") refused because `t` is not RUNNING.
base::Status not_running(const TrialRecord& t, std::string_view action);
// kConflict: retry_trial refused because `t` is not FAILED.
base::Status not_failed(const TrialRecord& t);
// kConflict: a write expected the study's snapshot at `expected_event`, it is at `event`.
base::Status snapshot_moved(StudyId study, std::int64_t event, std::int64_t expected_event);
// kConflict: a heartbeat from `worker` for RUNNING trial `t`, which another worker runs now.
base::Status heartbeat_from_other_worker(const TrialRecord& t, std::string_view worker);

}  // namespace qtune::store
