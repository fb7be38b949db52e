#!/usr/bin/env bash
# FID of 100 + 100 images (or IMAGES + IMAGES) beside a busy neighbour: qtune against the pytorch-fid pipeline
# re-created in Python (tests/reference/stats_pytorch_fid.py), same images and random-weight
# .pth, first on the machine as it is ("quiet") and then while another process runs 2-thread
# PyTorch matrix products on the same cores ("contended"), as on a shared login or GPU node.
# qtune runs with its default passive OpenMP waiting, and once with OMP_WAIT_POLICY=active
# (spinning barriers: qtune before issue 16). Measured, never asserted; best of RUNS.
# See docs/benchmarks.md "FID beside a busy process".
#   bench/bench_fid_contended.sh QTUNE_BINARY [THREADS] [RUNS] [IMAGES]   (release build; IMAGES a side, 100)
set -euo pipefail
qtune=$(realpath "$1")
threads=${2:-2}
runs=${3:-1}
images=${4:-100}
root=$(cd "$(dirname "$0")/.." && pwd)
py=/usr/bin/python3
ref=$root/tests/reference
work=$(mktemp -d)
neighbour=""
trap '[[ -n $neighbour ]] && kill "$neighbour" 2>/dev/null; rm -rf "$work"' EXIT

$py "$ref/nn_fid_inception.py" weights "$work/w.pth" 1
$py "$ref/stats_paired.py" make "$work/stim" "$images" 28 28 L 3
$py "$ref/stats_paired.py" make "$work/rec" "$images" 28 28 L 4

# best wall seconds of RUNS runs of CMD...
measure() {
  local best=""
  for ((r = 0; r < runs; r++)); do
    local start end s
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1
    end=$(date +%s.%N)
    s=$(awk "BEGIN {print $end - $start}")
    if [[ -z $best ]] || awk "BEGIN {exit !($s < $best)}"; then best=$s; fi
  done
  echo "$best"
}

export OMP_NUM_THREADS=$threads  # PyTorch's threads (qtune takes --threads)
q=("$qtune" fid --weights "$work/w.pth" --dims 2048 --threads "$threads" --no-cache "$work/stim" "$work/rec")
p=($py "$ref/stats_pytorch_fid.py" fid "$work/stim" "$work/rec" "$work/w.pth" 2048 50 "$threads")
case_row() {
  local label=$1 tq ta tp
  tq=$(measure "${q[@]}")
  ta=$(OMP_WAIT_POLICY=active measure "${q[@]}")
  tp=$(measure "${p[@]}")
  printf '%-10s qtune %6.2f s   qtune (spinning) %6.2f s   pytorch-fid %6.2f s   load %s\n' \
    "$label" "$tq" "$ta" "$tp" "$(cut -d' ' -f1 /proc/loadavg)"
}

echo "== FID $images + $images images (28x28), dims 2048, $threads threads, best of $runs"
case_row quiet
$py -c "
import torch
torch.set_num_threads(2)
a = torch.randn(384, 384)
while True:
    a = torch.tanh(a @ a)
" &
neighbour=$!
sleep 2
case_row contended
