#include "exec/exit_status.h"

#include <charconv>
#include <chrono>
#include <fstream>

#include "base/text_file.h"
#include "exec/local/trial_process.h"
#include "exec/slurm/slurm_job.h"

namespace qtune::exec::detail {
namespace {

std::optional<int> number(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace

std::optional<double> file_age_seconds(const std::filesystem::path& path) {
  std::error_code error;
  const auto written = std::filesystem::last_write_time(path, error);
  if (error) return std::nullopt;
  return std::chrono::duration<double>(std::filesystem::file_time_type::clock::now() - written)
      .count();
}

double unix_seconds_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<RecordedEnd> parse_exit_status(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  if (text == "launch") return RecordedEnd{RecordedEnd::Kind::kLaunch, 127};
  const std::size_t eq = text.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  const std::string_view kind = text.substr(0, eq);
  const std::optional<int> value = number(text.substr(eq + 1));
  if (!value) return std::nullopt;
  if (kind == "exit") return RecordedEnd{RecordedEnd::Kind::kExit, *value};
  if (kind == "signal") return RecordedEnd{RecordedEnd::Kind::kSignal, *value};
  return std::nullopt;
}

}  // namespace qtune::exec::detail

namespace qtune::exec {

void forget_recorded_end(const std::filesystem::path& trial_dir) {
  std::error_code ignored;
  std::filesystem::remove(trial_dir / detail::kExitStatusFile, ignored);
  std::filesystem::remove(trial_dir / detail::kProcessFile, ignored);
  if (const auto job = base::read_small_file(trial_dir / detail::kJobIdFile))
    std::ofstream(trial_dir / detail::kCancelledFile, std::ios::trunc) << *job;
}

}  // namespace qtune::exec
