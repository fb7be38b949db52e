#include "support/slurm_cluster.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <mutex>

#include "support/run_process.h"

namespace qtune::testing {

std::string start_slurm_cluster() {
  static std::once_flag once;
  static std::string conf;
  std::call_once(once, [] {
    const ProcessResult started = run_process({(source_dir() / "scripts/start-slurm").string()});
    constexpr std::string_view kExport = "export SLURM_CONF=";
    const std::size_t at = started.out.rfind(kExport);
    if (started.exit_code != 0 || at == std::string::npos) {
      ADD_FAILURE() << "scripts/start-slurm failed (exit " << started.exit_code << "):\n"
                    << started.out << started.err;
      return;
    }
    conf = started.out.substr(at + kExport.size());
    conf = conf.substr(0, conf.find('\n'));
    ::setenv("SLURM_CONF", conf.c_str(), 1);
  });
  return conf;
}

}  // namespace qtune::testing
