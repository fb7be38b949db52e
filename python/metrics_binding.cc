// qtune.FidPipeline, fid / kid / inception_features / paired_metrics: the metrics library as
// `qtune fid` and `qtune metrics` use it, for notebooks. The computation runs without the
// GIL; the few-images note of FID becomes a Python warning.
#include <fmt/format.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bindings.h"
#include "errors.h"
#include "image_arrays.h"
#include "qtune/metrics/feature_stats.h"
#include "qtune/metrics/fid_pipeline.h"
#include "qtune/metrics/paired_metrics.h"

namespace qtune::python {
namespace {

namespace py = pybind11;
using Path = std::filesystem::path;
using OptionalPath = std::optional<Path>;

const std::vector<std::string> kPairedMetrics = {"ssim", "psnr", "mse", "pcc"};

constexpr const char* kArraysDoc =
    "Any path may instead be numpy arrays, giving the numbers of the same images written as PNG: "
    "a batch (N, H, W) grey, (N, H, W, C) or (N, C, H, W) with C = 1 or 3 (channels last when "
    "the last axis is 1 or 3), or a list of (H, W) / (H, W, C) images; uint8 as is, or float in "
    "[0, 1] as floor(x * 255 + 0.5).";

// cache_dir None means no cache (unlike the CLI, whose default is $XDG_CACHE_HOME/qtune):
// a notebook's folders change between calls more often than a study's stimulus folder.
metrics::FidOptions fid_options(std::size_t dims, std::size_t batch_size,
                                const OptionalPath& weights, const OptionalPath& cache_dir,
                                int threads) {
  return {.dims = dims,
          .batch_size = batch_size,
          .weights = weights.value_or(Path()),
          .threads = threads,
          .cache_dir = cache_dir};
}

// stacklevel 1 is the Python line that called into the module.
void warn(const std::optional<std::string>& note) {
  if (note)
    py::module_::import("warnings")
        .attr("warn")(*note, py::module_::import("builtins").attr("UserWarning"), 1);
}

// qtune.FidPipeline: one FidPipeline (the weights loaded once, on first use) for many calls.
// The library's pipeline is not thread-safe; the mutex lets Python threads share one.
class PyFidPipeline {
 public:
  PyFidPipeline(std::size_t dims, const OptionalPath& weights, std::size_t batch_size,
                const OptionalPath& cache_dir, int threads)
      : pipeline_(value_or_throw(metrics::FidPipeline::create(
            fid_options(dims, batch_size, weights, cache_dir, threads)))) {}

  // A side: a path through side() (only the first one cached), or arrays through images.
  base::Result<metrics::FidSide> side(const ImagesArg& arg, metrics::Caching caching) {
    if (arg.path) return pipeline_.side(*arg.path, caching);
    return pipeline_.side(std::span<const metrics::Image>(arg.images), arg.name);
  }

  base::Result<metrics::Features> features_of(const ImagesArg& arg, metrics::Caching caching) {
    if (arg.path) return pipeline_.features(*arg.path, caching);
    return pipeline_.features(std::span<const metrics::Image>(arg.images));
  }

  double fid(const py::object& a_value, const py::object& b_value) {
    const ImagesArg a = images_arg(a_value, "path_a");
    const ImagesArg b = images_arg(b_value, "path_b");
    std::vector<metrics::FidSide> sides;
    const double value = value_or_throw(without_gil([&]() -> base::Result<double> {
      std::lock_guard lock(mutex_);
      // As `qtune fid`: only the first path (the reference, by convention) goes through the cache.
      QTUNE_ASSIGN_OR_RETURN(sides.emplace_back(), side(a, metrics::Caching::kUse));
      QTUNE_ASSIGN_OR_RETURN(sides.emplace_back(), side(b, metrics::Caching::kSkip));
      auto distance = metrics::fid(sides[0], sides[1]);
      if (!distance.is_ok()) return distance.status().with_context(a.name + " vs " + b.name);
      return distance;
    }));
    warn(metrics::few_images_note(sides[0].stats.count, dims(), a.name));
    warn(metrics::few_images_note(sides[1].stats.count, dims(), b.name));
    return value;
  }

  py::dict kid(const py::object& a_value, const py::object& b_value, std::size_t subsets,
               std::size_t subset_size, std::uint64_t seed) {
    const ImagesArg a = images_arg(a_value, "path_a");
    const ImagesArg b = images_arg(b_value, "path_b");
    const metrics::KidResult result =
        value_or_throw(without_gil([&]() -> base::Result<metrics::KidResult> {
          std::lock_guard lock(mutex_);
          QTUNE_ASSIGN_OR_RETURN(const metrics::Features fa,
                                 features_of(a, metrics::Caching::kUse));
          QTUNE_ASSIGN_OR_RETURN(const metrics::Features fb,
                                 features_of(b, metrics::Caching::kSkip));
          return metrics::kernel_inception_distance(
              fa, fb, {.subsets = subsets, .max_subset_size = subset_size, .seed = seed});
        }));
    py::dict out;
    out["mean"] = result.mean;
    out["std"] = result.std;
    out["subset_size"] = result.subset_size;
    out["subsets"] = result.subsets;
    return out;
  }

  // N x dims float64, sharing the library's buffer (no copy).
  py::array_t<double> features(const py::object& value) {
    const ImagesArg images = images_arg(value, "folder");
    metrics::Features features = value_or_throw(without_gil([&] {
      std::lock_guard lock(mutex_);
      return features_of(images, metrics::Caching::kUse);
    }));
    auto* values = new std::vector<double>(std::move(features.values));
    const py::capsule owner(values, [](void* p) { delete static_cast<std::vector<double>*>(p); });
    const auto row = static_cast<py::ssize_t>(features.dims * sizeof(double));
    return py::array_t<double>(
        {static_cast<py::ssize_t>(features.count), static_cast<py::ssize_t>(features.dims)},
        {row, static_cast<py::ssize_t>(sizeof(double))}, values->data(), owner);
  }

  std::size_t dims() const { return pipeline_.options().dims; }

 private:
  std::mutex mutex_;
  metrics::FidPipeline pipeline_;  // guarded by mutex_
};

py::dict scores(const metrics::PairScores& s, const std::vector<std::string>& chosen) {
  const auto value = [&](const std::string& name) {
    if (name == "ssim") return s.ssim;
    if (name == "psnr") return s.psnr;  // inf for identical images
    if (name == "mse") return s.mse;
    return s.pcc;  // NaN when an image is constant
  };
  py::dict out;
  for (const std::string& name : chosen) out[py::str(name)] = value(name);
  return out;
}

py::dict paired_metrics(const py::object& stim_value, const py::object& rec_value,
                        const std::vector<std::string>& chosen) {
  if (chosen.empty()) {
    throw StatusError(
        base::Status::invalid_argument("paired_metrics: metrics is empty; name at least one of "
                                       "ssim, psnr, mse, pcc"));
  }
  for (const std::string& name : chosen) {
    if (std::find(kPairedMetrics.begin(), kPairedMetrics.end(), name) == kPairedMetrics.end()) {
      throw StatusError(base::Status::invalid_argument(
          fmt::format("paired_metrics: unknown metric \"{}\"; choose from ssim, psnr, mse, pcc "
                      "(fid() and kid() compare "
                      "the distributions)",
                      name)));
    }
  }
  ImagesArg stim = images_arg(stim_value, "stim");
  ImagesArg rec = images_arg(rec_value, "rec");
  const metrics::PairedSsim ssim = std::find(chosen.begin(), chosen.end(), "ssim") != chosen.end()
                                       ? metrics::PairedSsim::kCompute
                                       : metrics::PairedSsim::kSkip;
  const metrics::PairedReport report =
      value_or_throw(without_gil([&]() -> base::Result<metrics::PairedReport> {
        if (stim.path && rec.path) return metrics::score_folders(*stim.path, *rec.path, ssim);
        // A folder beside arrays is read whole, in pytorch-fid's order.
        for (ImagesArg* side : {&stim, &rec}) {
          if (side->path) {
            QTUNE_ASSIGN_OR_RETURN(side->images, metrics::read_image_folder(*side->path));
          }
        }
        return metrics::score_images(stim.images, rec.images, stim.name, rec.name, ssim);
      }));
  py::dict out = scores(report.mean, chosen);
  py::list pairs;
  for (const metrics::PairScores& pair : report.pairs) {
    py::dict one = scores(pair, chosen);
    one["pair"] = pair.name;
    pairs.append(one);
  }
  out["pairs"] = pairs;
  return out;
}

}  // namespace

void bind_metrics(py::module_& m) {
  const std::string options_doc =
      "dims: 64, 192, 768 or 2048; weights: pytorch-fid's pt_inception-2015-12-05-6726825d.pth "
      "(None: where "
      "pytorch-fid caches it); cache_dir: keep the first path's features or statistics there "
      "(None: no cache); "
      "threads: 0 for the CPUs this process may use (affinity and cgroup quota), or a positive "
      "count. " +
      std::string(kArraysDoc);

  py::class_<PyFidPipeline>(
      m, "FidPipeline",
      ("The FID Inception with its weights loaded once (on first use), for many fid, kid "
       "and features calls. " +
       options_doc)
          .c_str())
      .def(py::init<std::size_t, const OptionalPath&, std::size_t, const OptionalPath&, int>(),
           py::kw_only(), py::arg("dims") = 2048, py::arg("weights") = py::none(),
           py::arg("batch_size") = 50, py::arg("cache_dir") = py::none(), py::arg("threads") = 0)
      .def("fid", &PyFidPipeline::fid, py::arg("path_a"), py::arg("path_b"),
           "FID between two folders of images or pytorch-fid .npz statistics, as `qtune fid` and "
           "pytorch-fid "
           "compute it; a UserWarning when a side has fewer images than dims.")
      .def("kid", &PyFidPipeline::kid, py::arg("path_a"), py::arg("path_b"),
           py::arg("subsets") = 100, py::arg("subset_size") = 1000, py::arg("seed") = 0,
           "KID between two folders of images: {'mean', 'std', 'subset_size', 'subsets'}.")
      .def("features", &PyFidPipeline::features, py::arg("folder"),
           "The Inception features of a folder's images (pytorch-fid's order): float64 array (N, "
           "dims).")
      .def_property_readonly("dims", &PyFidPipeline::dims);

  m.def(
      "fid",
      [](const py::object& a, const py::object& b, std::size_t dims, const OptionalPath& weights,
         std::size_t batch_size, const OptionalPath& cache_dir, int threads) {
        return PyFidPipeline(dims, weights, batch_size, cache_dir, threads).fid(a, b);
      },
      py::arg("path_a"), py::arg("path_b"), py::arg("dims") = 2048, py::arg("weights") = py::none(),
      py::arg("batch_size") = 50, py::arg("cache_dir") = py::none(), py::arg("threads") = 0,
      ("FidPipeline(...).fid(path_a, path_b): FID as `qtune fid` computes it. " + options_doc)
          .c_str());
  m.def(
      "kid",
      [](const py::object& a, const py::object& b, std::size_t dims, const OptionalPath& weights,
         std::size_t batch_size, const OptionalPath& cache_dir, int threads, std::size_t subsets,
         std::size_t subset_size, std::uint64_t seed) {
        return PyFidPipeline(dims, weights, batch_size, cache_dir, threads)
            .kid(a, b, subsets, subset_size, seed);
      },
      py::arg("path_a"), py::arg("path_b"), py::arg("dims") = 2048, py::arg("weights") = py::none(),
      py::arg("batch_size") = 50, py::arg("cache_dir") = py::none(), py::arg("threads") = 0,
      py::arg("subsets") = 100, py::arg("subset_size") = 1000, py::arg("seed") = 0,
      ("FidPipeline(...).kid(path_a, path_b, ...): {'mean', 'std', 'subset_size', 'subsets'}. " +
       options_doc)
          .c_str());
  m.def(
      "inception_features",
      [](const py::object& folder, std::size_t dims, const OptionalPath& weights,
         std::size_t batch_size, const OptionalPath& cache_dir, int threads) {
        return PyFidPipeline(dims, weights, batch_size, cache_dir, threads).features(folder);
      },
      py::arg("folder"), py::arg("dims") = 2048, py::arg("weights") = py::none(),
      py::arg("batch_size") = 50, py::arg("cache_dir") = py::none(), py::arg("threads") = 0,
      ("FidPipeline(...).features(folder): a float64 numpy array (N, dims). " + options_doc)
          .c_str());
  m.def("paired_metrics", &paired_metrics, py::arg("stim"), py::arg("rec"),
        py::arg("metrics") = std::vector<std::string>(kPairedMetrics),
        (std::string("Image i of rec against image i of stim (sorted names), as scikit-image "
                     "computes ssim, psnr, mse and numpy pcc: {metric: mean over pairs, 'pairs': "
                     "[{'pair': name, metric: value}]}; ssim only when asked (it needs 11x11 "
                     "images). ") +
         kArraysDoc)
            .c_str());
}

}  // namespace qtune::python
