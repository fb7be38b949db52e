#include "base/process_stat.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "base/text_file.h"

namespace qtune::base {
namespace {

double ticks_per_second() { return static_cast<double>(::sysconf(_SC_CLK_TCK)); }

}  // namespace

std::optional<ProcessStat> parse_process_stat(const char* text, std::size_t size) {
  // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
  // stime cutime cstime priority nice threads itrealvalue starttime ...": comm may hold
  // spaces and parentheses, so the fields after it start after the last ')'.
  std::size_t close = size;
  for (std::size_t i = 0; i < size; ++i)
    if (text[i] == ')') close = i;
  if (close == size) return std::nullopt;
  ProcessStat stat;
  unsigned long long pid = 0;
  for (std::size_t i = 0; i < size && text[i] >= '0' && text[i] <= '9'; ++i)
    pid = pid * 10 + static_cast<unsigned long long>(text[i] - '0');
  stat.pid = static_cast<pid_t>(pid);
  // Fields 3.. are separated by single spaces; field 3 is the state.
  int field = 2;
  unsigned long long value = 0;
  bool in_number = false;
  for (std::size_t i = close + 1; i < size && field <= 22; ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\n') {
      if (in_number) {
        if (field == 4) stat.ppid = static_cast<pid_t>(value);
        if (field == 5) stat.pgid = static_cast<pid_t>(value);
        if (field == 22) stat.start_ticks = value;
      }
      ++field;
      value = 0;
      in_number = false;
      continue;
    }
    if (field == 3) {
      stat.state = c;
    } else if (c >= '0' && c <= '9') {
      value = value * 10 + static_cast<unsigned long long>(c - '0');
      in_number = true;
    }
  }
  if (field <= 22 || stat.pid <= 0) return std::nullopt;
  return stat;
}

std::optional<ProcessStat> live_process(pid_t pid) {
  const std::string text = read_small_file("/proc/" + std::to_string(pid) + "/stat").value_or("");
  const std::optional<ProcessStat> stat = parse_process_stat(text.data(), text.size());
  if (!stat || stat->state == 'Z' || stat->state == 'X') return std::nullopt;
  return stat;
}

double process_start_time(unsigned long long start_ticks) {
  const std::string text = read_small_file("/proc/stat").value_or("");
  const std::size_t at = text.find("\nbtime ");
  if (at == std::string::npos) return 0;
  const double boot = std::strtod(text.c_str() + at + 7, nullptr);
  return boot + static_cast<double>(start_ticks) / ticks_per_second();
}

double process_age_seconds(unsigned long long start_ticks) {
  const std::string text = read_small_file("/proc/uptime").value_or("");
  if (text.empty()) return 0;
  const double up = std::strtod(text.c_str(), nullptr);
  return std::max(0.0, up - static_cast<double>(start_ticks) / ticks_per_second());
}

}  // namespace qtune::base
