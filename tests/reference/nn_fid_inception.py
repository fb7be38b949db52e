"""pytorch-fid's FID Inception, built here from torchvision's modules with pytorch-fid's FID
patches (pytorch-fid itself is not packaged in Debian), for the C++ Inception tests and bench.

usage:
  nn_fid_inception.py weights OUT.pth SEED
      random FID Inception weights (torchvision Inception3 key names, 566 keys) with the
      BatchNorm statistics calibrated on random images, so that activations stay O(1)
      through all 94 layers; saved with torch.save.
  nn_fid_inception.py features WEIGHTS.pth OUT.f32 IN.u8:HEIGHT:WIDTH...
      for each raw RGB image (HxWx3 bytes), pytorch-fid's features at dims 64, 192, 768
      and 2048 (one forward pass, as get_activations computes them one image at a time so
      that sizes may differ): float32 rows of 64+192+768+2048 values.
  nn_fid_inception.py bench WEIGHTS.pth BATCH REPEATS THREADS
      prints the best images/s of the forward pass on random 299x299 batches.
"""
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from torchvision.models import inception as tv_inception

DIMS = (64, 192, 768, 2048)
BLOCK_INDEX_BY_DIM = {64: 0, 192: 1, 768: 2, 2048: 3}


class FIDInceptionA(tv_inception.InceptionA):
    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch5x5 = self.branch5x5_2(self.branch5x5_1(x))
        branch3x3dbl = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        # TF's average pooling does not count the padded zeros.
        branch_pool = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        branch_pool = self.branch_pool(branch_pool)
        return torch.cat([branch1x1, branch5x5, branch3x3dbl, branch_pool], 1)


class FIDInceptionC(tv_inception.InceptionC):
    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch7x7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        branch7x7dbl = self.branch7x7dbl_1(x)
        branch7x7dbl = self.branch7x7dbl_3(self.branch7x7dbl_2(branch7x7dbl))
        branch7x7dbl = self.branch7x7dbl_5(self.branch7x7dbl_4(branch7x7dbl))
        branch_pool = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        branch_pool = self.branch_pool(branch_pool)
        return torch.cat([branch1x1, branch7x7, branch7x7dbl, branch_pool], 1)


class FIDInceptionE(tv_inception.InceptionE):
    """E_1 (Mixed_7b: average pool without padded zeros) or E_2 (Mixed_7c: max pool)."""

    def __init__(self, in_channels, max_pool):
        super().__init__(in_channels)
        self.max_pool = max_pool

    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch3x3 = self.branch3x3_1(x)
        branch3x3 = torch.cat([self.branch3x3_2a(branch3x3), self.branch3x3_2b(branch3x3)], 1)
        branch3x3dbl = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        branch3x3dbl = torch.cat([self.branch3x3dbl_3a(branch3x3dbl), self.branch3x3dbl_3b(branch3x3dbl)], 1)
        if self.max_pool:
            branch_pool = F.max_pool2d(x, kernel_size=3, stride=1, padding=1)
        else:
            branch_pool = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        branch_pool = self.branch_pool(branch_pool)
        return torch.cat([branch1x1, branch3x3, branch3x3dbl, branch_pool], 1)


def fid_inception_v3():
    """pytorch-fid's fid_inception_v3(), without the weight download."""
    net = torchvision.models.inception_v3(weights=None, num_classes=1008, aux_logits=False, init_weights=False)
    net.Mixed_5b = FIDInceptionA(192, pool_features=32)
    net.Mixed_5c = FIDInceptionA(256, pool_features=64)
    net.Mixed_5d = FIDInceptionA(288, pool_features=64)
    net.Mixed_6b = FIDInceptionC(768, channels_7x7=128)
    net.Mixed_6c = FIDInceptionC(768, channels_7x7=160)
    net.Mixed_6d = FIDInceptionC(768, channels_7x7=160)
    net.Mixed_6e = FIDInceptionC(768, channels_7x7=192)
    net.Mixed_7b = FIDInceptionE(1280, max_pool=False)
    net.Mixed_7c = FIDInceptionE(2048, max_pool=True)
    return net


class InceptionV3(torch.nn.Module):
    """pytorch-fid's InceptionV3 wrapper: blocks, resize to 299 and 2x - 1 in forward."""

    def __init__(self, inception, output_blocks):
        super().__init__()
        self.output_blocks = sorted(output_blocks)
        self.last_needed_block = max(output_blocks)
        n = inception
        blocks = [
            [n.Conv2d_1a_3x3, n.Conv2d_2a_3x3, n.Conv2d_2b_3x3, torch.nn.MaxPool2d(kernel_size=3, stride=2)],
            [n.Conv2d_3b_1x1, n.Conv2d_4a_3x3, torch.nn.MaxPool2d(kernel_size=3, stride=2)],
            [n.Mixed_5b, n.Mixed_5c, n.Mixed_5d, n.Mixed_6a, n.Mixed_6b, n.Mixed_6c, n.Mixed_6d, n.Mixed_6e],
            [n.Mixed_7a, n.Mixed_7b, n.Mixed_7c, torch.nn.AdaptiveAvgPool2d(output_size=(1, 1))],
        ]
        self.blocks = torch.nn.ModuleList(torch.nn.Sequential(*b) for b in blocks[: self.last_needed_block + 1])

    def forward(self, inp):
        outp = []
        x = F.interpolate(inp, size=(299, 299), mode="bilinear", align_corners=False)
        x = 2 * x - 1
        for idx, block in enumerate(self.blocks):
            x = block(x)
            if idx in self.output_blocks:
                outp.append(x)
            if idx == self.last_needed_block:
                break
        return outp


def load_model(weights_path, dims):
    inception = fid_inception_v3()
    inception.load_state_dict(torch.load(weights_path))
    model = InceptionV3(inception, [BLOCK_INDEX_BY_DIM[d] for d in dims])
    return model.eval()


def write_weights(out_path, seed):
    torch.manual_seed(seed)
    inception = fid_inception_v3()
    with torch.no_grad():
        for module in inception.modules():
            if isinstance(module, torch.nn.Conv2d):
                torch.nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
            elif isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.2, 0.2)
                module.reset_running_stats()
                module.momentum = None  # cumulative average over the calibration passes
        for p in inception.fc.parameters():
            p.normal_(0, 0.01)
        model = InceptionV3(inception, [3]).train()
        model(torch.rand(4, 3, 299, 299))
    inception.eval()
    torch.save(inception.state_dict(), out_path)


def pytorch_fid_input(path_spec):
    path, height, width = path_spec.rsplit(":", 2)
    pixels = np.fromfile(path, dtype=np.uint8).reshape(int(height), int(width), 3)
    # torchvision.transforms.ToTensor on uint8 HWC.
    return torch.from_numpy(pixels).permute(2, 0, 1).contiguous().to(torch.float32).div(255)


def write_features(weights_path, out_path, specs):
    model = load_model(weights_path, DIMS)
    rows = []
    with torch.no_grad():
        for spec in specs:
            outputs = model(pytorch_fid_input(spec).unsqueeze(0))
            row = []
            for pred in outputs:  # get_activations: global average unless already 1x1
                if pred.size(2) != 1 or pred.size(3) != 1:
                    pred = F.adaptive_avg_pool2d(pred, output_size=(1, 1))
                row.append(pred.squeeze(3).squeeze(2).numpy()[0])
            rows.append(np.concatenate(row).astype(np.float32))
    np.stack(rows).tofile(out_path)


def bench(weights_path, batch, repeats, threads):
    torch.set_num_threads(threads)
    model = load_model(weights_path, [2048])
    x = torch.rand(batch, 3, 299, 299)
    best = float("inf")
    with torch.no_grad():
        model(x)  # warm-up
        for _ in range(repeats):
            start = time.perf_counter()
            model(x)
            best = min(best, time.perf_counter() - start)
    print(f"{batch / best:.3f}")


def main():
    command = sys.argv[1]
    if command == "weights":
        write_weights(sys.argv[2], int(sys.argv[3]))
    elif command == "features":
        write_features(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif command == "bench":
        bench(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.exit(f"nn_fid_inception.py: unknown command {command!r}; use weights, features or bench")


if __name__ == "__main__":
    main()
