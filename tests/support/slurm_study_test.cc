#include "support/slurm_study_test.h"

#include "support/slurm_cluster.h"

namespace qtune::testing {

std::string text_of(const std::filesystem::path& path) {
  return std::filesystem::exists(path) ? read_file(path) : "";
}

void SlurmStudyTest::SetUp() { ASSERT_FALSE(start_slurm_cluster().empty()); }

ProcessResult SlurmStudyTest::qtune(std::vector<std::string> args) const {
  args.insert(args.begin(), qtune_cli());
  return run_process(args, dir_.path());
}

void SlurmStudyTest::write_gated_script() const {
  dir_.write("t.sh",
             "echo \"start $1\" >> runs.log\n"
             "while [ ! -e go ]; do sleep 0.1; done\necho FID: $1\n");
}

std::string SlurmStudyTest::queued(const std::vector<std::string>& jobs) {
  std::string ids;
  for (const std::string& job : jobs) ids += (ids.empty() ? "" : ",") + job;
  return run_process({"squeue", "--noheader", "--format=%i", "--sort=i", "--jobs=" + ids}).out;
}

}  // namespace qtune::testing
