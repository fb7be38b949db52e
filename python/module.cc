// _qtune: the C++ part of the Python package qtune (python/qtune/__init__.py re-exports it).
#include <pybind11/pybind11.h>

#include "bindings.h"
#include "errors.h"

PYBIND11_MODULE(_qtune, module) {
  module.doc() = "qtune's study (ask/tell) and image metrics (FID, KID, SSIM, PSNR, MSE, PCC)";
  qtune::python::bind_errors(module);
  qtune::python::bind_study(module);
  qtune::python::bind_metrics(module);
}
