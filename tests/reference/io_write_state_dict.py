"""Writes random-weight PyTorch state dicts for the C++ .pth reader tests.

usage: io_write_state_dict.py OUT_DIR {small|fid} SEED

Writes OUT_DIR/<set>_zip.pth (torch.save) and OUT_DIR/<set>_legacy.pth
(_use_new_zipfile_serialization=False), and OUT_DIR/<set>_values.bin, the expected contents:
for each key (sorted): u32 key length, key bytes, u32 ndim, int64 dims, float32 values
(row-major, float32 conversion of the tensor as torch does it).
"small" has float, double, int64 and 0-d tensors, a non-contiguous (transposed) view and a
view with a storage offset; "fid" is pytorch-fid's FID Inception key set (torchvision
Inception3, num_classes=1008, aux_logits=False).
"""
import struct
import sys

import torch


def small_dict(gen):
    base = torch.randn(6, 5, generator=gen)
    shared = torch.randn(20, generator=gen)
    return {
        "conv.weight": torch.randn(4, 3, 3, 3, generator=gen),
        "bn.running_var": torch.rand(4, generator=gen, dtype=torch.float64),
        "bn.num_batches_tracked": torch.tensor(12345, dtype=torch.int64),
        "scalar": torch.tensor(2.5),
        "transposed": base.t(),          # strides (1, 5): a non-contiguous view
        "offset_view": shared[7:13].view(2, 3),  # storage offset 7 into a shared storage
        "shared_whole": shared,
        "empty": torch.zeros(0, 3),
    }


def fid_dict(gen):
    import torchvision
    net = torchvision.models.inception_v3(weights=None, num_classes=1008, aux_logits=False,
                                          init_weights=False)
    sd = net.state_dict()
    for key, value in sd.items():
        if value.is_floating_point():
            value.copy_(torch.randn(value.shape, generator=gen))
    return sd


def main():
    out_dir, which, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    gen = torch.Generator().manual_seed(seed)
    sd = small_dict(gen) if which == "small" else fid_dict(gen)
    torch.save(sd, f"{out_dir}/{which}_zip.pth")
    torch.save(sd, f"{out_dir}/{which}_legacy.pth", _use_new_zipfile_serialization=False)
    with open(f"{out_dir}/{which}_values.bin", "wb") as f:
        for key in sorted(sd):
            t = sd[key].to(torch.float32).contiguous()
            name = key.encode()
            f.write(struct.pack("<I", len(name)) + name)
            f.write(struct.pack("<I", t.dim()) + struct.pack(f"<{t.dim()}q", *t.shape))
            f.write(t.numpy().astype("<f4").tobytes())


if __name__ == "__main__":
    main()
