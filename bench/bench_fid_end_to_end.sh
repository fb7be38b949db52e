#!/usr/bin/env bash
# FID end to end, qtune vs the pytorch-fid pipeline re-created in Python (torch + scipy
# sqrtm, tests/reference/stats_pytorch_fid.py), on the same images and random-weight .pth
# (the real weights cannot be downloaded here). Measured, never asserted; see
# docs/benchmarks.md "FID end to end".
#   bench/bench_fid_end_to_end.sh QTUNE_BINARY [THREADS]      (use a release build)
# Cases: (1) the user's reward: 10 reconstructions vs the stimulus statistics cached by a
# first run, dims 2048, process start included; (2) 500 + 500 images, no cache.
# Wall time and peak RSS from /usr/bin/time -v; best of 3 runs (of 1 for the 500 + 500 case).
set -euo pipefail
qtune=$(realpath "$1")
threads=${2:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
py=/usr/bin/python3
ref=$root/tests/reference
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

$py "$ref/nn_fid_inception.py" weights "$work/w.pth" 1
$py "$ref/stats_paired.py" make "$work/stim10" 10 28 28 L 1
$py "$ref/stats_paired.py" make "$work/rec10" 10 28 28 L 2
$py "$ref/stats_paired.py" make "$work/stim500" 500 28 28 L 3
$py "$ref/stats_paired.py" make "$work/rec500" 500 28 28 L 4

# measure RUNS CMD...: prints the best "<seconds> <peak RSS MB>" and the last stdout line
measure() {
  local runs=$1 best_s="" best_kb="" out=""
  shift
  for ((r = 0; r < runs; r++)); do
    /usr/bin/time -v -o "$work/time" "$@" > "$work/out" 2> /dev/null
    local s kb
    s=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); v = 0; for (i = 1; i <= n; i++) v = v * 60 + t[i]; print v}' "$work/time")
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
    if [[ -z $best_s ]] || awk "BEGIN {exit !($s < $best_s)}"; then best_s=$s; best_kb=$kb; fi
    out=$(tail -1 "$work/out")
  done
  printf '%8.2f s %7.0f MB   %s\n' "$best_s" "$((best_kb / 1024))" "$out"
}

export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads
q=("$qtune" fid --weights "$work/w.pth" --dims 2048 --threads "$threads")
echo "== reward: 10 reconstructions vs cached stimulus statistics, dims 2048, $threads threads"
"${q[@]}" "$work/stim10" "$work/rec10" --cache-dir "$work/cache" > /dev/null 2>&1  # fills the cache
printf 'qtune (cached stim)   '; measure 3 "${q[@]}" "$work/stim10" "$work/rec10" --cache-dir "$work/cache"
printf 'qtune (no cache)      '; measure 3 "${q[@]}" "$work/stim10" "$work/rec10" --no-cache
printf 'pytorch-fid pipeline  '; measure 3 $py "$ref/stats_pytorch_fid.py" fid "$work/stim10" "$work/rec10" "$work/w.pth" 2048 50 "$threads"

echo "== 500 + 500 images, dims 2048, no cache, $threads threads"
printf 'qtune                 '; measure 1 "${q[@]}" "$work/stim500" "$work/rec500" --no-cache
printf 'pytorch-fid pipeline  '; measure 1 $py "$ref/stats_pytorch_fid.py" fid "$work/stim500" "$work/rec500" "$work/w.pth" 2048 50 "$threads"
