"""Compositing: warp every image into the anchor's plane and blend (average, feather, minimum-cost seam)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core._validation import check_choice
from core.images import to_rgb
from core.panorama.geometry import RegistrationError, apply_matrix, image_corners

__all__ = ["BLENDS", "MAX_CANVAS_SIDE", "Panorama", "compose", "draw_matches"]

#: Blending modes of :func:`compose`.
BLENDS = ("feather", "seam", "average")
#: Largest panorama side (pixels) :func:`compose` builds.
MAX_CANVAS_SIDE = 6000


@dataclass(frozen=True)
class Panorama:
    """A stitched panorama.

    Attributes
    ----------
    image : ndarray of uint8, shape (H, W, 3)
        The composite (black where no image covers it).
    matrices : list of (3, 3) ndarrays
        For each input image, the map from its ``(x, y)`` to panorama ``(x, y)``.
    coverage : ndarray of bool, shape (H, W)
        Pixels covered by at least one image.
    owner : ndarray of int16, shape (H, W)
        Index of the image with the largest weight at each pixel (-1: none).
    anchor : int
        Index of the image whose plane the panorama is drawn in.
    registrations : dict
        ``(i, j) → Registration`` of image i onto image j used to place the images.
    """

    image: np.ndarray
    matrices: list
    coverage: np.ndarray
    owner: np.ndarray
    anchor: int
    registrations: dict = field(default_factory=dict)


def _warp_all(images, matrices):
    """Warp RGB float images into one canvas; return warped, masks, offset matrices."""
    from skimage.transform import ProjectiveTransform, warp

    corners = np.vstack([apply_matrix(m, image_corners(im.shape)) for im, m in zip(images, matrices, strict=True)])
    if not np.all(np.isfinite(corners)):
        raise RegistrationError("A transform sends an image corner to infinity; the registration is degenerate.")
    lo = np.floor(corners.min(axis=0) + 0.5)
    hi = np.ceil(corners.max(axis=0) + 0.5)
    width, height = int(hi[0] - lo[0]), int(hi[1] - lo[1])
    total = sum(im.shape[0] * im.shape[1] for im in images)
    if max(width, height) > MAX_CANVAS_SIDE or width * height > 8 * total:
        raise RegistrationError(
            f"The transforms would make a {width}×{height} panorama, far larger than the images: a "
            "registration is probably wrong. Try a simpler model (affine or similarity) or more keypoints."
        )
    offset = np.array([[1, 0, -lo[0]], [0, 1, -lo[1]], [0, 0, 1]], dtype=np.float64)
    placed = [offset @ m for m in matrices]
    warped, masks = [], []
    for im, m in zip(images, placed, strict=True):
        stack = np.dstack([im, np.ones(im.shape[:2])])
        out = warp(stack, ProjectiveTransform(m).inverse, output_shape=(height, width), order=1, cval=0.0)
        mask = out[..., 3] > 0.999
        rgb = out[..., :3] / np.maximum(out[..., 3:4], 1e-9)
        rgb[~mask] = 0.0
        warped.append(rgb)
        masks.append(mask)
    return warped, masks, placed


def _seam_split(cost: np.ndarray, overlap: np.ndarray):
    """Minimum-cost top-to-bottom path through ``cost`` (as in the tutorial): per row of the overlap's bounding
    box ``[r0:r1, c0:c1]``, the seam's mean column, relative to ``c0`` (the path visits every row).
    """
    from skimage.graph import route_through_array

    rows = np.flatnonzero(overlap.any(axis=1))
    cols = np.flatnonzero(overlap.any(axis=0))
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    sub = np.where(overlap[r0:r1, c0:c1], cost[r0:r1, c0:c1], 1.0 + cost.max())
    sub = sub.copy()
    sub[0, :] = 0.0  # let the path slide along the top and bottom edges
    sub[-1, :] = 0.0
    mid = sub.shape[1] // 2
    path, _ = route_through_array(sub, (0, mid), (sub.shape[0] - 1, mid), fully_connected=True, geometric=True)
    path = np.asarray(path)
    seam = np.array([path[path[:, 0] == r, 1].mean() for r in range(sub.shape[0])])
    return r0, r1, c0, c1, seam


def _seam_blend(warped, masks, order):
    """Paste images in ``order`` (anchor first); each new one takes its side of a minimum-cost seam."""
    canvas = warped[order[0]].copy()
    covered = masks[order[0]].copy()
    owner = np.where(covered, order[0], -1).astype(np.int16)
    for i in order[1:]:
        new, mask = warped[i], masks[i]
        overlap = covered & mask
        take = mask & ~covered
        only_new, only_old = mask & ~covered, covered & ~mask
        if overlap.any() and only_new.any() and only_old.any():
            rn, cn = np.nonzero(only_new)
            ro, co = np.nonzero(only_old)
            vertical = abs(cn.mean() - co.mean()) >= abs(rn.mean() - ro.mean())
            cost = np.abs(canvas - new).mean(axis=2)
            ov, cst = (overlap, cost) if vertical else (overlap.T, cost.T)
            r0, r1, c0, c1, seam = _seam_split(cst, ov)
            new_after = (cn.mean() > co.mean()) if vertical else (rn.mean() > ro.mean())
            right = np.arange(c1 - c0)[None, :] > seam[:, None]
            side = right if new_after else ~right
            mine = np.zeros_like(ov)
            mine[r0:r1, c0:c1] = side
            if not vertical:
                mine = mine.T
            take |= overlap & mine
        canvas[take] = new[take]
        owner[take] = i
        covered |= mask
    return canvas, owner


def compose(
    images: list,
    matrices: list,
    *,
    blend: str = "feather",
    anchor: int = 0,
) -> Panorama:
    """Warp images into one canvas and blend them.

    Parameters
    ----------
    images : list of ndarray
        Gray or colour images of any dtype.
    matrices : list of (3, 3) arrays
        Each image's ``(x, y)`` → anchor-plane ``(x, y)``.
    blend : {'feather', 'seam', 'average'}, optional
        ``'average'``: mean of the overlapping images (the tutorial's "easy
        (and bad) way"); ``'feather'``: weights fall off linearly towards each
        image's border (distance transform), hiding seams; ``'seam'``: each
        pixel from one image, split along a minimum-cost path through the
        difference of the overlap (the tutorial's ``route_through_array``).
    anchor : int, optional
        Index of the reference image (pasted first for ``'seam'``).

    Returns
    -------
    panorama : Panorama
    """
    from scipy import ndimage as ndi

    blend = check_choice("blend", blend, BLENDS)
    if len(images) != len(matrices) or not images:
        raise ValueError("Give one matrix per image.")
    rgb = [to_rgb(im).astype(np.float64) / 255.0 for im in images]
    warped, masks, placed = _warp_all(rgb, matrices)
    if blend == "seam":
        order = [anchor] + sorted((i for i in range(len(images)) if i != anchor), key=lambda i: abs(i - anchor))
        canvas, owner = _seam_blend(warped, masks, order)
    else:
        if blend == "feather":
            weights = [ndi.distance_transform_edt(np.pad(m, 1))[1:-1, 1:-1] for m in masks]
        else:
            weights = [m.astype(np.float64) for m in masks]
        total = np.sum(weights, axis=0)
        canvas = np.sum([w[..., None] * im for w, im in zip(weights, warped, strict=True)], axis=0)
        canvas = canvas / np.maximum(total, 1e-12)[..., None]
        owner = np.argmax(np.stack(weights), axis=0).astype(np.int16)
        owner[total <= 0] = -1
    coverage = np.any(masks, axis=0)
    image = np.clip(np.rint(canvas * 255), 0, 255).astype(np.uint8)
    image[~coverage] = 0
    return Panorama(image=image, matrices=placed, coverage=coverage, owner=owner, anchor=anchor)




def draw_matches(moving: np.ndarray, fixed: np.ndarray, keypoints_moving: np.ndarray, keypoints_fixed: np.ndarray,
                 matches: np.ndarray, inliers: np.ndarray | None = None, *, max_lines: int = 400,
                 gap: int = 10) -> np.ndarray:
    """Two images side by side (RGB uint8), each match a line: green inliers, red outliers.

    At most ``max_lines`` lines of each kind are drawn (a fixed random subset: seed 0). Keypoints are
    ``(row, col)``; ``matches`` holds ``[index in moving, index in fixed]`` pairs.
    """
    from skimage.draw import line

    a, b = to_rgb(moving), to_rgb(fixed)
    h = max(a.shape[0], b.shape[0])
    canvas = np.full((h, a.shape[1] + gap + b.shape[1], 3), 255, np.uint8)
    canvas[: a.shape[0], : a.shape[1]] = a
    canvas[: b.shape[0], a.shape[1] + gap:] = b
    dx = a.shape[1] + gap
    inliers = np.zeros(len(matches), bool) if inliers is None else np.asarray(inliers, bool)
    rng = np.random.default_rng(0)
    for mask, colour in ((~inliers, (255, 59, 48)), (inliers, (52, 199, 89))):
        idx = np.flatnonzero(mask)
        if len(idx) > max_lines:
            idx = np.sort(rng.choice(idx, max_lines, replace=False))
        for (r0, c0), (r1, c1) in zip(keypoints_moving[matches[idx, 0]], keypoints_fixed[matches[idx, 1]],
                                      strict=True):
            rr, cc = line(int(round(r0)), int(round(c0)), int(round(r1)), int(round(c1)) + dx)
            keep = (rr >= 0) & (rr < h) & (cc >= 0) & (cc < canvas.shape[1])
            canvas[rr[keep], cc[keep]] = colour
    return canvas
