// The shape of a read-only study command (best; status adds --watch and its own view): the
// study source options and --format, then the study opened for reading and handed to `show`,
// which prints and returns the exit code. Errors in the options or the store are reported as
// every command does.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "cli/command.h"
#include "cli/study_output.h"
#include "cli/study_source.h"

namespace qtune::cli {

using ShowStudy = std::function<int(const OpenedStudy& study, OutputFormat format)>;

Command add_study_reader(CLI::App& app, const std::string& name, const std::string& description,
                         ShowStudy show);

}  // namespace qtune::cli
