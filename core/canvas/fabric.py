"""The one Fabric.js canvas adapter: canvas JSON → :class:`Primitive` marks → label images.

The drawable canvas (``streamlit-drawable-canvas`` 0.13, Fabric.js 7) returns its drawing
as Fabric JSON objects in *canvas* pixels. This module turns those objects into marks in
*image* coordinates once (origin, scale, rotation, flips handled here and nowhere else) and
rasterises them geometrically at image resolution — labels are never recovered from the
anti-aliased colours of a rendered canvas. Every page that reads a canvas (the digits page,
trainable segmentation) goes through :func:`objects_to_primitives`.

Supported objects: ``path`` (freehand brush: ``M``/``L``/``Q``/``C``/``Z`` commands,
its ``strokeWidth`` and line cap), ``line``, ``rect``, ``circle``, ``ellipse``,
``polygon``/``polyline``. Filled shapes label their inside; outlined shapes only the
band under their stroke. ``left``/``top``/``originX``/``originY`` (Fabric 7 defaults:
``"center"``)/``scaleX``/``scaleY``/``angle``/``flipX``/``flipY``/``strokeUniform`` are
honoured, so an object moved, scaled or rotated with the canvas' edit tool is rasterised
where it is shown. Later objects paint over earlier ones, as on the canvas.

Coordinates: a canvas point ``(x, y)`` maps to the continuous image point
``(x * scale, y * scale)``; image pixel ``(row, col)`` covers
``[col, col + 1) × [row, row + 1)``, so its centre is ``(col + 0.5, row + 0.5)``.

Hostile data (a modified browser) is bounded: at most :data:`MAX_OBJECTS` objects and
:data:`MAX_POINTS` points, coordinates beyond ±:data:`MAX_COORD` canvas pixels or not finite
drop the object, stroke widths are clamped to [0, :data:`MAX_STROKE_WIDTH`] canvas pixels
(NaN → 1), and anything else that is not canvas JSON is a :class:`ValueError` saying so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import numpy as np

from core.canvas._base import (
    FILLED,
    OUTLINE,
    POLYLINE_BUTT,
    POLYLINE_ROUND,
    Primitive,
    _code_lookup,
    _parse_color,
    _scale_pair,
    normalize_color,
)
from core.canvas._raster import MAX_WORK, rasterize_primitives

__all__ = [
    "FILLED",
    "MAX_COORD",
    "MAX_OBJECTS",
    "MAX_POINTS",
    "MAX_STROKE_WIDTH",
    "MAX_WORK",
    "OUTLINE",
    "POLYLINE_BUTT",
    "POLYLINE_ROUND",
    "Primitive",
    "normalize_color",
    "objects_to_primitives",
    "rasterize_primitives",
    "strokes_to_labels",
]

_ORIGIN = {"left": 0.0, "top": 0.0, "center": 0.5, "right": 1.0, "bottom": 1.0}
#: Coordinates (canvas pixels) beyond ± this drop their object (a canvas is at most a few thousand px).
MAX_COORD = 1e5
#: Stroke widths are clamped to this many canvas pixels (the page's brush goes to 60).
MAX_STROKE_WIDTH = 256.0
#: At most this many objects in one drawing.
MAX_OBJECTS = 5_000
#: At most this many points (after sampling curves) in one drawing.
MAX_POINTS = 400_000
_TOO_MANY = "The drawing has more than {n:,} {what}; clear some strokes (or draw fewer, longer ones)."


# --------------------------------------------------------------------------- geometry
def _quad(p0, p1, p2, n):
    t = np.linspace(0, 1, n + 1)[1:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2


def _cubic(p0, p1, p2, p3, n):
    t = np.linspace(0, 1, n + 1)[1:, None]
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3


def _n_samples(*pts) -> int:
    length = sum(float(np.hypot(*(b - a))) for a, b in zip(pts[:-1], pts[1:]))
    return int(min(64, max(2, math.ceil(length / 2))))


def _path_points(commands, budget: list) -> tuple[list[np.ndarray], bool]:
    """Sample SVG path commands (list of ``[cmd, *numbers]``) into polylines.

    ``budget`` is a one-element list: the points still allowed in this drawing (decremented).
    """
    if isinstance(commands, str):
        if len(commands) > 20 * MAX_POINTS:
            raise ValueError(_TOO_MANY.format(n=MAX_POINTS, what="points"))
        tokens = re.findall(r"[MmLlQqCcZzHhVv]|-?\d*\.?\d+(?:e-?\d+)?", commands)
        commands, current = [], None
        for tok in tokens:
            if tok.isalpha():
                current = [tok]
                commands.append(current)
            elif current is not None:
                current.append(float(tok))
    if not isinstance(commands, (list, tuple)):
        return [], False
    if len(commands) > budget[0]:
        raise ValueError(_TOO_MANY.format(n=MAX_POINTS, what="points"))
    polylines: list[list[np.ndarray]] = []
    closed = False
    pos = np.zeros(2)
    start = np.zeros(2)
    for cmd in commands:
        if not isinstance(cmd, (list, tuple)) or not cmd or not isinstance(cmd[0], str):
            continue
        if len(cmd) > 7:
            continue  # no Fabric path command has more than 6 numbers
        try:
            nums = [float(v) for v in cmd[1:]]
        except (TypeError, ValueError, OverflowError):
            continue
        if not all(math.isfinite(v) and abs(v) <= MAX_COORD for v in nums):
            continue
        op = cmd[0]
        rel = op.islower()
        op = op.upper()
        base = pos if rel else np.zeros(2)
        if op == "M" and len(nums) >= 2:
            pos = base + nums[0:2]
            start = pos.copy()
            polylines.append([pos.copy()])
            continue
        if not polylines:
            polylines.append([pos.copy()])
        current = polylines[-1]
        if op == "L" and len(nums) >= 2:
            pos = base + nums[0:2]
            current.append(pos.copy())
        elif op == "H" and nums:
            pos = np.array([(pos[0] if rel else 0) + nums[0], pos[1]])
            current.append(pos.copy())
        elif op == "V" and nums:
            pos = np.array([pos[0], (pos[1] if rel else 0) + nums[0]])
            current.append(pos.copy())
        elif op == "Q" and len(nums) >= 4:
            c1, end = base + nums[0:2], base + nums[2:4]
            current.extend(_quad(pos, c1, end, _n_samples(pos, c1, end)))
            pos = end
        elif op == "C" and len(nums) >= 6:
            c1, c2, end = base + nums[0:2], base + nums[2:4], base + nums[4:6]
            current.extend(_cubic(pos, c1, c2, end, _n_samples(pos, c1, c2, end)))
            pos = end
        elif op == "Z":
            closed = True
            current.append(start.copy())
            pos = start.copy()
    budget[0] -= sum(len(p) for p in polylines)
    if budget[0] < 0:
        raise ValueError(_TOO_MANY.format(n=MAX_POINTS, what="points"))
    return [np.asarray(p, dtype=float) for p in polylines if len(p)], closed


def _num(obj, key, default=0.0) -> float:
    value = obj.get(key, default)
    try:
        value = float(value)
    except (TypeError, ValueError, OverflowError):
        return float(default)
    return value if math.isfinite(value) else float(default)


def _origin(value) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    return _ORIGIN.get(str(value), 0.0)


def _object_transform(obj, dims):
    """Return ``(to_canvas, stroke_width_canvas)`` for a Fabric object of local size ``dims``."""
    sx, sy = _num(obj, "scaleX", 1.0), _num(obj, "scaleY", 1.0)
    sw = min(max(0.0, _num(obj, "strokeWidth", 1.0)), MAX_STROKE_WIDTH)  # counted in the size even unstroked
    sx, sy = (min(max(v, -MAX_COORD), MAX_COORD) for v in (sx, sy))
    uniform = bool(obj.get("strokeUniform", False))
    if uniform:
        outer = (dims[0] * abs(sx) + sw, dims[1] * abs(sy) + sw)
        sw_canvas = sw
    else:
        outer = ((dims[0] + sw) * abs(sx), (dims[1] + sw) * abs(sy))
        sw_canvas = sw * math.sqrt(abs(sx * sy))
    angle = math.radians(_num(obj, "angle", 0.0))
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    ox, oy = _origin(obj.get("originX", "center")), _origin(obj.get("originY", "center"))  # Fabric 7 defaults
    offset = rot @ np.array([(0.5 - ox) * outer[0], (0.5 - oy) * outer[1]])
    center = np.array([_num(obj, "left"), _num(obj, "top")]) + offset
    flip = np.array([-1.0 if obj.get("flipX") else 1.0, -1.0 if obj.get("flipY") else 1.0])
    lin = rot @ np.diag(flip * np.array([sx, sy]))

    def to_canvas(local: np.ndarray) -> np.ndarray:
        return local @ lin.T + center

    if normalize_color(obj.get("stroke")) is None:
        sw_canvas = 0.0  # no visible stroke: only a fill (if any) labels pixels
    return to_canvas, sw_canvas


def _has_fill(obj) -> bool:
    parsed = _parse_color(obj.get("fill"))
    return parsed is not None and parsed[1] > 0


def _ellipse(rx, ry, n=48):
    t = np.linspace(0, 2 * np.pi, n + 1)
    return np.stack([rx * np.cos(t), ry * np.sin(t)], axis=1)


def _object_geometry(obj, budget):
    """Canvas-space geometry of one Fabric object: list of ``(kind, width, points)``."""
    kind = str(obj.get("type", "")).lower()
    filled = _has_fill(obj)
    if kind == "path":
        polylines, closed = _path_points(obj.get("path") or [], budget)
        if not polylines:
            return []
        allpts = np.concatenate(polylines)
        lo, hi = allpts.min(axis=0), allpts.max(axis=0)
        to_canvas, sw = _object_transform(obj, hi - lo)
        offset = (lo + hi) / 2
        cap = str(obj.get("strokeLineCap", "butt")).lower()
        open_kind = POLYLINE_ROUND if cap == "round" else POLYLINE_BUTT
        out = []
        for pts in polylines:
            canvas_pts = to_canvas(pts - offset)
            if filled and len(pts) >= 3:
                out.append((FILLED, sw, canvas_pts))
            elif closed:
                out.append((OUTLINE, sw, canvas_pts))
            else:
                out.append((open_kind, sw, canvas_pts))
        return out
    if kind in ("polygon", "polyline"):
        raw = obj.get("points") or []
        if not isinstance(raw, (list, tuple)) or len(raw) > budget[0]:
            raise ValueError(_TOO_MANY.format(n=MAX_POINTS, what="points"))
        budget[0] -= len(raw)
        pts = np.array([[_num(p, "x"), _num(p, "y")] for p in raw if isinstance(p, Mapping)],
                       dtype=float).reshape(-1, 2)
        if not len(pts):
            return []
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        to_canvas, sw = _object_transform(obj, hi - lo)
        canvas_pts = to_canvas(pts - (lo + hi) / 2)
        if kind == "polygon":
            canvas_pts = np.vstack([canvas_pts, canvas_pts[:1]])
            return [((FILLED if filled else OUTLINE), sw, canvas_pts)]
        return [(FILLED if filled else POLYLINE_BUTT, sw, canvas_pts)]
    if kind == "line":
        x1, y1, x2, y2 = (_num(obj, k) for k in ("x1", "y1", "x2", "y2"))
        w, h = abs(x2 - x1), abs(y2 - y1)
        to_canvas, sw = _object_transform(obj, (w, h))
        xm = -1 if x1 <= x2 else 1
        ym = -1 if y1 <= y2 else 1
        local = np.array([[xm * w / 2, ym * h / 2], [-xm * w / 2, -ym * h / 2]])
        cap = str(obj.get("strokeLineCap", "butt")).lower()
        return [((POLYLINE_ROUND if cap == "round" else POLYLINE_BUTT), sw, to_canvas(local))]
    if kind in ("rect", "labeledrect"):
        w, h = max(0.0, _num(obj, "width")), max(0.0, _num(obj, "height"))
        to_canvas, sw = _object_transform(obj, (w, h))
        local = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2], [-w / 2, -h / 2]])
        return [((FILLED if filled else OUTLINE), sw, to_canvas(local))]
    if kind in ("circle", "ellipse"):
        if kind == "circle":
            rx = ry = max(0.0, _num(obj, "radius"))
        else:
            rx, ry = max(0.0, _num(obj, "rx")), max(0.0, _num(obj, "ry"))
        to_canvas, sw = _object_transform(obj, (2 * rx, 2 * ry))
        return [((FILLED if filled else OUTLINE), sw, to_canvas(_ellipse(rx, ry)))]
    return []


def _object_color(obj) -> str | None:
    stroke = normalize_color(obj.get("stroke"))
    if stroke is not None and _num(obj, "strokeWidth", 1.0) > 0:
        return stroke
    return normalize_color(obj.get("fill"))


def _objects_list(objects) -> list:
    if objects is None:
        return []
    if isinstance(objects, Mapping):
        objects = objects.get("objects") or []
    if not isinstance(objects, (list, tuple)):
        raise ValueError("The canvas data is not a drawing (a list of Fabric.js objects or a canvas JSON "
                         f"object); got {type(objects).__name__}. Clear the canvas and draw again.")
    if len(objects) > MAX_OBJECTS:
        raise ValueError(_TOO_MANY.format(n=MAX_OBJECTS, what="objects"))
    return [o for o in objects if isinstance(o, Mapping)]


def objects_to_primitives(objects, class_of_color: Mapping, scale=1.0) -> list[Primitive]:
    """Convert Fabric objects to :class:`Primitive` marks in image coordinates.

    Parameters
    ----------
    objects : list of dict or dict
        Fabric.js objects (``CanvasResult.json_data["objects"]``) or the whole canvas JSON.
    class_of_color : mapping
        CSS colour → class number (1…255). An object's class is looked up by its stroke
        colour (its fill colour when it has no stroke); objects of other colours, invisible
        objects and unsupported types (text, points of zero size) are skipped.
    scale : float or (float, float)
        Image pixels per canvas pixel (``image_width / canvas_width``), or ``(sy, sx)``.

    Returns
    -------
    primitives : list of Primitive

    Raises
    ------
    ValueError
        If the data is not a drawing, holds more than :data:`MAX_OBJECTS` objects or
        :data:`MAX_POINTS` points, ``scale`` is not positive, or a class colour is invalid.
    """
    lookup = _code_lookup(class_of_color)
    sx, sy = _scale_pair(scale)
    factor = np.array([sx, sy])
    width_factor = math.sqrt(sx * sy)
    prims: list[Primitive] = []
    budget = [MAX_POINTS]
    for obj in _objects_list(objects):
        if obj.get("visible", True) is False or _num(obj, "opacity", 1.0) <= 0:
            continue
        color = _object_color(obj)
        if color is None or color not in lookup:
            continue
        try:
            with np.errstate(all="ignore"):
                geometry = _object_geometry(obj, budget)
        except ValueError as err:
            if str(err).startswith("The drawing has"):
                raise
            continue  # a malformed object is skipped, never fatal
        except (TypeError, IndexError, OverflowError, AttributeError):
            continue
        for kind, width, pts in geometry:
            if not np.all(np.isfinite(pts)) or np.abs(pts).max(initial=0) > MAX_COORD:
                continue  # off any canvas: dropped
            if not math.isfinite(width):
                continue
            prims.append(Primitive(lookup[color], kind, float(width) * width_factor, pts * factor))
    return prims


def strokes_to_labels(objects, shape, class_of_color: Mapping, scale=1.0) -> np.ndarray:
    """Rasterise canvas strokes into a label image at image resolution.

    Parameters
    ----------
    objects : list of dict or dict
        Fabric.js objects from the drawable canvas (``json_data["objects"]``) or the whole
        canvas JSON. Supported: freehand ``path``, ``line``, ``rect``, ``circle``,
        ``ellipse``, ``polygon``; filled shapes label their inside, outlined ones the band
        under their stroke; a stroke thinner than a pixel still labels the pixels it crosses.
    shape : tuple
        ``(H, W)`` (or ``(H, W, C)``) of the image the labels are for.
    class_of_color : mapping
        CSS colour (any case/notation, alpha ignored) → class number 1…255. Objects drawn in
        other colours are ignored.
    scale : float or (float, float)
        Image pixels per canvas pixel, ``image_width / canvas_width`` (or ``(sy, sx)``).

    Returns
    -------
    labels : ndarray of int32, shape (H, W)
        0 = unlabelled, else the class of the topmost stroke; parts of strokes outside the
        image are clipped.

    Raises
    ------
    ValueError
        As :func:`objects_to_primitives` and :func:`rasterize_primitives` (too much to draw).
    """
    return rasterize_primitives(objects_to_primitives(objects, class_of_color, scale), shape)

