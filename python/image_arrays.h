// One side of a metric given from Python: a path (a folder of images, or an .npz for FID), or
// numpy arrays holding the images, converted to what reading the same images written as
// PNG gives (qtune::metrics::Image, RGB 8-bit):
// - a batch array: (N, H, W) grey, (N, H, W, C) or (N, C, H, W) with C = 1 or 3 (the last
//   axis is taken as channels when it is 1 or 3, else axis 1);
// - a list or tuple of images, each (H, W) grey or (H, W, C) with C = 1 or 3 (sizes may differ);
// - dtype uint8 as is, or floating point in [0, 1] converted as round(x * 255) half up,
//   floor(x * 255 + 0.5) in float64 (torchvision's save_image); grey is replicated to RGB.
// Anything else (other dtypes, shapes, values outside [0, 1], NaN) raises qtune.InputError
// naming the argument and what is accepted. Call with the GIL held.
#pragma once

#include <pybind11/pybind11.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qtune/metrics/image.h"

namespace qtune::python {

struct ImagesArg {
  std::optional<std::filesystem::path> path;  // set for a str or os.PathLike
  std::vector<metrics::Image> images;         // otherwise, the arrays' images
  std::string name;                           // the path, or the argument's name ("path_a")
};

// `argument` names it in errors and, for arrays, in results ("stim[3] ~ rec[3]").
ImagesArg images_arg(const pybind11::handle& value, std::string_view argument);

}  // namespace qtune::python
