// qtune metrics STIM REC: the reconstruction metrics of a folder of reconstructions against
// its stimuli. Distribution metrics (fid, kid) compare the two sets; paired metrics (ssim,
// psnr, mse, pcc) compare image i of REC with image i of STIM (sorted names) and report
// the mean over pairs (json: also each pair).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/fid_flags.h"
#include "cli/table_metrics.h"
#include "qtune/metrics/feature_stats.h"
#include "qtune/metrics/fid_pipeline.h"
#include "qtune/metrics/paired_metrics.h"

namespace qtune::cli {
namespace {

const std::vector<std::string> kAllMetrics = {"fid", "kid", "ssim", "psnr", "mse", "pcc"};

struct MetricsArgs {
  std::string stim;
  std::string rec;
  std::string metrics = "fid,kid,ssim,psnr,mse,pcc";
  std::string format = "table";
  FidFlags flags;
  metrics::KidOptions kid;
  std::vector<std::string> weights_for;  // NAME=FILE, the evaluation table's networks
};

base::Result<std::set<std::string>> parse_metric_list(const std::string& list) {
  std::set<std::string> chosen;
  std::istringstream in(list);
  for (std::string name; std::getline(in, name, ',');) {
    if (std::find(kAllMetrics.begin(), kAllMetrics.end(), name) == kAllMetrics.end() &&
        !is_table_metric(name)) {
      return base::Status::invalid_argument(
          fmt::format("--metrics: unknown metric \"{}\"; choose from fid,kid,ssim,psnr,mse,pcc,"
                      "pixcorr,ssim_mindeye,alexnet2,alexnet5,inception2way,clip2way,effnet,swav",
                      name));
    }
    chosen.insert(name);
  }
  if (chosen.empty())
    return base::Status::invalid_argument("--metrics: empty; name at least one metric");
  return chosen;
}

// Runs the chosen metrics into a JSON object (table output is rendered from it).
base::Result<nlohmann::json> compute(const MetricsArgs& args, const std::set<std::string>& chosen) {
  nlohmann::json out = nlohmann::json::object();
  if (chosen.count("fid") || chosen.count("kid")) {
    QTUNE_ASSIGN_OR_RETURN(const metrics::FidOptions options, fid_options(args.flags));
    QTUNE_ASSIGN_OR_RETURN(metrics::FidPipeline pipeline, metrics::FidPipeline::create(options));
    QTUNE_ASSIGN_OR_RETURN(const metrics::FidSide stim, pipeline.side(args.stim));
    QTUNE_ASSIGN_OR_RETURN(const metrics::FidSide rec,
                           pipeline.side(args.rec, metrics::Caching::kSkip));
    if (chosen.count("fid")) {
      for (const auto& [side, path] : {std::pair{&stim, &args.stim}, std::pair{&rec, &args.rec}}) {
        if (auto note = metrics::few_images_note(side->stats.count, side->stats.dims, *path)) {
          std::fputs((*note + "\n").c_str(), stderr);
        }
      }
      QTUNE_ASSIGN_OR_RETURN(out["fid"], metrics::fid(stim, rec));
    }
    if (chosen.count("kid")) {
      QTUNE_ASSIGN_OR_RETURN(const metrics::Features a, pipeline.features(args.stim));
      QTUNE_ASSIGN_OR_RETURN(const metrics::Features b,
                             pipeline.features(args.rec, metrics::Caching::kSkip));
      QTUNE_ASSIGN_OR_RETURN(const metrics::KidResult kid,
                             metrics::kernel_inception_distance(a, b, args.kid));
      if (std::isnan(kid.std)) {
        std::fputs(fmt::format("note: KID of all {} images a side: every subset is the whole set, "
                               "so there is no spread over subsets (std null); at this size KID "
                               "is high-variance\n",
                               kid.subset_size)
                       .c_str(),
                   stderr);
      } else if (kid.subset_size < 100) {
        std::fputs(
            fmt::format("note: KID from subsets of {} images is high-variance (std {:.3g} over {} "
                        "subsets); compare runs by mean and std, not by a single value\n",
                        kid.subset_size, kid.std, kid.subsets)
                .c_str(),
            stderr);
      }
      out["kid"] = {{"mean", kid.mean},
                    {"std", kid.std},
                    {"subset_size", kid.subset_size},
                    {"subsets", kid.subsets}};
    }
  }
  const bool paired =
      chosen.count("ssim") || chosen.count("psnr") || chosen.count("mse") || chosen.count("pcc");
  if (paired) {
    QTUNE_ASSIGN_OR_RETURN(
        const metrics::PairedReport report,
        metrics::score_folders(
            args.stim, args.rec,
            chosen.count("ssim") ? metrics::PairedSsim::kCompute : metrics::PairedSsim::kSkip));
    const auto scores = [&](const metrics::PairScores& s) {
      nlohmann::json j = nlohmann::json::object();
      if (chosen.count("ssim")) j["ssim"] = s.ssim;
      if (chosen.count("psnr")) j["psnr"] = s.psnr;  // inf (identical images) becomes null
      if (chosen.count("mse")) j["mse"] = s.mse;
      if (chosen.count("pcc")) j["pcc"] = s.pcc;  // NaN (a constant image) becomes null
      return j;
    };
    out.update(scores(report.mean));
    nlohmann::json pairs = nlohmann::json::array();
    for (const auto& pair : report.pairs) {
      nlohmann::json j = scores(pair);
      j["pair"] = pair.name;
      pairs.push_back(std::move(j));
    }
    out["pairs"] = std::move(pairs);
    const auto constant = std::count_if(report.pairs.begin(), report.pairs.end(),
                                        [](const auto& p) { return std::isnan(p.pcc); });
    if (chosen.count("pcc") && constant > 0) {
      std::fputs(fmt::format("note: pcc is undefined (nan; null in JSON) for {} of {} pairs: an "
                             "image of the pair is constant\n",
                             constant, report.pairs.size())
                     .c_str(),
                 stderr);
    }
  }
  QTUNE_RETURN_IF_ERROR(compute_table_metrics(args.stim, args.rec, chosen, args.weights_for,
                                              args.flags.threads, out));
  return out;
}

void print_table(const nlohmann::json& out) {
  for (const std::string& name : kAllMetrics) {
    if (!out.contains(name)) continue;
    const nlohmann::json& v = out[name];
    if (name == "kid") {
      std::puts(
          (v["std"].is_null()
               ? fmt::format("{:<6}{} (one subset: all images)", name, v["mean"].get<double>())
               : fmt::format("{:<6}{} ± {}", name, v["mean"].get<double>(), v["std"].get<double>()))
              .c_str());
    } else if (v.is_null()) {
      std::puts(fmt::format("{:<6}{}", name, name == "psnr" ? "inf" : "nan").c_str());
    } else {
      std::puts(fmt::format("{:<6}{}", name, v.get<double>()).c_str());
    }
  }
  print_table_metrics(out);
}

int run_metrics(const MetricsArgs& args) {
  auto chosen = parse_metric_list(args.metrics);
  if (!chosen.is_ok()) return report_error("metrics", chosen.status());
  auto out = compute(args, *chosen);
  if (!out.is_ok()) return report_error("metrics", out.status());
  if (args.format == "json") {
    std::puts(out->dump().c_str());
  } else {
    print_table(*out);
  }
  return kExitOk;
}

}  // namespace

Command add_metrics_command(CLI::App& app) {
  auto added = add_subcommand<MetricsArgs>(
      app, "metrics", "Reconstruction metrics of REC against STIM: fid, kid, ssim, psnr, mse, pcc");
  CLI::App* sub = added.first;
  const std::shared_ptr<MetricsArgs> args = added.second;
  sub->add_option("stim", args->stim, "folder of stimulus images (or an .npz for fid)")->required();
  sub->add_option("rec", args->rec,
                  "folder of reconstructions, paired with STIM by sorted file name")
      ->required();
  sub->add_option("--metrics", args->metrics,
                  "comma-separated subset of fid,kid,ssim,psnr,mse,pcc and the evaluation table's "
                  "pixcorr,ssim_mindeye,alexnet2,alexnet5,inception2way,clip2way,effnet,swav")
      ->capture_default_str();
  sub->add_option("--format", args->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  add_fid_flags(*sub, args->flags);
  add_count_option(*sub, "--kid-subsets", args->kid.subsets, "KID: number of subsets");
  sub->add_option("--kid-subset-size", args->kid.max_subset_size, "KID: largest subset size")
      ->check(CLI::Range(std::size_t{2}, std::size_t{1} << 30))
      ->capture_default_str();
  sub->add_option("--seed", args->kid.seed, "KID: seed of the subset draws")->capture_default_str();
  add_weights_for_flag(*sub, args->weights_for);
  return {sub, [args] { return run_metrics(*args); }};
}

}  // namespace qtune::cli
