// QTUNE_CHECK: a broken invariant (a programmer error, never bad input) aborts with
// file:line in every build type. Bad input is reported with a Status instead.
#pragma once

namespace qtune::base::detail {
[[noreturn]] void check_failed(const char* condition, const char* file, int line);
}  // namespace qtune::base::detail

#define QTUNE_CHECK(condition)                                                             \
  do {                                                                                     \
    if (!(condition)) ::qtune::base::detail::check_failed(#condition, __FILE__, __LINE__); \
  } while (false)
