#include "base/names.h"
#include "qtune/exec/executor.h"

namespace qtune::exec {
namespace {

constexpr base::Names<FailureReason, 9> kNames{{{{FailureReason::kNone, "none"},
                                                 {FailureReason::kExitCode, "exit_code"},
                                                 {FailureReason::kSignal, "signal"},
                                                 {FailureReason::kTimeout, "timeout"},
                                                 {FailureReason::kNoMetric, "no_metric"},
                                                 {FailureReason::kNotFinite, "not_finite"},
                                                 {FailureReason::kLaunch, "launch"},
                                                 {FailureReason::kInterrupted, "interrupted"},
                                                 {FailureReason::kPruned, "pruned"}}}};

}  // namespace

std::string_view failure_reason_name(FailureReason reason) { return kNames.name(reason); }

}  // namespace qtune::exec
