// Status: the outcome of a fallible operation, as a value (no exceptions cross module
// boundaries). Cheap when OK. A non-OK status carries a code and a message of the form
// "where: what is wrong; what would be right".
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace qtune::base {

// Stable codes: persisted in logs and mapped to CLI exit codes; append only.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad input from the user (config, flag, file content)
  kNotFound,
  kAlreadyExists,
  kIoError,
  kCorrupt,      // a file that does not parse or violates its format
  kConflict,     // a state transition lost a race or was refused (finished trial)
  kUnavailable,  // a service (database, scheduler) cannot be reached
  kInternal,
  kCancelled,  // stopped on request (Ctrl-C)
};

std::string_view status_code_name(StatusCode code);

// What kind of error a code is, for whoever reports it: the qtune command's exit code
// (exit_code below) and the Python exception class (python/errors.cc) both follow it, so
// the same error exits alike from every command and raises alike from Python.
enum class ErrorKind {
  kNone,         // kOk
  kBadInput,     // the user's input: a flag, a study file, a path, a file's content
  kConflict,     // refused by the state of a study or trial (a race lost, a finished trial)
  kInterrupted,  // stopped on request (Ctrl-C, SIGTERM)
  kFailure,      // anything else at run time: I/O, database, scheduler, computation
};
ErrorKind error_kind(StatusCode code);

// The exit codes of `qtune` (README "Exit codes"); scripts depend on them.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,        // a runtime failure (I/O, database, metric computation)
  kExitUsage = 2,          // bad flags, bad study file, bad input
  kExitNoSuccess = 3,      // the study finished with no successful trial
  kExitInterrupted = 130,  // stopped by SIGINT/SIGTERM; running it again resumes
};
// kExitOk, kExitUsage for kBadInput, kExitInterrupted for kInterrupted, else kExitFailure
// (a conflict is a failure of the run, not of its input).
ExitCode exit_code(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }
  static Status invalid_argument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status not_found(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status already_exists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status io_error(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status corrupt(std::string m) { return {StatusCode::kCorrupt, std::move(m)}; }
  static Status conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes context on the way up ("study.toml: " + message); never replaces it.
  Status with_context(std::string_view context) const;
  // "<code name>: <message>", or "OK".
  std::string to_string() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace qtune::base

// Returns the status of `expr` from the enclosing function if it is not OK.
#define QTUNE_RETURN_IF_ERROR(expr)                   \
  do {                                                \
    ::qtune::base::Status qtune_status_ = (expr);     \
    if (!qtune_status_.is_ok()) return qtune_status_; \
  } while (false)
