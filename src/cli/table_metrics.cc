#include "cli/table_metrics.h"

#include <fmt/format.h>

#include <cstdio>
#include <utility>

#include "qtune/metrics/evaluation_table.h"
#include "qtune/metrics/image.h"

namespace qtune::cli {

void add_weights_for_flag(CLI::App& app, std::vector<std::string>& entries) {
  app.add_option("--weights-for", entries,
                 "NAME=FILE: the weights of an evaluation-table network (alexnet, inception_v3, "
                 "efficientnet_b1, swav_resnet50, clip_vit_l14); default: the published file in "
                 "torch's hub cache")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

base::Result<std::map<std::string, std::filesystem::path>> parse_weights_for(
    const std::vector<std::string>& entries) {
  std::map<std::string, std::filesystem::path> out;
  for (const std::string& entry : entries) {
    const auto eq = entry.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == entry.size()) {
      return base::Status::invalid_argument(fmt::format(
          "--weights-for: \"{}\" is not NAME=FILE; write for example alexnet=alexnet.pth", entry));
    }
    out[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  auto checked = metrics::check_weights_for(out);
  if (!checked.is_ok()) return checked.with_context("--weights-for");
  return out;
}

bool is_table_metric(const std::string& name) {
  return metrics::table_metric_named(name).has_value();
}

base::Status compute_table_metrics(const std::string& stim, const std::string& rec,
                                   const std::set<std::string>& chosen,
                                   const std::vector<std::string>& weights_for, int threads,
                                   nlohmann::json& out) {
  bool any = false;
  for (const std::string& name : chosen) any = any || is_table_metric(name);
  if (!any) return base::Status::ok();
  QTUNE_ASSIGN_OR_RETURN(auto weights, parse_weights_for(weights_for));
  QTUNE_ASSIGN_OR_RETURN(const std::vector<metrics::Image> stimuli,
                         metrics::read_image_folder(stim));
  QTUNE_ASSIGN_OR_RETURN(const std::vector<metrics::Image> recons, metrics::read_image_folder(rec));
  metrics::EvaluationTable table(metrics::TableOptions{std::move(weights), threads});
  for (const metrics::TableMetricInfo& info : metrics::table_metrics()) {
    const std::string name(info.name);
    if (!chosen.count(name)) continue;
    QTUNE_ASSIGN_OR_RETURN(const metrics::TableScore score,
                           table.score(info.metric, stimuli, recons));
    if (score.p_value) {
      out[name] = {{"score", score.value}, {"p_value", *score.p_value}};
    } else {
      out[name] = score.value;
    }
  }
  return base::Status::ok();
}

void print_table_metrics(const nlohmann::json& out) {
  for (const metrics::TableMetricInfo& info : metrics::table_metrics()) {
    const std::string name(info.name);
    if (!out.contains(name)) continue;
    const nlohmann::json& v = out[name];
    if (v.is_object()) {
      std::puts(fmt::format("{:<14}{} (p = {:.3g})", name, v["score"].get<double>(),
                            v["p_value"].get<double>())
                    .c_str());
    } else {
      std::puts(fmt::format("{:<14}{}", name, v.get<double>()).c_str());
    }
  }
}

}  // namespace qtune::cli
