// Result<T>: a value or a non-OK Status (GCC 12 in C++20 mode has no std::expected).
#pragma once

#include <optional>
#include <utility>

#include "qtune/base/status.h"

// QTUNE_CHECK: a broken invariant (a programmer error, never bad input) aborts with
// file:line in every build type. Bad input is reported with a Status instead.
namespace qtune::base::detail {
[[noreturn]] void check_failed(const char* condition, const char* file, int line);
}  // namespace qtune::base::detail

#define QTUNE_CHECK(condition)                                                             \
  do {                                                                                     \
    if (!(condition)) ::qtune::base::detail::check_failed(#condition, __FILE__, __LINE__); \
  } while (false)

namespace qtune::base {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    QTUNE_CHECK(!status_.is_ok());
  }

  bool is_ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    QTUNE_CHECK(is_ok());
    return *value_;
  }
  const T& value() const& {
    QTUNE_CHECK(is_ok());
    return *value_;
  }
  T&& value() && {
    QTUNE_CHECK(is_ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace qtune::base

#define QTUNE_CONCAT_INNER_(a, b) a##b
#define QTUNE_CONCAT_(a, b) QTUNE_CONCAT_INNER_(a, b)
#define QTUNE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.is_ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
// QTUNE_ASSIGN_OR_RETURN(auto x, f()); returns f()'s status from the enclosing function on error.
#define QTUNE_ASSIGN_OR_RETURN(lhs, expr) \
  QTUNE_ASSIGN_OR_RETURN_IMPL_(QTUNE_CONCAT_(qtune_result_, __LINE__), lhs, expr)
