// default_weights_path and torch_hub_checkpoints: torch.hub's cache directory rule
// (torch/hub.py, _get_torch_home).
#include <fmt/format.h>

#include <cstdlib>

#include "metrics/weights/state_dict.h"
#include "metrics/weights/torch_hub.h"

namespace qtune::metrics {

std::optional<std::filesystem::path> torch_hub_checkpoints() {
  std::filesystem::path torch_home;
  if (const char* env = std::getenv("TORCH_HOME"); env != nullptr && *env != '\0') {
    torch_home = env;
  } else if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    torch_home = std::filesystem::path(xdg) / "torch";
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    torch_home = std::filesystem::path(home) / ".cache" / "torch";
  } else {
    return std::nullopt;
  }
  return torch_home / "hub" / "checkpoints";
}

base::Result<std::filesystem::path> default_weights_path() {
  const std::optional<std::filesystem::path> checkpoints = torch_hub_checkpoints();
  if (!checkpoints) {
    return base::Status::not_found(fmt::format(
        "FID Inception weights: neither TORCH_HOME nor HOME is set; download {} and pass its path",
        kFidInceptionWeightsUrl));
  }
  std::filesystem::path path = *checkpoints / kFidInceptionWeightsFile;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return base::Status::not_found(
        fmt::format("{}: FID Inception weights not found; download them with\n  curl -L "
                    "--create-dirs -o {} {}\n"
                    "(pytorch-fid caches the same file there), or pass --weights PATH",
                    path.string(), path.string(), kFidInceptionWeightsUrl));
  }
  return path;
}

}  // namespace qtune::metrics
