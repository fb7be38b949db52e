#include "qtune/base/status.h"

#include <fmt/format.h>

#include "base/names.h"

namespace qtune::base {
namespace {

constexpr Names<StatusCode, 10> kCodeNames{{{{StatusCode::kOk, "OK"},
                                             {StatusCode::kInvalidArgument, "invalid argument"},
                                             {StatusCode::kNotFound, "not found"},
                                             {StatusCode::kAlreadyExists, "already exists"},
                                             {StatusCode::kIoError, "I/O error"},
                                             {StatusCode::kCorrupt, "corrupt"},
                                             {StatusCode::kConflict, "conflict"},
                                             {StatusCode::kUnavailable, "unavailable"},
                                             {StatusCode::kInternal, "internal error"},
                                             {StatusCode::kCancelled, "cancelled"}}}};

}  // namespace

std::string_view status_code_name(StatusCode code) { return kCodeNames.name(code); }

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
  // Indexed by ErrorKind: none, bad input, conflict, interrupted, failure.
  constexpr ExitCode kByKind[] = {kExitOk, kExitUsage, kExitFailure, kExitInterrupted,
                                  kExitFailure};
  return kByKind[static_cast<int>(error_kind(code))];
}

}  // namespace qtune::base
