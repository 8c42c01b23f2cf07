"""Marks back to canvas objects: presets (rectangles) and decoded strokes as Fabric.js JSON.

The reverse of :func:`core.canvas.objects_to_primitives`: :func:`primitives_to_objects` turns
marks in image coordinates into Fabric objects for a canvas' ``initial_drawing`` (rasterising
them again gives back the same pixels), :func:`rects_to_drawing` builds a preset of filled
rectangles given as numpy slices.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from core.canvas._base import FILLED, OUTLINE, POLYLINE_BUTT, Primitive, _parse_color, _scale_pair, normalize_color

__all__ = ["primitives_to_objects", "rects_to_drawing"]


def _rgba(color: str, alpha: float) -> str:
    r, g, b = _parse_color(color)[0]
    return f"rgba({r}, {g}, {b}, {alpha:g})"


def _is_axis_rect(pts: np.ndarray) -> bool:
    ring = pts[:-1] if len(pts) == 5 and np.allclose(pts[0], pts[-1]) else pts
    if len(ring) != 4:
        return False
    xs, ys = np.unique(np.round(ring[:, 0], 3)), np.unique(np.round(ring[:, 1], 3))
    if len(xs) != 2 or len(ys) != 2:
        return False
    return all(
        abs(b[0] - a[0]) < 1e-3 or abs(b[1] - a[1]) < 1e-3 for a, b in zip(ring, np.roll(ring, -1, axis=0))
    )


def primitives_to_objects(
    primitives: Iterable[Primitive], color_of_class: Mapping, scale=1.0, *, fill_alpha: float = 0.3
) -> list[dict]:
    """Turn :class:`Primitive` marks (image coordinates) back into Fabric objects for a canvas.

    Parameters
    ----------
    primitives : iterable of Primitive
    color_of_class : mapping
        Class number → CSS colour used for the object's stroke (and, translucent, its fill).
        Marks of classes missing from the mapping are dropped.
    scale : float or (float, float)
        Image pixels per canvas pixel of the target canvas (or ``(sy, sx)``).
    fill_alpha : float
        Opacity of the fill of filled shapes.

    Returns
    -------
    objects : list of dict
        Fabric objects (``Path``, ``Rect``) in canvas pixels; pass ``{"objects": objects}``
        as the canvas' ``initial_drawing``. Rasterising them with :func:`strokes_to_labels`
        gives back the marks.
    """
    sx, sy = _scale_pair(scale)
    factor = np.array([sx, sy])
    width_factor = math.sqrt(sx * sy)
    objects: list[dict] = []
    for prim in primitives:
        color = color_of_class.get(prim.code)
        if color is None or normalize_color(color) is None:
            continue
        color = normalize_color(color)
        pts = np.asarray(prim.points, dtype=float).reshape(-1, 2) / factor
        sw = float(prim.width) / width_factor
        fill = _rgba(color, fill_alpha) if prim.kind == FILLED else None
        common = {  # Fabric 7 defaults to centre origins; say so explicitly anyway
            "originX": "center",
            "originY": "center",
            "scaleX": 1,
            "scaleY": 1,
            "angle": 0,
            "stroke": color,
            "strokeWidth": round(sw, 3),
            "opacity": 1,
            "visible": True,
        }
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        box = {"left": round((lo[0] + hi[0]) / 2, 3), "top": round((lo[1] + hi[1]) / 2, 3),
               "width": round(hi[0] - lo[0], 3), "height": round(hi[1] - lo[1], 3)}  # Fabric's centre origin
        if prim.kind in (OUTLINE, FILLED) and _is_axis_rect(pts):
            objects.append(
                {
                    "type": "Rect",
                    **common,
                    **box,
                    "fill": fill if fill else "rgba(0, 0, 0, 0)",
                    "strokeUniform": True,
                }
            )
            continue
        cmds = [["M", round(pts[0, 0], 3), round(pts[0, 1], 3)]]
        if len(pts) == 1:
            cmds.append(["L", round(pts[0, 0], 3), round(pts[0, 1], 3)])
        cmds += [["L", round(x, 3), round(y, 3)] for x, y in pts[1:]]
        if prim.kind in (OUTLINE, FILLED):
            cmds.append(["Z"])
        objects.append(
            {
                "type": "Path",
                **common,
                **box,
                "fill": fill,
                "strokeLineCap": "butt" if prim.kind == POLYLINE_BUTT else "round",
                "strokeLineJoin": "round",
                "path": cmds,
            }
        )
    return objects


def rects_to_drawing(
    rects: Sequence, color_of_class: Mapping, scale=1.0, *, stroke_width: float = 2.0, fill_alpha: float = 0.3
) -> dict:
    """Build a canvas ``initial_drawing`` of filled rectangles given in image pixels.

    Parameters
    ----------
    rects : sequence of (int, (row0, col0, row1, col1))
        Class number and the rectangle's rows ``row0:row1`` and columns ``col0:col1``
        (numpy slice convention, image pixels), e.g. ``(1, (0, 0, 100, 640))`` for the top
        100 rows in class 1 — the same pixels as ``mask[0:100, 0:640] = 1``.
    color_of_class : mapping
        Class number → CSS colour.
    scale : float or (float, float)
        Image pixels per canvas pixel (``image_width / canvas_width``).
    stroke_width : float
        Outline width in canvas pixels (drawn inside the rectangle so that the labelled
        pixels are exactly the slice).
    fill_alpha : float
        Opacity of the fill shown on the canvas.

    Returns
    -------
    drawing : dict
        ``{"objects": [...]}`` for ``st_canvas(initial_drawing=...)``.
    """
    sx, sy = _scale_pair(scale)
    prims = []
    for item in rects:
        try:
            code, (r0, c0, r1, c1) = item
        except (TypeError, ValueError):
            raise ValueError("Each rectangle must be (class, (row0, col0, row1, col1)).") from None
        if r1 <= r0 or c1 <= c0:
            raise ValueError(f"Rectangle {(r0, c0, r1, c1)} is empty; need row0 < row1 and col0 < col1.")
        # inset by half the stroke so the painted band stays inside the slice
        half = stroke_width * math.sqrt(sx * sy) / 2
        x0, y0, x1, y1 = c0 + half, r0 + half, c1 - half, r1 - half
        if x1 < x0:
            x0 = x1 = (c0 + c1) / 2
        if y1 < y0:
            y0 = y1 = (r0 + r1) / 2
        pts = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]], dtype=float)
        prims.append(Primitive(int(code), FILLED, 2 * half, pts))
    return {"objects": primitives_to_objects(prims, color_of_class, scale, fill_alpha=fill_alpha)}

