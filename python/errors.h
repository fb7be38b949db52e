// How a non-OK Status reaches Python: an exception of the qtune hierarchy, carrying the
// library's message ("where: what is wrong; what would be right") and the code's name.
//
//   qtune.Error(Exception)                     every qtune error; .code: "invalid argument", ...
//     qtune.InputError(Error, ValueError)      bad input: kInvalidArgument, kNotFound, kCorrupt,
//                                              kAlreadyExists (the CLI's exit code 2)
//     qtune.OperationError(Error, RuntimeError)  the rest: I/O, database, internal
//       qtune.ConflictError                    a refused trial transition (kConflict)
//
// C++ code throws StatusError (never across a GIL release boundary: the binding functions
// keep their Results until the GIL is held again); the translator raises the Python class.
#pragma once

#include <pybind11/pybind11.h>

#include <exception>
#include <utility>

#include "qtune/base/result.h"

namespace qtune::python {

class StatusError : public std::exception {
 public:
  explicit StatusError(base::Status status) : status_(std::move(status)) {}
  const char* what() const noexcept override { return status_.message().c_str(); }
  const base::Status& status() const { return status_; }

 private:
  base::Status status_;
};

// Adds the exception classes to `module` and registers the translator.
void bind_errors(pybind11::module_& module);

inline void throw_if_error(const base::Status& status) {
  if (!status.is_ok()) throw StatusError(status);
}

template <typename T>
T value_or_throw(base::Result<T> result) {
  if (!result.is_ok()) throw StatusError(result.status());
  return std::move(result).value();
}

}  // namespace qtune::python
