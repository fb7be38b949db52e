// qtune report end to end: reports of real studies (run by `qtune run` on a small python3
// trial script that writes images, with failures), of an empty study, of degenerate trial
// sets, and of 1,000 trials written straight into a SQLite store; and the pages as headless
// Chromium renders them (screenshots under <build>/report-shots/).
#include "qtune/report/report.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "cli/run_cli_util.h"
#include "qtune/metrics/image.h"
#include "qtune/store/open_store.h"
#include "qtune/study/study_config.h"
#include "report/study_view.h"
#include "support/run_process.h"
#include "support/slow_suite.h"
#include "support/temp_dir.h"

namespace qtune::testing {
namespace {

constexpr const char* kTrialScript = R"(import os, sys
from PIL import Image
x, y, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
if x == 0 or out.endswith("/1"):  # the second trial always fails, and x = 0
    print("Traceback: boom", file=sys.stderr)
    sys.exit(3)
for side in ("stim", "rec"):
    os.makedirs(os.path.join(out, side), exist_ok=True)
for i in range(2):
    shade = 40 + 20 * i
    Image.new("RGB", (96, 80), (shade, 120, 200)).save(os.path.join(out, "stim", f"{i}.png"))
    off = 4 * abs(x - 5) + 3 * abs(y - 2)
    Image.new("RGB", (96, 80), (shade + off, 120, 200 - off)).save(os.path.join(out, "rec", f"{i}.png"))
print("done")
)";

constexpr const char* kStudy = R"([study]
name = "imgs"
seed = 3
[space]
x = { range = [0, 7] }
y = { values = [0, 1, 2, 3] }
[strategy]
[budget]
trials = 14
[trial]
command = ["PYTHON", "trial.py", "{x}", "{y}", "{trial_dir}"]
metric = { builtin = "mse", reference = "{trial_dir}/stim", generated = "{trial_dir}/rec" }
)";

void expect_valid_report(const std::string& html) {
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  for (const std::string& id : report::section_ids())
    EXPECT_NE(html.find("<section id=\"" + id + "\">"), std::string::npos) << id;
  EXPECT_NE(html.find("setAttribute('data-ready','1')"), std::string::npos);
  EXPECT_NE(html.find("</html>"), std::string::npos);
}

std::size_t count(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The bytes of a base64 text (the report's inline PNGs).
std::vector<std::uint8_t> from_base64(std::string_view text) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<std::uint8_t> out;
  unsigned bits = 0;
  int have = 0;
  for (const char c : text) {
    const std::size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) break;  // '=' padding ends it
    bits = (bits << 6) | static_cast<unsigned>(v);
    have += 6;
    if (have >= 8) {
      have -= 8;
      out.push_back(static_cast<std::uint8_t>((bits >> have) & 0xff));
    }
  }
  return out;
}

// Headless Chromium: a screenshot at `width`x`height` and the DOM after the script ran.
struct Rendered {
  bool available = false;
  std::string dom;
  std::filesystem::path shot;
};

// A headless Chromium screenshot of `html` at report-shots/NAME.png; chromium is there
// (render() said so).
std::filesystem::path screenshot(const std::filesystem::path& html, const std::string& name,
                                 int width, int height) {
  const std::filesystem::path shot =
      std::filesystem::path(QTUNE_BINARY_DIR) / "report-shots" / (name + ".png");
  std::filesystem::remove(shot);
  const ProcessResult s = run_process(
      {"chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000",
       "--window-size=" + std::to_string(width) + "," + std::to_string(height),
       "--screenshot=" + shot.string(), "file://" + html.string()});
  EXPECT_EQ(s.exit_code, 0) << s.err;
  return shot;
}

Rendered render(const std::filesystem::path& html, const std::string& name, int width, int height) {
  Rendered r;
  if (run_process({"sh", "-c", "command -v chromium"}).exit_code != 0) return r;
  r.available = true;
  const std::filesystem::path shots = std::filesystem::path(QTUNE_BINARY_DIR) / "report-shots";
  std::filesystem::create_directories(shots);
  r.shot = shots / (name + ".png");
  std::filesystem::remove(r.shot);
  const std::vector<std::string> common = {
      "chromium",
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--virtual-time-budget=5000",
      "--window-size=" + std::to_string(width) + "," + std::to_string(height)};
  std::vector<std::string> shot = common;
  shot.push_back("--screenshot=" + r.shot.string());
  shot.push_back("file://" + html.string());
  const ProcessResult s = run_process(shot);
  EXPECT_EQ(s.exit_code, 0) << s.err;
  std::vector<std::string> dump = common;
  dump.push_back("--dump-dom");
  dump.push_back("file://" + html.string());
  const ProcessResult d = run_process(dump);
  EXPECT_EQ(d.exit_code, 0) << d.err;
  r.dom = d.out;
  return r;
}

class ReportTest : public ::testing::Test {
 protected:
  ProcessResult qtune(std::vector<std::string> args) {
    args.insert(args.begin(), qtune_cli());
    return run_process(args, dir_.path());
  }
  TempDir dir_;
};

TEST_F(ReportTest, ARealStudyWithFailuresAndImagesGivesACompleteSelfContainedPage) {
  dir_.write("trial.py", kTrialScript);
  // Debian's python3 (with PIL), as the reference tests use it.
  std::string study = kStudy;
  study.replace(study.find("PYTHON"), 6, QTUNE_PYTHON);
  const auto file = dir_.write("study.toml", study);
  const ProcessResult run = qtune({"run", file.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;

  const auto out = dir_ / "report.html";
  const ProcessResult made = qtune({"report", file.string(), "-o", out.string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string html = read_file(out);
  expect_valid_report(html);
  // Summary: the budget, the best value and the command that reproduces it.
  EXPECT_NE(html.find("14 / 14 trials"), std::string::npos);
  const ProcessResult best = qtune({"best", file.string(), "--format", "json"});
  ASSERT_EQ(best.exit_code, 0) << best.err;
  const nlohmann::json b = nlohmann::json::parse(best.out);
  // Export and best type each value as its dimension.
  const auto text = [](const nlohmann::json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
  };
  const std::string x = text(b["params"]["x"]), y = text(b["params"]["y"]);
  EXPECT_NE(html.find("<code>x=" + x + "</code> <code>y=" + y + "</code>"), std::string::npos);
  EXPECT_NE(html.find(fmt::format("(trial {})", b["number"].get<int>())), std::string::npos);
  EXPECT_NE(html.find(std::string(QTUNE_PYTHON) + " trial.py " + x + " " + y + " "),
            std::string::npos);
  EXPECT_NE(html.find("Traceback: boom"), std::string::npos);  // a failed trial's log tail
  EXPECT_NE(html.find("mse (lower is better)"), std::string::npos);
  // Images: the 3 best and 3 worst complete trials, 2 thumbnails a side each, inlined.
  std::size_t complete = 0;
  for (const nlohmann::json& t : exported_trials(file)) complete += t["state"] == "COMPLETE";
  EXPECT_EQ(count(html, "src=\"data:image/png;base64,"),
            std::min<std::size_t>(complete, 6) * 2 * 2);
  // A thumbnail is a real PNG of the image, shrunk to 64 px across (96x80 -> 64x53).
  const std::size_t uri = html.find("src=\"data:image/png;base64,");
  ASSERT_NE(uri, std::string::npos);
  const std::size_t start = uri + std::string_view("src=\"data:image/png;base64,").size();
  const std::vector<std::uint8_t> png =
      from_base64(std::string_view(html).substr(start, html.find('"', start) - start));
  const auto thumbnail = metrics::decode_image(png, "thumbnail");
  ASSERT_TRUE(thumbnail.is_ok()) << thumbnail.status().to_string();
  EXPECT_EQ(thumbnail->width, 64u);
  EXPECT_EQ(thumbnail->height, 53u);
  // Every trial is a row of the table.
  EXPECT_EQ(count(html, "<tr><td data-v=") + count(html, "<tr class=\"best\"><td data-v="), 14u);
  EXPECT_NE(html.find("Method: a variance split"), std::string::npos);
  // What the model-based strategy believes: mean and uncertainty on the one pairwise slice.
  EXPECT_NE(html.find("Predicted value by x and y"), std::string::npos);
  EXPECT_NE(html.find("Uncertainty (sd) by x and y"), std::string::npos);

  // The same study through --storage and --study (no study file): still complete.
  const auto bare = dir_ / "bare.html";
  const ProcessResult by_url =
      qtune({"report", "--storage", "sqlite://" + (dir_ / "imgs.db").string(), "--study", "imgs",
             "-o", bare.string()});
  ASSERT_EQ(by_url.exit_code, 0) << by_url.err;
  const std::string bare_html = read_file(bare);
  expect_valid_report(bare_html);
  EXPECT_NE(bare_html.find("give the study file"), std::string::npos);
  EXPECT_NE(bare_html.find("Give the study file to see what the strategy learned"),
            std::string::npos);

  // A missing image folder: the strip says which (the folders are put back after).
  std::filesystem::rename(dir_ / "imgs.trials", dir_ / "imgs.trials.away");
  ASSERT_EQ(qtune({"report", file.string(), "-o", out.string()}).exit_code, 0);
  std::filesystem::rename(dir_ / "imgs.trials.away", dir_ / "imgs.trials");
  const std::string missing = read_file(out);
  EXPECT_NE(missing.find("/stim: missing (reference folder)"), std::string::npos);
  EXPECT_EQ(count(missing, "data:image/png"), 0u);

  // As a browser shows it, on a desktop and on a phone.
  const auto page = dir_ / "page.html";
  std::filesystem::copy_file(dir_ / "report.html", page);
  ASSERT_EQ(qtune({"report", file.string(), "-o", page.string()}).exit_code, 0);
  for (const auto& [name, w, h] : {std::tuple{"study", 1280, 800}, {"study-phone", 390, 844}}) {
    const Rendered r = render(page, name, w, h);
    if (!r.available) GTEST_SKIP() << "chromium is not installed (scripts/install-deps)";
    EXPECT_NE(r.dom.find("data-ready=\"1\""), std::string::npos) << name;
    EXPECT_EQ(r.dom.find("data-error="), std::string::npos) << name;
    EXPECT_GT(std::filesystem::file_size(r.shot), 10000u) << name;
  }
  // A screenshot per section (report-shots/section-ID.png in the build folder, kept as CI
  // artifacts): the page with the other sections hidden by one added style rule.
  const std::string full = read_file(page);
  for (const std::string& id : report::section_ids()) {
    std::string only = full;
    only.insert(only.find("</head>"), "<style>section:not(#" + id + "){display:none}</style>");
    const auto one = dir_ / ("section-" + id + ".html");
    std::ofstream(one) << only;
    const std::filesystem::path shot = screenshot(one, "section-" + id, 1280, 800);
    EXPECT_GT(std::filesystem::file_size(shot), 10000u) << id;  // not a blank page
  }
}

// The seed preset has no reward model: the page shows its Q-table instead, one row per
// visited state (at most 30), one column per move, the greedy move outlined in each row.
TEST_F(ReportTest, TheSeedPresetShowsItsQTableAsAHeatMap) {
  dir_.write("t.sh", "echo FID: $(( ($1 - 2) * ($1 - 2) + ($2 - 1) * ($2 - 1) ))\n");
  const auto file = dir_.write("study.toml", R"([study]
name = "seed"
[space]
x = { range = [0, 4] }
y = { range = [0, 3] }
[strategy]
preset = "seed"
[budget]
trials = 12
[trial]
command = ["sh", "t.sh", "{x}", "{y}"]
)");
  ASSERT_EQ(qtune({"run", file.string()}).exit_code, 0);
  const auto out = dir_ / "seed.html";
  const ProcessResult made = qtune({"report", file.string(), "-o", out.string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string html = read_file(out);
  expect_valid_report(html);
  const auto at = html.find("Q-table: visited states by move");
  ASSERT_NE(at, std::string::npos);
  const std::string map = html.substr(at, html.find("</svg>", at) - at);
  // The seed preset's joint moves on a 2-D grid: every combination of -1/0/+1 (9 columns);
  // every row has one greedy outline.
  const std::size_t rows = count(map, "stroke-dasharray=\"4 2\"");
  EXPECT_GE(rows, 2u);
  EXPECT_LE(rows, 12u);
  EXPECT_EQ(count(map, "<title>x="), rows * 9) << map.substr(0, 2000);
  EXPECT_NE(html.find(std::to_string(rows) + " of " + std::to_string(rows) + " visited states"),
            std::string::npos);
}

// The store records a trial's worker, not its slot: the report reconstructs the slots from
// overlapping trials. Each trial writes the CUDA_VISIBLE_DEVICES the local executor gave it;
// the reconstruction must name the same GPU for every trial.
TEST_F(ReportTest, ReconstructedSlotsAreTheGpusTheTrialsGot) {
  dir_.write("t.sh",
             "echo $CUDA_VISIBLE_DEVICES > \"$QTUNE_TRIAL_DIR/gpu\"\n"
             "sleep 0.$(( $1 % 3 + 1 ))\necho FID: $1\n");
  const auto file = dir_.write("study.toml", R"([study]
name = "gpus"
[space]
x = { range = [0, 8] }
[strategy]
kind = "grid"
[budget]
parallel = 3
gpus = [2, 5, 7]
[trial]
command = ["sh", "t.sh", "{x}"]
)");
  ASSERT_EQ(qtune({"run", file.string()}).exit_code, 0);
  auto config = study::load_study_config(file);
  ASSERT_TRUE(config.is_ok()) << config.status().message();
  auto store = store::open_store(config->storage.url(), store::OpenMode::kReadOnly);
  ASSERT_TRUE(store.is_ok()) << store.status().message();
  const auto record = (*store)->find_study("gpus");
  ASSERT_TRUE(record.is_ok() && record->has_value());
  auto trials = (*store)->trials((*record)->id);
  ASSERT_TRUE(trials.is_ok());
  report::StudyData data{std::move(*config), **record, std::move(*trials)};
  const report::StudyView view = report::make_study_view(data);
  const auto lanes = report::trial_lanes(view);
  ASSERT_EQ(lanes.size(), 9u);
  std::set<int> used;
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    const store::TrialRecord& t = data.trials[i];
    ASSERT_TRUE(lanes[i] && lanes[i]->gpu) << t.number;
    const std::string got = read_file(dir_ / "gpus.trials" / std::to_string(t.number) / "gpu");
    EXPECT_EQ(std::to_string(*lanes[i]->gpu) + "\n", got) << "trial " << t.number;
    used.insert(*lanes[i]->gpu);
  }
  EXPECT_EQ(used, (std::set<int>{2, 5, 7}));
}

TEST_F(ReportTest, AStudyWithoutTrialsGivesAPageThatSaysSo) {
  const auto file = dir_.write("study.toml", R"([study]
name = "empty"
[space]
x = { range = [0, 3] }
[budget]
trials = 5
[trial]
command = ["true"]
)");
  const auto config = study::load_study_config(file);
  ASSERT_TRUE(config.is_ok()) << config.status().message();
  auto store = store::open_store(config->storage.url());
  ASSERT_TRUE(store.is_ok()) << store.status().message();
  store::StudyRecord record;
  record.name = "empty";
  ASSERT_TRUE((*store)->create_study(record).is_ok());

  const auto out = dir_ / "empty.html";
  const ProcessResult made = qtune({"report", file.string(), "-o", out.string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string html = read_file(out);
  expect_valid_report(html);
  EXPECT_NE(html.find("0 / 5 trials"), std::string::npos);
  EXPECT_NE(html.find("The study has no trials yet"), std::string::npos);
  const Rendered r = render(out, "empty", 1280, 800);
  if (!r.available) GTEST_SKIP() << "chromium is not installed (scripts/install-deps)";
  EXPECT_NE(r.dom.find("data-ready=\"1\""), std::string::npos);
  EXPECT_EQ(r.dom.find("data-error="), std::string::npos);
}

TEST_F(ReportTest, WatchRewritesThePageWithAReloadTagUntilStopped) {
  const auto file = dir_.write("study.toml", R"([study]
name = "w"
[space]
x = { range = [0, 3] }
[budget]
trials = 2
)");
  auto config = study::load_study_config(file);
  ASSERT_TRUE(config.is_ok()) << config.status().message();
  auto store = store::open_store(config->storage.url());
  ASSERT_TRUE(store.is_ok());
  store::StudyRecord record;
  record.name = "w";
  const auto study = (*store)->create_study(record);
  ASSERT_TRUE(study.is_ok());

  // The study has budget left: the page reloads itself, and is rewritten as trials arrive.
  const auto out = dir_ / "w.html";
  BackgroundQtune watch(dir_ / "watch.log",
                        {"report", file.string(), "-o", out.string(), "--watch", "1"});
  // The page so far ("" before the first one).
  const auto page = [&] { return std::filesystem::exists(out) ? read_file(out) : std::string(); };
  EXPECT_TRUE(eventually([&] { return page().find("0 / 2 trials") != std::string::npos; }));
  EXPECT_NE(read_file(out).find("<meta http-equiv=\"refresh\" content=\"1\">"), std::string::npos);
  store::NewTrial t;
  t.params = {{"x", "2"}};
  const auto created = (*store)->create_trial(study->id, t, "", 0);
  ASSERT_TRUE(created.is_ok());
  EXPECT_TRUE(eventually([&] { return page().find("1 / 2 trials") != std::string::npos; }));
  // Ctrl-C: one last page, without the reload tag.
  watch.signal(SIGINT);
  EXPECT_EQ(watch.exit_code(), 0) << read_file(dir_ / "watch.log");
  EXPECT_EQ(read_file(out).find("http-equiv"), std::string::npos);
  expect_valid_report(read_file(out));

  // A study whose budget is used and whose trials are finished: one page, then done.
  store::TrialResult result;
  result.value = 1.5;
  ASSERT_TRUE((*store)->finish_trial(created->id, result, "", 1).is_ok());
  t.params = {{"x", "3"}};
  const auto second = (*store)->create_trial(study->id, t, "", 2);
  ASSERT_TRUE(second.is_ok());
  ASSERT_TRUE((*store)->finish_trial(second->id, result, "", 3).is_ok());
  const ProcessResult done = qtune({"report", file.string(), "-o", out.string(), "--watch", "1"});
  EXPECT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(read_file(out).find("http-equiv"), std::string::npos);
  EXPECT_NE(read_file(out).find("2 / 2 trials"), std::string::npos);
}

// qtune run --report keeps the page current while it runs and leaves the final one (without
// the reload tag) at the end, the same page qtune report writes.
TEST_F(ReportTest, RunWithReportLeavesTheFinalPage) {
  dir_.write("trial.py", kTrialScript);
  std::string study = kStudy;
  study.replace(study.find("PYTHON"), 6, QTUNE_PYTHON);
  const auto file = dir_.write("study.toml", study);
  const auto out = dir_ / "live.html";
  const ProcessResult run = qtune({"run", file.string(), "--report", out.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string html = read_file(out);
  expect_valid_report(html);
  EXPECT_NE(html.find("14 / 14 trials"), std::string::npos);
  EXPECT_EQ(html.find("http-equiv"), std::string::npos);  // finished: no reload tag
  // A report that cannot be written is said once, and the run goes on.
  const ProcessResult again = qtune({"run", file.string(), "--report", "/no/such/dir/r.html"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("--report /no/such/dir/r.html"), std::string::npos) << again.err;
}

TEST_F(ReportTest, NoStudyIsBadInput) {
  const ProcessResult made = qtune({"report", "--storage", "sqlite://" + (dir_ / "x.db").string(),
                                    "--study", "nope", "-o", (dir_ / "r.html").string()});
  EXPECT_EQ(made.exit_code, 2) << made.err;  // kNotFound: run it first
  EXPECT_NE(made.err.find("run the study first"), std::string::npos) << made.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "r.html"));
}

store::TrialRecord trial(std::int64_t number, std::string x, store::TrialState state,
                         std::optional<double> value, std::string reason = "") {
  store::TrialRecord t;
  t.id = number + 1;
  t.number = number;
  t.params = {{"x", std::move(x)}, {"lr", number % 2 ? "0.1" : "0.01"}};
  t.state_id = static_cast<space::StateId>(number);  // one configuration per trial
  t.state = state;
  t.value = value;
  t.failure_reason = std::move(reason);
  t.worker = "host:1";
  t.started_at = 1000 + 10.0 * static_cast<double>(number);
  if (state != store::TrialState::kRunning) t.finished_at = t.started_at + 8;
  return t;
}

report::StudyData data_of(std::vector<store::TrialRecord> trials) {
  report::StudyData data;
  data.record.name = "made";
  data.trials = std::move(trials);
  return data;
}

TEST(ReportPages, DegenerateTrialSetsGiveValidPagesWithNotes) {
  using store::TrialState;
  // One trial.
  std::string html = report::render_html(data_of({trial(0, "1", TrialState::kComplete, 2.5)}), {});
  expect_valid_report(html);
  EXPECT_NE(html.find("<b class=\"big\">2.5</b> (trial 0)"), std::string::npos);
  EXPECT_NE(html.find("Importance needs at least 3 trials"), std::string::npos);

  // An imported result is shown apart and does not count as a trial qtune ran.
  store::TrialRecord imported = trial(1, "2", TrialState::kComplete, 2.0);
  imported.source = "FID_Results.csv:1";
  html = report::render_html(data_of({trial(0, "1", TrialState::kComplete, 1.0), imported}), {});
  expect_valid_report(html);
  EXPECT_NE(html.find("1 trials (no trial budget"), std::string::npos);
  EXPECT_NE(html.find("1 result (qtune import), not counted in the budget"), std::string::npos);

  // Only failures.
  html = report::render_html(data_of({trial(0, "1", TrialState::kFailed, {}, "exit_code"),
                                      trial(1, "2", TrialState::kFailed, {}, "timeout")}),
                             {});
  expect_valid_report(html);
  EXPECT_NE(html.find("none yet: no trial completed with a finite value"), std::string::npos);
  EXPECT_NE(html.find("<td>timeout</td><td>1</td>"), std::string::npos);
  EXPECT_NE(html.find("No trial has a finite value yet"), std::string::npos);

  // Non-finite values beside finite ones: left out of the plots, and said so.
  html = report::render_html(
      data_of({trial(0, "1", TrialState::kComplete, std::nan("")),
               trial(1, "2", TrialState::kComplete, INFINITY),
               trial(2, "3", TrialState::kComplete, 1.0), trial(3, "4", TrialState::kComplete, 3.0),
               trial(4, "4", TrialState::kComplete, 4.0), trial(5, "5", TrialState::kRunning, {})}),
      {.refresh_seconds = 30, .generated_at = 0});
  expect_valid_report(html);
  EXPECT_NE(html.find("2 complete trial(s) reported a value that is not a finite number"),
            std::string::npos);
  EXPECT_NE(html.find("<b class=\"big\">1</b> (trial 2)"), std::string::npos);
  EXPECT_NE(html.find("<meta http-equiv=\"refresh\" content=\"30\">"), std::string::npos);
  EXPECT_EQ(html.find("=\"nan"), std::string::npos);  // no NaN coordinate in a plot
  EXPECT_EQ(html.find("=\"-nan"), std::string::npos);
}

TEST(ReportPages, AThousandTrialsFromASqliteStoreStayUnderFiveMegabytes) {
  TempDir dir;
  const auto file = dir.write("study.toml", R"([study]
name = "big"
[space]
a = { range = [0, 9] }
b = { range = [0, 9] }
c = { values = [0.001, 0.01, 0.1] }
d = { values = ["adam", "sgd"] }
[budget]
trials = 1000
[trial]
command = ["python3", "train.py", "{a}", "{b}", "{c}", "{d}"]
)");
  auto config = study::load_study_config(file);
  ASSERT_TRUE(config.is_ok()) << config.status().message();
  auto opened = store::open_store(config->storage.url());
  ASSERT_TRUE(opened.is_ok()) << opened.status().message();
  store::Store& store = **opened;
  store::StudyRecord record;
  record.name = "big";
  const auto study = store.create_study(record);
  ASSERT_TRUE(study.is_ok());
  std::int64_t event = 0;
  const std::string log(400, 'x');
  for (int i = 0; i < 1000; ++i) {
    store::NewTrial t;
    const int a = i % 10, b = (i / 10) % 10;
    t.params = {{"a", std::to_string(a)},
                {"b", std::to_string(b)},
                {"c", i % 3 == 0   ? "0.001"
                      : i % 3 == 1 ? "0.01"
                                   : "0.1"},
                {"d", i % 2 ? "adam" : "sgd"}};
    t.worker = "node" + std::to_string(i % 4) + ":42";
    const auto created = store.create_trial(study->id, t, "", event++);
    ASSERT_TRUE(created.is_ok()) << created.status().message();
    store::TrialResult result;
    if (i % 17 == 5) {
      result.state = store::TrialState::kFailed;
      result.failure_reason = "exit_code";
    } else {
      result.value = (a - 3) * (a - 3) + 0.5 * (b - 6) * (b - 6) + (i % 7) * 0.1;
    }
    result.log_tail = log;
    ASSERT_TRUE(store.finish_trial(created->id, result, "", event++).is_ok());
  }
  report::StudyData data{std::move(*config), *store.find_study("big").value(),
                         store.trials(study->id).value()};
  ASSERT_EQ(data.trials.size(), 1000u);
  const std::string html = report::render_html(data, {});
  expect_valid_report(html);
  EXPECT_LT(html.size(), 5u * 1000 * 1000);
  RecordProperty("report_bytes", static_cast<int>(html.size()));
  std::printf("1,000 trials: %zu bytes\n", html.size());
  // Parameter importance ranks a (the larger part of the variance) above c and d.
  const auto a_at = html.find("<tr><td>a</td>"), c_at = html.find("<tr><td>c</td>");
  ASSERT_NE(c_at, std::string::npos);  // both rows are there, the dominant one first
  EXPECT_LT(a_at, c_at);

  const auto out = dir.path() / "big.html";
  ASSERT_TRUE(report::write_report(out, html).is_ok());
  const Rendered r = render(out, "thousand", 1280, 800);
  if (!r.available) GTEST_SKIP() << "chromium is not installed (scripts/install-deps)";
  EXPECT_NE(r.dom.find("data-ready=\"1\""), std::string::npos);
  EXPECT_NE(r.dom.find("1000 of 1000 trials"), std::string::npos);
}

}  // namespace
// 10^5 trials (8 parallel slots on 2 hosts, 1 in 13 failed, 400-character logs): the page
// draws a sample of them one by one (the best half first), aggregates the rest, stays under
// 20 MB and opens in Chromium with its script done. How long it takes is measured, not
// asserted (docs/benchmarks.md).
TEST(ReportPages, AHundredThousandTrialsStayUnderTwentyMegabytes) {
  QTUNE_SKIP_IF_SLOW_SUITES_SKIPPED();
  constexpr int kTrials = 100000;
  std::vector<store::TrialRecord> trials;
  trials.reserve(kTrials);
  const std::string log(400, 'x');
  for (int i = 0; i < kTrials; ++i) {
    const bool failed = i % 13 == 5;
    const int a = i % 10, b = (i / 10) % 10;
    store::TrialRecord t = trial(
        i, std::to_string(a), failed ? store::TrialState::kFailed : store::TrialState::kComplete,
        failed ? std::nullopt
               : std::optional<double>((a - 3) * (a - 3) + 0.5 * (b - 6) * (b - 6) + (i % 7) * 0.1),
        failed ? "exit_code" : "");
    t.params.push_back({"b", std::to_string(b)});
    t.worker = "node" + std::to_string(i % 2) + ":42";
    // Four slots per host: trial i starts when i - 8 ended.
    t.started_at = 1000 + 30.0 * static_cast<double>(i / 8);
    t.finished_at = t.started_at + 29;
    t.log_tail = log;
    trials.push_back(std::move(t));
  }
  const std::string html = report::render_html(data_of(std::move(trials)), {});
  expect_valid_report(html);
  std::printf("100,000 trials: %zu bytes\n", html.size());
  RecordProperty("report_bytes", static_cast<int>(html.size()));
  EXPECT_LT(html.size(), 20u * 1000 * 1000);
  EXPECT_NE(html.find("3000 of 100000 trials drawn: the 1500 best"), std::string::npos);
  // Every slot of both hosts has its lane (4 each: the trials overlap four at a time).
  for (const std::string lane : {"node0:42 slot 0", "node0:42 slot 3", "node1:42 slot 3"})
    EXPECT_NE(html.find(">" + lane + "<"), std::string::npos) << lane;
  EXPECT_EQ(html.find("node0:42 slot 4"), std::string::npos);
  EXPECT_EQ(count(html, "<tbody>"), 1u);
  EXPECT_EQ(count(html, R"(<tr class="best">)"), 1u);  // the best trial is among those listed

  TempDir dir;
  const auto out = dir.path() / "huge.html";
  ASSERT_TRUE(report::write_report(out, html).is_ok());
  const auto t0 = std::chrono::steady_clock::now();
  const Rendered r = render(out, "hundred-thousand", 1280, 800);
  if (!r.available) GTEST_SKIP() << "chromium is not installed (scripts/install-deps)";
  std::printf("rendered twice (screenshot, DOM) in %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  EXPECT_NE(r.dom.find("data-ready=\"1\""), std::string::npos);
  EXPECT_NE(r.dom.find("3000 of 3000 trials"), std::string::npos);
}

}  // namespace qtune::testing
