#!/bin/bash
# The compute benchmark (issue 14): strategies replayed by compute on the tables that have a
# cost column (ae4: `seconds`, each training's wall time; curves4: synthetic, 10x across
# maxiter), scored at 10% and 25% of the whole grid's cost (`qtune replay --cost seconds
# --compute-budget`), printed as a markdown table of median normalised regret, with the
# median evaluations made in brackets. Builds nothing.
#
#   bench/cost.sh [BUILD_DIR]        default BUILD_DIR: build/release
#   env: SEEDS (50), THREADS (1), TABLES ("ae4 curves4"), TPE (1; 0 skips Optuna),
#        STRATEGIES (default all: random,hyperband2,hyperband3,model-blind,model-cost,
#        model-cost-fidelity), JSON_OUT (keeps the raw JSON lines)
#
# Strategies: random; hyperband with eta 2 and 3 over maxiter; the default model told no
# cost (cost_aware = false) and no fidelity ("blind"); told the costs; told the costs and the
# fidelity (maxiter); Optuna TPE (bench/optuna_tpe.py --cost).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
qtune=$build/src/cli/qtune
python=/usr/bin/python3
seeds=${SEEDS:-50}
threads=${THREADS:-1}
tables=${TABLES:-"ae4 curves4"}
strategies=${STRATEGIES:-random,hyperband2,hyperband3,model-blind,model-cost,model-cost-fidelity}
[[ -x $qtune ]] || { echo "cost.sh: $qtune is not built; build the qtune target" >&2; exit 2; }
out=${JSON_OUT:-$(mktemp)}
: > "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for name in $tables; do
  case $name in
    ae4) args=("$root"/bench/tables/ae4_seed{0,1,2}.csv --objective mse
               --params K,intermediate_dim,batch_size,maxiter)
         space='K = { range = [2, 10] }
intermediate_dim = { values = [64, 128, 256] }
batch_size = { values = [8, 16, 32] }
maxiter = { values = [10, 20, 40] FIDELITY }' ;;
    curves4) args=("$root"/bench/tables/curves4_seed{0,1,2}.csv --objective value)
         space='lr = { values = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1] }
width = { values = [32, 64, 128, 256] }
batch = { values = [16, 32, 64, 128] }
maxiter = { values = [100, 200, 500, 1000] FIDELITY }' ;;
    *) echo "cost.sh: unknown table $name" >&2; exit 2 ;;
  esac
  fidelity=${space//FIDELITY/, fidelity = true}
  plain=${space//FIDELITY/}
  printf '[space]\n%s\n[strategy]\nkind = "hyperband"\neta = 2\n' "$fidelity" > "$work/hb2.toml"
  printf '[space]\n%s\n[strategy]\nkind = "hyperband"\neta = 3\n' "$fidelity" > "$work/hb3.toml"
  printf '[space]\n%s\n[strategy]\ncost_aware = false\n' "$plain" > "$work/blind.toml"
  common=(--cost seconds --seeds "$seeds" --threads "$threads" --format json)
  for strategy in ${strategies//,/ }; do
    case $strategy in
      random) extra=(--strategy random) ;;
      hyperband2) extra=(--config "$work/hb2.toml") ;;
      hyperband3) extra=(--config "$work/hb3.toml") ;;
      model-blind) extra=(--config "$work/blind.toml") ;;
      model-cost) extra=() ;;
      model-cost-fidelity) extra=(--fidelity maxiter) ;;
      *) echo "cost.sh: unknown strategy $strategy" >&2; exit 2 ;;
    esac
    echo "cost.sh: $name $strategy" >&2
    start=$EPOCHREALTIME
    # One run per budget: the model plans for the budget it is given (cost cooling).
    "$qtune" replay "${args[@]}" "${common[@]}" "${extra[@]}" --compute-budget 10% > "$work/10.json"
    "$qtune" replay "${args[@]}" "${common[@]}" "${extra[@]}" --compute-budget 25% > "$work/25.json"
    "$python" -c 'import json, sys
at = {}
for key in ("10", "25"):
    d = json.load(open(sys.argv[1] + "/" + key + ".json"))
    at[key] = [d["median_regret_at_budget"], d["median_evaluations_at_budget"], d["median_cost_spent"]]
print(json.dumps({"table": sys.argv[2], "strategy": sys.argv[3], "seconds": float(sys.argv[5]) - float(sys.argv[4]), "at": at}))' \
      "$work" "$name" "$strategy" "$start" "$EPOCHREALTIME" >> "$out"
  done
  [[ ${TPE:-1} == 1 ]] || continue
  echo "cost.sh: $name tpe" >&2
  start=$EPOCHREALTIME
  "$python" "$root/bench/optuna_tpe.py" "${args[@]}" --cost seconds --compute-budgets 10%,25% \
      --seeds "$seeds" --jobs "$threads" > "$work/tpe.json"
  "$python" -c 'import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
at = {}
for r, key in zip(rows, ("10", "25")):
    at[key] = [r["median_regret_at_budget"], r["median_evaluations_at_budget"], r["median_cost_spent"]]
print(json.dumps({"table": sys.argv[2], "strategy": "tpe", "seconds": float(sys.argv[4]) - float(sys.argv[3]), "at": at}))' \
    "$work/tpe.json" "$name" "$start" "$EPOCHREALTIME" >> "$out"
done

"$python" - "$out" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
tables = list(dict.fromkeys(r["table"] for r in rows))
strategies = list(dict.fromkeys(r["strategy"] for r in rows))
print("| strategy | " + " | ".join(f"{t} @10% | {t} @25%" for t in tables) + " |")
print("| --- |" + " --- | --- |" * len(tables))
for s in strategies:
    cells = []
    for t in tables:
        r = next((r for r in rows if r["table"] == t and r["strategy"] == s), None)
        for key in ("10", "25"):
            cells.append("-" if r is None else f'{r["at"][key][0]:.3f} ({r["at"][key][1]:g})')
    print(f"| {s} | " + " | ".join(cells) + " |")
print()
print("Wall seconds: " + ", ".join(f'{r["table"]} {r["strategy"]} {r["seconds"]:.0f}' for r in rows))
PY
echo "Machine: $(nproc) cores,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), load average" \
  "$(cut -d' ' -f1-3 /proc/loadavg) at the end; seeds on $threads threads"
