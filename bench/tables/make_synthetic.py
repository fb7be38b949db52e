#!/usr/bin/python3
"""Writes the synthetic benchmark grids of bench/tables/ (deterministic; no tuning was done on
them: they check that a strategy's gain on ae4 and branin15 is not fitted to those two).

    /usr/bin/python3 bench/tables/make_synthetic.py bench/tables

- hartmann6_5.csv: Hartmann-6 on [0,1]^6 at 5 levels per dimension (15,625 configurations;
  6-D, one narrow basin among shallow ones).
- rastrigin2_21.csv: Rastrigin 2-D on [-5.12, 5.12]^2 at 21 levels (441; strongly multimodal,
  the optimum at the centre).
- styblinski4_9.csv: Styblinski-Tang 4-D on [-5, 5]^4 at 9 levels (6,561; separable, 2^4
  local minima at the corners of a box, one of them global).
- levy3_15_seed{0,1,2}.csv: Levy 3-D on [-10, 10]^3 at 15 levels (3,375; 48 local minima under
  joint moves, a global trend), plus Gaussian noise of sd = NOISE_SHARE x the grid's range,
  one draw per file (numpy seed = the file's seed): a noisy replay like ae4's three training
  seeds. NOISE_SHARE = 0.028 is the noise measured on ae4 where a tuner spends its budget:
  the median standard deviation over the three seeds of ae4's best 10% configurations is
  2.8% of the range of its means (9.2% over all configurations, dominated by poor ones).
- categorical6_seed1.csv: a synthetic training recipe, 6,300 configurations: four
  categorical parameters (optimizer, activation, norm, init: strings, so the replay grid
  orders them alphabetically, an order that means nothing) and two numeric ones on uneven
  levels (lr, log-spaced; batch, powers of two). The loss: per-level main effects, random
  activation x norm and init x activation interactions, an lr optimum that depends on the
  optimizer and shifts with the batch size (quadratic in log10 lr), batch norm worse at
  small batches. Effects drawn from numpy seed 1 (the file's seed).
- levy6_7.csv: Levy 6-D on [-10, 10]^6 at 7 levels (117,649 configurations: larger than the
  model's planning window of 32,768 states).
- curves4_seed{0,1,2}.csv: a synthetic training with a cost, 448 configurations: lr (7 levels,
  1e-4 .. 0.1 log-spaced), width (32 .. 256), batch (16 .. 128) and maxiter (100, 200, 500,
  1000: a fidelity whose cost spreads 10x). The loss is a learning curve, floor + exp(-maxiter
  x speed): a larger lr learns faster to a higher floor, so curves cross (the best at maxiter
  100 is not the best at 1000); width lowers the floor and slows learning, batch shifts the lr
  optimum. Plus Gaussian noise of sd NOISE_SHARE x the range, one draw per file (numpy seed =
  the file's seed). Column `seconds` = 0.02 x maxiter x (width/64)^0.8 x (batch/32)^0.5 x a
  lognormal factor of sd 0.1 (same seed): what one training would cost, 10x across maxiter
  and about 8x across width and batch, as real trainings do.
Column `value` (minimise), parameters x1..xd as the grid's coordinates (categorical6: named).
"""
import itertools
import math
import os
import sys

import numpy as np

HARTMANN_A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                       [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
HARTMANN_P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                              [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])
HARTMANN_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


def hartmann6(x):
    x = np.asarray(x)
    return float(-np.sum(HARTMANN_ALPHA * np.exp(-np.sum(HARTMANN_A * (x - HARTMANN_P) ** 2, axis=1))))


def rastrigin(x):
    return 10 * len(x) + sum(v * v - 10 * math.cos(2 * math.pi * v) for v in x)


def styblinski_tang(x):
    return 0.5 * sum(v ** 4 - 16 * v * v + 5 * v for v in x)


def levy(x):
    w = [1 + (v - 1) / 4 for v in x]
    head = math.sin(math.pi * w[0]) ** 2
    tail = (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)
    return head + tail + sum((v - 1) ** 2 * (1 + 10 * math.sin(math.pi * v + 1) ** 2) for v in w[:-1])


NOISE_SHARE = 0.028
NOISE_SEEDS = (0, 1, 2)

RECIPE = [("optimizer", ["sgd", "momentum", "adam", "adamw", "rmsprop"]),
          ("activation", ["relu", "gelu", "tanh", "elu"]),
          ("norm", ["none", "batch", "layer"]),
          ("init", ["xavier", "he", "orthogonal"]),
          ("lr", [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1]),
          ("batch", [16, 32, 64, 128, 256])]
RECIPE_SEED = 1


def recipe_loss(seed):
    """The categorical table's loss as a function of one configuration (a dict)."""
    rng = np.random.default_rng(seed)
    levels = dict(RECIPE)
    main = {name: dict(zip(values, rng.uniform(0.0, 0.3, len(values))))
            for name, values in RECIPE if name in ("optimizer", "activation", "norm", "init")}
    best_lr = dict(zip(levels["optimizer"], rng.uniform(-3.5, -1.2, len(levels["optimizer"]))))
    lr_curvature = dict(zip(levels["optimizer"], rng.uniform(0.1, 0.3, len(levels["optimizer"]))))
    act_norm = rng.normal(0.0, 0.1, (len(levels["activation"]), len(levels["norm"])))
    init_act = rng.normal(0.0, 0.08, (len(levels["init"]), len(levels["activation"])))

    def loss(c):
        a = levels["activation"].index(c["activation"])
        n = levels["norm"].index(c["norm"])
        i = levels["init"].index(c["init"])
        b = math.log2(c["batch"] / 64)
        optimum = best_lr[c["optimizer"]] + 0.15 * b
        value = 1.0 + sum(main[k][c[k]] for k in main) + act_norm[a, n] + init_act[i, a]
        value += lr_curvature[c["optimizer"]] * (math.log10(c["lr"]) - optimum) ** 2
        value += 0.05 * abs(b)
        if c["norm"] == "batch":
            value += 0.15 * max(0.0, -b)
        return value
    return loss


CURVES = [("lr", [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1]),
          ("width", [32, 64, 128, 256]),
          ("batch", [16, 32, 64, 128]),
          ("maxiter", [100, 200, 500, 1000])]


def curve_loss(lr, width, batch, maxiter):
    """The curves table's loss: a learning curve that crosses others (see the docstring)."""
    b = math.log2(batch / 32)
    optimum = -3.0 + 0.25 * b
    floor = 0.1 + 0.15 * (math.log10(lr) - optimum) ** 2 + 0.12 * (64 / width) + 0.03 * abs(b)
    speed = 0.0015 * 10 ** (math.log10(lr) + 3) * (32 / batch) ** 0.3 / (width / 64) ** 0.3
    return floor + math.exp(-maxiter * speed)


def curve_seconds(width, batch, maxiter):
    return 0.02 * maxiter * (width / 64) ** 0.8 * (batch / 32) ** 0.5


GRIDS = [
    ("hartmann6_5.csv", hartmann6, 6, 0.0, 1.0, 5),
    ("rastrigin2_21.csv", rastrigin, 2, -5.12, 5.12, 21),
    ("styblinski4_9.csv", styblinski_tang, 4, -5.0, 5.0, 9),
    ("levy6_7.csv", levy, 6, -10.0, 10.0, 7),
]


def main(out_dir):
    for name, f, d, lo, hi, levels in GRIDS:
        axis = [round(v, 6) for v in np.linspace(lo, hi, levels)]
        with open(os.path.join(out_dir, name), "w") as out:
            out.write(",".join(f"x{k + 1}" for k in range(d)) + ",value\n")
            for x in itertools.product(axis, repeat=d):
                out.write(",".join(f"{v:g}" for v in x) + f",{f(x):.9g}\n")

    axis = [round(v, 6) for v in np.linspace(-10.0, 10.0, 15)]
    points = list(itertools.product(axis, repeat=3))
    values = np.array([levy(x) for x in points])
    sd = NOISE_SHARE * (values.max() - values.min())
    for seed in NOISE_SEEDS:
        noisy = values + np.random.default_rng(seed).normal(0.0, sd, len(values))
        with open(os.path.join(out_dir, f"levy3_15_seed{seed}.csv"), "w") as out:
            out.write("x1,x2,x3,value\n")
            for x, v in zip(points, noisy):
                out.write(",".join(f"{c:g}" for c in x) + f",{v:.9g}\n")

    points = list(itertools.product(*(v for _, v in CURVES)))
    values = np.array([curve_loss(*c) for c in points])
    sd = NOISE_SHARE * (values.max() - values.min())
    for seed in NOISE_SEEDS:
        rng = np.random.default_rng(seed)
        noisy = values + rng.normal(0.0, sd, len(values))
        seconds = [curve_seconds(*c[1:]) * f for c, f in
                   zip(points, np.exp(rng.normal(0.0, 0.1, len(points))))]
        with open(os.path.join(out_dir, f"curves4_seed{seed}.csv"), "w") as out:
            out.write(",".join(name for name, _ in CURVES) + ",value,seconds\n")
            for c, v, t in zip(points, noisy, seconds):
                out.write(",".join(f"{x:g}" for x in c) + f",{v:.9g},{t:.4f}\n")

    loss = recipe_loss(RECIPE_SEED)
    names = [name for name, _ in RECIPE]
    with open(os.path.join(out_dir, f"categorical6_seed{RECIPE_SEED}.csv"), "w") as out:
        out.write(",".join(names) + ",value\n")
        for values in itertools.product(*(v for _, v in RECIPE)):
            c = dict(zip(names, values))
            out.write(",".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values) +
                      f",{loss(c):.9g}\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
