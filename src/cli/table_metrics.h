// The evaluation-table metrics of `qtune metrics` (pixcorr, ssim_mindeye, alexnet2,
// alexnet5, inception2way, clip2way, effnet, swav: metrics/evaluation_table.h) and its
// --weights-for option.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "qtune/base/result.h"

namespace qtune::cli {

// Adds --weights-for NAME=FILE (repeatable) collecting into `entries`.
void add_weights_for_flag(CLI::App& app, std::vector<std::string>& entries);

// NAME=FILE entries as a map; kInvalidArgument naming a malformed entry or unknown NAME.
base::Result<std::map<std::string, std::filesystem::path>> parse_weights_for(
    const std::vector<std::string>& entries);

// Whether `name` is an evaluation-table metric.
bool is_table_metric(const std::string& name);

// Computes the chosen table metrics of REC against STIM into `out`: a number for pixcorr
// and ssim_mindeye, {"score", "p_value"} for the 2-way metrics.
base::Status compute_table_metrics(const std::string& stim, const std::string& rec,
                                   const std::set<std::string>& chosen,
                                   const std::vector<std::string>& weights_for, int threads,
                                   nlohmann::json& out);

// One table line per table metric in `out` ("alexnet2  0.933 (p = 2.9e-08)").
void print_table_metrics(const nlohmann::json& out);

}  // namespace qtune::cli
