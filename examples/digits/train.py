#!/usr/bin/python3
"""A small trainer in the shape of the DGMM user's script, for qtune's example study.

    python3 train.py K intermediate_dim batch_size maxiter

Trains a dense autoencoder (64 -> intermediate_dim -> K -> intermediate_dim -> 64, ReLU,
sigmoid output, Adam) with minibatches for `maxiter` epochs on scikit-learn's 8x8 digits,
then reconstructs the held-out digits. Like the user's script it writes the first 10 held-out
stimuli and their reconstructions as 28x28 grey PNGs to K_idim_batch_iter/stim and .../rec,
appends "K_idim_batch_iter,FID" to FID_Results.csv and prints "FID: <value>".

The printed value is a Frechet distance between the PIXEL statistics (mean and covariance
of the 64 pixel values) of all held-out stimuli and of their reconstructions: the FID
formula, but on raw pixels, not on Inception-v3 features. Lower is better. It is
deterministic for given arguments (fixed seeds), numpy only, one thread.
"""
import gzip
import importlib.util
import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

LEARNING_RATE = 3e-3
HELD_OUT = 0.2
SAVED_IMAGES = 10


def load_digits():
    """scikit-learn's digits (1797 images, 8x8, values 0..16) scaled to [0, 1].

    Read from the data file that python3-sklearn ships: importing sklearn itself takes
    seconds, longer than a trial should.
    """
    package = os.path.dirname(importlib.util.find_spec("sklearn").origin)
    with gzip.open(os.path.join(package, "datasets", "data", "digits.csv.gz")) as f:
        data = np.loadtxt(f, delimiter=",")
    return data[:, :64] / 16.0


def frechet_distance(a, b):
    """|mu_a - mu_b|^2 + tr(A + B - 2 (A B)^1/2), with tr (A B)^1/2 from the symmetric
    A^1/2 B A^1/2 (same eigenvalues as A B)."""
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    values, vectors = np.linalg.eigh(cov_a)
    sqrt_a = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    tr_covmean = np.sqrt(np.clip(np.linalg.eigvalsh(sqrt_a @ cov_b @ sqrt_a), 0, None)).sum()
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * tr_covmean)


class Adam:
    def __init__(self, params):
        self.params = params
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads, b1=0.9, b2=0.999, eps=1e-8):
        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            p -= LEARNING_RATE * (m / (1 - b1 ** self.t)) / (np.sqrt(v / (1 - b2 ** self.t)) + eps)


class Autoencoder:
    def __init__(self, k, hidden, rng):
        def dense(n_in, n_out):
            return rng.normal(0, np.sqrt(2.0 / n_in), (n_in, n_out)), np.zeros(n_out)
        self.w1, self.b1 = dense(64, hidden)
        self.w2, self.b2 = dense(hidden, k)
        self.w3, self.b3 = dense(k, hidden)
        self.w4, self.b4 = dense(hidden, 64)
        self.params = [self.w1, self.b1, self.w2, self.b2, self.w3, self.b3, self.w4, self.b4]

    def forward(self, x):
        h1 = np.maximum(x @ self.w1 + self.b1, 0)
        z = h1 @ self.w2 + self.b2
        h3 = np.maximum(z @ self.w3 + self.b3, 0)
        y = 1 / (1 + np.exp(-(h3 @ self.w4 + self.b4)))
        return h1, z, h3, y

    def gradients(self, x):
        h1, z, h3, y = self.forward(x)
        d4 = (y - x) * y * (1 - y) * (2 / x.size)  # mean squared error through the sigmoid
        d3 = (d4 @ self.w4.T) * (h3 > 0)
        d2 = d3 @ self.w3.T
        d1 = (d2 @ self.w2.T) * (h1 > 0)
        return [x.T @ d1, d1.sum(0), h1.T @ d2, d2.sum(0), z.T @ d3, d3.sum(0), h3.T @ d4, d4.sum(0)]


def save_png(pixels, path):
    image = Image.fromarray(np.uint8(np.clip(pixels, 0, 1).reshape(8, 8) * 255), mode="L")
    image.resize((28, 28), Image.BILINEAR).save(path)


def main(argv):
    if len(argv) != 5:
        sys.exit("usage: train.py K intermediate_dim batch_size maxiter")
    k, hidden, batch_size, maxiter = (int(a) for a in argv[1:])
    images = load_digits()
    order = np.random.default_rng(0).permutation(len(images))
    n_test = int(len(images) * HELD_OUT)
    test, train = images[order[:n_test]], images[order[n_test:]]

    rng = np.random.default_rng(1)
    model = Autoencoder(k, hidden, rng)
    optimizer = Adam(model.params)
    for epoch in range(maxiter):
        batches = rng.permutation(len(train))
        for start in range(0, len(train), batch_size):
            optimizer.step(model.gradients(train[batches[start:start + batch_size]]))
    reconstructions = model.forward(test)[3]

    folder = f"{k}_{hidden}_{batch_size}_{maxiter}"
    for sub in ("stim", "rec"):
        os.makedirs(os.path.join(folder, sub), exist_ok=True)
    for i in range(SAVED_IMAGES):
        save_png(test[i], os.path.join(folder, "stim", f"{i:02d}.png"))
        save_png(reconstructions[i], os.path.join(folder, "rec", f"{i:02d}.png"))
    fid = frechet_distance(test, reconstructions)
    mse = float(((test - reconstructions) ** 2).mean())
    with open("FID_Results.csv", "a") as results:
        results.write(f"{folder},{fid}\n")
    print(f"mse: {mse:.5f}")
    print(f"FID: {fid:.5f}")


if __name__ == "__main__":
    main(sys.argv)
