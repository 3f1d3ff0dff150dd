#!/usr/bin/python3
"""Reference values for the 64-bit hash tests (ImagingReferenceTests.cs).

Implements the definitions of Python's `imagehash` library (phash with hash_size 8 and
highfreq_factor 4, dhash, average_hash) directly with Pillow, NumPy and SciPy, so that the
numbers do not depend on which imagehash version is installed.

    /usr/bin/python3 reference_hashes.py FILE...     decode each FILE with Pillow
    /usr/bin/python3 reference_hashes.py --synthetic the formula-defined pictures

Files are decoded by Pillow (first frame, as 8-bit RGB); the C# tests decode with SkiaSharp. Both
use libjpeg-turbo and libpng with their default settings, and for the test photos they give the
same pixels, so both sides hash the same pixels (the table in ImagehashReferenceTests.cs was
first made from ImageMagick's decoding and is unchanged with Pillow's).
Needs: apt-get install python3-pil python3-scipy python3-numpy
"""
import sys

import numpy
import scipy.fftpack
from PIL import Image

LANCZOS = Image.Resampling.LANCZOS if hasattr(Image, "Resampling") else Image.LANCZOS


def bits_to_hex(bits):
    """imagehash's text: the flattened bits as one binary number, zero-padded hex."""
    flat = "".join("1" if b else "0" for b in numpy.asarray(bits).flatten())
    return format(int(flat, 2), "0{}x".format((len(flat) + 3) // 4))


def phash(image, hash_size=8, highfreq_factor=4):
    size = hash_size * highfreq_factor
    pixels = numpy.asarray(image.convert("L").resize((size, size), LANCZOS))
    dct = scipy.fftpack.dct(scipy.fftpack.dct(pixels, axis=0), axis=1)
    low = dct[:hash_size, :hash_size]
    return bits_to_hex(low > numpy.median(low))


def dhash(image, hash_size=8):
    pixels = numpy.asarray(image.convert("L").resize((hash_size + 1, hash_size), LANCZOS))
    return bits_to_hex(pixels[:, 1:] > pixels[:, :-1])


def ahash(image, hash_size=8):
    pixels = numpy.asarray(image.convert("L").resize((hash_size, hash_size), LANCZOS))
    return bits_to_hex(pixels > pixels.mean())


def decode(path):
    with Image.open(path) as img:
        img.seek(0)
        return img.convert("RGB")


# The same formulas as SyntheticImages.cs: integer arithmetic only, so both languages agree.
def synthetic(name):
    w, h, f = SYNTHETIC[name]
    img = Image.new("RGB", (w, h))
    img.putdata([f(x, y) for y in range(h) for x in range(w)])
    return img


SYNTHETIC = {
    "weave-97x61": (97, 61, lambda x, y: ((x * x + 3 * y) % 256, (x * y) % 256, (5 * x + 11 * y * y) % 256)),
    "rings-300x200": (300, 200, lambda x, y: ((((x - 150) ** 2 + (y - 90) ** 2) // 37) % 256, (x + 2 * y) % 256, (7 * x * y // 13) % 256)),
    "tiny-7x5": (7, 5, lambda x, y: ((x * 37 + y * 91) % 256, (x * 53 + y * 17) % 256, (x * y * 29) % 256)),
    "exact-32x32": (32, 32, lambda x, y: ((x * 13 + y * y * 5) % 256, (x * x + y * 7) % 256, ((x ^ y) * 9) % 256)),
    "exact-9x8": (9, 8, lambda x, y: ((x * 29 + y * 41) % 256, (x * 71 + y * 3) % 256, (x * y * 19 + 7) % 256)),
    "tall-40x333": (40, 333, lambda x, y: ((y * y // 7 + x) % 256, (y * 3 + x * x) % 256, (x * y // 5) % 256)),
    # Degenerate pictures: symmetries make many DCT coefficients exactly zero (ties with the median).
    "strip-150x2": (150, 2, lambda x, y: ((x * 17 + y * 100) % 256, (x * x // 3) % 256, (x * 5 + y * 60) % 256)),
    "dot-1x1": (1, 1, lambda x, y: (200, 100, 50)),
}


def main(args):
    if args == ["--synthetic"]:
        items = [(name, synthetic(name)) for name in SYNTHETIC]
    else:
        items = [(path, decode(path)) for path in args]
    for name, img in items:
        print(name, img.size[0], img.size[1], phash(img), dhash(img), ahash(img))


if __name__ == "__main__":
    main(sys.argv[1:])
