"""Edge-aware propagation of class probabilities: classes are large contiguous regions.

:func:`propagate_proba` solves, on a coarse pixel grid (≤ ``grid`` cells per side), the
random-walker-with-priors system of Grady (2005) for every class k::

    (L + Λ) x_k = Λ t_k

where ``L`` is the graph Laplacian of the 4-neighbour grid whose edge weights
``exp(-contrast · d_ij / mean(d))`` fall where the guide (the feature image) changes
(``d_ij`` = mean squared difference of the standardised guide channels), ``Λ`` is the
diagonal of the data weights (``strength`` everywhere, plus ``seed_weight`` times the
scribbled fraction of a cell) and ``t_k`` the targets (the classifier's probabilities,
pulled to 1 on the scribbles of class k). A pixel thus takes the probabilities of the region
it is connected to without crossing an edge of the features: a scribble spreads through its
region, and a region's pixels agree. The coarse result is upsampled bilinearly and multiplied
with the full-resolution probabilities (which keep the boundaries sharp).

Given ``segments`` (superpixels of the image, :func:`superpixels`: SLIC on a colour photo), the
same system is solved on their region-adjacency graph instead of the grid: a node per superpixel,
an edge per pair of touching superpixels weighted by the length of their shared boundary, so the
spread stops at the image's own edges (the seams between photos) instead of at 4-pixel blocks.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import splu

from core._validation import check_float, check_int
from core.images import image_digest

__all__ = ["PROPAGATION", "SUPERPIXELS", "propagate_proba", "superpixels"]

#: The settings :class:`~core.trainable.Segmenter` uses (tuned on the loop benchmark's tuning set,
#: ``benchmarks/TRAINABLE.md``): the strokes dominate, the classifier is a weak prior.
PROPAGATION = dict(strength=1e-5, contrast=8.0, seed_weight=10.0, grid=128)
#: SLIC settings of :func:`superpixels` (tuned on the loop benchmark's tuning photo mosaics): 4000 superpixels
#: at any image size, as the grid has 128 cells per side at any size (≈ 8 px across at 512², two grid cells).
SUPERPIXELS = dict(n_segments=4000, compactness=10.0)
_SP_CACHE: OrderedDict = OrderedDict()  # (image digest, settings) → superpixels (an image's are computed once)
_SP_CACHE_SIZE = 4
_SP_LOCK = threading.Lock()  # sessions share the cache; one computes while the others wait for its result


def superpixels(image, n_segments=SUPERPIXELS["n_segments"], compactness=SUPERPIXELS["compactness"]):
    """SLIC superpixels of an RGB image (``skimage.segmentation.slic`` in Lab), cached per image.

    Returns (H, W) int32 labels 0…n-1. The last few images' superpixels are kept (keyed on the pixels'
    digest), so a refit on the same image does not recompute them (≈ 0.2 s at 512²); concurrent calls (one
    server, many sessions) compute one image at a time and reuse each other's result.
    """
    from skimage.segmentation import slic

    image = np.asarray(image)
    if image.ndim != 3 or image.shape[-1] < 3:
        raise ValueError(f"superpixels need an RGB image (H, W, 3); got shape {image.shape}.")
    key = (image_digest(image), int(n_segments), float(compactness))
    with _SP_LOCK:
        if key not in _SP_CACHE:
            _SP_CACHE[key] = slic(image[..., :3], n_segments=int(n_segments), compactness=float(compactness),
                                  start_label=0, channel_axis=-1).astype(np.int32)
            while len(_SP_CACHE) > _SP_CACHE_SIZE:
                _SP_CACHE.popitem(last=False)
        _SP_CACHE.move_to_end(key)
        return _SP_CACHE[key]


def _block_mean(stack, d):
    """Mean over d×d blocks of an (H, W, C) stack (edge-padded to a multiple of d)."""
    if d == 1:
        return np.asarray(stack, np.float32)
    h, w, c = stack.shape
    hh, ww = -(-h // d) * d, -(-w // d) * d
    padded = np.pad(stack, ((0, hh - h), (0, ww - w), (0, 0)), mode="edge")
    return padded.reshape(hh // d, d, ww // d, d, c).mean(axis=(1, 3), dtype=np.float32)


def _edge_weights(guide, contrast, channel_weights=None):
    """Weights of the horizontal (h, w-1) and vertical (h-1, w) grid edges from an (h, w, C) guide."""
    g = guide - guide.reshape(-1, guide.shape[-1]).mean(axis=0)
    std = g.reshape(-1, g.shape[-1]).std(axis=0)
    scale = np.where(std > 1e-6, std, 1.0)
    cw = np.ones(g.shape[-1]) if channel_weights is None else np.asarray(channel_weights, np.float64)
    g = g * (np.sqrt(cw / cw.sum()) / scale).astype(np.float32)
    dh = np.sum((g[:, 1:] - g[:, :-1]) ** 2, axis=-1)
    dv = np.sum((g[1:] - g[:-1]) ** 2, axis=-1)
    scale = np.mean(np.concatenate([dh.ravel(), dv.ravel()])) + 1e-12
    return np.exp(-contrast * dh / scale), np.exp(-contrast * dv / scale)


def _laplacian(wh, wv):
    """Sparse (n, n) graph Laplacian of the grid with edge weights ``wh``, ``wv``."""
    h, w = wv.shape[0] + 1, wh.shape[1] + 1
    idx = np.arange(h * w).reshape(h, w)
    i = np.concatenate([idx[:, :-1].ravel(), idx[:-1].ravel()])
    j = np.concatenate([idx[:, 1:].ravel(), idx[1:].ravel()])
    v = np.concatenate([wh.ravel(), wv.ravel()]).astype(np.float64)
    adj = sparse.coo_matrix((np.concatenate([v, v]), (np.concatenate([i, j]), np.concatenate([j, i]))),
                            shape=(h * w, h * w)).tocsr()
    return sparse.diags(np.asarray(adj.sum(axis=1)).ravel()) - adj


def _region_solve(proba, guide, segments, seeds, strength, contrast, seed_weight, channel_weights):
    """The random walker on the region-adjacency graph of ``segments``: (n, K) node probabilities.

    Node data weight ``strength · area / (2 · mean area)`` plus ``seed_weight · scribbled pixels /
    (2 · mean area)``; edge weight ``boundary length / √(mean area) · exp(−contrast · d / mean d)``, ``d`` the
    squared difference of the nodes' mean guide rows (standardised over the pixels, weighted by
    ``channel_weights``). At 512² with 4000 superpixels these match the 128-cell grid's weights per
    pixel of area and of boundary.
    """
    h, w, k = proba.shape
    s = np.asarray(segments, np.intp).ravel()
    n, npix = int(s.max()) + 1, s.size
    member = sparse.csr_matrix((np.ones(npix, np.float32), (s, np.arange(npix))), shape=(n, npix))
    g = guide.reshape(npix, -1)
    sums = np.asarray(member @ g, np.float64)
    mean = sums.sum(axis=0) / npix
    std = np.sqrt(np.maximum(np.asarray(member @ (g * g), np.float64).sum(axis=0) / npix - mean ** 2, 0))
    cw = np.ones(g.shape[1]) if channel_weights is None else np.asarray(channel_weights, np.float64)
    area = np.asarray(member.sum(axis=1), np.float64).ravel()
    nz = np.maximum(area, 1.0)[:, None]
    means = (sums / nz - mean) * (np.sqrt(cw / cw.sum()) / np.where(std > 1e-6, std, 1.0))
    p = np.asarray(member @ proba.reshape(npix, k), np.float64) / nz
    unit = 2.0 * h * w / n  # twice the mean area
    weight = strength * area / unit
    target = weight[:, None] * p
    if seeds is not None:
        lab = np.asarray(seeds).ravel()
        onehot = (lab[:, None] == np.arange(1, k + 1)).astype(np.float32)
        frac = np.asarray(member @ onehot, np.float64) / unit
        weight = weight + seed_weight * frac.sum(axis=1)
        target = target + seed_weight * frac
    seg2 = s.reshape(h, w)
    a = np.concatenate([seg2[:, 1:].ravel(), seg2[1:].ravel()])
    b = np.concatenate([seg2[:, :-1].ravel(), seg2[:-1].ravel()])
    cut = a != b
    lo, hi = np.minimum(a[cut], b[cut]), np.maximum(a[cut], b[cut])
    pairs, length = np.unique(lo.astype(np.int64) * n + hi, return_counts=True)
    i, j = pairs // n, pairs % n
    d = ((means[i] - means[j]) ** 2).sum(axis=1)
    ew = length / np.sqrt(unit / 2) * np.exp(-contrast * d / (d.mean() + 1e-12))
    adj = sparse.coo_matrix((np.concatenate([ew, ew]), (np.concatenate([i, j]), np.concatenate([j, i]))),
                            shape=(n, n)).tocsr()
    system = sparse.diags(np.asarray(adj.sum(axis=1)).ravel() + weight) - adj
    return splu(system.tocsc()).solve(target)


def _seed_fractions(seeds, k, d):
    """(h, w, K) fraction of each coarse cell scribbled with each class 1…K."""
    onehot = np.zeros(seeds.shape + (k,), np.float32)
    for c in range(1, k + 1):
        onehot[..., c - 1] = seeds == c
    return _block_mean(onehot, d)


def _upsample(stack, d, shape):
    from core.trainable._filters import _upsample as up
    return up(np.ascontiguousarray(stack, dtype=np.float32), d, shape)


def propagate_proba(proba, guide, *, seeds=None, strength=0.01, contrast=8.0, seed_weight=10.0, grid=128, detail=1.0,
                    confidence=0.0, channel_weights=None, segments=None):
    """Spread class probabilities through the regions of a guide image (edge-aware).

    Parameters
    ----------
    proba : (H, W, K) float array
        Class probabilities (rows sum to 1), e.g. a classifier's.
    guide : (H, W, C) or (H, W) float array
        The image whose edges stop the propagation: usually the feature array.
    seeds : (H, W) int array, optional
        Scribbles (0 = none, k = class k): pulled to their class with ``seed_weight``.
    strength : float
        Weight of the probabilities against the smoothness, > 0 (smaller = spreads farther:
        about ``1 / sqrt(strength)`` coarse cells in a flat region).
    contrast : float
        How sharply an edge of the guide stops the spread (0 = plain diffusion).
    seed_weight : float
        Weight of a fully scribbled cell.
    grid : int
        Cells of the coarse grid along the longer side (the solve's size: ``grid²`` unknowns).
    confidence : float
        Extra data weight of a confident cell: ``confidence · margin²`` (margin = best minus
        second-best probability), so sure pixels anchor and unsure ones follow their region.
    channel_weights : (C,) array, optional
        Weight of each standardised guide channel in the edge distance (default equal), e.g.
        the classifier's feature importances: edges of the features it relies on count most.
    detail : float
        Exponent of the full-resolution probabilities multiplied with the upsampled spread
        (1 = product; 0 = the spread alone, boundaries at the coarse grid's resolution).
    segments : (H, W) int array, optional
        Superpixels (e.g. :func:`superpixels` of the image): solve on their region-adjacency graph
        instead of the coarse grid (``grid`` and ``confidence`` are then unused).

    Returns
    -------
    proba : (H, W, K) float32, rows sum to 1
    """
    proba = np.asarray(proba, dtype=np.float32)
    if proba.ndim != 3 or proba.shape[-1] < 2:
        raise ValueError(f"proba must be (H, W, K) with K ≥ 2; got shape {proba.shape}.")
    guide = np.asarray(guide, dtype=np.float32)
    guide = guide[..., None] if guide.ndim == 2 else guide
    if guide.shape[:2] != proba.shape[:2]:
        raise ValueError(f"guide is {guide.shape[:2]} but proba is {proba.shape[:2]}; give the same image's features.")
    strength = check_float("strength", strength, 1e-6, 1e3)
    contrast = check_float("contrast", contrast, 0.0, 1e3)
    grid = check_int("grid", grid, 8, 1024)
    h, w, k = proba.shape
    if channel_weights is not None and np.shape(channel_weights) != guide.shape[-1:]:
        raise ValueError(f"channel_weights must hold one weight per guide channel ({guide.shape[-1]}); "
                         f"got shape {np.shape(channel_weights)}.")
    if seeds is not None and np.shape(seeds) != (h, w):
        raise ValueError(f"seeds have shape {np.shape(seeds)} but proba is {(h, w)}.")
    if segments is not None:
        segments = np.asarray(segments)
        if segments.shape != (h, w) or segments.min() < 0:
            raise ValueError(f"segments must be (H, W) = {(h, w)} labels ≥ 0; got shape {segments.shape}.")
        x = _region_solve(proba, guide, segments, seeds, strength, contrast, float(seed_weight), channel_weights)
        return _combine(proba, np.asarray(x, np.float32)[segments], detail)
    d = max(1, -(-max(h, w) // grid))
    coarse = _block_mean(proba, d)
    weight = np.full(coarse.shape[:2], strength, np.float32)
    if confidence:
        part = np.partition(coarse, -2, axis=-1)
        weight += np.float32(confidence) * (part[..., -1] - part[..., -2]) ** 2
    target = strength * coarse
    if seeds is not None:
        frac = _seed_fractions(np.asarray(seeds), k, d) * np.float32(seed_weight)
        weight += frac.sum(-1)
        target += frac
    wh, wv = _edge_weights(_block_mean(guide, d), contrast, channel_weights)
    n = weight.size
    system = (_laplacian(wh, wv) + sparse.diags(weight.ravel().astype(np.float64))).tocsc()
    x = splu(system).solve(target.reshape(n, k).astype(np.float64)).reshape(coarse.shape)
    return _combine(proba, _upsample(x, d, (h, w)), detail)


def _combine(proba, spread, detail):
    """The spread times the full-resolution probabilities to the power ``detail``, rows summing to 1."""
    spread = np.clip(spread, 1e-4, None).astype(np.float32, copy=False)
    out = spread if detail == 0 else proba ** np.float32(detail) * spread
    s = out.sum(-1, keepdims=True)
    np.divide(out, s, out=out, where=s > 0)
    return out
