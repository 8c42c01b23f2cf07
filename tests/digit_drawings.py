"""Hand-drawn digits 0–9 as a person draws them on the digits page's canvas, for tests and the browser test.

Each digit is one or more strokes in a unit box (x to the right, y down, both 0…1). ``placed(d, size,
center)`` puts a digit on the 280-px canvas, ``size`` px tall (a person draws digits about 0.7 as wide as
tall), centred at ``center``; ``fabric_paths`` turns strokes into Fabric.js 7 path objects as the
drawable canvas returns them (origin at the centre of the path's box, round caps).
"""

from __future__ import annotations

import numpy as np

CANVAS = 280
#: Width / height of a drawn digit.
ASPECT = 0.7


def _arc(cx, cy, rx, ry, start, stop, n=24):
    t = np.radians(np.linspace(start, stop, n))
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)


def _poly(*points):
    return np.asarray(points, dtype=float)


def _eight():
    t = np.linspace(0, 2 * np.pi, 64)
    return np.stack([0.5 + 0.42 * np.sin(2 * t), 0.5 - 0.5 * np.cos(t)], axis=1)


#: digit → list of strokes (arrays of (x, y) in the unit box).
DIGITS: dict[int, list[np.ndarray]] = {
    0: [_arc(0.5, 0.5, 0.5, 0.5, -90, 275, 40)],
    1: [_poly((0.35, 0.15), (0.6, 0.0), (0.6, 1.0))],
    2: [np.vstack([_arc(0.5, 0.28, 0.45, 0.28, 190, 380, 16), _poly((0.85, 0.45), (0.05, 1.0), (1.0, 1.0))])],
    3: [np.vstack([_arc(0.45, 0.25, 0.45, 0.25, 200, 450, 16), _arc(0.45, 0.74, 0.5, 0.26, -90, 160, 16)])],
    4: [_poly((0.65, 1.0), (0.65, 0.0), (0.0, 0.7), (1.0, 0.7))],
    5: [np.vstack([_poly((0.95, 0.0), (0.15, 0.0), (0.1, 0.45)), _arc(0.45, 0.68, 0.5, 0.32, -130, 150, 18)])],
    6: [np.vstack([_arc(1.0, 0.72, 0.95, 0.72, 240, 180, 10), _arc(0.52, 0.72, 0.47, 0.28, 180, 530, 24)])],
    7: [_poly((0.0, 0.0), (1.0, 0.0), (0.35, 1.0))],
    8: [_eight()],
    9: [np.vstack([_arc(0.5, 0.3, 0.45, 0.3, 0, 360, 28), _poly((0.95, 0.3), (0.85, 1.0))])],
}

#: (height in canvas px, centre, width / height) of the placements the tests draw: large, medium (round), small;
#: centred and off-centre.
PLACEMENTS = [(230, (140, 140), ASPECT), (170, (140, 140), 1.0), (110, (140, 140), ASPECT),
              (150, (95, 100), 0.85), (140, (180, 165), 0.6)]


def placed(digit: int, size: float, center=(140, 140), aspect: float = ASPECT) -> list[np.ndarray]:
    """The strokes of ``digit`` in canvas pixels: ``size`` tall, ``aspect * size`` wide, centred at ``center``."""
    out = []
    for stroke in DIGITS[digit]:
        pts = (stroke - 0.5) * np.array([aspect * size, size]) + np.asarray(center, dtype=float)
        out.append(pts)
    return out


def fabric_paths(strokes, width: float = 22.0, color: str = "#000000") -> dict:
    """A drawable-canvas ``json_data`` holding one freehand path per stroke (Fabric.js 7 fields)."""
    objects = []
    for pts in strokes:
        pts = np.asarray(pts, dtype=float)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        path = [["M", *pts[0]]] + [["L", *p] for p in pts[1:]]
        objects.append({"type": "path", "version": "7.0.0", "originX": "center", "originY": "center",
                        "left": float((lo[0] + hi[0]) / 2), "top": float((lo[1] + hi[1]) / 2),
                        "width": float(hi[0] - lo[0]), "height": float(hi[1] - lo[1]), "fill": None,
                        "stroke": color, "strokeWidth": width, "strokeLineCap": "round",
                        "strokeLineJoin": "round", "path": [[c, *map(float, a)] for c, *a in path]})
    return {"version": "7.0.0", "objects": objects, "background": "#ffffff"}
