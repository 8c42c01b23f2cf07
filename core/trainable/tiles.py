"""Segmenting large images in overlapping tiles, with bounded memory.

Each tile is cut with ``overlap`` pixels of context on every side, its features computed and
classified there, and only its centre kept. Features and probability smoothing reach a
finite distance (:meth:`core.trainable.features.FeatureSpec.margin`, 3 σ of the smoothing), so with
an overlap at least that large a tile's centre equals the untiled run except for the tiny
differences of FFT boundary handling; ``benchmarks/TRAINABLE.md`` gives the measured seam margin.
"""

from __future__ import annotations

import numpy as np

from core._validation import check_int

__all__ = ["default_overlap", "predict_tiled", "tiled_peak_bytes"]

_ALIGN = 4  # core.trainable._filters.MAXD: block averaging of the low Gabor frequencies


def default_overlap(segmenter) -> int:
    """Context (pixels) a tile needs on each side: the features' reach + 3 σ of the smoothing."""
    margin = getattr(segmenter.features, "margin", None)
    reach = margin() if callable(margin) else 64
    return int(reach + np.ceil(3 * float(segmenter.smoothing)))


def tiled_peak_bytes(segmenter, *, tile=512, overlap=None, proba=False, shape=None) -> int:
    """Upper estimate of the memory :func:`predict_tiled` holds besides the image (bytes).

    One padded tile's features and probabilities (``(tile + 2·overlap)² · (F + K + transient) · 4``)
    plus the int32 labels (and the float32 probabilities if asked) of the whole ``shape``.
    """
    overlap = default_overlap(segmenter) if overlap is None else int(overlap)
    side = int(tile) + 2 * overlap
    per_tile = side * side * 4 * (segmenter.n_features + 2 * segmenter.n_classes + 48)
    whole = 0 if shape is None else int(shape[0]) * int(shape[1]) * (4 + (4 * segmenter.n_classes if proba else 0))
    return int(per_tile + whole)


def predict_tiled(segmenter, image, *, tile=512, overlap=None, return_proba=False):
    """Segment an image of any size tile by tile.

    Parameters
    ----------
    segmenter : core.trainable.Segmenter
    image : (H, W) or (H, W, 3) array, any dtype
    tile : int
        Side of the kept centre of each tile, pixels (64 … 8192).
    overlap : int, optional
        Context on each side of a tile; default :func:`default_overlap` (the features' reach).
    return_proba : bool
        Also return the (H, W, K) float32 probabilities (costs 4·K bytes per pixel).

    Returns
    -------
    labels : (H, W) int32 in 1…K
    proba : (H, W, K) float32 or None

    Notes
    -----
    Memory besides the image: :func:`tiled_peak_bytes` — one padded tile's features (for the
    default colour features and ``tile=512``, 376 MiB) plus 4 bytes per pixel of labels.
    """
    from core.trainable.segmenter import proba_to_labels

    image = np.asarray(image)
    tile = check_int("tile", tile, 64, 8192)
    overlap = default_overlap(segmenter) if overlap is None else check_int("overlap", overlap, 0, 4096)
    h, w = image.shape[:2]
    labels = np.empty((h, w), np.int32)
    proba = np.empty((h, w, segmenter.n_classes), np.float32) if return_proba else None
    for top in range(0, h, tile):
        for left in range(0, w, tile):
            bottom, right = min(top + tile, h), min(left + tile, w)
            r0, c0 = max(0, top - overlap), max(0, left - overlap)
            r0, c0 = r0 - r0 % _ALIGN, c0 - c0 % _ALIGN  # the texture pyramid's 4×4 blocks fall as untiled
            r1, c1 = min(h, bottom + overlap), min(w, right + overlap)
            block = image[r0:r1, c0:c1]
            if min(block.shape[:2]) < 8:  # a sliver: take more context from the image
                r0, c0 = max(0, min(r0, r1 - 8)), max(0, min(c0, c1 - 8))
                block = image[r0:r1, c0:c1]
            p = segmenter.predict_proba(block)[top - r0:bottom - r0, left - c0:right - c0]
            labels[top:bottom, left:right] = proba_to_labels(p)
            if proba is not None:
                proba[top:bottom, left:right] = p
    return labels, proba
