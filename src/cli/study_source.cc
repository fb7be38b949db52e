#include "cli/study_source.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "cli/command.h"
#include "qtune/store/open_store.h"

namespace qtune::cli {

void add_study_source_options(CLI::App& app, StudySource& source) {
  app.add_option("study_file", source.file, "the study file (TOML)");
  app.add_option("--storage", source.storage,
                 "store URL, e.g. sqlite:///path/dgmm.db (env QTUNE_STORAGE)")
      ->envname("QTUNE_STORAGE");
  app.add_option("--study", source.study,
                 "study name within the store (default: the study file's)");
}

base::Result<OpenedStudy> open_study_source(const StudySource& source) {
  OpenedStudy opened;
  store::StorageUrl storage(source.storage);
  std::string name = source.study;
  if (!source.file.empty()) {
    QTUNE_ASSIGN_OR_RETURN(opened.config, study::load_study_config(source.file));
    if (storage.url().empty()) storage = opened.config->storage;
    if (name.empty()) name = opened.config->name;
  }
  if (storage.url().empty() || name.empty()) {
    return base::Status::invalid_argument(
        "no study given; pass the study file, or --storage URL and --study NAME");
  }
  QTUNE_ASSIGN_OR_RETURN(opened.store,
                         store::open_store(storage.url(), store::OpenMode::kReadOnly));
  QTUNE_ASSIGN_OR_RETURN(std::optional<store::StudyRecord> record, opened.store->find_study(name));
  if (!record) {
    return base::Status::not_found(
        fmt::format("{}: no study named \"{}\"; run it first with qtune run", storage, name));
  }
  opened.record = std::move(*record);
  QTUNE_ASSIGN_OR_RETURN(opened.trials, opened.store->trials(opened.record.id));
  return opened;
}

bool study_finished(const OpenedStudy& opened) {
  if (!opened.config || !opened.config->budget.trials) return false;
  std::size_t run = 0;
  for (const store::TrialRecord& t : opened.trials) {
    if (!store::is_finished(t.state)) return false;
    if (!t.imported()) ++run;
  }
  return run >= *opened.config->budget.trials;
}

std::string describe_params(const std::vector<store::Param>& params) {
  std::string out;
  for (const store::Param& p : params)
    out += fmt::format("{}{}={}", out.empty() ? "" : " ", p.name, p.value);
  return out;
}

}  // namespace qtune::cli
