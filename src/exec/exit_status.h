// The exit status file a trial's wrapper script leaves in its trial directory when the
// program ends on its own (the Slurm executor's job.sh, the local executor's wrapper).
// Private to exec.
//
// exit_status holds one line: "exit=N" (the program exited with N <= 128), "signal=N" (the
// shell reported 128+N: killed by signal N) or "launch" (the program was not found). It is
// written to exit_status.tmp and renamed, so a reader never sees half of it.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

namespace qtune::exec::detail {

inline constexpr std::string_view kExitStatusFile = "exit_status";

struct RecordedEnd {
  enum class Kind { kExit, kSignal, kLaunch };
  Kind kind = Kind::kExit;
  int value = 0;  // the exit status or signal number
};

// nullopt for text that is not one of the three forms.
std::optional<RecordedEnd> parse_exit_status(std::string_view text);

// The files a trial's wrapper leaves are stamped by the file system's clock; a taken-over
// trial's real start (executor.h, TakenOver) is read from them.
// Seconds since `path` was last written; nullopt when it does not exist.
std::optional<double> file_age_seconds(const std::filesystem::path& path);
// Now, in seconds since the Unix epoch.
double unix_seconds_now();

}  // namespace qtune::exec::detail
