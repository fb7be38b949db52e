// Helpers shared by the bench programs that measure qtune against a reference script in
// the same run (bench_inception, bench_table_networks, bench_metrics_io).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace qtune::bench {

// Runs tests/reference/<script> ARGS with Debian's python3 and returns its stdout; a failed
// script ends the program (exit 1) with a line naming `program` and the command.
inline std::string run_reference_script(const char* program, const std::string& script,
                                        const std::string& args) {
  const std::filesystem::path reference =
      std::filesystem::path(__FILE__).parent_path().parent_path() / "tests" / "reference";
  const std::string command = "/usr/bin/python3 '" + (reference / script).string() + "' " + args;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {};
  std::string out;
  char buffer[256];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  if (pclose(pipe) != 0) {
    std::fprintf(stderr, "%s: '%s' failed\n", program, command.c_str());
    std::exit(1);
  }
  return out;
}

// The value after `name` on the command line, else `fallback`.
inline std::string option(int argc, char** argv, const std::string& name,
                          const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return fallback;
}

}  // namespace qtune::bench
