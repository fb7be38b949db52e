// A process as /proc/<pid>/stat shows it: enough to tell whether a recorded process still
// runs (a pid is reused by a process that started later). Private to base, for every part.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>

namespace qtune::base {

struct ProcessStat {
  pid_t pid = 0;
  char state = '?';  // 'Z': a zombie (ended, not yet reaped), 'X': dead
  pid_t ppid = 0;
  pid_t pgid = 0;
  unsigned long long start_ticks = 0;  // field 22: clock ticks after boot
};

// Parses the text of /proc/<pid>/stat; nullopt if it is not one. Async-signal-safe.
std::optional<ProcessStat> parse_process_stat(const char* text, std::size_t size);

// /proc/<pid>/stat of a process that exists and has not ended (no zombie); nullopt otherwise.
std::optional<ProcessStat> live_process(pid_t pid);

// Seconds since the epoch at which a process with this start time started (boot time from
// /proc/stat plus start_ticks); 0 if unknown.
double process_start_time(unsigned long long start_ticks);

// Seconds since a process with this start time started (/proc/uptime); 0 if unknown.
double process_age_seconds(unsigned long long start_ticks);

}  // namespace qtune::base
