#include "support/fid_inputs.h"

#include <cmath>
#include <string>
#include <vector>

namespace qtune::testing {

void make_grey_pngs(const std::filesystem::path& folder, std::size_t count, int seed) {
  run_reference_script("stats_paired.py", {"make", folder.string(), std::to_string(count), "28",
                                           "28", "L", std::to_string(seed)});
}

double pytorch_fid(const std::filesystem::path& a, const std::filesystem::path& b,
                   std::size_t dims) {
  const ProcessResult r = run_reference_script(
      "stats_pytorch_fid.py", {"fid", a.string(), b.string(), fid_inception_weights().string(),
                               std::to_string(dims), "50", "0"});
  const std::string prefix = "FID:  ";
  EXPECT_EQ(r.out.rfind(prefix, 0), 0u) << r.out;
  return r.out.rfind(prefix, 0) == 0 ? std::stod(r.out.substr(prefix.size())) : std::nan("");
}

ProcessResult run_qtune_fid_command(const std::string& command,
                                    const std::vector<std::string>& args) {
  std::vector<std::string> argv = {qtune_cli(), command};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(),
              {"--weights", fid_inception_weights().string(), "--dims", "64", "--no-cache"});
  return run_process(argv);
}

}  // namespace qtune::testing
