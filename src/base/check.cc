#include <cstdio>
#include <cstdlib>

#include "qtune/base/result.h"

namespace qtune::base::detail {

void check_failed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "qtune: internal check failed at %s:%d: %s\n", file, line, condition);
  std::abort();
}

}  // namespace qtune::base::detail
