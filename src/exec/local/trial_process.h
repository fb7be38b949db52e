// A local trial's process as a later qtune finds it: the record the trial leaves in its
// directory, whether that process still lives, and how its program ended. Private to
// exec/local.
//
// The process qtune spawns for a trial forks the program (no shell: its argv as given),
// waits for it and, when the program ends on its own, writes <trial dir>/exit_status
// (exec/exit_status.h) like the Slurm executor's job.sh; stopped by qtune (SIGTERM) it
// records nothing (exec/process.h). Before that the spawned process writes <trial dir>/process:
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

// gethostname(), or "localhost".
std::string this_host();

// "host=H\ncommand=C\n": the part of a record qtune knows before the child exists.
std::string record_tail(const std::vector<std::string>& argv, const std::filesystem::path& workdir);

// nullopt when the file is missing or not a record.
std::optional<ProcessRecord> read_process_record(const std::filesystem::path& trial_dir);

// True when the recorded process runs: this host, the pid exists and is no zombie, and it
// started when the record says (a reused pid starts later).
bool is_alive(const ProcessRecord& record);

// The recorded end in <trial dir>/exit_status; nullopt when there is none or it is unreadable.
std::optional<RecordedEnd> recorded_end(const std::filesystem::path& trial_dir);

// From the process record's creation to the exit status's (file times); 0 without both.
base::Duration recorded_run_time(const std::filesystem::path& trial_dir);

}  // namespace qtune::exec::detail
