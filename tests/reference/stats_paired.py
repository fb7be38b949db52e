"""Reference paired metrics (scikit-image 0.19 / numpy).

  stats_paired.py pair A B H W C    A, B: raw H x W x C uint8 (C = 3: RGB interleaved, C = 1:
                                    grey, then the metrics are computed on the 2-D arrays)
  stats_paired.py folders DIR1 DIR2 pytorch-fid's file set of each folder, paired in sorted
                                    order, loaded with PIL convert("RGB"); prints the means
  stats_paired.py make DIR N H W MODE SEED   writes N seeded PNGs (MODE L or RGB) named 0..N-1
Prints "mse psnr ssim pcc" (Python reprs; ssim nan below 11x11, where scikit-image refuses).
"""
import pathlib
import sys

import numpy as np
from PIL import Image
from skimage.metrics import mean_squared_error, peak_signal_noise_ratio, structural_similarity

EXTENSIONS = {"bmp", "jpg", "jpeg", "pgm", "png", "ppm", "tif", "tiff", "webp"}


def metrics(a, b):
    if min(a.shape[:2]) >= 11:
        ssim = structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                     data_range=255, channel_axis=2 if a.ndim == 3 else None)
    else:
        ssim = float("nan")  # scikit-image refuses images smaller than its 11x11 window
    with np.errstate(divide="ignore"):
        psnr = peak_signal_noise_ratio(a, b, data_range=255)
    pcc = np.corrcoef(a.ravel().astype(np.float64), b.ravel().astype(np.float64))[0, 1]
    return [float(mean_squared_error(a, b)), float(psnr), float(ssim), float(pcc)]


def files(folder):
    path = pathlib.Path(folder)
    return sorted(f for ext in EXTENSIONS for f in path.glob(f"*.{ext}"))


def main(argv):
    if argv[1] == "pair":
        h, w, c = int(argv[4]), int(argv[5]), int(argv[6])
        a, b = (np.fromfile(p, dtype=np.uint8).reshape(h, w, c) for p in argv[2:4])
        values = metrics(a[:, :, 0], b[:, :, 0]) if c == 1 else metrics(a, b)
    elif argv[1] == "folders":
        rows = [metrics(np.asarray(Image.open(x).convert("RGB")), np.asarray(Image.open(y).convert("RGB")))
                for x, y in zip(files(argv[2]), files(argv[3]))]
        values = np.mean(np.array(rows), axis=0)
    elif argv[1] == "make":
        folder, n, h, w, mode, seed = argv[2], int(argv[3]), int(argv[4]), int(argv[5]), argv[6], int(argv[7])
        rng = np.random.default_rng(seed)
        pathlib.Path(folder).mkdir(parents=True, exist_ok=True)
        shape = (h, w) if mode == "L" else (h, w, 3)
        yy, xx = np.mgrid[0:h, 0:w]
        for i in range(n):
            base = (xx * 255 // w + yy * 50 // h + 20 * i) % 256
            if mode != "L":
                base = np.stack([base, 255 - base, (base * 3) % 256], axis=2)
            noisy = np.clip(base + rng.integers(-40, 41, size=shape), 0, 255).astype(np.uint8)
            Image.fromarray(noisy, mode).save(f"{folder}/{i}.png")
        return
    else:
        sys.exit(f"unknown command {argv[1]}")
    print(*(repr(float(v)) for v in values))


if __name__ == "__main__":
    main(sys.argv)
