"""qtune's metrics from Python, against the qtune CLI, scikit-image and numpy/scipy on the same files.

The FID Inception weights are random (tests/reference/nn_fid_inception.py, ~95 MB): written once
for the file. dims 64 keeps each forward pass cheap; the numbers do not depend on it.
"""
import glob
import os
import tempfile
import unittest

import numpy as np
import scipy.linalg
from PIL import Image
from skimage.metrics import mean_squared_error, peak_signal_noise_ratio, structural_similarity

import qtune
from qtune_testing import reference_script, run_cli_json, stats_paired

DIR = None


def path(name):
    return os.path.join(DIR.name, name)


def setUpModule():
    global DIR
    DIR = tempfile.TemporaryDirectory()
    reference_script("nn_fid_inception.py", "weights", path("w.pth"), 5)
    for folder, count, height, width, mode, seed in [("stim", 5, 28, 28, "L", 1), ("rec", 4, 28, 28, "L", 2),
                                                     ("stim_rgb", 3, 24, 32, "RGB", 3), ("rec_rgb", 3, 24, 32, "RGB", 4)]:
        stats_paired.main(["stats_paired.py", "make", path(folder), count, height, width, mode, seed])


def tearDownModule():
    DIR.cleanup()


def fid_flags():
    return ["--dims", 64, "--weights", path("w.pth"), "--no-cache"]


class FidTest(unittest.TestCase):
    def test_fid_equals_the_cli_on_folders_and_warns_about_few_images(self):
        with self.assertWarnsRegex(UserWarning, f"{path('stim')}: 5 images for 64 dims"):
            value = qtune.fid(path("stim"), path("rec"), dims=64, weights=path("w.pth"))
        cli = run_cli_json("fid", path("stim"), path("rec"), *fid_flags(), "--format", "json")
        self.assertEqual(cli["counts"], [5, 4])
        self.assertGreater(value, 0)
        self.assertAlmostEqual(value, cli["fid"], delta=1e-12 * cli["fid"])

    def test_features_fid_and_kid_of_one_pipeline(self):
        cache = path("cache")
        pipeline = qtune.FidPipeline(dims=64, weights=path("w.pth"), cache_dir=cache)  # one weights load
        stim = pipeline.features(path("stim"))
        rec = qtune.inception_features(path("rec"), 64, weights=path("w.pth"))
        self.assertEqual((stim.shape, rec.shape), ((5, 64), (4, 64)))
        self.assertEqual(stim.dtype, np.float64)
        self.assertTrue(stim.flags["C_CONTIGUOUS"])
        self.assertFalse(stim.flags["OWNDATA"], "the library's buffer, not a copy")
        self.assertTrue(np.isfinite(stim).all())

        # pytorch-fid's statistics and Fréchet distance, in numpy/scipy, from these features.
        mu1, mu2 = stim.mean(axis=0), rec.mean(axis=0)
        s1, s2 = np.cov(stim, rowvar=False), np.cov(rec, rowvar=False)
        covmean = scipy.linalg.sqrtm(s1.dot(s2)).real
        expected = ((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean)
        # scipy's sqrtm is itself off by ~1e-6 relative on these rank-deficient products (feature_stats.h).
        tolerance = 1e-4 * expected

        with self.assertWarns(UserWarning):
            first = pipeline.fid(path("stim"), path("rec"))
        self.assertAlmostEqual(first, expected, delta=tolerance)
        self.assertEqual(len(glob.glob(f"{cache}/fid-*.bin")), 1, "the first path's features are kept")
        with self.assertWarns(UserWarning):
            self.assertEqual(pipeline.fid(path("stim"), path("rec")), first)

        # The statistics saved as pytorch-fid saves them are read back as an .npz path.
        np.savez(path("stim64.npz"), mu=mu1, sigma=s1)
        with self.assertWarns(UserWarning):  # rec's few images
            self.assertAlmostEqual(pipeline.fid(path("stim64.npz"), path("rec")), expected, delta=tolerance)

        kid = pipeline.kid(path("stim"), path("rec"), subsets=50, seed=7)
        cli = run_cli_json("metrics", path("stim"), path("rec"), "--metrics", "kid", "--format", "json",
                           "--kid-subsets", 50, "--seed", 7, *fid_flags())["kid"]
        self.assertEqual(set(kid), {"mean", "std", "subset_size", "subsets"})
        self.assertEqual((kid["subset_size"], kid["subsets"]), (4, 50))
        self.assertAlmostEqual(kid["mean"], cli["mean"], delta=1e-12)
        self.assertAlmostEqual(kid["std"], cli["std"], delta=1e-12)

    def test_bad_input_raises_value_error_with_the_librarys_message(self):
        with self.assertRaisesRegex(ValueError, "missing.pth") as missing:
            qtune.fid(path("stim"), path("rec"), dims=64, weights=path("missing.pth"))
        self.assertIsInstance(missing.exception, qtune.InputError)
        with self.assertRaisesRegex(ValueError, "100"):
            qtune.fid(path("stim"), path("rec"), dims=100, weights=path("w.pth"))
        with self.assertRaisesRegex(ValueError, "missing.pth"):
            qtune.kid(path("stim"), path("rec"), dims=64, weights=path("missing.pth"))
        with self.assertRaisesRegex(ValueError, "nowhere"):
            qtune.inception_features(path("nowhere"), 64, weights=path("w.pth"))


def load(folder):
    return [np.asarray(Image.open(f).convert("RGB")) for f in sorted(glob.glob(f"{folder}/*.png"))]


class PairedMetricsTest(unittest.TestCase):
    def test_equal_scikit_image_and_numpy_on_the_same_images(self):
        scores = qtune.paired_metrics(path("stim_rgb"), path("rec_rgb"))
        pairs = list(zip(load(path("stim_rgb")), load(path("rec_rgb"))))
        self.assertEqual(len(scores["pairs"]), 3)
        expected = {
            "ssim": [structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                           data_range=255, channel_axis=2) for a, b in pairs],
            "psnr": [peak_signal_noise_ratio(a, b, data_range=255) for a, b in pairs],
            "mse": [mean_squared_error(a, b) for a, b in pairs],
            "pcc": [np.corrcoef(a.ravel().astype(float), b.ravel().astype(float))[0, 1] for a, b in pairs],
        }
        for metric, values in expected.items():
            for pair, value in zip(scores["pairs"], values):
                self.assertAlmostEqual(pair[metric], value, delta=1e-9, msg=f"{metric} {pair['pair']}")
            self.assertAlmostEqual(scores[metric], np.mean(values), delta=1e-9, msg=metric)
        self.assertLess(scores["ssim"], 1.0)

    def test_chosen_metrics_identical_images_and_unknown_names(self):
        same = qtune.paired_metrics(path("stim_rgb"), path("stim_rgb"), metrics=("ssim", "psnr"))
        self.assertEqual(set(same), {"ssim", "psnr", "pairs"})
        self.assertEqual(same["psnr"], float("inf"))
        self.assertAlmostEqual(same["ssim"], 1.0, delta=1e-12)
        with self.assertRaisesRegex(ValueError, 'unknown metric "fid"; choose from ssim, psnr, mse, pcc'):
            qtune.paired_metrics(path("stim_rgb"), path("rec_rgb"), metrics=["fid"])
        with self.assertRaisesRegex(ValueError, "5 and 4 images"):
            qtune.paired_metrics(path("stim"), path("rec"))


class ArraysTest(unittest.TestCase):
    """numpy arrays give the numbers of the same images written as PNG (the folders of setUpModule)."""

    @classmethod
    def setUpClass(cls):
        cls.stim = np.stack(load(path("stim")))[:, :, :, 0]  # 5 x 28 x 28 grey (the PNGs are mode L)
        cls.rec = np.stack(load(path("rec")))[:, :, :, 0]
        cls.pipeline = qtune.FidPipeline(dims=64, weights=path("w.pth"))

    def fid(self, a, b):
        with self.assertWarns(UserWarning):  # few images for 64 dims
            return self.pipeline.fid(a, b)

    def test_every_layout_gives_the_folders_fid(self):
        folders = self.fid(path("stim"), path("rec"))
        rgb = np.repeat(self.stim[..., None], 3, axis=3)
        layouts = {
            "N,H,W uint8": self.stim,
            "NHWC C=1": self.stim[..., None],
            "NHWC C=3": rgb,
            "NCHW C=3": np.ascontiguousarray(rgb.transpose(0, 3, 1, 2)),
            "NCHW C=1 float32": (self.stim[:, None] / 255).astype(np.float32),
            "float64 in [0, 1]": self.stim / 255.0,
            "list of HxW": list(self.stim),
            "list of HxWx3": list(rgb),
            "non-contiguous view": rgb[:, :, :, ::-1],
        }
        for name, stim in layouts.items():
            with self.subTest(name):
                self.assertEqual(self.fid(stim, path("rec")), folders)
        self.assertEqual(self.fid(self.stim, self.rec), folders)
        features = self.pipeline.features(self.stim)
        np.testing.assert_array_equal(features, self.pipeline.features(path("stim")))
        kid = self.pipeline.kid(self.stim, self.rec, subsets=20, seed=3)
        self.assertEqual(kid, self.pipeline.kid(path("stim"), path("rec"), subsets=20, seed=3))

    def test_paired_metrics_of_arrays_equal_the_folders(self):
        stim, rec = np.stack(load(path("stim_rgb"))), np.stack(load(path("rec_rgb")))
        folders = qtune.paired_metrics(path("stim_rgb"), path("rec_rgb"))
        arrays = qtune.paired_metrics(stim, rec / 255.0)
        for metric in ("ssim", "psnr", "mse", "pcc"):
            self.assertEqual(arrays[metric], folders[metric], metric)
        self.assertEqual(arrays["pairs"][2]["pair"], "stim[2] ~ rec[2]")
        mixed = qtune.paired_metrics(path("stim_rgb"), list(rec), metrics=["mse"])
        self.assertEqual(mixed["mse"], folders["mse"])

    def test_small_images_without_ssim(self):
        digits = np.arange(3 * 8 * 8, dtype=np.uint8).reshape(3, 8, 8)  # sklearn digits' size
        scores = qtune.paired_metrics(digits, digits[::-1], metrics=["mse", "psnr", "pcc"])
        self.assertEqual(scores["mse"], np.mean([mean_squared_error(a, b) for a, b in zip(digits, digits[::-1])]))
        with self.assertRaisesRegex(ValueError, "smaller than the 11x11 SSIM window"):
            qtune.paired_metrics(digits, digits[::-1], metrics=["ssim"])

    def test_other_shapes_dtypes_and_values_are_refused(self):
        bad = {
            "dtype int32": self.stim.astype(np.int32),
            "dtype bool": self.stim > 3,
            "shape \\(5, 28, 28, 4\\)": np.zeros((5, 28, 28, 4), np.uint8),
            "shape \\(28, 28\\)": self.stim[0],
            "an image in the list of shape \\(28,\\)": [self.stim[0, 0]],
            "the value 1.5": np.full((2, 12, 12), 1.5),
            "the value nan": np.full((2, 12, 12), np.nan),
            "no images": [],
            "a int": 3,
        }
        for message, value in bad.items():
            with self.subTest(message):
                with self.assertRaisesRegex(ValueError, f"path_a: .*{message}.*; expected a path, a batch array"):
                    self.pipeline.fid(value, path("rec"))
        with self.assertRaisesRegex(ValueError, "threads -1; use 0"):
            qtune.fid(path("stim"), path("rec"), dims=64, weights=path("w.pth"), threads=-1)
        with self.assertRaisesRegex(ValueError, "threads -2"):
            qtune.FidPipeline(dims=64, weights=path("w.pth"), threads=-2)

    def test_kid_of_one_image_says_what_kid_needs(self):
        with self.assertRaisesRegex(ValueError, "kid: 1 and 4 images; KID needs at least 2 images a side"):
            self.pipeline.kid(self.stim[:1], self.rec)


if __name__ == "__main__":
    unittest.main()
