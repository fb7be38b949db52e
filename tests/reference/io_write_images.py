"""Writes image files of every kind the decoder handles, and what PIL makes of them.

usage: io_write_images.py OUT_DIR SEED

For each case NAME it writes OUT_DIR/NAME.<png|jpg|ppm|pgm|pbm|bmp|tif|webp> and
OUT_DIR/NAME.<ext>.rgb: u32 width, u32 height (little endian), then PIL's
Image.open(path).convert("RGB") bytes (HxWx3), which is what pytorch-fid feeds the network;
OUT_DIR/files.txt lists the image files, one a line. Files PIL cannot write (16-bit colour
or low bit depth PNGs, interlaced PNGs, plain and 16-bit netpbm, BMPs of 16 bits, bit fields
and RLE, tiled or big-endian TIFFs) are assembled here byte by byte; every file is opened by PIL.
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


def bmp(path, width, height, bits, pixel_bytes, palette=b"", compression=0, masks=b"", top_down=False,
        header=40):
    """A BMP: file header, an info header of `header` bytes, masks, palette (BGRX), pixels."""
    if header == 12:
        info = struct.pack("<IHHHH", 12, width, height, 1, bits)
    else:
        info = struct.pack("<IiiHHIIiiII", header, width, -height if top_down else height, 1, bits, compression,
                           len(pixel_bytes), 2835, 2835, len(palette) // (3 if header == 12 else 4), 0)
        info += b"\0" * (header - 40)
    offset = 14 + len(info) + len(masks) + len(palette)
    with open(path, "wb") as f:
        f.write(b"BM" + struct.pack("<IHHI", offset + len(pixel_bytes), 0, 0, offset) + info + masks + palette +
                pixel_bytes)


def bmp_rows(rows, row_bytes):
    """Bottom-up rows, each padded to 4 bytes."""
    stride = (row_bytes + 3) & ~3
    return b"".join(r.ljust(stride, b"\0") for r in reversed(rows))


def tiff(path, width, height, bits, samples, photometric, data, big_endian=False, tile=None, extra=None,
         colormap=None):
    """An uncompressed TIFF with one strip (or tiles of tile x tile) of the given sample bytes."""
    e = ">" if big_endian else "<"
    entries = []

    def tag(code, kind, values):
        entries.append((code, kind, values))

    tag(256, 4, [width])
    tag(257, 4, [height])
    tag(258, 3, [bits] * samples)
    tag(259, 3, [1])
    tag(262, 3, [photometric])
    tag(277, 3, [samples])
    tag(284, 3, [1])
    if extra is not None:
        tag(338, 3, extra)
    if colormap is not None:
        tag(320, 3, colormap)
    blobs = data if tile else [data]
    if tile:
        tag(322, 4, [tile])
        tag(323, 4, [tile])
        tag(324, 4, [0] * len(blobs))
        tag(325, 4, [len(b) for b in blobs])
    else:
        tag(273, 4, [0])
        tag(278, 4, [height])
        tag(279, 4, [len(data)])
    entries.sort()
    size = {3: 2, 4: 4}
    ifd_offset = 8
    extra_offset = ifd_offset + 2 + 12 * len(entries) + 4
    out_entries, extra_bytes = b"", b""
    offsets_tag = 324 if tile else 273
    data_start = extra_offset + sum(len(v) * size[k] for _, k, v in entries if len(v) * size[k] > 4)
    offsets, pos = [], data_start
    for b in blobs:
        offsets.append(pos)
        pos += len(b)
    for code, kind, values in entries:
        if code == offsets_tag:
            values = offsets
        packed = b"".join(struct.pack(e + ("H" if kind == 3 else "I"), v) for v in values)
        if len(packed) <= 4:
            out_entries += struct.pack(e + "HHI", code, kind, len(values)) + packed.ljust(4, b"\0")
        else:
            out_entries += struct.pack(e + "HHII", code, kind, len(values), extra_offset + len(extra_bytes))
            extra_bytes += packed
    head = (b"MM\0*" if big_endian else b"II*\0") + struct.pack(e + "I", ifd_offset)
    with open(path, "wb") as f:
        f.write(head + struct.pack(e + "H", len(entries)) + out_entries + b"\0\0\0\0" + extra_bytes + b"".join(blobs))


def write_more_formats(out, rng, files):
    """The formats beyond PNG/JPEG/binary 8-bit netpbm: netpbm variants, BMP, TIFF, WebP, CMYK JPEG."""
    w, h = 13, 7
    u8 = lambda *shape: rng.integers(0, 256, size=shape, dtype=np.uint8)

    def raw(name, data):
        with open(f"{out}/{name}", "wb") as f:
            f.write(data)
        files.append(name)

    # netpbm: plain P1-P3 (comments in the header and between samples), P4, other maxvals, 16 bits.
    plain = lambda values: "\n".join(" ".join(str(int(v)) for v in row) for row in values)
    raw("plain_bitmap.pbm", f"P1\n# comment\n{w} {h}\n".encode() +
        "\n".join("".join(str(int(v)) for v in row) for row in rng.integers(0, 2, size=(h, w))).encode())
    raw("plain_grey.pgm", f"P2 {w} #c\n {h}\n255\n".encode() + plain(u8(h, w)).encode())
    raw("plain_grey_maxval1000.pgm", f"P2\n{w} {h}\n1000\n".encode() +
        plain(rng.integers(0, 1001, size=(h, w))).encode())
    raw("plain_rgb_maxval7.ppm", f"P3\n{w} {h}\n7\n# inside\n".encode() +
        plain(rng.integers(0, 8, size=(h, w * 3))).encode())
    raw("bitmap.pbm", f"P4\n{w} {h}\n".encode() + np.packbits(rng.integers(0, 2, size=(h, w)), axis=1).tobytes())
    raw("grey_maxval100.pgm", f"P5\n{w} {h}\n100\n".encode() + rng.integers(0, 101, size=(h, w)).astype(np.uint8).tobytes())
    raw("grey16.pgm", f"P5\n{w} {h}\n65535\n".encode() + rng.integers(0, 400, size=(h, w)).astype(">u2").tobytes())
    raw("grey_maxval1000.pgm", f"P5\n{w} {h}\n1000\n".encode() + rng.integers(0, 1001, size=(h, w)).astype(">u2").tobytes())
    raw("rgb16.ppm", f"P6\n{w} {h}\n65535\n".encode() + rng.integers(0, 65536, size=(h, w, 3)).astype(">u2").tobytes())
    raw("rgb_maxval1000.ppm", f"P6\n{w} {h}\n1000\n".encode() + rng.integers(0, 1001, size=(h, w, 3)).astype(">u2").tobytes())

    # BMP: PIL's own (1-bit, grey, palette, 24 and 32 bits) and hand-made variants.
    def save(name, img, **kw):
        img.save(f"{out}/{name}", **kw)
        files.append(name)

    save("bitmap.bmp", Image.fromarray(rng.integers(0, 2, size=(h, w)).astype(bool)))
    save("grey.bmp", Image.fromarray(u8(h, w), "L"))
    pal = Image.fromarray(rng.integers(0, 200, size=(h, w), dtype=np.uint8), "P")
    pal.putpalette(list(u8(256 * 3)))
    save("palette.bmp", pal)
    save("rgb.bmp", Image.fromarray(u8(h, w, 3), "RGB"))
    save("rgba.bmp", Image.fromarray(u8(h, w, 4), "RGBA"))
    bgrx = lambda colors: b"".join(bytes([c[2], c[1], c[0], 0]) for c in colors)
    idx4 = rng.integers(0, 16, size=(h, w))
    bmp(f"{out}/palette4.bmp", w, h, 4, bmp_rows([pack_bits(r, 4) for r in idx4], (w + 1) // 2),
        palette=bgrx(u8(16, 3)))
    idx1 = rng.integers(0, 2, size=(h, w))
    bmp(f"{out}/palette1_colour.bmp", w, h, 1, bmp_rows([pack_bits(r, 1) for r in idx1], (w + 7) // 8),
        palette=bgrx(u8(2, 3)))
    v16 = rng.integers(0, 65536, size=(h, w)).astype("<u2")
    bmp(f"{out}/rgb555.bmp", w, h, 16, bmp_rows([r.tobytes() for r in v16], 2 * w))
    bmp(f"{out}/rgb565.bmp", w, h, 16, bmp_rows([r.tobytes() for r in v16], 2 * w), compression=3,
        masks=struct.pack("<III", 0xF800, 0x7E0, 0x1F))
    px32 = u8(h, w, 4)
    bmp(f"{out}/xbgr_bitfields.bmp", w, h, 32, bmp_rows([r.tobytes() for r in px32], 4 * w), compression=3,
        masks=struct.pack("<III", 0xFF000000, 0xFF0000, 0xFF00))
    bmp(f"{out}/rgba_v4.bmp", w, h, 32, bmp_rows([r.tobytes() for r in px32], 4 * w), compression=3,
        header=108, masks=b"")
    # the v4 header carries its masks: patch them in (r, g, b, a = RGBA byte order)
    data = bytearray(open(f"{out}/rgba_v4.bmp", "rb").read())
    data[14 + 40:14 + 56] = struct.pack("<IIII", 0xFF, 0xFF00, 0xFF0000, 0xFF000000)
    open(f"{out}/rgba_v4.bmp", "wb").write(bytes(data))
    px24 = u8(h, w, 3)
    bmp(f"{out}/top_down.bmp", w, h, 24, b"".join(r.tobytes().ljust((3 * w + 3) & ~3, b"\0") for r in px24),
        top_down=True)
    bmp(f"{out}/os2.bmp", w, h, 24, bmp_rows([r.tobytes() for r in px24], 3 * w), header=12)
    # RLE8: per row runs, an absolute run, an end of line; RLE4 likewise; then end of bitmap.
    rle8, rle4 = b"", b""
    for y in range(h):
        rle8 += bytes([5, int(rng.integers(0, 16)), 0, 4]) + bytes(rng.integers(0, 16, size=4).astype(np.uint8))
        rle8 += bytes([w - 9, int(rng.integers(0, 16)), 0, 0])
        rle4 += bytes([6, int(rng.integers(0, 256)), 0, 4, int(rng.integers(0, 256)), int(rng.integers(0, 256))])
        rle4 += bytes([w - 10, int(rng.integers(0, 256)), 0, 0])
    bmp(f"{out}/rle8.bmp", w, h, 8, rle8 + b"\0\1", palette=bgrx(u8(16, 3)), compression=1)
    bmp(f"{out}/rle4.bmp", w, h, 4, rle4 + b"\0\1", palette=bgrx(u8(16, 3)), compression=2)
    files += ["palette4.bmp", "palette1_colour.bmp", "rgb555.bmp", "rgb565.bmp", "xbgr_bitfields.bmp", "rgba_v4.bmp",
              "top_down.bmp", "os2.bmp", "rle8.bmp", "rle4.bmp"]

    # TIFF: PIL's own writer (uncompressed and through libtiff's codecs) and hand-made ones.
    save("rgb.tif", Image.fromarray(u8(h, w, 3), "RGB"))
    save("rgb_lzw.tif", Image.fromarray(u8(h, w, 3), "RGB"), compression="tiff_lzw")
    save("rgba_deflate.tif", Image.fromarray(u8(h, w, 4), "RGBA"), compression="tiff_adobe_deflate")
    save("grey_packbits.tif", Image.fromarray(u8(h, w), "L"), compression="packbits")
    save("grey_alpha.tif", Image.fromarray(u8(h, w, 2), "LA"))
    save("bitmap_group4.tif", Image.fromarray(rng.integers(0, 2, size=(h, w)).astype(bool)), compression="group4")
    save("palette.tiff", pal)
    save("cmyk.tif", Image.fromarray(u8(h, w, 4), "CMYK"))
    save("grey16.tif", Image.fromarray(rng.integers(0, 400, size=(h, w)).astype(np.uint16), "I;16"))
    tiff(f"{out}/grey2_miniswhite.tif", w, h, 2, 1, 0, b"".join(pack_bits(r, 2) for r in rng.integers(0, 4, size=(h, w))))
    tiff(f"{out}/grey4.tif", w, h, 4, 1, 1, b"".join(pack_bits(r, 4) for r in rng.integers(0, 16, size=(h, w))))
    tiff(f"{out}/grey8_miniswhite.tif", w, h, 8, 1, 0, u8(h, w).tobytes())
    tiff(f"{out}/palette4.tif", w, h, 4, 1, 3, b"".join(pack_bits(r, 4) for r in rng.integers(0, 16, size=(h, w))),
         colormap=list(rng.integers(0, 65536, size=48)))
    tiff(f"{out}/rgb16_big_endian.tif", w, h, 16, 3, 2, rng.integers(0, 65536, size=(h, w, 3)).astype(">u2").tobytes(),
         big_endian=True)
    tiff(f"{out}/grey16_big_endian.tif", w, h, 16, 1, 1, rng.integers(0, 400, size=(h, w)).astype(">u2").tobytes(),
         big_endian=True)
    tiff(f"{out}/rgbx.tif", w, h, 8, 4, 2, u8(h, w, 4).tobytes(), extra=[0])
    tile = 16  # tiles are multiples of 16; the image is 20x18: four tiles, three partly outside
    big = u8(18, 20, 3)
    padded = np.zeros((32, 32, 3), np.uint8)
    padded[:18, :20] = big
    tiff(f"{out}/rgb_tiled.tif", 20, 18, 8, 3, 2,
         [padded[ty:ty + tile, tx:tx + tile].tobytes() for ty in (0, 16) for tx in (0, 16)], tile=tile)
    files += ["grey2_miniswhite.tif", "grey4.tif", "grey8_miniswhite.tif", "palette4.tif", "rgb16_big_endian.tif",
              "grey16_big_endian.tif", "rgbx.tif", "rgb_tiled.tif"]

    # WebP: lossy, lossless with alpha, and an animation (its first frame).
    yy, xx = np.mgrid[0:24, 0:30]
    smooth = np.stack([(xx * 8) % 256, (yy * 9) % 256, ((xx + yy) * 4) % 256], axis=-1).astype(np.uint8)
    save("lossy.webp", Image.fromarray(smooth, "RGB"), quality=80)
    rgba = np.concatenate([u8(h, w, 3), u8(h, w, 1)], axis=2)
    save("lossless_alpha.webp", Image.fromarray(rgba, "RGBA"), lossless=True)
    frames = [Image.fromarray(u8(h, w, 3), "RGB") for _ in range(3)]
    frames[0].save(f"{out}/animated.webp", save_all=True, append_images=frames[1:], lossless=True, duration=50)
    files.append("animated.webp")

    # CMYK JPEG (PIL writes Adobe's inverted polarity).
    save("cmyk.jpg", Image.fromarray(np.concatenate([smooth, smooth[:, :, :1]], axis=2), "CMYK"), quality=90)


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

    write_more_formats(out, rng, files)
    with open(f"{out}/files.txt", "w") as f:
        f.write("".join(name + "\n" for name in files))
    for name in files:
        img = Image.open(f"{out}/{name}").convert("RGB")
        with open(f"{out}/{name}.rgb", "wb") as f:
            f.write(struct.pack("<II", img.width, img.height) + np.asarray(img).tobytes())


if __name__ == "__main__":
    main()
