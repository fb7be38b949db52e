// torch.hub's checkpoint folder (torch/hub.py, _get_torch_home): $TORCH_HOME/hub/checkpoints,
// else $XDG_CACHE_HOME/torch/hub/checkpoints, else ~/.cache/torch/hub/checkpoints.
// Private to the metrics module; the FID weights (default_weights_path) and the evaluation
// table's networks (evaluation_table.h) are both looked up there.
#pragma once

#include <filesystem>
#include <optional>

namespace qtune::metrics {

// nullopt when none of TORCH_HOME, XDG_CACHE_HOME and HOME is set.
std::optional<std::filesystem::path> torch_hub_checkpoints();

}  // namespace qtune::metrics
