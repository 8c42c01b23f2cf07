"""Decoding the largest accepted uploads (40 MP) stays under 800 MB peak RSS in a fresh process (issue 17.3).

Each file is decoded by ``read_image`` in its own interpreter, which prints its peak resident size (``VmHWM`` (the peak,
including the interpreter, numpy, Pillow and the file's own bytes; ``ru_maxrss`` would count the parent's peak). Before the banded decoder these files
cost 1.4–2.2 GB (RGBA PNG 2175 MB, palette + transparency 2096 MB, float TIFF 1761 MB, 16-bit PNG 1376 MB).
Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
WIDTH, HEIGHT = 8000, 5000  # 40 MP: core.images.MAX_PIXELS
LIMIT_MB = 800
KEEP_SIDE = 2048  # what ui.images keeps of an upload

_PROBE = """
import json, sys, time
sys.path.insert(0, {root!r})
from core.images import read_image

def peak_mb():  # VmHWM: this process's own peak (ru_maxrss would carry the parent's peak across exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

data = open(sys.argv[1], "rb").read()
t = time.perf_counter()
out = read_image(data, max_side=int(sys.argv[2]) if sys.argv[2] != "0" else None)
print(json.dumps({{"shape": list(out.shape), "seconds": time.perf_counter() - t,
                  "peak_mb": peak_mb()}}))
"""


def _ramp() -> np.ndarray:
    y = np.linspace(0, 1, HEIGHT, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, WIDTH, dtype=np.float32)[None, :]
    return y * x


def _make(kind: str, directory: Path) -> Path:
    g = _ramp()
    if kind == "jpeg-rgb":
        path = directory / "rgb.jpg"
        Image.fromarray((np.stack([g, 1 - g, g * g], -1) * 255).astype(np.uint8)).save(path, quality=85)
    elif kind == "jpeg-cmyk":
        path = directory / "cmyk.jpg"
        a = (np.stack([g, 1 - g, g * g, 0 * g], -1) * 255).astype(np.uint8)
        Image.fromarray(a, "CMYK").save(path, quality=85)
    elif kind == "png-rgba":
        path = directory / "rgba.png"
        a = (np.stack([g, 1 - g, g * g, 0.5 + 0 * g], -1) * 255).astype(np.uint8)
        Image.fromarray(a).save(path, compress_level=1)
    elif kind == "png-palette-transparency":
        path = directory / "p.png"
        indexed = Image.fromarray((g * 63).astype(np.uint8), "L").convert("P")  # 64 colours, built directly:
        indexed.putpalette([v for i in range(64) for v in (4 * i, 255 - 4 * i, (i * i) // 16)])  # quantize() of 40 MP
        indexed.save(path, compress_level=1, transparency=3)  # takes seconds
    elif kind == "png-16-bit":
        path = directory / "g16.png"
        Image.fromarray((g * 60000).astype(np.uint16)).save(path, compress_level=1)
    elif kind == "tiff-float":
        path = directory / "f.tif"
        Image.fromarray(g).save(path)
    else:  # pragma: no cover
        raise ValueError(kind)
    return path


def _peak(path: Path, max_side: int) -> dict:
    done = subprocess.run([sys.executable, "-c", _PROBE.format(root=str(ROOT)), str(path), str(max_side)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


CASES = [("jpeg-rgb", KEEP_SIDE), ("jpeg-cmyk", KEEP_SIDE), ("png-rgba", KEEP_SIDE),
         ("png-palette-transparency", KEEP_SIDE), ("png-16-bit", KEEP_SIDE), ("tiff-float", KEEP_SIDE),
         ("tiff-float", 0)]


@pytest.mark.parametrize(("kind", "max_side"), CASES, ids=[f"{k}@{m or 'full'}" for k, m in CASES])
def test_decoding_a_40_mp_upload_peaks_under_800_mb(kind, max_side, tmp_path):
    path = _make(kind, tmp_path)
    got = _peak(path, max_side)
    print(f"{kind} @ {max_side or 'full size'}: peak {got['peak_mb']:.0f} MB, {got['seconds']:.1f} s, "
          f"shape {got['shape']}")
    expected_long = max_side or WIDTH
    assert max(got["shape"][:2]) == expected_long
    assert got["peak_mb"] <= LIMIT_MB, f"{kind}: decoding peaked at {got['peak_mb']:.0f} MB"
