"""NumPy side of the .npz (FID statistics) tests.

usage:
  io_npz.py write OUT_DIR SEED DIMS
      writes, as pytorch-fid's --save-stats does, OUT_DIR/compressed.npz (np.savez_compressed)
      and OUT_DIR/plain.npz (np.savez) with mu (DIMS,) and sigma (DIMS, DIMS) float64, plus
      their raw values OUT_DIR/mu.f64 and OUT_DIR/sigma.f64 (little-endian, row-major); and the
      malformed variants f32.npz (float32), fortran.npz (sigma Fortran-ordered),
      no_sigma.npz and mismatch.npz (sigma (DIMS+1, DIMS+1)).
  io_npz.py check NPZ MU_F64 SIGMA_F64
      loads NPZ as pytorch-fid does (np.load, f["mu"][:], f["sigma"][:]) and exits 0 iff both
      equal the raw values exactly, with dtype float64 and shapes (d,), (d, d).
"""
import sys

import numpy as np


def write(out, seed, dims):
    rng = np.random.default_rng(seed)
    act = rng.standard_normal((dims + 5, dims))
    mu = np.mean(act, axis=0)
    sigma = np.cov(act, rowvar=False)
    np.savez_compressed(f"{out}/compressed.npz", mu=mu, sigma=sigma)
    np.savez(f"{out}/plain.npz", mu=mu, sigma=sigma)
    mu.astype("<f8").tofile(f"{out}/mu.f64")
    sigma.astype("<f8").tofile(f"{out}/sigma.f64")
    np.savez_compressed(f"{out}/f32.npz", mu=mu.astype(np.float32), sigma=sigma.astype(np.float32))
    np.savez_compressed(f"{out}/fortran.npz", mu=mu, sigma=np.asfortranarray(sigma + np.eye(dims) * 0.5 + sigma.T * 0))
    np.savez_compressed(f"{out}/no_sigma.npz", mu=mu)
    np.savez_compressed(f"{out}/mismatch.npz", mu=mu, sigma=np.eye(dims + 1))


def check(npz, mu_path, sigma_path):
    with np.load(npz) as f:
        m, s = f["mu"][:], f["sigma"][:]
    mu = np.fromfile(mu_path, dtype="<f8")
    sigma = np.fromfile(sigma_path, dtype="<f8").reshape(len(mu), len(mu))
    ok = (m.dtype == np.float64 and s.dtype == np.float64 and m.shape == mu.shape and s.shape == sigma.shape
          and np.array_equal(m, mu) and np.array_equal(s, sigma))
    print(f"dtype {m.dtype}/{s.dtype} shape {m.shape}/{s.shape} equal {ok}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        check(sys.argv[2], sys.argv[3], sys.argv[4])
