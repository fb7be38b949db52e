// qtune best: the best measured trial of a study, its parameters and value, on stdout; with
// --command, the command line that runs it, ready to paste into a shell; with --pareto, the
// trials no other beats on every metric of a combined metric.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <variant>

#include "cli/study_reader.h"
#include "qtune/exec/executor.h"
#include "qtune/study/combined_metric.h"
#include "qtune/study/runner.h"

namespace qtune::cli {
namespace {

// The [trial] command of the study file expanded with the best trial's parameters.
base::Result<std::string> best_command(const OpenedStudy& opened, const study::BestTrial& best) {
  if (!opened.config || !opened.config->trial) {
    return base::Status::invalid_argument(
        "best --command: needs the study file with its [trial] command (not only --storage)");
  }
  TrialId id = 0;
  for (const store::TrialRecord& t : opened.trials) {
    if (t.number == best.number) id = t.id;
  }
  return exec::command_line(*opened.config->trial,
                            study::trial_spec(*opened.config, id, best.number, best.params));
}

// --pareto: the non-dominated trials over the components of a combined metric.
int show_pareto(const OpenedStudy& opened, OutputFormat format) {
  if (!study::has_components(opened.trials)) {
    const bool combined =
        opened.config && opened.config->trial &&
        std::holds_alternative<exec::CombinedMetric>(opened.config->trial->metric);
    if (combined) {
      std::fputs("qtune best: no successful trial yet\n", stderr);
      return int{kExitNoSuccess};
    }
    return report_error(
        "best", base::Status::invalid_argument(fmt::format(
                    "--pareto: study \"{}\" has no trial with several metrics; it needs [trial] "
                    "metric = {{ combine = [{{ builtin = \"fid\" }}, {{ builtin = \"alexnet2\" "
                    "}}], ... }}",
                    opened.record.name)));
  }
  std::fputs(format_pareto(opened.trials, study::pareto_front(opened.trials), format,
                           opened.config ? &opened.config->space : nullptr)
                 .c_str(),
             stdout);
  return int{kExitOk};
}

}  // namespace

Command add_best_command(CLI::App& app) {
  auto print_command = std::make_shared<bool>(false);
  auto pareto = std::make_shared<bool>(false);
  Command command = add_study_reader(
      app, "best", "the best measured parameters and their value",
      [print_command, pareto](const OpenedStudy& opened, OutputFormat format) {
        if (*pareto) return show_pareto(opened, format);
        const auto found = study::best_trial(opened.trials, opened.record.direction);
        if (!found) {
          std::fputs("qtune best: no successful trial yet\n", stderr);
          return int{kExitNoSuccess};
        }
        if (*print_command) {
          const auto line = best_command(opened, *found);
          if (!line.is_ok()) return report_error("best", line.status());
          std::fputs((*line + "\n").c_str(), stdout);
          return int{kExitOk};
        }
        std::fputs(
            format_best(*found, format, opened.config ? &opened.config->space : nullptr).c_str(),
            stdout);
        return int{kExitOk};
      });
  command.app->add_flag("--pareto", *pareto,
                        "a study with a combined metric ([trial] metric = { combine }): the "
                        "trials no other beats on every metric (the Pareto front)");
  command.app->add_flag("--command", *print_command,
                        "print the command line of the best trial ([trial] command with its "
                        "parameters), shell-quoted, ready to paste");
  return command;
}

}  // namespace qtune::cli
