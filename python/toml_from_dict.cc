#include "toml_from_dict.h"

#include <toml++/toml.h>

#include <sstream>

namespace qtune::python {
namespace {

namespace py = pybind11;

// A quoted, escaped TOML string (a value or a key).
std::string quoted(const std::string& text) {
  std::ostringstream out;
  out << toml::value<std::string>(text);
  return out.str();
}

// One value as inline TOML; `where` is its dotted key for messages. Written by hand rather
// than through a toml::table, which orders keys by name: the order of the dimensions is the
// order the dict gives them (the space and its state ids depend on it).
std::string inline_value(py::handle value, const std::string& where) {
  // bool before int: a Python bool is an int.
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::int_>(value)) return std::to_string(value.cast<std::int64_t>());
  if (py::isinstance<py::float_>(value))
    return py::repr(value).cast<std::string>();  // 0.1, 1e-05, inf, nan
  if (py::isinstance<py::str>(value)) return quoted(value.cast<std::string>());
  std::string out;
  if (py::isinstance<py::dict>(value)) {
    for (auto [key, item] : value.cast<py::dict>()) {
      if (!py::isinstance<py::str>(key)) throw py::type_error(where + ": keys must be str");
      const auto name = key.cast<std::string>();
      out +=
          (out.empty() ? "" : ", ") + quoted(name) + " = " + inline_value(item, where + "." + name);
    }
    return "{ " + out + " }";
  }
  if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    std::size_t i = 0;
    for (py::handle item : value) {
      out +=
          (out.empty() ? "" : ", ") + inline_value(item, where + "[" + std::to_string(i++) + "]");
    }
    return "[" + out + "]";
  }
  throw py::type_error(where + ": a " +
                       py::str(py::type::handle_of(value).attr("__name__")).cast<std::string>() +
                       " has no TOML form; use str, bool, int, float, list or dict");
}

}  // namespace

std::string toml_from_dict(const py::dict& config) {
  // Keys with plain values first: TOML puts them before the first [table].
  std::string root;
  std::string tables;
  for (auto [key, value] : config) {
    if (!py::isinstance<py::str>(key)) throw py::type_error("study dict: keys must be str");
    const auto name = key.cast<std::string>();
    if (!py::isinstance<py::dict>(value)) {
      root += quoted(name) + " = " + inline_value(value, name) + "\n";
      continue;
    }
    tables += "[" + quoted(name) + "]\n";
    for (auto [inner, item] : value.cast<py::dict>()) {
      if (!py::isinstance<py::str>(inner)) throw py::type_error(name + ": keys must be str");
      const auto inner_name = inner.cast<std::string>();
      tables += quoted(inner_name) + " = " + inline_value(item, name + "." + inner_name) + "\n";
    }
  }
  return root + tables;
}

}  // namespace qtune::python
