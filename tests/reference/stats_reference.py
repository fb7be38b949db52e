"""Independent references for qtune's feature statistics, Fréchet distance and KID.

Feature files are raw little-endian float64, row-major N x d (written by the C++ tests).
  cov   IN N D OUT          writes mu (D) then sigma (D x D) as raw float64: np.mean, np.cov
  fid   A N1 B N2 D         prints pytorch-fid's calculate_frechet_distance (scipy sqrtm)
  fid_mp A N1 B N2 D        prints the FID in 40-digit arithmetic (mpmath), for few features
  mmd   A N1 B N2 D         prints clean-fid's unbiased cubic-kernel MMD^2 on the full sets
"""
import sys

import mpmath
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


def frechet_distance_mp(x, y, digits=40):
    """The FID of feature sets x and y (n1, n2 rows; n1 + n2 small) in `digits`-digit arithmetic.

    With X, Y the centred rows, S1 S2 = X^T (X Y^T Y) / c, c = (n1 - 1)(n2 - 1): its nonzero
    eigenvalues are those of C C^T / c with C = X Y^T (n1 x n2), an exact identity, so
    tr sqrt(S1 S2) = sum sqrt(eig(C C^T)) / sqrt(c) with no zero eigenvalue of the singular d x d
    product to take the square root of. Every step is exact but for the final eigensolve."""
    mpmath.mp.dps = digits
    n1, n2 = x.shape[0], y.shape[0]
    mx, my = mpmath.matrix(x.tolist()), mpmath.matrix(y.tolist())
    mu1 = [mpmath.fsum(mx[i, k] for i in range(n1)) / n1 for k in range(x.shape[1])]
    mu2 = [mpmath.fsum(my[i, k] for i in range(n2)) / n2 for k in range(y.shape[1])]
    for i in range(n1):
        for k in range(x.shape[1]):
            mx[i, k] -= mu1[k]
    for i in range(n2):
        for k in range(y.shape[1]):
            my[i, k] -= mu2[k]
    c = mx * my.T
    eigenvalues = mpmath.eigsy(c * c.T, eigvals_only=True)
    root = mpmath.fsum(mpmath.sqrt(max(e, 0)) for e in eigenvalues) / mpmath.sqrt((n1 - 1) * (n2 - 1))
    trace1 = mpmath.fsum(v * v for v in mx) / (n1 - 1)
    trace2 = mpmath.fsum(v * v for v in my) / (n2 - 1)
    diff = mpmath.fsum((a - b) ** 2 for a, b in zip(mu1, mu2))
    return diff + trace1 + trace2 - 2 * root


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
    elif cmd == "fid_mp":
        a = load(argv[2], argv[3], argv[6])
        b = load(argv[4], argv[5], argv[6])
        print(repr(float(frechet_distance_mp(a, b))))
    elif cmd == "mmd":
        a = load(argv[2], argv[3], argv[6])
        b = load(argv[4], argv[5], argv[6])
        print(repr(float(mmd(a, b))))
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv)
