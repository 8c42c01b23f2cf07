"""Rasterising :class:`~core.canvas._base.Primitive` marks into label images (exact geometry).

A pixel ``(row, col)`` covers ``[col, col + 1) × [row, row + 1)``; it is painted when its centre
lies under the mark. The work is bounded: :data:`MAX_WORK` distance evaluations per call.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from core.canvas._base import FILLED, POLYLINE_BUTT, POLYLINE_ROUND, Primitive

#: Most pixel-distance evaluations one :func:`rasterize_primitives` call may do (≈ 1–2 s).
MAX_WORK = 100_000_000
_TOO_BIG = ("The strokes are too large to draw ({:.0e} pixel tests, at most {:.0e}); use a thinner brush "
            "or fewer strokes.")


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


def _estimate(pts, radius, shape) -> int:
    """Pixel tests of a polyline's segments: the sum of their (clipped) bounding boxes."""
    if len(pts) < 2:
        return int((2 * radius + 2) ** 2)
    lo = np.clip(np.minimum(pts[:-1], pts[1:]) - radius - 1, 0, None)
    hi = np.minimum(np.maximum(pts[:-1], pts[1:]) + radius + 1, [shape[1], shape[0]])
    size = np.clip(hi - lo, 0, None)
    return int((size[:, 0] * size[:, 1]).sum())


def _paint_segments(out, pts, radius, code, *, cap="round", chunk=16, work=None):
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
            _paint_segments(out, pts[s0 : s0 + len(a) + 1], radius, code, cap=cap, chunk=1, work=work)
            continue
        if work is not None:
            work[0] += (r1 - r0) * (c1 - c0) * len(a)
            if work[0] > MAX_WORK:
                raise ValueError(_TOO_BIG.format(work[0], MAX_WORK))
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


def _jobs(primitives: Iterable[Primitive], shape) -> list[tuple[Primitive, np.ndarray, float]]:
    """Each mark's points and brush radius, the drawing work estimated first: refused before any painting."""
    if len(shape) < 2 or int(shape[0]) < 1 or int(shape[1]) < 1 or int(shape[0]) * int(shape[1]) > 2**31:
        raise ValueError(f"shape must be (H, W) with H, W ≥ 1; got {tuple(shape)!r}.")
    shape = (int(shape[0]), int(shape[1]))
    work, jobs = 0, []
    for prim in primitives:
        pts = np.asarray(prim.points, dtype=float).reshape(-1, 2)
        if not len(pts):
            continue
        width = float(prim.width) if np.isfinite(prim.width) else 0.0
        radius = min(max(width, 0.0), 2.0 * max(shape)) / 2  # wider than the image: same pixels
        jobs.append((prim, pts, radius))
        work += _estimate(pts, radius, shape)
        if work > MAX_WORK:
            raise ValueError(_TOO_BIG.format(work, MAX_WORK))
    return jobs


def check_drawable(primitives: Iterable[Primitive], shape) -> None:
    """Raise the :func:`rasterize_primitives` refusal (without drawing) if the marks are too costly to draw.

    For marks that arrive from elsewhere (a share link's token): refuse them where they enter.
    """
    _jobs(primitives, shape)


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

    Raises
    ------
    ValueError
        If ``shape`` is empty, or drawing would take more than :data:`MAX_WORK` pixel tests.
    """
    jobs = _jobs(primitives, shape)
    out = np.zeros((int(shape[0]), int(shape[1])), dtype=np.int32)
    work = [0]
    for prim, pts, radius in jobs:
        if prim.kind == FILLED and len(pts) >= 3:
            _paint_polygon(out, pts, prim.code)
        if radius > 0:
            cap = {POLYLINE_ROUND: "round", POLYLINE_BUTT: "butt"}.get(prim.kind, "square")
            # merge nearly collinear samples (≤ 0.2 px off): far fewer segments, same pixels
            _paint_segments(out, _simplify(pts, 0.2), radius, prim.code, cap=cap, work=work)
        if radius < 0.75:
            _paint_vertices(out, pts, prim.code)
    return out
