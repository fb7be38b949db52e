#!/bin/bash
# The strategy benchmark: grid, random, q-learning (preset seed and the default), coordinate
# hill climbing and Optuna's TPE replayed on the same tables, budgets and seeds, printed side
# by side as a markdown table (median normalised regret at each budget; in brackets the
# median evaluations until the best configuration was first measured, within the largest
# budget; "-" where most seeds never measured it). Builds nothing.
#
#   bench/strategies.sh [BUILD_DIR]        default BUILD_DIR: build/release
#   env: SEEDS (50), BUDGETS (20,40,80), THREADS (1; seeds in parallel), TABLES (all sets:
#        "ae4 branin15 rastrigin2_21 styblinski4_9 hartmann6_5 levy3_15 categorical6_seed1
#        levy6_7"; NAME is bench/tables/NAME.csv, or NAME_seed*.csv replayed as one noisy
#        table), STRATEGIES (the C++ ones,
#        default all: grid,random,q-learning-seed,q-learning-walk,q-learning,hill-climbing;
#        q-learning-walk is the default with rules = ["walk"]), TPE (1; 0 skips
#        Optuna), JSON_OUT (a file that keeps the raw JSON lines), FROM_JSON (runs nothing:
#        formats the JSON_OUT files named, space-separated, e.g. two runs of other strategies)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
bin=$build/bench/bench_strategies
python=/usr/bin/python3
seeds=${SEEDS:-50}
budgets=${BUDGETS:-20,40,80}
threads=${THREADS:-1}
tables=${TABLES:-"ae4 branin15 rastrigin2_21 styblinski4_9 hartmann6_5 levy3_15 categorical6_seed1 levy6_7"}
strategies=${STRATEGIES:-grid,random,q-learning-seed,q-learning-walk,q-learning,hill-climbing}
[[ -x $bin ]] || { echo "strategies.sh: $bin is not built; build the bench_strategies target" >&2; exit 2; }

out=${JSON_OUT:-$(mktemp)}
if [[ -n ${FROM_JSON:-} ]]; then
  cat $FROM_JSON > "$out"
else
  for name in $tables; do
    case $name in
      ae4) args=("$root"/bench/tables/ae4_seed{0,1,2}.csv --objective mse
                 --params K,intermediate_dim,batch_size,maxiter) ;;
      *) if [[ -f $root/bench/tables/$name.csv ]]; then
           args=("$root/bench/tables/$name.csv" --objective value)
         else  # several noise draws of one grid
           args=("$root"/bench/tables/"$name"_seed*.csv --objective value)
         fi ;;
    esac
    echo "strategies.sh: $name" >&2
    # A strategy that cannot run (a preset not built) is skipped with a message, not fatal.
    { "$bin" "${args[@]}" --seeds "$seeds" --budgets "$budgets" --threads "$threads" \
        --strategies "$strategies" || echo "strategies.sh: $name: incomplete, see above" >&2; } |
      sed "s/^/$name\t/" >> "$out"
    [[ ${TPE:-1} == 1 ]] || continue
    start=$EPOCHREALTIME
    "$python" "$root/bench/optuna_tpe.py" "${args[@]}" --seeds "$seeds" --budgets "$budgets" \
        --jobs "$threads" > "$out.tpe"
    "$python" -c 'import json, sys
seconds = float(sys.argv[2]) - float(sys.argv[1])
for line in sys.stdin: print(json.dumps(dict(json.loads(line), seconds=seconds)))' \
        "$start" "$EPOCHREALTIME" < "$out.tpe" | sed "s/^/$name\t/" >> "$out"
    rm -f "$out.tpe"
  done
fi

echo "Machine: $(nproc) cores,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), load average" \
  "$(cut -d' ' -f1-3 /proc/loadavg) at the end; seeds on $threads threads"
echo
"$python" - "$out" "$seeds" <<'PY'
import json, sys
rows, order, tables = {}, [], []
for line in open(sys.argv[1]):
    table, text = line.rstrip("\n").split("\t", 1)
    r = json.loads(text)
    if table not in tables: tables.append(table)
    if r["strategy"] not in order: order.append(r["strategy"])
    rows.setdefault((r["strategy"], table), []).append(r)
label = {"grid": "grid order", "random": "random search", "q-learning-seed": "q-learning, preset seed",
         "q-learning-walk": "q-learning (model), walk only (before issue 15's portfolio)",
         "q-learning": "q-learning (default, model)", "hill-climbing": "coordinate hill climbing + restarts",
         "tpe": "Optuna TPE"}
order = [s for s in label if s in order] + [s for s in order if s not in label]
def cell(rs):
    rs = sorted(rs, key=lambda r: r["budget"])
    regrets = " / ".join(f"{r['median_regret_at_budget']:.3f}".lstrip("0") or "0" for r in rs)
    e = rs[-1]["median_evals_to_best"]
    return f"{regrets} ({'-' if e is None else f'{e:g}'})"
budgets = sorted({r["budget"] for rs in rows.values() for r in rs})
print(f"Median normalised regret at {' / '.join(map(str, budgets))} evaluations over {sys.argv[2]} seeds "
      f"(median evaluations to the best within {budgets[-1]}):\n")
print("| strategy | " + " | ".join(tables) + " |")
print("| --- |" + " --- |" * len(tables))
for s in order:
    print(f"| {label.get(s, s)} | " + " | ".join(cell(rows[(s, t)]) if (s, t) in rows else "" for t in tables) + " |")
print(f"\nWall seconds for all seeds (budget {budgets[-1]}):\n")
print("| strategy | " + " | ".join(tables) + " |")
print("| --- |" + " --- |" * len(tables))
for s in order:
    print(f"| {label.get(s, s)} | " + " | ".join(f"{rows[(s, t)][0]['seconds']:.3g}" if (s, t) in rows else "" for t in tables) + " |")
distinct = {t: max(rows[("tpe", t)], key=lambda r: r["budget"])["median_distinct"] for t in tables if ("tpe", t) in rows}
if distinct:
    print(f"\nOptuna TPE re-suggests configurations it has measured; within {2 * budgets[-1]} trials its runs "
          f"measured a median of " + ", ".join(f"{d:g} ({t})" for t, d in distinct.items()) +
          f" distinct configurations of the {budgets[-1]} budgeted (bench/optuna_tpe.py --max-trials).")
PY
