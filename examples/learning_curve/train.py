#!/usr/bin/python3
"""A stand-in trainer that prints a realistic learning curve, for qtune's pruning example.

    python3 train.py LR WIDTH [--epochs 50] [--seed 0] [--sleep 0.05]

Prints one line an epoch, "epoch E/N - loss: L - val_loss: V", then "val_loss: V" (the last
epoch's value, the metric). No real training: the curve is drawn from a model with the shape
that real trainings show, so that pruning can be measured on many seeds in seconds:

- each configuration decays from the same start towards its own plateau, at a speed that
  grows with the learning rate: large rates drop fast and flatten early, small ones are still
  falling at the last epoch, so the curves CROSS (what is best at epoch 5 is not best at 50);
- too large a rate plateaus higher, and the largest diverges: its loss climbs and ends as nan;
- wider networks reach a lower plateau, a little more slowly;
- every reading carries noise (sd 0.04), and each (configuration, seed) its own offset (sd
  0.03), as a retrained network would.

    python3 train.py --dump --seed S     every configuration's curve, one "lr width epoch value"
                                         line each, for bench/bench_pruning (no sleeping)
"""
import argparse
import math
import random
import sys
import time

LEARNING_RATES = [0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
WIDTHS = [32, 64, 128, 256]
START = 4.0


def curve(lr, width, epochs, seed):
    """The val_loss of each epoch 1..epochs (nan once diverged)."""
    rng = random.Random(f"{lr}/{width}/{seed}")
    speed = min(0.9, 8.0 * lr) / (1.0 + 0.08 * math.log2(width / 32))
    plateau = 1.0 + 0.15 * math.log2(256 / width) + 0.35 * max(0.0, math.log10(lr / 0.01)) ** 2
    plateau += rng.gauss(0.0, 0.03)
    values = []
    for epoch in range(1, epochs + 1):
        if lr >= 1.0 and epoch > 3:  # diverges: climbs, then overflows
            value = START * 1.6 ** (epoch - 3)
            values.append(value if value < 1e6 else math.nan)
            continue
        value = plateau + (START - plateau) * math.exp(-speed * epoch)
        values.append(value + rng.gauss(0.0, 0.04))
    return values


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("lr", type=float, nargs="?")
    parser.add_argument("width", type=int, nargs="?")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sleep", type=float, default=0.05)
    parser.add_argument("--dump", action="store_true")
    args = parser.parse_args()
    if args.dump:
        for lr in LEARNING_RATES:
            for width in WIDTHS:
                for epoch, value in enumerate(curve(lr, width, args.epochs, args.seed), 1):
                    print(f"{lr} {width} {epoch} {value:.6f}")
        return 0
    if args.lr is None or args.width is None:
        parser.error("give LR and WIDTH (or --dump)")
    values = curve(args.lr, args.width, args.epochs, args.seed)
    for epoch, value in enumerate(values, 1):
        train = value * 0.9 if math.isfinite(value) else value
        print(f"epoch {epoch}/{args.epochs} - loss: {train:.4f} - val_loss: {value:.4f}",
              flush=True)
        time.sleep(args.sleep)
    print(f"val_loss: {values[-1]:.4f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
