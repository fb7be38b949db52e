// Suites that take a minute or more of a 2-core CI machine and add nothing a sanitizer can
// see (they drive the qtune binary through kills and restarts, or render a 10^5-trial page):
// they run in the release configuration and are skipped where QTUNETESTS_SKIP_SLOW is set,
// as the asan test preset does (CMakePresets.json), keeping the CI under its time limit.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string_view>

namespace qtune::testing {

inline bool slow_suites_skipped() {
  const char* value = std::getenv("QTUNETESTS_SKIP_SLOW");
  return value != nullptr && std::string_view(value) != "" && std::string_view(value) != "0";
}

}  // namespace qtune::testing

// In a TEST body: skips the rest of the test where slow suites are skipped.
#define QTUNE_SKIP_IF_SLOW_SUITES_SKIPPED()                                             \
  do {                                                                                  \
    if (::qtune::testing::slow_suites_skipped())                                        \
      GTEST_SKIP() << "a slow suite: it runs in the release configuration "             \
                      "(QTUNETESTS_SKIP_SLOW is set, as the asan test preset sets it)"; \
  } while (false)
