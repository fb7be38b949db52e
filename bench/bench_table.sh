#!/usr/bin/env bash
# The whole evaluation table end to end: `qtune metrics` with pixcorr, ssim_mindeye, alexnet2,
# alexnet5, inception2way and fid against the PyTorch re-creation (bench/table_pytorch.py:
# MindEye's Reconstruction_Metrics.py and pytorch-fid, in one process), on the same 100 + 100
# images and the same torch-written random weights (the published ones cannot be downloaded
# here), for 28x28 and 425x425 images. Measured, never asserted; see docs/benchmarks.md
# "Evaluation table".
#   bench/bench_table.sh QTUNE_BINARY [THREADS] [IMAGES] [RUNS]      (a release build)
# Wall time (process start, weights load and image decode included), CPU time and peak RSS from
# /usr/bin/time -v, best of RUNS (default 2) runs each; the values both sides print, to
# compare; the load average before each row.
set -euo pipefail
qtune=$(realpath "$1")
threads=${2:-2}
images=${3:-100}
runs=${4:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
py=/usr/bin/python3
ref=$root/tests/reference
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

$py "$ref/nn_fid_inception.py" weights "$work/fid.pth" 1
$py "$ref/nn_evaluation_table.py" weights alexnet "$work/alexnet.pth" 1
$py "$ref/nn_evaluation_table.py" weights inception_v3 "$work/inception.pth" 2

# measure RUNS CMD...: prints the best "<wall seconds> <CPU seconds> <peak RSS MB>" (CPU: user +
# system, which a loaded machine inflates less than wall time), then the command's output
measure() {
  local runs=$1 best_s="" best_cpu="" best_kb=""
  shift
  for ((r = 0; r < runs; r++)); do
    /usr/bin/time -v -o "$work/time" "$@" > "$work/out" 2> "$work/err" || { cat "$work/err"; exit 1; }
    local s cpu kb
    s=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); v = 0; for (i = 1; i <= n; i++) v = v * 60 + t[i]; print v}' "$work/time")
    cpu=$(awk -F': ' '/User time|System time/ {v += $2} END {print v}' "$work/time")
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
    if [[ -z $best_s ]] || awk "BEGIN {exit !($s < $best_s)}"; then best_s=$s; best_cpu=$cpu; best_kb=$kb; fi
  done
  printf '%8.2f s wall %8.2f s CPU %7.0f MB\n' "$best_s" "$best_cpu" "$((best_kb / 1024))"
  sed 's/^/      /' "$work/out"
}

export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads
for side in 28 425; do
  $py "$ref/nn_evaluation_table.py" make "$work/stim$side" "$work/rec$side" "$images" "$side" "$side" 1
  echo "== $images + $images images of ${side}x$side, $threads threads"
  printf 'load %s\nqtune metrics   ' "$(cut -d' ' -f1-3 /proc/loadavg)"
  measure "$runs" "$qtune" metrics "$work/stim$side" "$work/rec$side" --format json --threads "$threads" \
    --metrics pixcorr,ssim_mindeye,alexnet2,alexnet5,inception2way,fid --no-cache \
    --weights "$work/fid.pth" --weights-for "alexnet=$work/alexnet.pth" \
    --weights-for "inception_v3=$work/inception.pth"
  printf 'load %s\nPyTorch         ' "$(cut -d' ' -f1-3 /proc/loadavg)"
  measure "$runs" $py "$root/bench/table_pytorch.py" "$work/stim$side" "$work/rec$side" "$work/fid.pth" \
    "$work/alexnet.pth" "$work/inception.pth" "$threads"
done
