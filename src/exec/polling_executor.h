// PollingExecutor: an Executor whose poll() never blocks (the local and the Slurm executor);
// wait_any() polls every `step` until a trial finished, nothing runs, or `limit` passed.
// Private to exec.
#pragma once

#include <vector>

#include "qtune/base/duration.h"
#include "qtune/exec/executor.h"

namespace qtune::exec {

class PollingExecutor : public Executor {
 public:
  std::vector<FinishedTrial> wait_any(base::Duration limit) final;

 protected:
  explicit PollingExecutor(base::Duration step) : step_(step) {}

 private:
  base::Duration step_;
};

}  // namespace qtune::exec
