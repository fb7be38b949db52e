// StateDict: the named tensors of a PyTorch `state_dict()` file (`.pth`), read directly and
// without executing anything. Used to load pytorch-fid's Inception-v3 weights.
//
// Contract
// - load_state_dict reads both serialisations torch.save produces:
//   * zip (torch >= 1.6): `<prefix>/data.pkl` (the pickled dict) + `<prefix>/data/<key>`
//     (raw little-endian storages), stored or deflated entries;
//   * legacy (pre-1.6): magic number, protocol version, sys info, the pickled dict, the
//     pickled list of storage keys, then each storage as an int64 element count + raw bytes.
// - The pickle is run by a restricted machine that knows only what a dict of tensors needs:
//   globals collections.OrderedDict, torch._utils._rebuild_tensor(_v2),
//   torch._utils._rebuild_parameter and torch.{Float,Double,Half,Long,Int}Storage. Any other
//   global (os.system, builtins.eval, ...) or opcode is refused as kCorrupt, naming the file
//   and the offending global/opcode. Every length, offset and stride is checked against the
//   bytes present; a hostile file yields an error, never a crash.
// - Every tensor is converted to float32 and made contiguous (row-major, `shape` order).
//   Integer tensors (BatchNorm's `num_batches_tracked`, int64) are kept, as floats: their
//   values are counters far below 2^24, and keeping them keeps the key set of the file.
// - Not thread-safe to share a StateDict being mutated; loading is reentrant.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "qtune/base/result.h"
#include "qtune/base/status.h"

namespace qtune::metrics {

struct Tensor {
  std::vector<std::int64_t> shape;  // empty for a 0-d (scalar) tensor
  std::vector<float> data;          // row-major; size() == product of shape (1 for 0-d)
};

// Keys in file order are not needed by any user; a sorted map gives stable iteration.
using StateDict = std::map<std::string, Tensor>;

// Reads a `.pth` file. kNotFound if it does not exist, kIoError if it cannot be read,
// kCorrupt for anything malformed, hostile or unsupported (the message names the file).
base::Result<StateDict> load_state_dict(const std::filesystem::path& path);

// The file name pytorch-fid downloads and caches.
inline constexpr const char* kFidInceptionWeightsFile = "pt_inception-2015-12-05-6726825d.pth";
inline constexpr const char* kFidInceptionWeightsUrl =
    "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/"
    "pt_inception-2015-12-05-6726825d.pth";

// Where pytorch-fid caches its weights: $TORCH_HOME/hub/checkpoints/<file>, else
// $XDG_CACHE_HOME/torch/hub/checkpoints/<file>, else ~/.cache/torch/hub/checkpoints/<file>
// (torch.hub's rule). kNotFound, with the download URL and that path, if the file is not there.
base::Result<std::filesystem::path> default_weights_path();

// Verifies that `dict` has the 566 tensors of pytorch-fid's FID Inception (torchvision
// Inception3 names, num_classes 1008, no aux logits) with their shapes. kInvalidArgument
// naming the first missing or misshaped key (in network order), or the first unexpected key.
base::Status check_fid_inception_state_dict(const StateDict& dict);

}  // namespace qtune::metrics
