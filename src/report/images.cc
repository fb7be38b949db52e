// Images: for the 3 best and 3 worst completed trials, a strip of reference (stimulus) and
// generated (reconstruction) thumbnails, from the folders the [trial] built-in metric names.
// A folder that is missing or holds no image makes the strip say so.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "qtune/exec/template.h"
#include "qtune/metrics/image.h"
#include "report/sections.h"
#include "report/svg.h"
#include "report/thumbnail.h"

namespace qtune::report {
namespace {

constexpr std::size_t kPerStrip = 6;    // images per folder and trial
constexpr std::size_t kThumbSide = 64;  // pixels, the longer side
constexpr std::size_t kTrialsEach = 3;  // best and worst

std::string strip(const std::filesystem::path& folder, std::string_view what) {
  std::error_code error;
  if (!std::filesystem::is_directory(folder, error)) {
    if (folder.extension() == ".npz")
      return note(fmt::format("{}: {} is a statistics file, not images", folder.string(), what));
    return note(fmt::format("{}: missing ({} folder)", folder.string(), what));
  }
  const auto files = metrics::list_image_files(folder);
  if (!files.is_ok()) return note(files.status().message());
  std::string out = "<div class=\"strip\">";
  for (std::size_t i = 0; i < std::min(kPerStrip, files->size()); ++i) {
    const auto image = metrics::read_image((*files)[i]);
    if (!image.is_ok()) {
      out += note(image.status().message());
      continue;
    }
    out += fmt::format(R"(<img src="{}" alt="{}" title="{}">)",
                       png_data_uri(encode_png(downscale(*image, kThumbSide))),
                       escape((*files)[i].filename().string()),
                       escape((*files)[i].filename().string()));
  }
  return out + "</div>";
}

}  // namespace

std::string images_section(const StudyView& view) {
  const StudyData& data = *view.data;
  if (!data.config) return note("No image folders known: give the study file to see images.");
  // [report] images first, else the folders of the [trial] built-in metric (of a combined
  // metric, its first component).
  const study::ReportConfig& report = data.config->report;
  const exec::TrialConfig* trial = data.config->trial ? &*data.config->trial : nullptr;
  const auto* builtin = trial ? std::get_if<exec::BuiltinMetric>(&trial->metric) : nullptr;
  if (const auto* combined = trial ? std::get_if<exec::CombinedMetric>(&trial->metric) : nullptr)
    builtin = &combined->components.front().metric;  // a combined metric: its first one's
  const exec::Template* stim_folder = report.images_stim ? &*report.images_stim
                                      : builtin          ? &builtin->reference
                                                         : nullptr;
  const exec::Template* rec_folder = report.images_rec ? &*report.images_rec
                                     : builtin         ? &builtin->generated
                                                       : nullptr;
  if (stim_folder == nullptr && rec_folder == nullptr)
    return note(
        "No image folders named: add [report] images = { stim = \"...\", rec = \"...\" } "
        "to the study file, or use a built-in image metric in [trial].");
  std::vector<std::size_t> done;
  for (std::size_t i = 0; i < view.values.size(); ++i)
    if (std::isfinite(view.values[i])) done.push_back(i);
  if (done.empty()) return note("No completed trial yet: no images to show.");
  std::stable_sort(done.begin(), done.end(), [&](std::size_t a, std::size_t b) {
    return view.better(view.values[a], view.values[b]);
  });
  std::vector<std::pair<std::string, std::size_t>> shown;
  for (std::size_t i = 0; i < std::min(kTrialsEach, done.size()); ++i)
    shown.emplace_back(fmt::format("best #{}", i + 1), done[i]);
  for (std::size_t i = 0; i < std::min(kTrialsEach, done.size() - shown.size()); ++i)
    shown.emplace_back(fmt::format("worst #{}", i + 1), done[done.size() - 1 - i]);

  std::string out = fmt::format(
      "<p>Reference <code>{}</code> and generated <code>{}</code> images (first {} of each "
      "folder, at most {} px).</p><div class=\"scroll\"><table "
      "class=\"grid\"><tr><th>trial</th><th>value</th>"
      "<th>reference (stimulus)</th><th>generated (reconstruction)</th></tr>",
      escape(stim_folder ? stim_folder->text() : "(none)"),
      escape(rec_folder ? rec_folder->text() : "(none)"), kPerStrip, kThumbSide);
  for (const auto& [label, i] : shown) {
    const store::TrialRecord& t = view.trials()[i];
    const TrialPlace place = trial_place(data, t);
    const auto side = [&](const exec::Template* folder, std::string_view what) {
      if (folder == nullptr) return note(fmt::format("no {} folder named", what));
      const std::filesystem::path p(folder->expand(place.values));
      return strip((p.is_absolute() ? p : place.workdir / p).lexically_normal(), what);
    };
    out += fmt::format("<tr><td>{} (trial {})</td><td>{}</td><td>{}</td><td>{}</td></tr>", label,
                       t.number, short_number(view.values[i]), side(stim_folder, "reference"),
                       side(rec_folder, "generated"));
  }
  return out + "</table></div>";
}

}  // namespace qtune::report
