"""Reference side of bench/bench_metrics_io.cc: the same work done by PIL, numpy and torch.

usage:
  io_bench.py images OUT_DIR N   writes N grey 28x28 PNGs (the user's reconstructions) and N
                                 RGB 64x48 JPEGs into OUT_DIR/png and OUT_DIR/jpg
  io_bench.py pil DIR REPEATS    prints the best seconds of pytorch-fid's loading of DIR
                                 (sorted glob, Image.open(f).convert("RGB"), np.asarray)
  io_bench.py torch PTH REPEATS  prints the best seconds of torch.load(PTH) (weights_only
                                 is not in torch 1.13; plain torch.load as pytorch-fid does)
"""
import os
import pathlib
import sys
import time

import numpy as np


def images(out, n):
    from PIL import Image
    rng = np.random.default_rng(0)
    os.makedirs(f"{out}/png", exist_ok=True)
    os.makedirs(f"{out}/jpg", exist_ok=True)
    for i in range(n):
        Image.fromarray(rng.integers(0, 256, (28, 28), dtype=np.uint8), "L").save(f"{out}/png/{i:04d}.png")
        Image.fromarray(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8), "RGB").save(f"{out}/jpg/{i:04d}.jpg")


def best(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def pil(folder, repeats):
    from PIL import Image
    exts = {"bmp", "jpg", "jpeg", "pgm", "png", "ppm", "tif", "tiff", "webp"}

    def load():
        files = sorted(f for e in exts for f in pathlib.Path(folder).glob(f"*.{e}"))
        return [np.asarray(Image.open(f).convert("RGB")) for f in files]
    print(best(load, repeats))


def torch_load(path, repeats):
    import torch
    print(best(lambda: torch.load(path), repeats))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "images":
        images(sys.argv[2], int(sys.argv[3]))
    elif cmd == "pil":
        pil(sys.argv[2], int(sys.argv[3]))
    else:
        torch_load(sys.argv[2], int(sys.argv[3]))
