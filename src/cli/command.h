// The qtune command table: each command adds its CLI11 subcommand and returns the action
// that runs it once the arguments are parsed. One file per command (cmd_<name>.cc).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "qtune/base/status.h"

namespace qtune::cli {

// The exit codes are base::ExitCode (README "Exit codes"), one mapping for every command.
using base::ExitCode;
using base::kExitFailure;
using base::kExitInterrupted;
using base::kExitNoSuccess;
using base::kExitOk;
using base::kExitUsage;

// A subcommand and its flags, which the command's action keeps alive (it runs after parsing).
template <typename Flags>
std::pair<CLI::App*, std::shared_ptr<Flags>> add_subcommand(CLI::App& app, const std::string& name,
                                                            const std::string& description) {
  return {app.add_subcommand(name, description), std::make_shared<Flags>()};
}

// A flag that counts something (>= 1), its default shown in --help.
template <typename T>
CLI::Option* add_count_option(CLI::App& app, const std::string& name, T& value,
                              const std::string& description) {
  return app.add_option(name, value, description)
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// Prints "qtune <command>: <message>" on stderr and returns base::exit_code(status): every
// command reports its errors through it, so one error exits alike from each.
int report_error(std::string_view command, const base::Status& status);

Command add_run_command(CLI::App& app);
Command add_worker_command(CLI::App& app);
Command add_retry_command(CLI::App& app);
Command add_status_command(CLI::App& app);
Command add_best_command(CLI::App& app);
Command add_export_command(CLI::App& app);
Command add_import_command(CLI::App& app);
Command add_replay_command(CLI::App& app);
Command add_fid_command(CLI::App& app);
Command add_metrics_command(CLI::App& app);
Command add_report_command(CLI::App& app);

}  // namespace qtune::cli
