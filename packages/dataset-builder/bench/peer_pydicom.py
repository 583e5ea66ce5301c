#!/usr/bin/python3
"""The benchmark peer: what people write today with pydicom + Pillow, doing the same steps as our path.

For each DICOM file: read and parse (pydicom.dcmread), decode (ds.pixel_array), Modality LUT and VOI LUT
(pydicom's apply_modality_lut / apply_voi_lut: rescale, first window or VOI LUT sequence), MONOCHROME1 inversion,
scale to 8 bits, resize to SIZE x SIZE (Pillow, Lanczos), write an 8-bit grayscale PNG (Pillow's default
compress_level 6), and insert a row into SQLite (one commit per image, WAL, synchronous=NORMAL), with N worker
processes (multiprocessing.Pool) feeding the parent, which owns the database.

Run with Debian's interpreter (/usr/bin/python3 with python3-pydicom and python3-pil):
    /usr/bin/python3 bench/peer_pydicom.py --dicom DIR --out DIR --workers 2 --size 1024
Prints one JSON line: {"images": n, "seconds": s, "peak_rss_mb": m}.
"""
import argparse
import hashlib
import json
import os
import resource
import sqlite3
import sys
import time
from multiprocessing import Pool

import numpy as np
import pydicom
from PIL import Image
from pydicom.pixel_data_handlers.util import apply_modality_lut, apply_voi_lut

SIZE = 1024
OUT = "."


def render(path):
    ds = pydicom.dcmread(path)
    arr = ds.pixel_array
    arr = apply_modality_lut(arr, ds)
    arr = apply_voi_lut(arr, ds, index=0)
    lo, hi = float(arr.min()), float(arr.max())
    if "WindowCenter" in ds or "VOILUTSequence" in ds:
        # apply_voi_lut maps a window to 0 .. 2**BitsStored - 1 (pydicom 2.x); a VOI LUT to its own range.
        if "VOILUTSequence" in ds:
            top = 2 ** int(ds.VOILUTSequence[0].LUTDescriptor[2]) - 1
        else:
            top = 2 ** int(ds.BitsStored) - 1
        lo, hi = 0.0, float(top)
    scaled = np.clip((arr - lo) * (255.0 / max(hi - lo, 1e-9)), 0, 255)
    gray = np.rint(scaled).astype(np.uint8)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        gray = 255 - gray
    image = Image.fromarray(gray, mode="L").resize((SIZE, SIZE), Image.LANCZOS)
    name = os.path.basename(path) + ".png"
    target = os.path.join(OUT, name)
    image.save(target, format="PNG")
    return name, int(ds.Rows), int(ds.Columns), os.path.getsize(target)


def init(size, out):
    global SIZE, OUT
    SIZE = size
    OUT = out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dicom", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--size", type=int, default=1024)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    files = sorted(os.path.join(args.dicom, f) for f in os.listdir(args.dicom))
    db = sqlite3.connect(os.path.join(args.out, "peer.sqlite"))
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE IF NOT EXISTS images (name TEXT PRIMARY KEY, rows INTEGER, columns INTEGER, png_bytes INTEGER)")
    db.execute("DELETE FROM images")
    db.commit()
    init(args.size, args.out)
    start = time.perf_counter()
    count = 0
    png_bytes = 0

    def store(result):
        nonlocal png_bytes
        db.execute("INSERT OR REPLACE INTO images VALUES (?, ?, ?, ?)", result)
        db.commit()
        png_bytes += result[3]

    if args.workers <= 1:
        for f in files:
            store(render(f))
            count += 1
    else:
        with Pool(args.workers, initializer=init, initargs=(args.size, args.out)) as pool:
            for result in pool.imap(render, files):
                store(result)
                count += 1
    seconds = time.perf_counter() - start
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak = (self_rss + child_rss * args.workers if args.workers > 1 else self_rss) / 1024
    import PIL
    print(json.dumps({"images": count, "seconds": seconds, "peak_rss_mb": peak, "png_kb": png_bytes / max(count, 1) / 1024,
                      "pydicom": pydicom.__version__, "pillow": PIL.__version__}))


if __name__ == "__main__":
    sys.exit(main())
