// qtune import: results that exist already (the training script's FID_Results.csv, a CSV
// with a header, qtune's own JSON export) into a study, as finished trials marked imported.
// The reading and checking is study::import_results (include/qtune/study/import.h).
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/run_study.h"
#include "qtune/store/open_store.h"
#include "qtune/study/import.h"
#include "qtune/study/study.h"

namespace qtune::cli {
namespace {

struct ImportFlags {
  std::string file;
  std::vector<std::string> results;
  std::string storage;
  study::ImportOptions options;
};

int import_into_study(const ImportFlags& flags) {
  auto config = study::load_study_config(flags.file);
  if (!config.is_ok()) return report_error("import", config.status());
  if (!flags.storage.empty()) config->storage = store::StorageUrl(flags.storage);
  auto store = store::open_store(config->storage.url());
  if (!store.is_ok()) return report_error("import", store.status());
  // Shared: a `qtune run` may be live on the study; its running trials are left alone.
  auto opened = study::Study::open_shared(*std::move(config), **store);
  if (!opened.is_ok()) return report_error("import", opened.status());
  const std::vector<std::filesystem::path> files(flags.results.begin(), flags.results.end());
  auto report = study::import_results(**opened, files, flags.options);
  if (!report.is_ok()) return report_error("import", report.status());
  for (const std::string& skipped : report->skipped) {
    std::fputs(fmt::format("qtune import: skipped {}\n", skipped).c_str(), stderr);
  }
  std::fputs(fmt::format("imported {} result{} into study \"{}\" ({} read, {} imported before, "
                         "{} skipped); they seed the strategy and are not counted in the budget\n",
                         report->added, report->added == 1 ? "" : "s", (*opened)->config().name,
                         report->read, report->already, report->skipped.size())
                 .c_str(),
             stdout);
  return kExitOk;
}

}  // namespace

Command add_import_command(CLI::App& app) {
  auto added = add_subcommand<ImportFlags>(
      app, "import", "add results that exist already to a study, as imported trials");
  CLI::App* sub = added.first;
  const std::shared_ptr<ImportFlags> flags = added.second;
  add_study_file_flags(*sub, flags->file, flags->storage);
  sub->add_option("results", flags->results,
                  "results files: headerless KEY,VALUE (with --key), CSV with a header, or "
                  "`qtune export --format json`")
      ->required();
  sub->add_option("--key", flags->options.key,
                  "headerless KEY,VALUE lines: the key's pattern, e.g. "
                  "'{K}_{intermediate_dim}_{batch_size}_{maxiter}'");
  sub->add_option("--objective", flags->options.objective,
                  "CSV with a header: the objective column (default: the one column that is "
                  "not a parameter)");
  sub->add_flag("--strict", flags->options.strict,
                "refuse rows outside the [space] instead of skipping them");
  return {sub, [flags] { return import_into_study(*flags); }};
}

}  // namespace qtune::cli
