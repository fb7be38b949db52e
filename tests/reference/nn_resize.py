"""pytorch-fid's input transform on raw images, for tests/metrics/resize_test.cc.

usage: nn_resize.py SIZE OUT.f32 IN.u8:HEIGHT:WIDTH...
Each input is raw interleaved RGB bytes (HxWx3). Writes, image after image, the float32
CHW planes that pytorch-fid's InceptionV3 feeds its first convolution:
ToTensor (u8 / 255) -> F.interpolate(bilinear, align_corners=False) -> 2x - 1.
"""
import sys

import numpy as np
import torch
import torch.nn.functional as F


def main():
    size = int(sys.argv[1])
    out = []
    for spec in sys.argv[3:]:
        path, height, width = spec.rsplit(":", 2)
        pixels = np.fromfile(path, dtype=np.uint8).reshape(int(height), int(width), 3)
        # torchvision.transforms.ToTensor on a uint8 array: permute, float, div(255).
        x = torch.from_numpy(pixels).permute(2, 0, 1).contiguous().to(torch.float32).div(255)
        x = F.interpolate(x.unsqueeze(0), size=(size, size), mode="bilinear", align_corners=False)
        x = 2 * x - 1
        out.append(x.numpy().astype(np.float32).ravel())
    np.concatenate(out).tofile(sys.argv[2])


if __name__ == "__main__":
    main()
