#include "cli/fid_flags.h"

#include <fmt/format.h>

#include <cstdio>

#include "cli/command.h"
#include "qtune/metrics/stats_cache.h"

namespace qtune::cli {

void add_fid_flags(CLI::App& app, FidFlags& flags) {
  app.add_option("--dims", flags.dims, "Inception features: 64, 192, 768 or 2048")
      ->check(CLI::IsMember({64, 192, 768, 2048}))
      ->capture_default_str();
  add_count_option(app, "--batch-size", flags.batch_size, "images decoded and run per step");
  app.add_option(
      "--weights", flags.weights,
      "pytorch-fid's pt_inception-2015-12-05-6726825d.pth (default: where pytorch-fid caches it)");
  app.add_option("--threads", flags.threads, "compute threads (0: all cores)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--cache-dir", flags.cache_dir,
                 "cache of the first path's statistics (a folder that does not change; default: "
                 "$XDG_CACHE_HOME/qtune)");
  app.add_flag("--no-cache", flags.no_cache, "neither read nor write the statistics cache");
}

base::Result<metrics::FidOptions> fid_options(const FidFlags& flags) {
  metrics::FidOptions options;
  options.dims = flags.dims;
  options.batch_size = flags.batch_size;
  options.weights = flags.weights;
  options.threads = flags.threads;
  if (!flags.no_cache) {
    if (!flags.cache_dir.empty()) {
      options.cache_dir = flags.cache_dir;
    } else {
      QTUNE_ASSIGN_OR_RETURN(options.cache_dir, metrics::StatsCache::default_dir());
    }
  }
  return options;
}

}  // namespace qtune::cli
