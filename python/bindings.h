// The parts of the _qtune extension module, each adding its classes and functions, and the
// one helper they share.
#pragma once

#include <pybind11/pybind11.h>

#include <optional>
#include <utility>

namespace qtune::python {

void bind_study(pybind11::module_& module);    // study_binding.cc
void bind_metrics(pybind11::module_& module);  // metrics_binding.cc

// Runs `call` (file, database or compute work that touches no Python object) with the GIL
// released, so that other Python threads run meanwhile; returns its result (a Status or
// Result, turned into an exception by the caller once the GIL is held again).
template <typename Call>
auto without_gil(Call&& call) {
  std::optional<decltype(call())> result;
  {
    pybind11::gil_scoped_release released;
    result.emplace(call());
  }
  return std::move(*result);
}

}  // namespace qtune::python
