// qtune fid PATH PATH: pytorch-fid's command line (python -m pytorch_fid), natively.
// A path is a folder of images or an .npz of statistics; --save-stats writes the first
// path's statistics to the second (never overwriting). Output: "FID:  <value>".
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/fid_flags.h"
#include "qtune/metrics/fid_pipeline.h"
#include "qtune/metrics/stats_cache.h"

namespace qtune::cli {
namespace {

struct FidArgs {
  std::vector<std::string> paths;
  FidFlags flags;
  bool save_stats = false;
  std::string format = "text";
};

void print_note(const metrics::FidSide& side, const std::string& path) {
  if (auto note = metrics::few_images_note(side.stats.count, side.stats.dims, path)) {
    std::fputs((*note + "\n").c_str(), stderr);
  }
}

base::Status save_stats(metrics::FidPipeline& pipeline, const std::string& from,
                        const std::string& to) {
  std::error_code ec;
  if (std::filesystem::exists(to, ec)) {
    return base::Status::already_exists(fmt::format(
        "{}: the file exists; --save-stats never overwrites, remove it or choose another name",
        to));
  }
  QTUNE_ASSIGN_OR_RETURN(metrics::FidSide side, pipeline.side(from));
  print_note(side, from);
  return metrics::write_npz_statistics(to, side.stats);
}

int run_fid(const FidArgs& args) {
  auto options = fid_options(args.flags);
  if (!options.is_ok()) return report_error("fid", options.status());
  auto pipeline = metrics::FidPipeline::create(*options);
  if (!pipeline.is_ok()) return report_error("fid", pipeline.status());
  if (args.save_stats) {
    const base::Status saved = save_stats(*pipeline, args.paths[0], args.paths[1]);
    return saved.is_ok() ? kExitOk : report_error("fid", saved);
  }
  std::vector<metrics::FidSide> sides;
  for (const std::string& path : args.paths) {
    // Only the first path (the reference, by convention) goes through the cache.
    auto side =
        pipeline->side(path, sides.empty() ? metrics::Caching::kUse : metrics::Caching::kSkip);
    if (!side.is_ok()) return report_error("fid", side.status());
    print_note(*side, path);
    sides.push_back(std::move(side).value());
  }
  auto value = metrics::fid(sides[0], sides[1]);
  if (!value.is_ok())
    return report_error("fid", value.status().with_context(args.paths[0] + " vs " + args.paths[1]));
  if (args.format == "json") {
    nlohmann::json out = {{"fid", *value},
                          {"dims", args.flags.dims},
                          {"paths", args.paths},
                          {"counts", {sides[0].stats.count, sides[1].stats.count}}};
    std::puts(out.dump().c_str());
  } else {
    std::puts(fmt::format("FID:  {}", *value).c_str());
  }
  return kExitOk;
}

}  // namespace

Command add_fid_command(CLI::App& app) {
  auto added = add_subcommand<FidArgs>(
      app, "fid", "FID of two folders of images or .npz statistics, as pytorch-fid");
  CLI::App* sub = added.first;
  const std::shared_ptr<FidArgs> args = added.second;
  sub->add_option("path", args->paths,
                  "two paths: folders of images or .npz files (--save-stats: folder, output .npz)")
      ->required()
      ->expected(2);
  add_fid_flags(*sub, args->flags);
  sub->add_flag(
      "--save-stats", args->save_stats,
      "write the statistics of the first path to the second (an .npz), refusing to overwrite");
  sub->add_option("--format", args->format, "text (\"FID:  <value>\") or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  return {sub, [args] { return run_fid(*args); }};
}

}  // namespace qtune::cli
