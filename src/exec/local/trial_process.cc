#include "exec/local/trial_process.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>

#include "base/process_stat.h"
#include "base/text_file.h"

namespace qtune::exec::detail {
namespace {

template <typename T>
bool parse_number(std::string_view text, T& value) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

// FNV-1a over the words, each ended by a NUL.
std::string command_fingerprint(const std::vector<std::string>& words) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const std::string& word : words) {
    for (const char c : word) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    hash = hash * 1099511628211ull;
  }
  return fmt::format("{:016x}", hash);
}

}  // namespace

std::string this_host() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) return "localhost";
  return host;
}

std::string record_tail(const std::vector<std::string>& argv,
                        const std::filesystem::path& workdir) {
  std::vector<std::string> words = argv;
  words.push_back(workdir.string());
  return fmt::format("host={}\ncommand={}\n", this_host(), command_fingerprint(words));
}

std::optional<ProcessRecord> read_process_record(const std::filesystem::path& trial_dir) {
  const std::optional<std::string> text = base::read_small_file(trial_dir / kProcessFile);
  if (!text) return std::nullopt;
  ProcessRecord record;
  int fields = 0;
  std::string_view rest(*text);
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, eq);
    const std::string_view value = line.substr(eq + 1);
    if (key == "pid" && parse_number(value, record.pid)) ++fields;
    if (key == "start" && parse_number(value, record.start_ticks)) ++fields;
    if (key == "pgid" && parse_number(value, record.pgid)) ++fields;
    if (key == "host") record.host = value, ++fields;
    if (key == "command") record.command = value, ++fields;
  }
  if (fields != 5 || record.pid <= 0) return std::nullopt;
  return record;
}

bool is_alive(const ProcessRecord& record) {
  if (record.host != this_host()) return false;
  const std::optional<base::ProcessStat> stat = base::live_process(record.pid);
  return stat && stat->start_ticks == record.start_ticks;
}

std::optional<RecordedEnd> recorded_end(const std::filesystem::path& trial_dir) {
  const std::optional<std::string> text = base::read_small_file(trial_dir / kExitStatusFile);
  if (!text) return std::nullopt;
  return parse_exit_status(*text);
}

base::Duration recorded_run_time(const std::filesystem::path& trial_dir) {
  std::error_code error;
  const auto started = std::filesystem::last_write_time(trial_dir / kProcessFile, error);
  if (error) return base::Duration{0};
  const auto ended = std::filesystem::last_write_time(trial_dir / kExitStatusFile, error);
  if (error) return base::Duration{0};
  return std::max(base::Duration{0}, std::chrono::duration_cast<base::Duration>(ended - started));
}

}  // namespace qtune::exec::detail
