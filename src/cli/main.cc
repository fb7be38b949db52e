// qtune: tune a training script's hyperparameters with Q-learning, rewarded by image metrics.
#include <cstdio>
#include <vector>

#include "cli/command.h"
#include "qtune/metrics/threads.h"

int main(int argc, char** argv) {
  qtune::metrics::restart_with_passive_openmp(argv);  // before anything else: it may re-exec
  using namespace qtune::cli;
  CLI::App app{
      "qtune: tune a training script's hyperparameters with Q-learning, "
      "rewarded by image-quality metrics (FID first)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "qtune 0.1.0");

  const std::vector<Command> commands = {
      add_run_command(app),    add_worker_command(app), add_status_command(app),
      add_best_command(app),   add_export_command(app), add_import_command(app),
      add_replay_command(app), add_fid_command(app),    add_metrics_command(app),
      add_report_command(app), add_retry_command(app),
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);  // help asked for: stdout, exit 0
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // the bad parameter and the usage, on stderr
    return kExitUsage;
  }
  for (const Command& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  return kExitUsage;
}
