// The built-in metric source of `qtune run`: [trial] metric = { builtin = "fid", ... } is
// computed by the metrics engine (metrics::FolderScorer), which exec reaches only through
// this function (exec does not build its own image code).
#pragma once

#include "qtune/exec/trial_config.h"

namespace qtune::cli {

// One scorer for the whole run: the reference folder's statistics are computed once.
exec::BuiltinMetricFunction builtin_metric_function();

}  // namespace qtune::cli
