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
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import splu

from core._validation import check_float, check_int

__all__ = ["PROPAGATION", "propagate_proba"]

#: The settings :class:`~core.trainable.Segmenter` uses (tuned on the loop benchmark's tuning set,
#: ``benchmarks/TRAINABLE.md``): the strokes dominate, the classifier is a weak prior.
PROPAGATION = dict(strength=1e-5, contrast=8.0, seed_weight=10.0, grid=128)


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
                    confidence=0.0, channel_weights=None):
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
    d = max(1, -(-max(h, w) // grid))
    coarse = _block_mean(proba, d)
    weight = np.full(coarse.shape[:2], strength, np.float32)
    if confidence:
        part = np.partition(coarse, -2, axis=-1)
        weight += np.float32(confidence) * (part[..., -1] - part[..., -2]) ** 2
    target = strength * coarse
    if seeds is not None:
        seeds = np.asarray(seeds)
        if seeds.shape != (h, w):
            raise ValueError(f"seeds have shape {seeds.shape} but proba is {(h, w)}.")
        frac = _seed_fractions(seeds, k, d) * np.float32(seed_weight)
        weight += frac.sum(-1)
        target += frac
    if channel_weights is not None and np.shape(channel_weights) != guide.shape[-1:]:
        raise ValueError(f"channel_weights must hold one weight per guide channel ({guide.shape[-1]}); "
                         f"got shape {np.shape(channel_weights)}.")
    wh, wv = _edge_weights(_block_mean(guide, d), contrast, channel_weights)
    n = weight.size
    system = (_laplacian(wh, wv) + sparse.diags(weight.ravel().astype(np.float64))).tocsc()
    x = splu(system).solve(target.reshape(n, k).astype(np.float64)).reshape(coarse.shape)
    spread = np.clip(_upsample(x, d, (h, w)), 1e-4, None)
    out = spread if detail == 0 else proba ** np.float32(detail) * spread
    s = out.sum(-1, keepdims=True)
    np.divide(out, s, out=out, where=s > 0)
    return out
