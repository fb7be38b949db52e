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
Column `value` (minimise), parameters x1..xd as the grid's coordinates.
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


GRIDS = [
    ("hartmann6_5.csv", hartmann6, 6, 0.0, 1.0, 5),
    ("rastrigin2_21.csv", rastrigin, 2, -5.12, 5.12, 21),
    ("styblinski4_9.csv", styblinski_tang, 4, -5.0, 5.0, 9),
]


def main(out_dir):
    for name, f, d, lo, hi, levels in GRIDS:
        axis = [round(v, 6) for v in np.linspace(lo, hi, levels)]
        with open(os.path.join(out_dir, name), "w") as out:
            out.write(",".join(f"x{k + 1}" for k in range(d)) + ",value\n")
            for x in itertools.product(axis, repeat=d):
                out.write(",".join(f"{v:g}" for v in x) + f",{f(x):.9g}\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
