// A study given as a Python dict becomes study-file text, so that it is checked by the same
// parser as a file (parse_study_config) and says the same things about a bad key.
//   {"study": {"name": "toy"}, "space": {"K": {"range": [2, 5]}}}  ->  [study] name = "toy" ...
// Keys keep the dict's order. str, bool, int, float, list/tuple and dict (str keys) map to
// their TOML kinds (a dict below a table is an inline table); anything
// else is a TypeError naming its key.
#pragma once

#include <pybind11/pybind11.h>

#include <string>

namespace qtune::python {

std::string toml_from_dict(const pybind11::dict& config);

}  // namespace qtune::python
