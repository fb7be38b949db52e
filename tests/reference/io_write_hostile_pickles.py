"""Writes .pth files whose pickles call functions, for the restricted reader's tests.

usage: io_write_hostile_pickles.py OUT_DIR

Each file, if loaded with an unrestricted unpickler (torch.load(weights_only=False)), would run
code; the C++ reader must refuse it and name the global. Nothing is executed here.
  system_zip.pth     torch.save({"w": tensor, "x": <os.system("true")>})  (zip format)
  system_legacy.pth  the same, legacy format
  eval_zip.pth       a value rebuilt by builtins.eval
  system_plain.pkl   pickle.dumps of the os.system call alone (not a torch file at all)
"""
import os
import pickle
import sys

import torch


class Call:
    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def main():
    out = sys.argv[1]
    evil = {"w": torch.ones(2), "x": Call(os.system, "true")}
    torch.save(evil, f"{out}/system_zip.pth")
    torch.save(evil, f"{out}/system_legacy.pth", _use_new_zipfile_serialization=False)
    torch.save({"x": Call(eval, "1+1")}, f"{out}/eval_zip.pth")
    with open(f"{out}/system_plain.pkl", "wb") as f:
        f.write(pickle.dumps(Call(os.system, "true"), protocol=2))


if __name__ == "__main__":
    main()
