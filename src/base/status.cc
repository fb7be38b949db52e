#include "qtune/base/status.h"

#include <fmt/format.h>

namespace qtune::base {

std::string_view status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "invalid argument";
    case StatusCode::kNotFound:
      return "not found";
    case StatusCode::kAlreadyExists:
      return "already exists";
    case StatusCode::kIoError:
      return "I/O error";
    case StatusCode::kCorrupt:
      return "corrupt";
    case StatusCode::kConflict:
      return "conflict";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kInternal:
      return "internal error";
    case StatusCode::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

Status Status::with_context(std::string_view context) const {
  if (is_ok()) return *this;
  return {code_, fmt::format("{}: {}", context, message_)};
}

std::string Status::to_string() const {
  if (is_ok()) return "OK";
  return fmt::format("{}: {}", status_code_name(code_), message_);
}

ErrorKind error_kind(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return ErrorKind::kNone;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kCorrupt:
      return ErrorKind::kBadInput;
    case StatusCode::kConflict:
      return ErrorKind::kConflict;
    case StatusCode::kCancelled:
      return ErrorKind::kInterrupted;
    case StatusCode::kIoError:
    case StatusCode::kUnavailable:
    case StatusCode::kInternal:
      return ErrorKind::kFailure;
  }
  return ErrorKind::kFailure;
}

ExitCode exit_code(StatusCode code) {
  switch (error_kind(code)) {
    case ErrorKind::kNone:
      return kExitOk;
    case ErrorKind::kBadInput:
      return kExitUsage;
    case ErrorKind::kInterrupted:
      return kExitInterrupted;
    case ErrorKind::kConflict:
    case ErrorKind::kFailure:
      return kExitFailure;
  }
  return kExitFailure;
}

}  // namespace qtune::base
