"""Texture mosaics for benchmarking trainable segmentation.

Brick, grass and gravel (scikit-image's bundled textures) fill random Voronoi-like
regions; every texture is rank-mapped onto one shared histogram, so intensity alone
cannot tell them apart (identical first-order statistics). About 1.5 % of the pixels
are scribbled as a person would: a few smooth strokes, a brush a few pixels wide,
kept away from region borders.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

__all__ = ["Mosaic", "texture_mosaic", "TEXTURE_NAMES", "equalized_textures"]

TEXTURE_NAMES = ("brick", "grass", "gravel")


@dataclass
class Mosaic:
    """A benchmark mosaic.

    Attributes
    ----------
    image : (H, W) uint8
    truth : (H, W) int32, classes 1…3 (brick, grass, gravel)
    scribbles : (H, W) int32, 0 = unlabelled, else the class under the stroke
    """

    image: np.ndarray
    truth: np.ndarray
    scribbles: np.ndarray

    @property
    def scribbled_fraction(self):
        return float((self.scribbles > 0).mean())



def spread_centres(shape, n_regions, rng) -> list:
    """Up to ``n_regions`` random (row, col) centres at least 0.6·√(H·W / n_regions) apart (2000 draws at most)."""
    h, w = shape
    min_dist = 0.6 * np.sqrt(h * w / n_regions)
    centres = []
    for _ in range(2000):
        c = rng.uniform((0, 0), (h, w))
        if all(np.hypot(*(c - o)) >= min_dist for o in centres):
            centres.append(c)
            if len(centres) == n_regions:
                break
    return centres

def equalized_textures(shape):
    """The three textures at ``shape``, with identical intensity histograms.

    Larger shapes are filled by mirror-tiling the 512×512 originals (keeps the texture's scale).

    Returns
    -------
    textures : list of three (H, W) float64 arrays in [0, 1]
    """
    from skimage import data
    h, w = shape
    raw = []
    for name in TEXTURE_NAMES:
        t = getattr(data, name)().astype(np.float64)
        if t.ndim == 3:
            t = t.mean(-1)
        ph, pw = max(0, h - t.shape[0]), max(0, w - t.shape[1])
        if ph or pw:
            t = np.pad(t, ((0, ph), (0, pw)), mode="symmetric")
        raw.append(t[:h, :w])
    # common histogram: the average of the three sorted value lists (rank mapping)
    sorted_vals = np.mean([np.sort(t.ravel()) for t in raw], axis=0)
    sorted_vals = (sorted_vals - sorted_vals.min()) / (np.ptp(sorted_vals) or 1.0)
    out = []
    for t in raw:
        order = np.argsort(t.ravel(), kind="stable")
        eq = np.empty(t.size)
        eq[order] = sorted_vals
        out.append(eq.reshape(t.shape))
    return out


def _stroke(mask, rng, budget, width):
    """One smooth random stroke inside ``mask`` (bool); returns the painted pixels (bool)."""
    h, w = mask.shape
    pts = np.argwhere(mask)
    if len(pts) == 0:
        return np.zeros_like(mask)
    y, x = pts[rng.integers(len(pts))].astype(float)
    ang = rng.uniform(0, 2 * np.pi)
    painted = np.zeros_like(mask)
    # stroke length to paint ~budget pixels: a square brush on a curved path covers ~1.2× its width
    n_target = budget / (1.2 * max(width, 1))
    length = 0
    steps = 0
    while length < n_target and steps < 20 * n_target + 100:
        steps += 1
        ang += rng.normal(0, 0.08)
        ny, nx = y + np.sin(ang), x + np.cos(ang)
        iy, ix = int(round(ny)), int(round(nx))
        if not (0 <= iy < h and 0 <= ix < w) or not mask[iy, ix]:
            ang += np.pi * rng.uniform(0.5, 1.5)  # turn back, as a hand would at a border
            continue
        y, x = ny, nx
        painted[iy, ix] = True
        length += 1
    r = max(0, width // 2)
    if r:
        painted = ndi.binary_dilation(painted, structure=np.ones((2 * r + 1, 2 * r + 1), bool)) & mask
    return painted


def texture_mosaic(shape=(512, 512), *, n_regions=8, scribble_fraction=0.015, brush=5, margin=10,
                   seed=0):
    """A brick / grass / gravel mosaic with truth and human-like scribbles.

    Parameters
    ----------
    shape : (int, int)
        (H, W) of the mosaic, each ≥ 64.
    n_regions : int
        Number of random regions (≥ 3; every texture appears at least once).
    scribble_fraction : float
        Target fraction of pixels covered by scribbles (default 1.5 %).
    brush : int
        Stroke width in pixels.
    margin : int
        Strokes stay this many pixels away from region borders.
    seed : int
        Random seed (same seed → same mosaic).

    Returns
    -------
    Mosaic
    """
    h, w = (int(s) for s in shape)
    if h < 64 or w < 64:
        raise ValueError(f"the mosaic must be at least 64×64 pixels, got {w}×{h}")
    if n_regions < 3:
        raise ValueError("n_regions must be ≥ 3 so every texture appears")
    rng = np.random.default_rng(seed)
    textures = equalized_textures((h, w))
    # Voronoi cells of well-spread centres, borders made wobbly by a smooth domain warp
    centres = np.array(spread_centres((h, w), n_regions, rng))
    n_regions = len(centres)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    # the warp is drawn on a 64×64 grid and stretched to the mosaic: the same layout at every size,
    # and cheap at many megapixels
    from skimage.transform import resize
    coarse = ndi.gaussian_filter(rng.normal(size=(2, 64, 64)), sigma=(0, 64 / 12, 64 / 12), mode="wrap")
    warp = resize(coarse, (2, h, w), order=1, mode="edge", anti_aliasing=False).astype(np.float32)
    warp *= (min(h, w) / 20) / (warp.std() or 1)
    wy, wx = yy + warp[0], xx + warp[1]
    d = np.stack([np.hypot(wy - cy, wx - cx) for cy, cx in centres])
    region = np.argmin(d, axis=0)
    cls = np.concatenate([rng.permutation(3), rng.integers(0, 3, n_regions - 3)]) + 1
    truth = cls[region].astype(np.int32)
    image = np.zeros((h, w))
    for k in range(3):
        image[truth == k + 1] = textures[k][truth == k + 1]
    image = np.round(image * 255).astype(np.uint8)
    # scribbles: every visible region (connected part of one class, ≥ 1 % of the image) gets
    # 1-2 strokes, with a pixel budget ∝ its area; tiny slivers are left alone, as a person would
    scribbles = np.zeros((h, w), np.int32)
    total = scribble_fraction * h * w
    parts = []
    for k in (1, 2, 3):
        cc, n = ndi.label(truth == k)
        for i in range(1, n + 1):
            m = cc == i
            if m.mean() >= 0.01:
                parts.append((k, m))
    area = sum(m.sum() for _, m in parts)
    for k, m in parts:
        inner = ndi.binary_erosion(m, iterations=margin, border_value=1)
        if inner.sum() < 20:
            inner = ndi.binary_erosion(m, iterations=max(1, margin // 3), border_value=1)
        if inner.sum() == 0:
            continue
        budget = total * m.sum() / area
        n_strokes = int(rng.integers(1, 3))
        for _ in range(n_strokes):
            scribbles[_stroke(inner, rng, budget / n_strokes, brush)] = k
    return Mosaic(image=image, truth=truth, scribbles=scribbles)
