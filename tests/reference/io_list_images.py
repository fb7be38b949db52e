"""Prints the image files pytorch-fid takes from a folder, one name per line, in its order.

usage: io_list_images.py FOLDER
(fid_score.py, compute_statistics_of_path, pytorch-fid 0.3.0)
"""
import pathlib
import sys

IMAGE_EXTENSIONS = {"bmp", "jpg", "jpeg", "pgm", "png", "ppm", "tif", "tiff", "webp"}

path = pathlib.Path(sys.argv[1])
files = sorted([file for ext in IMAGE_EXTENSIONS for file in path.glob("*.{}".format(ext))])
sys.stdout.buffer.write(b"".join(bytes(f.name, "utf-8", "surrogateescape") + b"\n" for f in files))
