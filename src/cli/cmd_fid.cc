// PLACEHOLDER until its issue lands: replaced by the real command.
#include <cstdio>

#include "cli/command.h"

namespace qtune::cli {

Command add_fid_command(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("fid", "(not built yet)");
  sub->allow_extras();
  return {sub, [] {
            std::fputs("qtune fid: not built yet\n", stderr);
            return kExitFailure;
          }};
}

}  // namespace qtune::cli
