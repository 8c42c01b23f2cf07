"""Scribbles → label image: the canvas strokes rasterised at image resolution.

Variants
--------
tutorial
    The tutorial's way of giving labels: rectangles written into a mask by numpy slicing
    (``mask[r0:r1, c0:c1] = k``), here the beach-like preset scaled to the image.
core
    ``core.canvas.strokes_to_labels`` on the same rectangles as canvas objects (a 700 px wide
    canvas, so the scale is image width / 700) — quality: fraction of pixels equal to the mask;
    and, as a second row, on 24 freehand strokes of 60 points each (a heavy scribbling session) —
    quality: agreement after a share-link round trip (encode → decode → rasterise), with the token
    length in characters as an extra column.
"""

from __future__ import annotations

import numpy as np

from benchmarks._harness import measure, row
from core.canvas import decode_strokes, encode_strokes, rects_to_drawing, strokes_to_labels

TECHNIQUE = "scribbles"
CANVAS_W = 700
RECTS = [(1, (0.035, 0.59, 0.28, 0.97)), (2, (0.60, 0.58, 0.68, 0.84)), (3, (0.81, 0.61, 0.98, 0.84))]
COLORS = {1: "#377eb8", 2: "#ff7f00", 3: "#4daf4a"}


def _shape(megapixels: float) -> tuple[int, int]:
    w = int(round((megapixels * 1e6 * 1.5) ** 0.5))
    return int(round(w / 1.5)), w


def _freehand(canvas_h: int, n_strokes: int = 24, n_points: int = 60, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    objs = []
    for i in range(n_strokes):
        start = rng.uniform([20, 20], [CANVAS_W - 120, canvas_h - 60])
        steps = rng.normal([3, 0.5], [1.5, 1.5], size=(n_points, 2)).cumsum(axis=0)
        pts = start + steps
        cmds = [["M", *pts[0].round(2)]]
        for a, b in zip(pts[1:-1], pts[2:]):
            mid = (a + b) / 2
            cmds.append(["Q", *a.round(2), *mid.round(2)])
        cmds.append(["L", *pts[-1].round(2)])
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        objs.append({"type": "Path", "originX": "center", "originY": "center", "left": (lo[0] + hi[0]) / 2,
                     "top": (lo[1] + hi[1]) / 2, "stroke": COLORS[1 + i % 3], "strokeWidth": 12,
                     "strokeLineCap": "round", "fill": None, "path": cmds})
    return objs


def run(megapixels: float, repeat: int = 3) -> list[dict]:
    h, w = _shape(megapixels)
    scale = w / CANVAS_W
    canvas_h = round(h / scale)
    rects = [(k, (r0 * h, c0 * w, r1 * h, c1 * w)) for k, (r0, c0, r1, c1) in RECTS]
    int_rects = [(k, tuple(int(round(v)) for v in box)) for k, box in rects]
    code_of = {v: k for k, v in COLORS.items()}

    def tutorial():
        mask = np.zeros((h, w), np.uint8)
        for k, (r0, c0, r1, c1) in int_rects:
            mask[r0:r1, c0:c1] = k
        return mask

    sec, peak, mask = measure(tutorial, repeat)
    rows = [row(TECHNIQUE, "tutorial", megapixels, sec, peak, "agreement with the mask", 1.0, case="rectangles")]

    drawing = rects_to_drawing(int_rects, COLORS, scale)
    sec, peak, labels = measure(lambda: strokes_to_labels(drawing, (h, w), code_of, scale), repeat)
    rows.append(row(TECHNIQUE, "core", megapixels, sec, peak, "agreement with the mask",
                    float((labels == mask).mean()), case="rectangles"))

    strokes = _freehand(canvas_h)
    sec, peak, labels = measure(lambda: strokes_to_labels(strokes, (h, w), code_of, scale), repeat)
    token = encode_strokes(strokes, code_of, 1.0)
    back = strokes_to_labels(decode_strokes(token, COLORS, 1.0), (h, w), code_of, scale)
    union = (labels > 0) | (back > 0)
    rows.append(row(TECHNIQUE, "core", megapixels, sec, peak, "link round-trip agreement",
                    float((labels == back)[union].mean()), case="24 freehand strokes", token_chars=len(token)))
    return rows
