// wait_any_by_polling: Executor::wait_any() for an executor whose poll() never blocks (the
// local and the Slurm executor): poll() every `step` until a trial finished, nothing runs,
// or `limit` passed. Private to exec.
#pragma once

#include <vector>

#include "qtune/base/duration.h"
#include "qtune/exec/executor.h"

namespace qtune::exec {

std::vector<FinishedTrial> wait_any_by_polling(Executor& executor, base::Duration limit,
                                               base::Duration step);

}  // namespace qtune::exec
