// ProgressReader: a running trial's intermediate values ([trial] progress), read while it runs.
//
// Each read() goes on from where the last one stopped (the file's offset), reads at most
// kProgressReadBytes, and parses only whole lines (ended by '\n' or '\r'): a line the trial is
// still writing, or was killed while writing, is never read as a value. Nothing a trial writes
// can stall or crash qtune: a line longer than kProgressMaxLineBytes is skipped, regexes are
// RE2's, JSON is nested at most 64 levels deep.
//
// What is not a usable point is counted, never an error (ProgressCounts): a value that is not a
// finite number (NaN, inf), a step that is not an integer, a step that does not follow the last
// one read (a restarted loop, a second curve), an unparsable JSON line. A file that shrank (the
// trial truncated or rewrote it) is read again from its start; its steps that do not follow the
// last one read are then counted as going backwards.
//
// Not thread-safe; one reader per running trial.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/base/progress_point.h"
#include "qtune/base/status.h"
#include "qtune/exec/executor.h"
#include "qtune/exec/trial_config.h"

namespace qtune::exec {

// The most one read() takes from the file; the rest waits for the next call.
inline constexpr std::size_t kProgressReadBytes = std::size_t{1} << 20;
// A longer line is skipped (counted in ProgressCounts::long_lines).
inline constexpr std::size_t kProgressMaxLineBytes = std::size_t{64} << 10;

struct ProgressCounts {
  std::size_t points = 0;      // usable points returned
  std::size_t not_finite = 0;  // a value that is NaN or infinite
  std::size_t backwards = 0;   // a step not larger than the last one
  std::size_t unparsable = 0;  // a match whose step or value is not a number, a bad JSON line
  std::size_t long_lines = 0;  // lines over kProgressMaxLineBytes
  std::size_t ignored() const { return not_finite + backwards + unparsable + long_lines; }
};

class ProgressReader {
 public:
  // `file`: where the trial writes its progress (progress_file()).
  ProgressReader(const ProgressSource& source, std::filesystem::path file);
  ~ProgressReader();
  ProgressReader(ProgressReader&&) noexcept;
  ProgressReader& operator=(ProgressReader&&) noexcept;

  // The usable points written since the last call, in step order (steps increasing).
  std::vector<ProgressPoint> read();
  const ProgressCounts& counts() const;
  // Bytes read so far (of whole lines and the partial one kept); for a "never matched" check.
  std::uint64_t bytes_read() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Where a trial's progress is read from: its stdout.log for a regex, the expanded jsonl path
// (relative to the trial's workdir) for JSON lines.
std::filesystem::path progress_file(const TrialConfig& config, const TrialSpec& spec);

// OK when `pattern` is usable as [trial] progress.regex: RE2 compiles it and it has exactly two
// capture groups (step, value); else kInvalidArgument "what is wrong; what would be right".
base::Status check_progress_regex(std::string_view pattern);

}  // namespace qtune::exec
