// TrialConfig: how one trial runs, parsed from the [trial] table of a study file.
//
//   [trial]
//   command = ["python3", "DGMM.py", "{K}", "{intermediate_dim}", "{batch_size}", "{maxiter}"]
//   shell = false                  # true: run through /bin/sh -c, values shell-quoted
//   workdir = "."                  # where the command runs; relative to the study file
//   timeout = "2h"                 # optional; then SIGTERM to the process group
//   kill_grace = "10s"             # SIGKILL this long after SIGTERM
//   env = { OMP_NUM_THREADS = "1" }
//   metric = { regex = 'FID:\s*(\S+)' }                        # last match on stdout
//   metric = { json = "{trial_dir}/metrics.json", key = "fid" }
//   metric = { builtin = "fid", reference = "{K}_{intermediate_dim}/stim",
//              generated = "{K}_{intermediate_dim}/rec", dims = 2048 }
//   metric = { builtin = "alexnet2", reference = "...", generated = "...",
//              weights_for = { alexnet = "alexnet-owt-7be5be79.pth" } }
//   metric = { reference = "{K}/stim", generated = "{K}/rec", combine = [  # folders: shared
//              { builtin = "fid", weight = 1 }, { builtin = "alexnet2", weight = 2 } ] }
//   progress = { regex = 'epoch (\d+).*val: (\S+)' }          # step, value on stdout
//   progress = { jsonl = "{trial_dir}/progress.jsonl", step = "epoch", value = "fid" }
//   executor = "local"             # or "slurm": each trial is one sbatch job
//
//   [trial.slurm]                  # used by executor = "slurm"; every key optional
//   partition = "gpu"              # --partition
//   time = "2h"                    # --time; default: [trial] timeout
//   cpus_per_task = 4              # --cpus-per-task
//   mem = "16G"                    # --mem
//   gres = "gpu:1"                 # --gres
//   gpus_per_task = 1              # --gpus-per-task (or "a100:1")
//   account = "lab"                # --account
//   qos = "normal"                 # --qos
//   extra = ["--constraint=a100"]  # more sbatch arguments, each starting with "-"
//   poll_interval = "5s"           # how often squeue is asked about the jobs
//   sbatch = "sbatch"              # the client commands (also squeue, scancel, scontrol,
//                                  # sacct): looked up in PATH unless they contain a '/'
//
// Command words, workdir, env values and metric paths are templates (template.h): each
// {name} must be a dimension of the space or {trial_id} / {trial_dir}. docs/config.md lists
// the same keys for users; keep both in step.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "qtune/base/duration.h"
#include "qtune/base/result.h"
#include "qtune/exec/template.h"
#include "qtune/space/space.h"

namespace qtune::exec {

// The metric is the LAST match of `pattern` (RE2 syntax, matched line by line) in the last
// MiB of the trial's stdout: its capture group (parse_trial checks there is exactly one).
struct RegexMetric {
  std::string pattern;
};

// The metric is `key` of the JSON object in file `path` (a template, relative to the
// workdir). A key starting with "/" is a JSON pointer ("/val/fid").
struct JsonMetric {
  Template path;
  std::string key;
};

// Built-in image metrics computed by qtune on two folders of images (metrics module); the
// last seven are the fMRI evaluation table's (metrics/evaluation_table.h).
enum class BuiltinMetricKind {
  kFid,
  kKid,
  kMse,
  kPsnr,
  kSsim,
  kCorrelation,
  kPixcorr,
  kSsimMindeye,
  kAlexnet2,
  kAlexnet5,
  kInception2way,
  kClip2way,
  kEffnet,  // a distance: lower is better
  kSwav,    // a distance: lower is better
};

struct BuiltinMetric {
  BuiltinMetricKind kind = BuiltinMetricKind::kFid;
  Template reference;  // folder (or .npz of statistics for fid) of the reference images
  Template generated;  // folder of the images the trial produced
  int dims = 2048;     // Inception feature size for fid/kid: 64, 192, 768 or 2048
  // weights_for = { alexnet = "FILE", inception_v3 = "FILE", efficientnet_b1 = "FILE",
  // swav_resnet50 = "FILE", clip_vit_l14 = "FILE" }: the evaluation table's
  // network weights, relative to the workdir (resolved like the folders); empty: torch's
  // hub cache.
  std::vector<std::pair<std::string, std::filesystem::path>> weights_for;
};

// Whether a higher value of the built-in metric is better (psnr, ssim, correlation, pixcorr,
// ssim_mindeye and the 2-way identifications) or a lower one (fid, kid, mse).
bool builtin_metric_maximize(BuiltinMetricKind kind);

// One metric of a combined reward and its weight (> 0).
struct CombinedComponent {
  BuiltinMetric metric;
  double weight = 1;
};

// A reward built from several built-in metrics, each computed on its own folders, named by
// its built-in name (no name twice). The executor measures every component (a trial whose
// component fails has no metric); the study turns them into one loss, lower better
// (study/combined_metric.h).
struct CombinedMetric {
  std::vector<CombinedComponent> components;  // at least two
};

using MetricSource = std::variant<RegexMetric, JsonMetric, BuiltinMetric, CombinedMetric>;

// [trial] progress: intermediate values a trial reports while it runs, read as they are
// written (exec/progress.h) for the study's [pruning] rule. Either the matches of a regex with
// two capture groups, the step (an integer) and the value, on the lines of stdout...
struct RegexProgress {
  std::string pattern;
};
// ... or one JSON object a line in file `path` (a template, relative to the workdir), the step
// and the value under the keys `step` and `value`.
struct JsonLinesProgress {
  Template path;
  std::string step = "step";
  std::string value = "value";
};
using ProgressSource = std::variant<RegexProgress, JsonLinesProgress>;

enum class ExecutorKind { kLocal, kSlurm };

// [trial.slurm]: how trials are submitted when executor = "slurm". An empty string or a 0
// leaves that sbatch option out (the cluster's default).
struct SlurmConfig {
  std::string partition;
  base::Duration time{0};  // --time, whole minutes rounded up; 0: no --time
  std::uint32_t cpus_per_task = 0;
  std::string mem;  // a size: digits with an optional K, M, G or T
  std::string gres;
  std::string gpus_per_task;  // "2" or "type:2"
  std::string account;
  std::string qos;
  std::vector<std::string> extra;  // each starts with "-"; none of the options qtune sets
  base::Duration poll_interval{std::chrono::seconds(5)};
  base::Duration max_pending{0};  // a job pending longer is cancelled, its trial failed; 0: none
  std::string sbatch = "sbatch";
  std::string squeue = "squeue";
  std::string scancel = "scancel";
  std::string scontrol = "scontrol";
  std::string sacct = "sacct";
};

struct TrialConfig {
  // argv template, one Template per word. With shell = true the words are joined by
  // spaces into one sh -c script and the values are shell-quoted.
  std::vector<Template> command;
  bool shell = false;
  // Where the command runs. A relative result is resolved against base_dir.
  Template workdir;
  std::filesystem::path base_dir;  // the study file's folder
  base::Duration timeout{0};       // 0: no timeout
  base::Duration kill_grace{std::chrono::seconds(10)};
  std::vector<std::pair<std::string, Template>> env;  // in file order
  MetricSource metric = RegexMetric{R"(FID:\s*(\S+))"};
  std::optional<ProgressSource> progress;  // none: a trial reports no intermediate values
  ExecutorKind executor = ExecutorKind::kLocal;
  SlurmConfig slurm;  // time defaults to `timeout`
};

// Names of the built-in metrics as written in study files ("fid", "kid", ...).
std::string_view builtin_metric_name(BuiltinMetricKind kind);

// `toml_text` is a study file's text, whose [trial] table is read (nullopt without one);
// `file` is the study file's path (messages, and base_dir is
// its parent folder). kInvalidArgument "file:line: [trial] key: what; what would be right"
// for an unknown key, a wrong type, a missing command, an unknown placeholder, a bad
// duration, a regex that does not compile, an unknown built-in metric, or a bad
// [trial.slurm] value (keys there are named "slurm.<key>").
base::Result<std::optional<TrialConfig>> parse_trial(std::string_view toml_text,
                                                     const space::Space& space,
                                                     std::string_view file);

// Computes a built-in metric on two folders (already expanded and resolved against the
// workdir). The metrics module provides it (the study Runner plugs it into the executor), so exec
// needs no image code of its own. An error becomes a kNoMetric trial with its message.
using BuiltinMetricFunction = std::function<base::Result<double>(
    const BuiltinMetric& metric, const std::filesystem::path& reference,
    const std::filesystem::path& generated)>;

}  // namespace qtune::exec
