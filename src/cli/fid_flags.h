// Flags shared by `qtune fid` and `qtune metrics` (pytorch-fid's names and defaults).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

#include "qtune/base/result.h"
#include "qtune/metrics/fid_pipeline.h"

namespace qtune::cli {

struct FidFlags {
  std::size_t dims = 2048;
  std::size_t batch_size = 50;
  std::string weights;    // empty: pytorch-fid's cached file
  int threads = 0;        // 0: all cores
  std::string cache_dir;  // empty: $XDG_CACHE_HOME/qtune
  bool no_cache = false;
};

void add_fid_flags(CLI::App& app, FidFlags& flags);

base::Result<metrics::FidOptions> fid_options(const FidFlags& flags);

}  // namespace qtune::cli
