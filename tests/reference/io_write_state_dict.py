"""Random-weight PyTorch state dicts, and the values torch reads from them, for the C++ .pth
reader tests.

usage:
  io_write_state_dict.py OUT_DIR small SEED
      writes OUT_DIR/small_zip.pth (torch.save), OUT_DIR/small_legacy.pth
      (_use_new_zipfile_serialization=False) and OUT_DIR/small_values.bin (the expected
      contents): float, double, int64 and 0-d tensors, a non-contiguous (transposed) view and
      a view with a storage offset.
  io_write_state_dict.py legacy IN.pth OUT.pth
      IN.pth's tensors saved again in the legacy format.
  io_write_state_dict.py values IN.pth OUT.bin
      IN.pth's expected contents.
A values file holds, for each key (sorted): u32 key length, key bytes, u32 ndim, int64 dims,
float32 values (row-major, float32 conversion of the tensor as torch does it).
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


def write_values(sd, path):
    with open(path, "wb") as f:
        for key in sorted(sd):
            t = sd[key].to(torch.float32).contiguous()
            name = key.encode()
            f.write(struct.pack("<I", len(name)) + name)
            f.write(struct.pack("<I", t.dim()) + struct.pack(f"<{t.dim()}q", *t.shape))
            f.write(t.numpy().astype("<f4").tobytes())


def main():
    if sys.argv[1] == "legacy":
        torch.save(torch.load(sys.argv[2]), sys.argv[3], _use_new_zipfile_serialization=False)
    elif sys.argv[1] == "values":
        write_values(torch.load(sys.argv[2]), sys.argv[3])
    else:
        out_dir, seed = sys.argv[1], int(sys.argv[3])
        sd = small_dict(torch.Generator().manual_seed(seed))
        torch.save(sd, f"{out_dir}/small_zip.pth")
        torch.save(sd, f"{out_dir}/small_legacy.pth", _use_new_zipfile_serialization=False)
        write_values(sd, f"{out_dir}/small_values.bin")


if __name__ == "__main__":
    main()
