// PLACEHOLDER until its issue lands: replaced by the real command.
#include <cstdio>

#include "cli/command.h"

namespace qtune::cli {

Command add_status_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("status", "(not built yet)");
  sub->allow_extras();
  return {sub, [] {
            std::fputs("qtune status: not built yet\n", stderr);
            return kExitFailure;
          }};
}

}  // namespace qtune::cli
