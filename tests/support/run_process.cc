#include "support/run_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "support/temp_dir.h"

extern char** environ;

namespace qtune::testing {

ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::filesystem::path& workdir,
                          const std::vector<std::string>& env) {
  TempDir capture;
  const std::string out_path = (capture / "out").string();
  const std::string err_path = (capture / "err").string();

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  if (!workdir.empty()) posix_spawn_file_actions_addchdir_np(&actions, workdir.c_str());

  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  env_strings.insert(env_strings.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (auto& s : args) cargv.push_back(s.data());
  cargv.push_back(nullptr);

  pid_t pid = 0;
  int rc = posix_spawnp(&pid, cargv[0], &actions, nullptr, cargv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  ProcessResult result;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

ProcessResult run_reference_script(const std::string& script,
                                   const std::vector<std::string>& args) {
  std::vector<std::string> argv = {QTUNE_PYTHON,
                                   (source_dir() / "tests/reference" / script).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  // PyTorch's OpenMP waits passively unless the test's environment chose: beside another
  // test on two cores, spinning barriers slow both.
  std::vector<std::string> env;
  if (std::getenv("OMP_WAIT_POLICY") == nullptr) env.emplace_back("OMP_WAIT_POLICY=passive");
  ProcessResult r = run_process(argv, {}, env);
  if (r.exit_code != 0) ADD_FAILURE() << script << " failed (" << r.exit_code << "):\n" << r.err;
  return r;
}

std::string qtune_cli() { return QTUNE_CLI; }
std::filesystem::path source_dir() { return QTUNE_SOURCE_DIR; }

}  // namespace qtune::testing
