#include "image_arrays.h"

#include <fmt/format.h>
#include <pybind11/numpy.h>

#include <cmath>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "errors.h"

namespace qtune::python {
namespace {

namespace py = pybind11;

constexpr const char* kAccepted =
    "expected a path, a batch array (N, H, W), (N, H, W, C) or (N, C, H, W), or a list of (H, "
    "W) / (H, W, C) arrays, C = 1 or 3, of dtype uint8 (0-255) or float (0-1)";

[[noreturn]] void refuse(std::string_view argument, const std::string& what) {
  throw StatusError(
      base::Status::invalid_argument(fmt::format("{}: {}; {}", argument, what, kAccepted)));
}

std::string shape_text(const py::array& a) {
  std::string out = "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) out += (i ? ", " : "") + std::to_string(a.shape(i));
  return out + (a.ndim() == 1 ? ",)" : ")");
}

// One image from `a` (uint8 or float64, C-contiguous) at offset `base` with the given
// strides (in elements) of rows, columns and channels.
template <typename T>
metrics::Image image_of(const T* data, std::size_t height, std::size_t width, std::size_t channels,
                        std::size_t row, std::size_t column, std::size_t channel,
                        std::string_view argument, std::size_t index) {
  metrics::Image image;
  image.width = width;
  image.height = height;
  image.pixels.resize(height * width * 3);
  for (std::size_t y = 0; y < height; ++y) {
    for (std::size_t x = 0; x < width; ++x) {
      for (std::size_t c = 0; c < 3; ++c) {
        const T v = data[y * row + x * column + (channels == 1 ? 0 : c) * channel];
        std::uint8_t byte = 0;
        if constexpr (std::is_same_v<T, std::uint8_t>) {
          byte = v;
        } else {
          if (!(v >= 0.0 && v <= 1.0)) {
            refuse(argument, fmt::format("image {} has the value {} at ({}, {}); float images must "
                                         "be in [0, 1]",
                                         index, v, y, x));
          }
          byte = static_cast<std::uint8_t>(std::floor(v * 255.0 + 0.5));
        }
        image.pixels[(y * width + x) * 3 + c] = byte;
      }
    }
  }
  return image;
}

// Images of `array` (ndim 2 or 3 for one image, 3 or 4 for a batch).
void append_images(const py::array& array, bool batch, std::string_view argument,
                   std::vector<metrics::Image>& out) {
  const py::ssize_t n = array.ndim();
  const auto shape = [&](py::ssize_t axis) { return static_cast<std::size_t>(array.shape(axis)); };
  std::size_t count = 1, height = 0, width = 0, channels = 1;
  bool channels_first = false;
  if (batch && n == 3) {
    count = shape(0), height = shape(1), width = shape(2);
  } else if (batch && n == 4) {
    count = shape(0);
    if (array.shape(3) == 1 || array.shape(3) == 3) {
      height = shape(1), width = shape(2), channels = shape(3);
    } else if (array.shape(1) == 1 || array.shape(1) == 3) {
      channels_first = true;
      channels = shape(1), height = shape(2), width = shape(3);
    } else {
      refuse(argument, fmt::format("a batch of shape {} has 1 or 3 channels on neither axis 3 "
                                   "(NHWC) nor axis 1 (NCHW)",
                                   shape_text(array)));
    }
  } else if (!batch && n == 2) {
    height = shape(0), width = shape(1);
  } else if (!batch && n == 3 && (array.shape(2) == 1 || array.shape(2) == 3)) {
    height = shape(0), width = shape(1), channels = shape(2);
  } else {
    refuse(argument, fmt::format("{} of shape {}", batch ? "an array" : "an image in the list",
                                 shape_text(array)));
  }
  if (height == 0 || width == 0) refuse(argument, "an empty image (" + shape_text(array) + ")");
  // Strides in elements of a C-contiguous copy: image, row, column, channel.
  const std::size_t image_size = height * width * channels;
  const std::size_t row = channels_first ? width : width * channels;
  const std::size_t column = channels_first ? 1 : channels;
  const std::size_t channel = channels_first ? height * width : 1;
  const char kind = array.dtype().kind();
  if (array.dtype().is(py::dtype::of<std::uint8_t>())) {
    const auto c = py::array_t<std::uint8_t, py::array::c_style>::ensure(array);
    for (std::size_t i = 0; i < count; ++i) {
      out.push_back(image_of(c.data() + i * image_size, height, width, channels, row, column,
                             channel, argument, out.size()));
    }
  } else if (kind == 'f') {
    const auto c = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(array);
    for (std::size_t i = 0; i < count; ++i) {
      out.push_back(image_of(c.data() + i * image_size, height, width, channels, row, column,
                             channel, argument, out.size()));
    }
  } else {
    refuse(argument, fmt::format("dtype {}", py::str(array.dtype()).cast<std::string>()));
  }
}

}  // namespace

ImagesArg images_arg(const py::handle& value, std::string_view argument) {
  ImagesArg arg;
  if (py::isinstance<py::str>(value) || py::hasattr(value, "__fspath__")) {
    arg.path = py::module_::import("os").attr("fspath")(value).cast<std::string>();
    arg.name = arg.path->string();
    return arg;
  }
  arg.name = std::string(argument);
  if (py::isinstance<py::array>(value)) {
    append_images(py::reinterpret_borrow<py::array>(value), true, argument, arg.images);
  } else if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    for (const py::handle item : value) {
      const py::object array = py::module_::import("numpy").attr("asarray")(item);
      append_images(py::reinterpret_borrow<py::array>(array), false, argument, arg.images);
    }
  } else {
    refuse(argument,
           fmt::format("a {}", py::str(py::type::of(value).attr("__name__")).cast<std::string>()));
  }
  if (arg.images.empty()) refuse(argument, "no images");
  return arg;
}

}  // namespace qtune::python
