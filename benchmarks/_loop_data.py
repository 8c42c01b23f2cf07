"""Mosaics for the interactive-loop benchmark: a tuning set and a held-out set.

Each mosaic fills the regions of a layout with one source per class. Sources are gray textures
(rank-mapped onto one shared histogram, so brightness alone cannot tell them apart) or colour
photos (a random crop of the photo at its own scale: the class is "the part of the picture that
shows photo k", with everything the photo holds). The held-out set uses other textures, other
photos and other layouts (and 4 classes) than the tuning set; nothing is tuned on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@dataclass
class Case:
    name: str
    image: np.ndarray  # (H, W) or (H, W, 3) uint8
    truth: np.ndarray  # (H, W) int32 in 1…K

    @property
    def n_classes(self) -> int:
        return int(self.truth.max())


def _load(name: str) -> np.ndarray:
    from skimage import data, io
    from sklearn.datasets import load_sample_image

    if name in ("china", "flower"):
        return load_sample_image(f"{name}.jpg")
    if name in ("spices", "chapel_floor", "JDW_0302", "round_pill"):
        ext = ".png" if name == "chapel_floor" else ".jpg"
        return io.imread(SAMPLES / f"{name}{ext}")[..., :3]
    if name == "ihc":
        return data.immunohistochemistry()
    if name == "hubble":
        return data.hubble_deep_field()
    if name == "motorcycle":
        return data.stereo_motorcycle()[0]
    return getattr(data, name)()


def _fill(src: np.ndarray, shape, rng, zoom=1.0) -> np.ndarray:
    """``src`` at ``zoom`` (enlarged to cover ``shape`` if smaller: photos are never mirror-tiled;
    textures, ``zoom=None``, are), randomly cropped to ``shape``."""
    from skimage.transform import rescale
    h, w = shape
    if zoom is not None:
        zoom = max(zoom, h / src.shape[0], w / src.shape[1])
        src = rescale(src, zoom, channel_axis=-1 if src.ndim == 3 else None, anti_aliasing=zoom < 1,
                      preserve_range=True)
    ph, pw = max(0, h - src.shape[0]), max(0, w - src.shape[1])
    if ph or pw:
        pad = ((0, ph), (0, pw)) + (((0, 0),) if src.ndim == 3 else ())
        src = np.pad(src, pad, mode="symmetric")
    r = int(rng.integers(0, src.shape[0] - h + 1))
    c = int(rng.integers(0, src.shape[1] - w + 1))
    return np.asarray(src[r:r + h, c:c + w], dtype=np.float64)


def _gray(img):
    return img if img.ndim == 2 else img @ np.array([0.2125, 0.7154, 0.0721])


def _equalize(textures):
    sorted_vals = np.mean([np.sort(t.ravel()) for t in textures], axis=0)
    sorted_vals = (sorted_vals - sorted_vals.min()) / (np.ptp(sorted_vals) or 1.0)
    out = []
    for t in textures:
        eq = np.empty(t.size)
        eq[np.argsort(t.ravel(), kind="stable")] = sorted_vals
        out.append(eq.reshape(t.shape))
    return out


# ------------------------------------------------------------------ layouts (class maps 1…K)
def _ensure_all(truth, k):
    return len(np.unique(truth)) == k and min(np.bincount(truth.ravel())[1:]) > 0.05 * truth.size


def voronoi(shape, k, rng, n_regions=8):
    """Warped Voronoi cells of well-spread centres (the layout of benchmarks.texture_mosaic)."""
    h, w = shape
    from skimage.transform import resize

    from benchmarks.texture_mosaic import spread_centres

    centres = spread_centres((h, w), n_regions, rng)
    coarse = ndi.gaussian_filter(rng.normal(size=(2, 64, 64)), sigma=(0, 64 / 12, 64 / 12), mode="wrap")
    warp = resize(coarse, (2, h, w), order=1, mode="edge", anti_aliasing=False)
    warp *= (min(h, w) / 20) / (warp.std() or 1)
    yy, xx = np.mgrid[0:h, 0:w].astype(float)
    d = np.stack([np.hypot(yy + warp[0] - cy, xx + warp[1] - cx) for cy, cx in centres])
    cls = np.concatenate([rng.permutation(k), rng.integers(0, k, len(centres) - k)]) + 1
    return cls[np.argmin(d, axis=0)].astype(np.int32)


def blobs(shape, k, rng):
    """Organic regions: the arg-max of K smooth random fields."""
    h, w = shape
    fields = ndi.gaussian_filter(rng.normal(size=(k, h, w)), sigma=(0, h / 7, w / 7), mode="wrap")
    return (np.argmax(fields, axis=0) + 1).astype(np.int32)


def bands(shape, k, rng):
    """Wavy bands across the image in a random direction, classes cycling."""
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w].astype(float)
    a = rng.uniform(0, np.pi)
    t = np.cos(a) * xx + np.sin(a) * yy
    t += 0.06 * max(h, w) * np.sin(2 * np.pi * (-np.sin(a) * xx + np.cos(a) * yy) / (0.6 * max(h, w)) + rng.uniform(0, 6))
    n_bands = 2 * k
    edges = np.quantile(t, np.linspace(0, 1, n_bands + 1)[1:-1])
    order = np.concatenate([rng.permutation(k), rng.permutation(k)])
    return (order[np.searchsorted(edges, t)] + 1).astype(np.int32)


LAYOUTS = {"voronoi": voronoi, "blobs": blobs, "bands": bands}


def mosaic(name, sources, layout, shape, seed, *, gray=False, zoom=1.0) -> Case:
    """One mosaic: ``sources[k]`` fills class k+1 of ``layout``."""
    rng = np.random.default_rng(seed)
    k = len(sources)
    for _ in range(50):
        truth = LAYOUTS[layout](shape, k, rng)
        if _ensure_all(truth, k):
            break
    fills = [_fill(_load(s), shape, rng, None if gray else zoom) for s in sources]
    if gray:
        fills = _equalize([_gray(f) for f in fills])
        image = np.zeros(shape)
        for i, f in enumerate(fills):
            image[truth == i + 1] = f[truth == i + 1]
        image = np.round(image * 255)
    else:
        fills = [f if f.ndim == 3 else np.stack([f] * 3, axis=-1) for f in fills]
        image = np.zeros(shape + (3,))
        for i, f in enumerate(fills):
            image[truth == i + 1] = f[truth == i + 1]
    return Case(name, np.clip(image, 0, 255).astype(np.uint8), truth)


#: (name, sources, layout, gray, zoom): tuned on
TUNING = [
    ("tex-brick-grass-gravel-vor", ("brick", "grass", "gravel"), "voronoi", True, 1.0),
    ("tex-brick-grass-gravel-vor2", ("gravel", "brick", "grass"), "voronoi", True, 0.75),
    ("tex-grass-gravel-camera-vor", ("grass", "gravel", "camera"), "voronoi", True, 1.0),
    ("photo-astronaut-coffee-chelsea-vor", ("astronaut", "coffee", "chelsea"), "voronoi", False, 0.75),
    ("photo-rocket-coffee-astronaut-vor", ("rocket", "coffee", "astronaut"), "voronoi", False, 0.6),
    ("photo-chelsea-rocket-astronaut-vor", ("chelsea", "rocket", "astronaut"), "voronoi", False, 1.0),
]
#: never tuned on: other textures, other photos, other layouts, 4 classes
HELD_OUT = [
    ("tex-moon-chapel-ihc-blobs", ("moon", "chapel_floor", "ihc"), "blobs", True, 1.0),
    ("tex-hubble-moon-page-bands", ("hubble", "moon", "page"), "bands", True, 1.0),
    ("tex-chapel-text-coins-ihc-blobs", ("chapel_floor", "text", "coins", "ihc"), "blobs", True, 1.0),
    ("photo-china-flower-spices-blobs", ("china", "flower", "spices"), "blobs", False, 0.6),
    ("photo-ihc-motorcycle-chapel-bands", ("ihc", "motorcycle", "chapel_floor"), "bands", False, 0.75),
    ("photo-spices-jdw-retina-pill-blobs", ("spices", "JDW_0302", "retina", "round_pill"), "blobs", False, 0.5),
]


def cases(which: str, shape=(256, 256), seed=0) -> list[Case]:
    """The tuning or held-out mosaics at ``shape``."""
    table = {"tuning": TUNING, "held_out": HELD_OUT}[which]
    return [mosaic(n, s, lay, shape, seed + i, gray=g, zoom=z) for i, (n, s, lay, g, z) in enumerate(table)]
