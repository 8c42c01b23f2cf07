"""Scribbles: Fabric.js canvas drawings → label images, presets and share-link tokens.

The drawable canvas (``streamlit-drawable-canvas`` 0.13, Fabric.js 7) returns its drawing
as Fabric JSON objects in *canvas* pixels. This module rasterises those objects
geometrically at *image* resolution — the labels are never recovered from the
anti-aliased colours of a rendered canvas — and converts in the other direction for
presets (rectangles → ``initial_drawing``) and share links (compact text tokens).

Supported objects: ``path`` (freehand brush: ``M``/``L``/``Q``/``C``/``Z`` commands,
its ``strokeWidth`` and line cap), ``line``, ``rect``, ``circle``, ``ellipse``,
``polygon``/``polyline``. Filled shapes label their inside; outlined shapes only the
band under their stroke. ``left``/``top``/``originX``/``originY``/``scaleX``/
``scaleY``/``angle``/``flipX``/``flipY``/``strokeUniform`` are honoured, so an object
moved, scaled or rotated with the canvas' edit tool is rasterised where it is shown.
Later objects paint over earlier ones, as on the canvas.

Coordinates: a canvas point ``(x, y)`` maps to the continuous image point
``(x * scale, y * scale)``; image pixel ``(row, col)`` covers
``[col, col + 1) × [row, row + 1)``, so its centre is ``(col + 0.5, row + 0.5)``.
"""

from __future__ import annotations

import base64
import math
import re
import struct
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Primitive",
    "decode_strokes",
    "encode_strokes",
    "normalize_color",
    "objects_to_primitives",
    "primitives_to_objects",
    "rasterize_primitives",
    "rects_to_drawing",
    "strokes_to_labels",
]

_ORIGIN = {"left": 0.0, "top": 0.0, "center": 0.5, "right": 1.0, "bottom": 1.0}
_NAMED = {
    "black": (0, 0, 0),
    "white": (255, 255, 255),
    "red": (255, 0, 0),
    "green": (0, 128, 0),
    "lime": (0, 255, 0),
    "blue": (0, 0, 255),
    "yellow": (255, 255, 0),
    "cyan": (0, 255, 255),
    "magenta": (255, 0, 255),
    "orange": (255, 165, 0),
    "purple": (128, 0, 128),
    "gray": (128, 128, 128),
    "grey": (128, 128, 128),
}
_TOKEN_VERSION = 1
#: Kinds of primitive (also their code in share tokens).
POLYLINE_ROUND, POLYLINE_BUTT, OUTLINE, FILLED = 0, 1, 2, 3


# --------------------------------------------------------------------------- colours
def _parse_color(color) -> tuple[tuple[int, int, int], float] | None:
    """Parse a CSS colour to ``((r, g, b), alpha)``; ``None`` for no/transparent colour."""
    if color is None:
        return None
    if isinstance(color, (tuple, list)) and len(color) in (3, 4):
        rgb = tuple(int(round(float(v))) for v in color[:3])
        alpha = float(color[3]) if len(color) == 4 else 1.0
        return rgb, alpha
    text = str(color).strip().lower()
    if text in ("", "none", "transparent"):
        return None
    if text in _NAMED:
        return _NAMED[text], 1.0
    if text.startswith("#"):
        hexa = text[1:]
        if len(hexa) in (3, 4):
            hexa = "".join(ch * 2 for ch in hexa)
        if len(hexa) not in (6, 8) or not re.fullmatch(r"[0-9a-f]+", hexa):
            return None
        rgb = tuple(int(hexa[i : i + 2], 16) for i in (0, 2, 4))
        alpha = int(hexa[6:8], 16) / 255 if len(hexa) == 8 else 1.0
        return rgb, alpha
    match = re.fullmatch(r"rgba?\(([^)]*)\)", text)
    if match:
        parts = [p for p in re.split(r"[,\s/]+", match.group(1)) if p]
        if len(parts) not in (3, 4):
            return None
        try:
            rgb = tuple(
                int(round(float(p[:-1]) * 2.55)) if p.endswith("%") else int(round(float(p)))
                for p in parts[:3]
            )
            alpha = 1.0
            if len(parts) == 4:
                alpha = float(parts[3][:-1]) / 100 if parts[3].endswith("%") else float(parts[3])
        except ValueError:
            return None
        return tuple(min(255, max(0, v)) for v in rgb), alpha
    return None


def normalize_color(color) -> str | None:
    """Return a CSS colour as ``"#rrggbb"`` (alpha dropped), or ``None`` if it is none/transparent.

    Parameters
    ----------
    color : str or tuple
        ``"#rgb"``, ``"#rrggbb"``, ``"#rrggbbaa"``, ``"rgb(r, g, b)"``, ``"rgba(r, g, b, a)"``,
        a few CSS names, or an ``(r, g, b[, a])`` tuple of 0–255 values.

    Returns
    -------
    hex : str or None
    """
    parsed = _parse_color(color)
    if parsed is None or parsed[1] <= 0:
        return None
    r, g, b = parsed[0]
    return f"#{r:02x}{g:02x}{b:02x}"


def _code_lookup(class_of_color: Mapping) -> dict[str, int]:
    lookup: dict[str, int] = {}
    for color, code in class_of_color.items():
        key = normalize_color(color)
        if key is None:
            raise ValueError(f"Class colour {color!r} is not a CSS colour; use e.g. '#1f77b4'.")
        code = int(code)
        if not 1 <= code <= 255:
            raise ValueError(f"Class numbers must be 1…255 (0 means unlabelled); got {code} for {color!r}.")
        lookup[key] = code
    return lookup


# --------------------------------------------------------------------------- geometry
@dataclass(frozen=True)
class Primitive:
    """One drawn mark in image coordinates.

    Attributes
    ----------
    code : int
        The class number it paints (1…255).
    kind : int
        ``0`` open polyline with round caps (freehand), ``1`` open polyline with butt caps
        (straight line), ``2`` closed outline, ``3`` filled closed shape (its outline included).
    width : float
        Stroke width in image pixels.
    points : ndarray of float, shape (N, 2)
        Vertices as ``(x, y)`` in continuous image coordinates.
    """

    code: int
    kind: int
    width: float
    points: np.ndarray


def _quad(p0, p1, p2, n):
    t = np.linspace(0, 1, n + 1)[1:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2


def _cubic(p0, p1, p2, p3, n):
    t = np.linspace(0, 1, n + 1)[1:, None]
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3


def _n_samples(*pts) -> int:
    length = sum(float(np.hypot(*(b - a))) for a, b in zip(pts[:-1], pts[1:]))
    return int(min(64, max(2, math.ceil(length / 2))))


def _path_points(commands) -> tuple[list[np.ndarray], bool]:
    """Sample SVG path commands (list of ``[cmd, *numbers]``) into polylines."""
    if isinstance(commands, str):
        tokens = re.findall(r"[MmLlQqCcZzHhVv]|-?\d*\.?\d+(?:e-?\d+)?", commands)
        commands, current = [], None
        for tok in tokens:
            if tok.isalpha():
                current = [tok]
                commands.append(current)
            elif current is not None:
                current.append(float(tok))
    polylines: list[list[np.ndarray]] = []
    closed = False
    pos = np.zeros(2)
    start = np.zeros(2)
    for cmd in commands:
        if not isinstance(cmd, (list, tuple)) or not cmd or not isinstance(cmd[0], str):
            continue
        op, nums = cmd[0], [float(v) for v in cmd[1:]]
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
    return [np.asarray(p, dtype=float) for p in polylines if len(p)], closed


def _num(obj, key, default=0.0) -> float:
    value = obj.get(key, default)
    try:
        value = float(value)
    except (TypeError, ValueError):
        return float(default)
    return value if math.isfinite(value) else float(default)


def _origin(value) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    return _ORIGIN.get(str(value), 0.0)


def _object_transform(obj, dims):
    """Return ``(to_canvas, stroke_width_canvas)`` for a Fabric object of local size ``dims``."""
    sx, sy = _num(obj, "scaleX", 1.0), _num(obj, "scaleY", 1.0)
    sw = max(0.0, _num(obj, "strokeWidth", 1.0))  # Fabric counts it in the size even without a stroke
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


def _object_geometry(obj):
    """Canvas-space geometry of one Fabric object: list of ``(kind, width, points)``."""
    kind = str(obj.get("type", "")).lower()
    filled = _has_fill(obj)
    if kind == "path":
        polylines, closed = _path_points(obj.get("path") or [])
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
        pts = np.array(
            [[_num(p, "x"), _num(p, "y")] for p in obj.get("points") or [] if isinstance(p, Mapping)],
            dtype=float,
        ).reshape(-1, 2)
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
        raise ValueError("Canvas objects must be a list of Fabric.js objects (or a canvas JSON dict).")
    return [o for o in objects if isinstance(o, Mapping)]


def _scale_pair(scale) -> np.ndarray:
    if np.ndim(scale) == 0:
        pair = np.array([float(scale), float(scale)])
    else:
        sy, sx = (float(v) for v in scale)
        pair = np.array([sx, sy])
    if not np.all(np.isfinite(pair)) or np.any(pair <= 0):
        raise ValueError(f"scale must be > 0 (image pixels per canvas pixel); got {scale!r}.")
    return pair  # (sx, sy)


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
    """
    lookup = _code_lookup(class_of_color)
    sx, sy = _scale_pair(scale)
    factor = np.array([sx, sy])
    width_factor = math.sqrt(sx * sy)
    prims: list[Primitive] = []
    for obj in _objects_list(objects):
        if obj.get("visible", True) is False or _num(obj, "opacity", 1.0) <= 0:
            continue
        color = _object_color(obj)
        if color is None or color not in lookup:
            continue
        try:
            geometry = _object_geometry(obj)
        except (TypeError, ValueError, IndexError):
            continue  # a malformed object is skipped, never fatal
        for kind, width, pts in geometry:
            if not np.all(np.isfinite(pts)):
                continue
            prims.append(Primitive(lookup[color], kind, float(width) * width_factor, pts * factor))
    return prims


# --------------------------------------------------------------------------- rasterising
def _paint_segments(out, pts, radius, code, *, cap="round", chunk=16):
    """Paint thick segments: ``cap`` is "round" (brush), "butt" (line) or "square" (mitred
    corners of closed shapes: each side extended by the half width, as Fabric's miter join).

    Consecutive segments are handled ``chunk`` at a time over their common bounding box (one
    vectorised distance computation per chunk instead of a Python loop per segment).
    """
    h, w = out.shape
    if len(pts) == 1:
        pts = np.vstack([pts, pts])
    r2 = radius**2
    for s0 in range(0, len(pts) - 1, chunk):
        a = pts[s0 : s0 + chunk]            # (S, 2) segment starts
        b = pts[s0 + 1 : s0 + chunk + 1]    # (S, 2) segment ends
        a = a[: len(b)]
        lo = np.floor(np.minimum(a, b).min(axis=0) - radius - 0.5).astype(int)
        hi = np.ceil(np.maximum(a, b).max(axis=0) + radius + 0.5).astype(int)
        c0, r0 = max(lo[0], 0), max(lo[1], 0)
        c1, r1 = min(hi[0], w), min(hi[1], h)
        if c0 >= c1 or r0 >= r1:
            continue
        if len(a) > 1 and (r1 - r0) * (c1 - c0) > 40_000:  # long segments: one at a time
            _paint_segments(out, pts[s0 : s0 + len(a) + 1], radius, code, cap=cap, chunk=1)
            continue
        xs = np.arange(c0, c1) + 0.5
        ys = np.arange(r0, r1) + 0.5
        px = xs[None, :, None] - a[:, 0]    # (rows, cols, S) via broadcasting below
        px = np.broadcast_to(px, (len(ys), len(xs), len(a)))
        py = ys[:, None, None] - a[:, 1]
        d = b - a
        len2 = (d**2).sum(axis=1)
        safe = np.where(len2 > 0, len2, 1.0)
        t = (px * d[:, 0] + py * d[:, 1]) / safe
        if cap == "round":
            tc = np.clip(t, 0, 1)
            dist2 = (px - tc * d[:, 0]) ** 2 + (py - tc * d[:, 1]) ** 2
            inside = dist2 <= r2
        else:
            ext = np.where(len2 > 0, radius / np.sqrt(safe), 0.0) if cap == "square" else 0.0
            cross = (px * d[:, 1] - py * d[:, 0]) ** 2 / safe
            inside = (t >= -ext) & (t <= 1 + ext) & (cross <= r2) & (len2 > 0)
            if cap == "square":  # a zero-length side of a closed shape: a square dot
                dot = (len2 == 0) & (np.abs(px) <= radius) & (np.abs(py) <= radius)
                inside |= dot
        out[r0:r1, c0:c1][inside.any(axis=-1)] = code


def _paint_polygon(out, pts, code):
    from skimage.draw import polygon

    rr, cc = polygon(pts[:, 1] - 0.5, pts[:, 0] - 0.5, shape=out.shape)
    out[rr, cc] = code


def _paint_vertices(out, pts, code):
    """Make sure a mark thinner than a pixel still labels the pixels under its vertices."""
    h, w = out.shape
    cols = np.floor(pts[:, 0]).astype(int)
    rows = np.floor(pts[:, 1]).astype(int)
    ok = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    out[rows[ok], cols[ok]] = code


def rasterize_primitives(primitives: Iterable[Primitive], shape) -> np.ndarray:
    """Paint primitives (in order; later ones on top) into an ``(H, W)`` label image.

    Parameters
    ----------
    primitives : iterable of Primitive
    shape : tuple
        ``(H, W)`` or ``(H, W, C)``; only the first two are used.

    Returns
    -------
    labels : ndarray of int32, shape (H, W)
        0 where nothing is drawn, else the code of the topmost mark.
    """
    if len(shape) < 2 or int(shape[0]) < 1 or int(shape[1]) < 1:
        raise ValueError(f"shape must be (H, W) with H, W ≥ 1; got {tuple(shape)!r}.")
    out = np.zeros((int(shape[0]), int(shape[1])), dtype=np.int32)
    for prim in primitives:
        pts = np.asarray(prim.points, dtype=float).reshape(-1, 2)
        if not len(pts):
            continue
        radius = max(prim.width, 0.0) / 2
        if prim.kind == FILLED and len(pts) >= 3:
            _paint_polygon(out, pts, prim.code)
        if radius > 0:
            cap = {POLYLINE_ROUND: "round", POLYLINE_BUTT: "butt"}.get(prim.kind, "square")
            # merge nearly collinear samples (≤ 0.2 px off): far fewer segments, same pixels
            _paint_segments(out, _simplify(pts, 0.2), radius, prim.code, cap=cap)
        if radius < 0.75:
            _paint_vertices(out, pts, prim.code)
    return out


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
        If ``scale`` is not positive, ``shape`` is empty, or a class colour/number is invalid.
    """
    return rasterize_primitives(objects_to_primitives(objects, class_of_color, scale), shape)


# --------------------------------------------------------------------------- canvas objects
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
        if prim.kind in (OUTLINE, FILLED) and _is_axis_rect(pts):
            objects.append(
                {
                    "type": "Rect",
                    **common,
                    "left": round((lo[0] + hi[0]) / 2, 3),
                    "top": round((lo[1] + hi[1]) / 2, 3),
                    "width": round(hi[0] - lo[0], 3),
                    "height": round(hi[1] - lo[1], 3),
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
                "left": round((lo[0] + hi[0]) / 2, 3),
                "top": round((lo[1] + hi[1]) / 2, 3),
                "width": round(hi[0] - lo[0], 3),
                "height": round(hi[1] - lo[1], 3),
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


# --------------------------------------------------------------------------- share tokens
def _simplify(pts: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas–Peucker simplification of a polyline (iterative, keeps both ends)."""
    n = len(pts)
    if n <= 2 or tolerance <= 0:
        return pts
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        a, b = pts[i], pts[j]
        seg = pts[i + 1 : j] - a
        d = b - a
        norm = float(np.hypot(*d))
        if norm == 0:
            dist = np.hypot(seg[:, 0], seg[:, 1])
        else:
            dist = np.abs(seg[:, 0] * d[1] - seg[:, 1] * d[0]) / norm
        k = int(np.argmax(dist))
        if dist[k] > tolerance:
            keep[i + 1 + k] = True
            stack += [(i, i + 1 + k), (i + 1 + k, j)]
    return pts[keep]


def encode_strokes(objects, class_of_color: Mapping, scale=1.0, *, tolerance: float = 0.5) -> str:
    """Encode canvas strokes as a compact URL-safe token (for share links).

    Each mark is stored in image coordinates (so the token does not depend on the canvas
    size), its polyline simplified (Douglas–Peucker, ``tolerance`` image pixels), quantised
    to half a pixel, delta-coded, zlib-compressed and base64url-encoded.

    Parameters
    ----------
    objects : list of dict or dict
        Fabric objects or canvas JSON, as for :func:`strokes_to_labels`.
    class_of_color : mapping
        CSS colour → class number 1…255 (the number is stored, not the colour).
    scale : float or (float, float)
        Image pixels per canvas pixel.
    tolerance : float
        Simplification tolerance in image pixels.

    Returns
    -------
    token : str
        ``""`` when there is nothing to encode.
    """
    prims = objects_to_primitives(objects, class_of_color, scale)
    if not prims:
        return ""
    chunks = [struct.pack("<BH", _TOKEN_VERSION, len(prims))]
    for prim in prims:
        pts = _simplify(np.asarray(prim.points, dtype=float), tolerance)
        q = np.round(pts * 2).astype(np.int64)
        q = np.clip(q, -32768, 32767)
        deltas = np.diff(q, axis=0)
        if len(deltas) and (np.abs(deltas).max() > 32767):
            raise ValueError("A stroke is too long to encode; strokes must be < 16 000 pixels.")
        width = int(min(65535, round(prim.width * 2)))
        chunks.append(struct.pack("<BBHH", prim.code, prim.kind, width, len(q)))
        chunks.append(np.concatenate([q[:1], deltas]).astype("<i2").tobytes())
    raw = b"".join(chunks)
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")


def _decode_primitives(token: str) -> list[Primitive]:
    if not token:
        return []
    bad = "The strokes in this link cannot be read (the link is cut or altered); draw them again."
    try:
        padded = token + "=" * (-len(token) % 4)
        raw = zlib.decompress(base64.urlsafe_b64decode(padded.encode("ascii")), bufsize=1 << 16)
        if len(raw) > 8_000_000:
            raise ValueError(bad)
        version, count = struct.unpack_from("<BH", raw, 0)
        if version != _TOKEN_VERSION:
            raise ValueError(f"These strokes were saved by another version (v{version}); draw them again.")
        offset = 3
        prims = []
        for _ in range(count):
            code, kind, width, n = struct.unpack_from("<BBHH", raw, offset)
            offset += 6
            if kind not in (0, 1, 2, 3) or code < 1 or n < 1:
                raise ValueError(bad)
            q = np.frombuffer(raw, dtype="<i2", count=2 * n, offset=offset).reshape(n, 2).astype(np.int64)
            offset += 4 * n
            pts = np.cumsum(q, axis=0) / 2.0
            prims.append(Primitive(code, kind, width / 2.0, pts))
        if offset != len(raw):
            raise ValueError(bad)
    except (ValueError, struct.error, zlib.error, UnicodeError, TypeError) as err:
        if isinstance(err, ValueError) and str(err).startswith("These strokes"):
            raise
        raise ValueError(bad) from None
    return prims


def decode_strokes(token: str, color_of_class: Mapping, scale=1.0, *, fill_alpha: float = 0.3) -> list[dict]:
    """Decode a token from :func:`encode_strokes` into Fabric objects for a canvas.

    Parameters
    ----------
    token : str
        The token (``""`` gives no objects).
    color_of_class : mapping
        Class number → CSS colour of the target page; marks of unknown classes are dropped.
    scale : float or (float, float)
        Image pixels per canvas pixel of the target canvas.
    fill_alpha : float
        Opacity of the fill of filled shapes.

    Returns
    -------
    objects : list of dict

    Raises
    ------
    ValueError
        If the token is corrupt or of another version (the message says to redraw).
    """
    return primitives_to_objects(_decode_primitives(token), color_of_class, scale, fill_alpha=fill_alpha)
