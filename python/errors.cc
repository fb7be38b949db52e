#include "errors.h"

#include <Python.h>

namespace qtune::python {
namespace {

namespace py = pybind11;

// The classes live as long as the interpreter; they are kept without a destructor that
// could run after it has finalised.
struct ErrorClasses {
  PyObject* input = nullptr;
  PyObject* operation = nullptr;
  PyObject* conflict = nullptr;
};
ErrorClasses classes;

PyObject* new_class(py::module_& module, const char* name, const char* doc, py::handle bases) {
  const std::string qualified = std::string("qtune.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (cls == nullptr) throw py::error_already_set();
  module.add_object(name, py::handle(cls));  // add_object takes its own reference
  return cls;
}

// The same classification as the qtune command's exit codes (base::error_kind).
PyObject* class_of(base::StatusCode code) {
  switch (base::error_kind(code)) {
    case base::ErrorKind::kBadInput:
      return classes.input;
    case base::ErrorKind::kConflict:
      return classes.conflict;
    case base::ErrorKind::kInterrupted:
      return PyExc_KeyboardInterrupt;
    case base::ErrorKind::kNone:
    case base::ErrorKind::kFailure:
      return classes.operation;
  }
  return classes.operation;
}

void raise(const base::Status& status) {
  PyObject* cls = class_of(status.code());
  py::object error = py::reinterpret_borrow<py::object>(cls)(status.message());
  error.attr("code") = std::string(base::status_code_name(status.code()));
  PyErr_SetObject(cls, error.ptr());
}

}  // namespace

void bind_errors(py::module_& module) {
  PyObject* error =
      new_class(module, "Error", "Every qtune error; .code names the library's status code.",
                py::handle(PyExc_Exception));
  classes.input =
      new_class(module, "InputError", "Bad input: a study file, a value, a path (a ValueError).",
                py::make_tuple(py::handle(error), py::handle(PyExc_ValueError)));
  classes.operation = new_class(module, "OperationError",
                                "A runtime failure: I/O, database, computation (a RuntimeError).",
                                py::make_tuple(py::handle(error), py::handle(PyExc_RuntimeError)));
  classes.conflict =
      new_class(module, "ConflictError",
                "A refused trial transition: told twice, or not handed out by this study.",
                py::handle(classes.operation));
  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const StatusError& e) {
      raise(e.status());
    }
  });
}

}  // namespace qtune::python
