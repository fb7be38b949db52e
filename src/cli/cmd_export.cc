// qtune export: a study's data on stdout (or -o FILE): the trials (CSV or JSON), or what the
// strategy learned: the Q-table, the greedy policy per visited state, and the greedy walk
// (the policy followed from the start state: what the Q-table says, not a recommendation).
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/study_output.h"
#include "cli/study_source.h"
#include "qtune/study/study.h"

namespace qtune::cli {
namespace {

struct ExportFlags {
  StudySource source;
  std::string what = "trials";
  std::string format = "csv";
  std::string output;
};

std::string policy_text(const study::StrategyResults& results, const space::Space& space,
                        OutputFormat format) {
  if (format == OutputFormat::kJson) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const study::PolicyStep& step : results.policy) {
      out.push_back({{"state", step.state},
                     {"params", space.describe(step.state)},
                     {"move", step.move},
                     {"next", step.next},
                     {"next_params", space.describe(step.next)},
                     {"q", step.q}});
    }
    return out.dump(2) + "\n";
  }
  std::string out = "state,params,move,next,next_params,q\n";
  for (const study::PolicyStep& step : results.policy) {
    out += fmt::format("{},{},{},{},{},{}\n", step.state, space.describe(step.state), step.move,
                       step.next, space.describe(step.next), step.q);
  }
  return out;
}

constexpr std::string_view kGreedyWalkNote =
    "the greedy policy's walk from the start state, following the Q-table until a state "
    "repeats; not a recommendation: `qtune best` gives the best measured configuration";

std::string greedy_walk_text(const study::StrategyResults& results, const space::Space& space,
                             OutputFormat format) {
  if (format == OutputFormat::kJson) {
    nlohmann::ordered_json walk = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < results.rollout.size(); ++i) {
      walk.push_back({{"step", i},
                      {"state", results.rollout[i]},
                      {"params", space.describe(results.rollout[i])}});
    }
    nlohmann::ordered_json out;
    out["what"] = kGreedyWalkNote;
    out["walk"] = std::move(walk);
    return out.dump(2) + "\n";
  }
  std::string out = "greedy_step,state,params\n";
  for (std::size_t i = 0; i < results.rollout.size(); ++i) {
    out += fmt::format("{},{},{}\n", i, results.rollout[i], space.describe(results.rollout[i]));
  }
  return out;
}

// What the strategy learned needs the strategy, restored from the store's latest snapshot
// (read-only: a run may be live on the same study).
base::Result<std::string> strategy_export(OpenedStudy& opened, std::string_view what,
                                          OutputFormat format) {
  if (!opened.config) {
    return base::Status::invalid_argument(fmt::format(
        "export {} needs the study file (the space and strategy), not only --storage", what));
  }
  const space::Space space = opened.config->space;
  QTUNE_ASSIGN_OR_RETURN(auto study,
                         study::Study::open_read_only(std::move(*opened.config), *opened.store));
  const study::StrategyResults results = study->results();
  if (what == "qtable") {
    return format == OutputFormat::kJson ? study::q_table_json(results, space)
                                         : study::q_table_csv(results, space);
  }
  if (what == "policy") return policy_text(results, space, format);
  return greedy_walk_text(results, space, format);
}

int export_study(ExportFlags& flags) {
  const auto format = parse_output_format(flags.format);
  if (!format.is_ok()) return report_error("export", format.status());
  if (*format == OutputFormat::kTable) {
    return report_error("export",
                        base::Status::invalid_argument("--format table: use csv or json"));
  }
  auto opened = open_study_source(flags.source);
  if (!opened.is_ok()) return report_error("export", opened.status());
  base::Result<std::string> text = base::Status::internal("unset");
  if (flags.what == "trials") {
    text = *format == OutputFormat::kJson
               ? trials_json(opened->trials, opened->config ? &opened->config->space : nullptr)
               : trials_csv(opened->trials);
  } else {
    text = strategy_export(*opened, flags.what, *format);
  }
  if (!text.is_ok()) return report_error("export", text.status());
  if (flags.output.empty()) {
    std::fputs(text->c_str(), stdout);
    return kExitOk;
  }
  std::ofstream out(flags.output, std::ios::binary);
  out << *text;
  if (!out)
    return report_error("export",
                        base::Status::io_error(fmt::format("{}: cannot write", flags.output)));
  return kExitOk;
}

}  // namespace

Command add_export_command(CLI::App& app) {
  auto added = add_subcommand<ExportFlags>(
      app, "export", "trials, Q-table, greedy policy or greedy walk as CSV or JSON");
  CLI::App* sub = added.first;
  const std::shared_ptr<ExportFlags> flags = added.second;
  add_study_source_options(*sub, flags->source);
  sub->add_option("--what", flags->what,
                  "trials, qtable, policy or greedy-walk (the greedy policy's walk from the start "
                  "state, not a recommendation; rollout is its old name)")
      ->check(CLI::IsMember({"trials", "qtable", "policy", "greedy-walk", "rollout"}));
  sub->add_option("--format", flags->format, "csv or json");
  sub->add_option("-o,--output", flags->output, "write to this file instead of stdout");
  return {sub, [flags] { return export_study(*flags); }};
}

}  // namespace qtune::cli
