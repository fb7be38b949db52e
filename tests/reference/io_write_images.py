"""Writes image files of every kind the decoder handles, and what PIL makes of them.

usage: io_write_images.py OUT_DIR SEED

For each case NAME it writes OUT_DIR/NAME.<png|jpg|ppm|pgm> and OUT_DIR/NAME.rgb: u32 width,
u32 height (little endian), then PIL's Image.open(path).convert("RGB") bytes (HxWx3), which
is what pytorch-fid feeds the network. PNGs that PIL cannot write (16-bit colour, low bit
depths, interlaced) are assembled here chunk by chunk with zlib; every PNG is opened by PIL.
"""
import struct
import sys
import zlib

import numpy as np
from PIL import Image


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def raw_png(path, width, height, bit_depth, color_type, rows, palette=None, trns=None, interlace=0):
    """rows: list of packed scanline bytes, or for interlace=1 the list of all pass scanlines."""
    out = b"\x89PNG\r\n\x1a\n"
    out += png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, interlace))
    if palette is not None:
        out += png_chunk(b"PLTE", palette)
    if trns is not None:
        out += png_chunk(b"tRNS", trns)
    out += png_chunk(b"IDAT", zlib.compress(b"".join(b"\x00" + r for r in rows)))
    out += png_chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(out)


def pack_bits(values, bits):
    """One scanline of `bits`-bit samples, MSB first."""
    out, acc, n = bytearray(), 0, 0
    for v in values:
        acc = (acc << bits) | int(v)
        n += bits
        if n == 8:
            out.append(acc)
            acc, n = 0, 0
    if n:
        out.append(acc << (8 - n))
    return bytes(out)


def adam7_rows(pixels, bytes_of):
    """Scanlines of the 7 Adam7 passes; pixels is HxWxC, bytes_of packs one row."""
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    rows = []
    for x0, y0, dx, dy in passes:
        sub = pixels[y0::dy, x0::dx]
        if sub.shape[0] and sub.shape[1]:
            rows += [bytes_of(r) for r in sub]
    return rows


def main():
    out, seed = sys.argv[1], int(sys.argv[2])
    rng = np.random.default_rng(seed)
    w, h = 13, 7
    u8 = lambda *shape: rng.integers(0, 256, size=shape, dtype=np.uint8)
    u16 = lambda *shape: rng.integers(0, 65536, size=shape, dtype=np.uint16)
    files = []

    def save_pil(name, img, ext="png", **kw):
        img.save(f"{out}/{name}.{ext}", **kw)
        files.append(f"{name}.{ext}")

    save_pil("grey28", Image.fromarray(u8(28, 28), "L"))
    save_pil("grey_alpha", Image.fromarray(u8(h, w, 2), "LA"))
    save_pil("rgb", Image.fromarray(u8(h, w, 3), "RGB"))
    save_pil("rgba", Image.fromarray(u8(h, w, 4), "RGBA"))
    pal = Image.fromarray(rng.integers(0, 16, size=(h, w), dtype=np.uint8), "P")
    pal.putpalette(list(u8(16 * 3)))
    save_pil("palette_trns", pal, transparency=3)
    save_pil("grey16_small", Image.fromarray(rng.integers(0, 300, size=(h, w)).astype(np.uint16), "I;16"))

    be16 = lambda a: a.astype(">u2").tobytes()
    raw_png(f"{out}/grey16.png", w, h, 16, 0, [be16(r) for r in u16(h, w)])
    raw_png(f"{out}/grey_alpha16.png", w, h, 16, 4, [be16(r) for r in u16(h, w, 2)])
    raw_png(f"{out}/rgb16.png", w, h, 16, 2, [be16(r) for r in u16(h, w, 3)])
    raw_png(f"{out}/rgba16.png", w, h, 16, 6, [be16(r) for r in u16(h, w, 4)])
    for bits in (1, 2, 4):
        raw_png(f"{out}/grey{bits}bit.png", w, h, bits, 0,
                [pack_bits(r, bits) for r in rng.integers(0, 1 << bits, size=(h, w))])
        raw_png(f"{out}/palette{bits}bit.png", w, h, bits, 3,
                [pack_bits(r, bits) for r in rng.integers(0, 1 << bits, size=(h, w))],
                palette=u8(3 << bits).tobytes())
    raw_png(f"{out}/grey_trns.png", w, h, 8, 0, [r.tobytes() for r in u8(h, w)], trns=b"\x00\x07")
    raw_png(f"{out}/rgb_interlaced.png", w, h, 8, 2, adam7_rows(u8(h, w, 3), lambda r: r.tobytes()), interlace=1)
    files += [f"{n}.png" for n in ("grey16", "grey_alpha16", "rgb16", "rgba16", "grey1bit", "grey2bit", "grey4bit",
                                   "palette1bit", "palette2bit", "palette4bit", "grey_trns", "rgb_interlaced")]

    # JPEG: smooth content (noise compresses badly and hides upsampling differences).
    yy, xx = np.mgrid[0:45, 0:61]
    smooth = np.stack([(xx * 4) % 256, (yy * 5) % 256, ((xx + yy) * 3) % 256], axis=-1).astype(np.uint8)
    smooth = np.clip(smooth.astype(int) + rng.integers(-20, 20, size=smooth.shape), 0, 255).astype(np.uint8)
    save_pil("jpeg420", Image.fromarray(smooth, "RGB"), "jpg", quality=90)
    save_pil("jpeg444", Image.fromarray(smooth, "RGB"), "jpg", quality=75, subsampling=0)
    save_pil("jpeg422", Image.fromarray(smooth, "RGB"), "jpg", quality=85, subsampling=1)
    save_pil("jpeg_progressive", Image.fromarray(smooth, "RGB"), "jpg", quality=80, progressive=True)
    save_pil("jpeg_grey", Image.fromarray(smooth[:, :, 0], "L"), "jpg", quality=90)
    save_pil("ppm", Image.fromarray(u8(h, w, 3), "RGB"), "ppm")
    save_pil("pgm", Image.fromarray(u8(h, w), "L"), "pgm")

    for name in files:
        img = Image.open(f"{out}/{name}").convert("RGB")
        stem = name.rsplit(".", 1)[0]
        with open(f"{out}/{stem}.rgb", "wb") as f:
            f.write(struct.pack("<II", img.width, img.height) + np.asarray(img).tobytes())


if __name__ == "__main__":
    main()
