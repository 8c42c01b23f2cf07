"""Drawing keypoints: glyph polylines, raster overlays of corners and ORB keypoints, the response heat map."""

from __future__ import annotations

import numpy as np

from core.images import to_rgb
from core.keypoints.detect import ORBFeatures

__all__ = ["CORNER_COLOUR", "SCALE_COLOURS", "draw_corners", "draw_keypoints", "keypoint_glyphs", "response_image"]


def keypoint_glyphs(
    keypoints: np.ndarray,
    scales: np.ndarray,
    orientations: np.ndarray,
    *,
    base_radius: float = 4.0,
    n_vertices: int = 24,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Polylines for drawing keypoints: a circle sized by scale and an orientation tick.

    Parameters
    ----------
    keypoints : (N, 2) array
        ``(row, col)`` positions.
    scales : (N,) array
        Pyramid scale of each keypoint; the circle radius is ``base_radius * scale``.
    orientations : (N,) array
        Orientation in radians (``ORB.orientations``): the tick points along
        ``(d_row, d_col) = (sin, cos)``.
    base_radius : float, optional
        Radius in pixels of a keypoint found at scale 1.
    n_vertices : int, optional
        Vertices per circle.

    Returns
    -------
    circle_x, circle_y, tick_x, tick_y : ndarray of float64
        Column (x) and row (y) coordinates of all circles, then of all ticks,
        each glyph separated by NaN (the format plotly and matplotlib draw as
        separate lines).
    """
    keypoints = np.asarray(keypoints, dtype=np.float64).reshape(-1, 2)
    scales = np.asarray(scales, dtype=np.float64).reshape(-1)
    orientations = np.asarray(orientations, dtype=np.float64).reshape(-1)
    if not (len(keypoints) == len(scales) == len(orientations)):
        raise ValueError("keypoints, scales and orientations must have the same length.")
    n = len(keypoints)
    radius = base_radius * scales
    t = np.linspace(0, 2 * np.pi, n_vertices + 1)
    cx = keypoints[:, 1, None] + radius[:, None] * np.cos(t)[None, :]
    cy = keypoints[:, 0, None] + radius[:, None] * np.sin(t)[None, :]
    nan = np.full((n, 1), np.nan)
    circle_x = np.hstack([cx, nan]).ravel()
    circle_y = np.hstack([cy, nan]).ravel()
    tx = np.column_stack([keypoints[:, 1], keypoints[:, 1] + radius * np.cos(orientations), nan[:, 0]])
    ty = np.column_stack([keypoints[:, 0], keypoints[:, 0] + radius * np.sin(orientations), nan[:, 0]])
    return circle_x, circle_y, tx.ravel(), ty.ravel()


#: One colour per ORB pyramid level (RGB), reused cyclically.
SCALE_COLOURS = [(99, 110, 250), (239, 85, 59), (0, 204, 150), (171, 99, 250), (255, 161, 90), (25, 211, 243),
                 (255, 102, 146), (182, 232, 128), (255, 151, 255), (254, 203, 82)]
#: Colour of Harris corner circles (RGB).
CORNER_COLOUR = (255, 59, 48)


def draw_corners(image: np.ndarray, corners: np.ndarray, *, radius: float | None = None,
                 colour=CORNER_COLOUR) -> np.ndarray:
    """The image (RGB uint8, (H, W, 3)) with a 2-px circle around each ``(row, col)`` corner.

    ``radius`` defaults to ``max(4, min(H, W) / 80)`` pixels.
    """
    from skimage.draw import circle_perimeter

    canvas = to_rgb(image).copy()
    h, w = canvas.shape[:2]
    r = int(round(radius if radius is not None else max(4.0, min(h, w) / 80)))
    for row, col in np.asarray(corners, dtype=np.int64).reshape(-1, 2):
        for rad in (r, r + 1):
            rr, cc = circle_perimeter(int(row), int(col), rad, shape=(h, w))
            canvas[rr, cc] = colour
    return canvas


def draw_keypoints(image: np.ndarray, features: ORBFeatures, *, base_radius: float | None = None) -> np.ndarray:
    """The image (RGB uint8) with each ORB keypoint as a circle sized by its scale and an orientation tick.

    One colour per pyramid level (:data:`SCALE_COLOURS`, in increasing scale order). ``base_radius``
    (px at scale 1) defaults to ``max(3, min(H, W) / 120)``.
    """
    from skimage.draw import circle_perimeter, line

    canvas = to_rgb(image).copy()
    h, w = canvas.shape[:2]
    base = base_radius if base_radius is not None else max(3.0, min(h, w) / 120)
    order = {s: i for i, s in enumerate(np.unique(features.scales))}
    for (row, col), scale, angle in zip(features.keypoints, features.scales, features.orientations, strict=True):
        colour = SCALE_COLOURS[order[scale] % len(SCALE_COLOURS)]
        radius = base * scale
        rr, cc = circle_perimeter(int(round(row)), int(round(col)), max(1, int(round(radius))), shape=(h, w))
        canvas[rr, cc] = colour
        rr, cc = line(int(round(row)), int(round(col)), int(round(row + radius * np.sin(angle))),
                      int(round(col + radius * np.cos(angle))))
        keep = (rr >= 0) & (rr < h) & (cc >= 0) & (cc < w)
        canvas[rr[keep], cc[keep]] = colour
    return canvas


def response_image(response: np.ndarray, *, percentile: float = 99.5) -> np.ndarray:
    """The Harris measure as an RGB uint8 heat map: red = corner (> 0), blue = edge (< 0), white = flat.

    Colours saturate at the ``percentile`` of ``|response|``.
    """
    response = np.asarray(response, dtype=np.float64)
    lim = float(np.percentile(np.abs(response), percentile)) or 1.0
    t = np.clip(response / lim, -1.0, 1.0)[..., None]
    white = np.array([1.0, 1.0, 1.0])
    red, blue = np.array([0.70, 0.09, 0.17]), np.array([0.13, 0.40, 0.67])
    rgb = np.where(t >= 0, white + t * (red - white), white - t * (blue - white))
    return np.rint(rgb * 255).astype(np.uint8)
