// A local trial's process as a later qtune finds it: the record the trial leaves in its
// directory, whether that process still lives, and the wrapper that records how the trial's
// program ended. Private to exec/local.
//
// Every local trial runs as
//   /bin/sh -c <kWrapperScript> <trial dir>/exit_status <the trial's argv...>
// The wrapper runs the argv as "$@" (its words are never parsed by a shell), waits for it
// and, when the program ends on its own, writes exit_status (exit/exec/exit_status.h) like
// the Slurm executor's job.sh; when the wrapper gets SIGTERM (qtune stopping the trial) it
// records nothing. Before exec the child writes <trial dir>/process:
//   pid=P  start=S (/proc/P/stat field 22)  pgid=G  host=H  command=C (argv and workdir hash)
// one per line. A trial handed out again finds its earlier process through that record.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exec/exit_status.h"
#include "qtune/base/duration.h"

namespace qtune::exec::detail {

inline constexpr std::string_view kProcessFile = "process";

struct ProcessRecord {
  pid_t pid = 0;
  unsigned long long start_ticks = 0;
  pid_t pgid = 0;
  std::string host;
  std::string command;
};

// The whole file; nullopt when it cannot be read.
std::optional<std::string> read_file_text(const std::filesystem::path& path);

// gethostname(), or "localhost".
std::string this_host();

// "host=H\ncommand=C\n": the part of a record qtune knows before the child exists.
std::string record_tail(const std::vector<std::string>& argv, const std::filesystem::path& workdir);

// nullopt when the file is missing or not a record.
std::optional<ProcessRecord> read_process_record(const std::filesystem::path& trial_dir);

// True when the recorded process runs: this host, the pid exists and is no zombie, and it
// started when the record says (a reused pid starts later).
bool is_alive(const ProcessRecord& record);

// The wrapper's argv around `argv`.
std::vector<std::string> wrapped_argv(const std::filesystem::path& trial_dir,
                                      const std::vector<std::string>& argv);

// The recorded end in <trial dir>/exit_status; nullopt when there is none or it is unreadable.
std::optional<RecordedEnd> recorded_end(const std::filesystem::path& trial_dir);

// From the process record's creation to the exit status's (file times); 0 without both.
base::Duration recorded_run_time(const std::filesystem::path& trial_dir);

// Where argv[0] would be executed from: empty when found and executable; otherwise the
// OS's reason ("No such file or directory"). A path with '/' is relative to `workdir`,
// a bare name is looked up in PATH of `env` (NAME=value entries).
std::string program_problem(const std::string& program, const std::filesystem::path& workdir,
                            const std::vector<std::string>& env);

}  // namespace qtune::exec::detail
