"""Independent references for qtune's feature statistics, Fréchet distance and KID.

Feature files are raw little-endian float64, row-major N x d (written by the C++ tests).
  cov   IN N D OUT          writes mu (D) then sigma (D x D) as raw float64: np.mean, np.cov
  fid   A N1 B N2 D         prints pytorch-fid's calculate_frechet_distance (scipy sqrtm)
  mmd   A N1 B N2 D         prints clean-fid's unbiased cubic-kernel MMD^2 on the full sets
"""
import sys

import numpy as np
from scipy import linalg


def load(path, n, d):
    return np.fromfile(path, dtype="<f8").reshape(int(n), int(d))


def stats(x):
    return np.mean(x, axis=0), np.cov(x, rowvar=False)


def calculate_frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """pytorch-fid 0.3.0 src/pytorch_fid/fid_score.py, unchanged in substance."""
    diff = mu1 - mu2
    covmean, _ = linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    return diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean)


def mmd(x, y):
    """clean-fid kernel_distance's per-subset term, with the subsets being the full sets."""
    d = x.shape[1]
    m = x.shape[0]
    assert y.shape[0] == m
    a = (x @ x.T / d + 1) ** 3 + (y @ y.T / d + 1) ** 3
    b = (x @ y.T / d + 1) ** 3
    return ((a.sum() - np.diag(a).sum()) / (m - 1) - b.sum() * 2 / m) / m


def main(argv):
    cmd = argv[1]
    if cmd == "cov":
        mu, sigma = stats(load(argv[2], argv[3], argv[4]))
        np.concatenate([mu.ravel(), sigma.ravel()]).astype("<f8").tofile(argv[5])
    elif cmd == "fid":
        a = load(argv[2], argv[3], argv[6])
        b = load(argv[4], argv[5], argv[6])
        print(repr(float(calculate_frechet_distance(*stats(a), *stats(b)))))
    elif cmd == "mmd":
        a = load(argv[2], argv[3], argv[6])
        b = load(argv[4], argv[5], argv[6])
        print(repr(float(mmd(a, b))))
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv)
