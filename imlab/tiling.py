"""Tiled prediction of a trained segmenter, for bounded memory on large images.

Used when :mod:`core.trainable` has no ``predict_tiled`` of its own. The image is cut into
``tile × tile`` cores; each is predicted with ``overlap`` pixels of real context on every side
(features and probability smoothing see their neighbourhood), then only its core is kept.
Memory is bounded by one padded tile's features, ``(tile + 2·overlap)² × F × 4`` bytes, plus the
outputs (labels 1 byte per pixel; probabilities ``4·K`` bytes per pixel, only when asked).
Tile offsets are multiples of 4, so the feature pyramid's blocks line up with the untiled run's.
"""

from __future__ import annotations

import numpy as np

__all__ = ["predict_tiled"]


def _spans(n: int, tile: int) -> list[tuple[int, int]]:
    return [(start, min(start + tile, n)) for start in range(0, n, tile)]


def predict_tiled(seg, image, *, tile: int = 1024, overlap: int | None = None, return_proba: bool = False):
    """Labels (and optionally probabilities) of every pixel, computed tile by tile.

    Parameters
    ----------
    seg : core.trainable.Segmenter
    image : (H, W) or (H, W, 3) array
    tile : int
        Side of a tile's core, pixels (a multiple of 4, ≥ 64).
    overlap : int, optional
        Context added on each side of a tile, pixels (a multiple of 4, ≥ 8; default 128).
    return_proba : bool
        Also return the ``(H, W, K)`` float32 probabilities.

    Returns
    -------
    labels : (H, W) uint8 (int32 above 255 classes), classes 1…K
    proba : (H, W, K) float32 or None
    """
    from core._validation import check_int

    tile = check_int("tile", tile, 64, 1 << 16)
    overlap = check_int("overlap", 128 if overlap is None else overlap, 8, 4096)
    if tile % 4 or overlap % 4:
        raise ValueError(f"tile ({tile}) and overlap ({overlap}) must be multiples of 4 pixels")
    image = np.asarray(image)
    h, w = image.shape[:2]
    k = int(seg.n_classes)
    labels = np.empty((h, w), np.uint8 if k < 256 else np.int32)
    proba = np.empty((h, w, k), np.float32) if return_proba else None
    for y0, y1 in _spans(h, tile):
        for x0, x1 in _spans(w, tile):
            py0, py1 = max(0, y0 - overlap), min(h, y1 + overlap)
            px0, px1 = max(0, x0 - overlap), min(w, x1 + overlap)
            p = seg.predict_proba(image[py0:py1, px0:px1])
            core = p[y0 - py0:y1 - py0, x0 - px0:x1 - px0]
            labels[y0:y1, x0:x1] = np.argmax(core, axis=-1) + 1
            if proba is not None:
                proba[y0:y1, x0:x1] = core
            del p, core
    return labels, proba
