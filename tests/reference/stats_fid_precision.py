"""Where qtune's FID and pytorch-fid's part (docs/benchmarks.md, FID end to end): the Fréchet
distance of the SAME PyTorch features computed by scipy sqrtm (pytorch-fid), by the n < d
Gram/SVD form of src/metrics/stats/frechet.cc (here in numpy), and in 40-digit mpmath on the
first SUBSET + SUBSET rows (mpmath is too slow for all of them).

  stats_fid_precision.py STIM REC WEIGHTS SUBSET    prints the values and relative errors
"""
import os
import pathlib
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nn_fid_inception  # noqa: E402
import stats_pytorch_fid  # noqa: E402
import stats_reference  # noqa: E402


def svd_fid(x, y):
    """tr sqrt(S1 S2) = ||X Y^T||_* / sqrt((n1 - 1)(n2 - 1)), X and Y the centred rows."""
    cx, cy = x - x.mean(0), y - y.mean(0)
    nuclear = np.linalg.svd(cx @ cy.T, compute_uv=False).sum() / np.sqrt((len(x) - 1) * (len(y) - 1))
    traces = (cx * cx).sum() / (len(x) - 1) + (cy * cy).sum() / (len(y) - 1)
    return ((x.mean(0) - y.mean(0)) ** 2).sum() + traces - 2 * nuclear


def main(argv):
    stim, rec, weights, subset = argv[1], argv[2], argv[3], int(argv[4])
    model = nn_fid_inception.load_model(weights, [2048])
    x, y = (stats_pytorch_fid.get_activations(sorted(pathlib.Path(p).glob("*.png")), model, 50, 2048, 0)
            for p in (stim, rec))
    scipy = stats_reference.calculate_frechet_distance(*stats_reference.stats(x), *stats_reference.stats(y))
    svd = svd_fid(x, y)
    print(f"{len(x)}+{len(y)}: scipy {scipy!r}  svd {svd!r}  scipy/svd - 1 = {scipy / svd - 1:.2e}")
    x, y = x[:subset], y[:subset]
    exact = float(stats_reference.frechet_distance_mp(x, y))
    scipy = stats_reference.calculate_frechet_distance(*stats_reference.stats(x), *stats_reference.stats(y))
    print(f"{subset}+{subset}: mpmath {exact!r}  scipy {scipy / exact - 1:.2e}  svd {svd_fid(x, y) / exact - 1:.2e}")


if __name__ == "__main__":
    main(sys.argv)
