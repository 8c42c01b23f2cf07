"""Where to scribble next: per-pixel uncertainty and the most uncertain window.

The page draws a "scribble here next" box; the loop benchmark (``python -m benchmarks.loop``)
measures how fast strokes drawn there improve the segmentation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi

from core._validation import check_choice

__all__ = ["Region", "most_uncertain_region", "suggest_region", "uncertainty"]


def uncertainty(proba, method="margin"):
    """Per-pixel uncertainty of a classification.

    Parameters
    ----------
    proba : (H, W, K) float array
    method : {'margin', 'entropy'}
        ``'margin'``: 1 − (p_best − p_second) (ilastik's); ``'entropy'``: Shannon entropy / log K.

    Returns
    -------
    u : (H, W) float32 in [0, 1]; 1 = the classifier cannot decide
    """
    proba = np.asarray(proba, dtype=np.float32)
    if proba.ndim != 3 or proba.shape[-1] < 2:
        raise ValueError(f"proba must be (H, W, K) with K ≥ 2; got shape {proba.shape}.")
    check_choice("method", method, ["margin", "entropy"])
    if method == "margin":
        part = np.partition(proba, -2, axis=-1)
        return np.clip(1 - (part[..., -1] - part[..., -2]), 0, 1).astype(np.float32)
    p = np.clip(proba, 1e-12, 1)
    return np.clip(-(p * np.log(p)).sum(-1) / np.log(proba.shape[-1]), 0, 1).astype(np.float32)


@dataclass
class Region:
    """A box of the image: rows ``top:top+height``, columns ``left:left+width``; ``score`` = mean uncertainty."""

    top: int
    left: int
    height: int
    width: int
    score: float = 0.0

    @property
    def center(self):
        """(row, col) of the box's centre."""
        return (self.top + self.height // 2, self.left + self.width // 2)

    def slices(self):
        """``(rows, cols)`` slices of the box."""
        return slice(self.top, self.top + self.height), slice(self.left, self.left + self.width)


def most_uncertain_region(unc, size=None, labels=None, exclude: Iterable[Region] = ()):
    """The square window with the highest mean uncertainty: "scribble here next".

    Parameters
    ----------
    unc : (H, W) float array, e.g. from :func:`uncertainty`
    size : int, optional
        Window side in pixels (default: 1/8 of the shorter side, at least 8).
    labels : (H, W) int array, optional
        Scribbles; already-scribbled pixels count as certain.
    exclude : iterable of Region
        Windows suggested before: no window whose centre lies within half a side of one of
        theirs (in rows and in columns) is returned — never twice the same window — unless
        nothing else is left.

    Returns
    -------
    Region
    """
    unc = np.asarray(unc, dtype=np.float32)
    if unc.ndim != 2:
        raise ValueError(f"uncertainty must be (H, W); got shape {unc.shape}.")
    h, w = unc.shape
    if size is None:
        size = max(8, min(h, w) // 8)
    size = int(min(max(1, int(size)), h, w))
    if labels is not None:
        labels = np.asarray(labels)
        if labels.shape != unc.shape:
            raise ValueError(f"labels have shape {labels.shape} but the uncertainty map is {unc.shape}.")
        unc = np.where(labels > 0, 0, unc).astype(np.float32)
    mean = ndi.uniform_filter(unc, size=size, mode="constant")
    half = size // 2
    valid = mean[half:h - (size - 1 - half), half:w - (size - 1 - half)].copy()  # (top, left) of windows
    fresh = valid.copy()
    for box in exclude:  # same-size windows: compare top-left corners
        r0, c0 = max(0, box.top - size // 2 + 1), max(0, box.left - size // 2 + 1)
        fresh[r0:max(r0, box.top + size // 2), c0:max(c0, box.left + size // 2)] = -1.0
    if fresh.max() >= 0:
        valid = fresh
    r, c = np.unravel_index(int(np.argmax(valid)), valid.shape)
    return Region(top=int(r), left=int(c), height=size, width=size, score=float(mean[r + half, c + half]))


def suggest_region(proba, *, labels=None, exclude: Iterable[Region] = (), size=None):
    """The window where one more stroke should help most: the page's "scribble here next" box.

    Parameters
    ----------
    proba : (H, W, K) float array
        The current class probabilities.
    labels : (H, W) int array, optional
        The scribbles (already-scribbled pixels need no stroke).
    exclude : iterable of Region
        Windows suggested before (never suggested twice).
    size : int, optional
        Window side (default: 1/5 of the shorter side, at least 16: on the loop benchmark a stroke
        across a larger window helps more — mean IoU after 3 hints 0.81 with 1/8, 0.83 with 1/5).

    Returns
    -------
    Region
        The most uncertain window (margin uncertainty), scribbled pixels counting as certain,
        never one suggested before.
    """
    proba = np.asarray(proba)
    if size is None and proba.ndim == 3:
        size = max(16, min(proba.shape[:2]) // 5)
    return most_uncertain_region(uncertainty(proba), size=size, labels=labels, exclude=exclude)
