"""pytorch-fid's fid_score.py pipeline (file set, PIL RGB, ToTensor, batches, get_activations,
np.mean/np.cov, calculate_frechet_distance with scipy sqrtm), re-created with the FID
Inception of nn_fid_inception.py (pytorch-fid is not packaged in Debian). The reference for
the FID pipeline tests and the baseline of bench_fid_end_to_end.

  stats_pytorch_fid.py fid PATH1 PATH2 WEIGHTS DIMS BATCH WORKERS   prints "FID:  <value>"
  stats_pytorch_fid.py save FOLDER OUT.npz WEIGHTS DIMS BATCH       np.savez_compressed(mu, sigma)
A PATH ending in .npz is read as statistics, as pytorch-fid does.
"""
import os
import pathlib
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchvision.transforms as TF
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nn_fid_inception  # noqa: E402
import stats_reference  # noqa: E402

IMAGE_EXTENSIONS = {"bmp", "jpg", "jpeg", "pgm", "png", "ppm", "tif", "tiff", "webp"}


class ImagePathDataset(torch.utils.data.Dataset):
    def __init__(self, files):
        self.files = files
        self.transforms = TF.ToTensor()

    def __len__(self):
        return len(self.files)

    def __getitem__(self, i):
        return self.transforms(Image.open(self.files[i]).convert("RGB"))


def get_activations(files, model, batch_size, dims, num_workers):
    if batch_size > len(files):
        batch_size = len(files)
    loader = torch.utils.data.DataLoader(ImagePathDataset(files), batch_size=batch_size, shuffle=False,
                                         drop_last=False, num_workers=num_workers)
    pred_arr = np.empty((len(files), dims))
    start = 0
    for batch in loader:
        with torch.no_grad():
            pred = model(batch)[0]
        if pred.size(2) != 1 or pred.size(3) != 1:
            pred = F.adaptive_avg_pool2d(pred, output_size=(1, 1))
        pred = pred.squeeze(3).squeeze(2).cpu().numpy()
        pred_arr[start:start + pred.shape[0]] = pred
        start += pred.shape[0]
    return pred_arr


def compute_statistics_of_path(path, model, batch_size, dims, num_workers):
    if path.endswith(".npz"):
        with np.load(path) as f:
            return f["mu"][:], f["sigma"][:]
    path = pathlib.Path(path)
    files = sorted(file for ext in IMAGE_EXTENSIONS for file in path.glob(f"*.{ext}"))
    act = get_activations(files, model, batch_size, dims, num_workers)
    return np.mean(act, axis=0), np.cov(act, rowvar=False)


def main(argv):
    command = argv[1]
    if command == "fid":
        path1, path2, weights, dims, batch, workers = argv[2], argv[3], argv[4], int(argv[5]), int(argv[6]), int(argv[7])
        model = nn_fid_inception.load_model(weights, [dims])
        m1, s1 = compute_statistics_of_path(path1, model, batch, dims, workers)
        m2, s2 = compute_statistics_of_path(path2, model, batch, dims, workers)
        print("FID: ", repr(float(stats_reference.calculate_frechet_distance(m1, s1, m2, s2))))
    elif command == "save":
        folder, out, weights, dims, batch = argv[2], argv[3], argv[4], int(argv[5]), int(argv[6])
        model = nn_fid_inception.load_model(weights, [dims])
        mu, sigma = compute_statistics_of_path(folder, model, batch, dims, 0)
        np.savez_compressed(out, mu=mu, sigma=sigma)
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv)
