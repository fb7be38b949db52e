#!/usr/bin/python3
"""Optuna's TPE sampler replayed on the same tables, budgets and scores as `qtune replay`.

The anchor that the strategy benchmark (bench/strategies.sh) compares q-learning with. Run
with Debian's python3 (python3-optuna 3.1):

    /usr/bin/python3 bench/optuna_tpe.py bench/tables/ae4_seed{0,1,2}.csv --objective mse \
        --params K,intermediate_dim,batch_size,maxiter --budgets 20,40,80 --seeds 50

Rules, the same as include/qtune/replay/replay.h:
- The grid: each parameter column's distinct values, sorted numerically when all are numbers.
  TPE sees one distribution per parameter over the grid indices: IntDistribution(0, n-1) for a
  numeric parameter (ordered), CategoricalDistribution(range(n)) for strings.
- A configuration missing from a table, or a row whose status is not "ok", or a NaN value, is
  a failed trial (told to TPE as FAIL).
- Several tables: each new measurement draws one table uniformly at random (seeded); scores
  are taken against the per-configuration mean over the tables.
- Budget = distinct configurations measured. TPE re-suggests configurations it has seen; such a
  repeat is told the value measured before and does not count, and the loop keeps asking until
  the budget is reached or --max-trials x budget trials were asked (default 2: TPE often
  settles on a few configurations and would ask thousands of repeats, each ask costing more
  than the last). A run stopped so keeps its last score for the rest of the budget, and the
  output's "median_distinct" says how many distinct configurations the runs measured.
- Best found at e evaluations = the truth (mean) of the configuration with the best measured
  value so far; regret = |best found - table best| / (table's range of means); evaluations to
  the best = the first evaluation that measured a configuration whose mean is the best mean.

- By compute (--cost COLUMN --compute-budgets 10%,25%, as `qtune replay --cost
  --compute-budget`): a new measurement costs its drawn table's cost of the row (a repeat
  costs nothing: it is told the earlier value); the loop runs until the summed cost passes
  the largest budget (or every configuration was measured, or --max-trials x the grid size
  trials were asked); the score at budget B is the one after
  the last measurement whose summed cost is at most B, and median_cost_spent is that sum. A
  percentage is of the grid's cost: the sum over configurations of their mean cost over the
  tables.

Prints one JSON object per budget, with the keys of `qtune replay --format json`.
"""
import argparse
import csv
import json
import math
import multiprocessing
import statistics
import sys

import numpy as np
import optuna


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("tables", nargs="+")
    p.add_argument("--objective", required=True)
    p.add_argument("--params", default="", help="comma-separated; default: columns left of the objective")
    p.add_argument("--budgets", default="20,40,80")
    p.add_argument("--seeds", type=int, default=50)
    p.add_argument("--seed", type=int, default=0, help="root seed")
    p.add_argument("--direction", choices=["minimize", "maximize"], default="minimize")
    p.add_argument("--max-trials", type=int, default=2, help="trials per run, as a multiple of the budget")
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--cost", default="", help="cost column (replay by compute)")
    p.add_argument("--compute-budgets", default="", help="e.g. 10%%,25%% or seconds")
    return p.parse_args(argv)


def number(text):
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def load(args):
    """Returns (names, [(numeric, size)], values[t][index tuple] (NaN = failed), means{index: mean})."""
    rows_per_table = []
    names = [p for p in args.params.split(",") if p]
    for path in args.tables:
        with open(path, newline="") as f:
            reader = csv.reader(f)
            header = [h.strip() for h in next(reader)]
            rows = [[c.strip() for c in r] for r in reader if any(c.strip() for c in r)]
        if not names:
            names = [h for h in header[: header.index(args.objective)] if h != "status"]
        rows_per_table.append((header, rows))
    levels = []  # per parameter: (numeric, {value: index})
    for name in names:
        texts = {r[h.index(name)] for h, rows in rows_per_table for r in rows}
        if all(number(t) is not None for t in texts):
            levels.append((True, {v: i for i, v in enumerate(sorted({number(t) for t in texts}))}))
        else:
            levels.append((False, {t: i for i, t in enumerate(sorted(texts))}))
    values = []
    costs = []
    for header, rows in rows_per_table:
        col = {h: i for i, h in enumerate(header)}
        table = {}
        cost = {}
        for r in rows:
            key = tuple(lv[number(r[col[n]]) if numeric else r[col[n]]]
                        for n, (numeric, lv) in zip(names, levels))
            ok = "status" not in col or r[col["status"]] == "ok"
            v = number(r[col[args.objective]]) if ok else None
            table[key] = float("nan") if v is None else v
            if args.cost:
                cost[key] = float(r[col[args.cost]])
        values.append(table)
        costs.append(cost)
    means = {}
    for key in set().union(*values):
        vs = [t[key] for t in values if key in t and not math.isnan(t[key])]
        if vs:
            means[key] = sum(vs) / len(vs)
    grid_cost = 0.0
    if args.cost:
        for key in set().union(*costs):
            cs = [c[key] for c in costs if key in c]
            grid_cost += sum(cs) / len(cs)
    return names, [(numeric, len(lv)) for numeric, lv in levels], values, means, costs, grid_cost


def median_or_none(xs):
    m = statistics.median(xs)
    return None if math.isinf(m) else m


def run_seed(job):
    args, names, sizes, values, means, costs, limit, seed_index = job
    budget = max(int(b) for b in args.budgets.split(",")) if limit is None else len(means)
    sign = 1.0 if args.direction == "minimize" else -1.0
    best_truth = min(means.values()) if sign > 0 else max(means.values())
    worst_truth = max(means.values()) if sign > 0 else min(means.values())
    dists = {n: optuna.distributions.IntDistribution(0, size - 1) if numeric
             else optuna.distributions.CategoricalDistribution(list(range(size)))
             for n, (numeric, size) in zip(names, sizes)}
    sampler = optuna.samplers.TPESampler(seed=args.seed * 1_000_003 + seed_index)
    study = optuna.create_study(sampler=sampler, direction=args.direction)
    rng = np.random.default_rng([args.seed, seed_index])
    cache = {}
    best_measured = None  # (signed value, key)
    best_at, evals_to_best = [], None
    trials = 0
    spent, cost_at = 0.0, []
    while len(best_at) < budget and trials < args.max_trials * budget:
        if limit is not None and spent > limit:
            break
        trials += 1
        trial = study.ask(dists)
        key = tuple(trial.params[n] for n in names)
        if key not in cache:
            t = int(rng.integers(len(values))) if len(values) > 1 else 0
            table = values[t]
            v = table.get(key, float("nan"))
            if limit is not None:
                spent += costs[t].get(key, 0.0)
                cost_at.append(spent)
            cache[key] = None if math.isnan(v) else v
            if cache[key] is not None and (best_measured is None or sign * cache[key] < best_measured[0]):
                best_measured = (sign * cache[key], key)
            if evals_to_best is None and means.get(key) == best_truth:
                evals_to_best = len(best_at) + 1
            best_at.append(means[best_measured[1]] if best_measured else worst_truth)
        if cache[key] is None:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        else:
            study.tell(trial, cache[key])
    distinct = len(best_at)
    if limit is not None:
        return best_at, evals_to_best, distinct, cost_at
    best_at += [best_at[-1] if best_at else worst_truth] * (budget - len(best_at))
    return best_at, evals_to_best, distinct, cost_at


def main(argv):
    args = parse_args(argv)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    names, sizes, values, means, costs, grid_cost = load(args)
    limits = [grid_cost * float(b[:-1]) / 100 if b.endswith("%") else float(b)
              for b in args.compute_budgets.split(",") if b]
    limit = max(limits) if limits else None
    jobs = [(args, names, sizes, values, means, costs, limit, i) for i in range(args.seeds)]
    if args.jobs > 1:
        with multiprocessing.Pool(args.jobs) as pool:
            runs = pool.map(run_seed, jobs)
    else:
        runs = [run_seed(j) for j in jobs]
    sign = 1.0 if args.direction == "minimize" else -1.0
    best = min(means.values()) if sign > 0 else max(means.values())
    span = max(means.values()) - min(means.values())
    worst = max(means.values()) if sign > 0 else min(means.values())
    for b in sorted(limits):
        found, spent, evals, within_all = [], [], [], []
        for best_at, e, _, cost_at in runs:
            within = sum(1 for c in cost_at if c <= b)
            found.append(best_at[within - 1] if within else worst)
            spent.append(cost_at[within - 1] if within else 0.0)
            evals.append(e if e is not None and e <= within else math.inf)
            within_all.append(within)
        print(json.dumps({
            "strategy": "tpe",
            "tables": args.tables,
            "compute_budget": b,
            "grid_cost": grid_cost,
            "seeds": args.seeds,
            "table_best": best,
            "median_best_at_budget": statistics.median(found),
            "median_regret_at_budget": statistics.median(
                [abs(f - best) / span if span > 0 else 0.0 for f in found]),
            "found_best_fraction": sum(1 for e in evals if e != math.inf) / len(runs),
            "median_cost_spent": statistics.median(spent),
            "median_evaluations_at_budget": statistics.median(within_all),
        }))
    if limits:
        return
    for b in sorted(int(x) for x in args.budgets.split(",")):
        found = [r[0][b - 1] for r in runs]
        evals = [e if e is not None and e <= b else math.inf for _, e, _, _ in runs]
        print(json.dumps({
            "strategy": "tpe",
            "tables": args.tables,
            "budget": b,
            "seeds": args.seeds,
            "table_best": best,
            "median_best_at_budget": statistics.median(found),
            "median_regret_at_budget": statistics.median(
                [abs(f - best) / span if span > 0 else 0.0 for f in found]),
            "found_best_fraction": sum(1 for e in evals if e <= b) / len(runs),
            "median_evals_to_best": median_or_none(evals),
            "median_distinct": statistics.median([min(d, b) for _, _, d, _ in runs]),
        }))


if __name__ == "__main__":
    main(sys.argv[1:])
