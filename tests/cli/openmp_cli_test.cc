// qtune's OpenMP waits passively (qtune/metrics/threads.h): the process restarts itself with
// OMP_WAIT_POLICY=passive when the user set none, and its trials do not inherit it. libgomp
// shows what it read with OMP_DISPLAY_ENV=verbose: GOMP_SPINCOUNT is 0 when passive.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/run_process.h"
#include "support/temp_dir.h"

namespace qtune::testing {
namespace {

// The spin count libgomp reports last (the restarted process reports after the first).
std::string last_spin_count(const std::string& err) {
  const std::size_t at = err.rfind("GOMP_SPINCOUNT = '");
  if (at == std::string::npos) return "absent";
  const std::size_t begin = at + 18;
  return err.substr(begin, err.find('\'', begin) - begin);
}

TEST(PassiveOpenMp, QtuneRestartsWithPassiveWaitingUnlessTheUserChose) {
  const auto passive = run_process({qtune_cli(), "--version"}, {}, {"OMP_DISPLAY_ENV=verbose"});
  ASSERT_EQ(passive.exit_code, 0) << passive.err;
  EXPECT_EQ(passive.out, "qtune 0.1.0\n");
  EXPECT_EQ(last_spin_count(passive.err), "0") << passive.err;
  const auto active = run_process({qtune_cli(), "--version"}, {},
                                  {"OMP_DISPLAY_ENV=verbose", "OMP_WAIT_POLICY=active"});
  ASSERT_EQ(active.exit_code, 0) << active.err;
  EXPECT_NE(last_spin_count(active.err), "0") << active.err;
}

// What one trial's command sees of the two variables, with `env` given to qtune.
std::string trial_environment(const std::vector<std::string>& env) {
  TempDir dir;
  dir.write("t.sh",
            "echo \"${OMP_WAIT_POLICY-unset} ${QTUNE_PASSIVE_OPENMP-unset}\" > env.txt\n"
            "echo FID: 1\n");
  const auto study = dir.write("study.toml", R"([study]
name = "t"
[space]
x = { values = [1] }
[strategy]
kind = "grid"
[trial]
command = ["sh", "t.sh"]
)");
  const auto run = run_process({qtune_cli(), "run", study.string()}, dir.path(), env);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  return read_file(dir / "env.txt");
}

TEST(PassiveOpenMp, TrialsDoNotInheritThePolicy) {
  EXPECT_EQ(trial_environment({}), "unset unset\n");
  EXPECT_EQ(trial_environment({"OMP_WAIT_POLICY=active"}), "active unset\n");
}

}  // namespace
}  // namespace qtune::testing
