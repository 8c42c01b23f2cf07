"""Matching binary descriptors by Hamming distance (the same matches as ``skimage.feature.match_descriptors``)."""

from __future__ import annotations

import numpy as np

__all__ = ["match_features"]


def match_features(
    descriptors_moving: np.ndarray,
    descriptors_fixed: np.ndarray,
    *,
    cross_check: bool = True,
    max_ratio: float = 1.0,
) -> np.ndarray:
    """Match binary descriptors by Hamming distance.

    Gives the same matches as ``skimage.feature.match_descriptors(d0, d1,
    cross_check=..., max_ratio=...)`` for boolean descriptors, but computes all
    Hamming distances with one matrix product (``|a| + |b| - 2 a·b``), which is
    ~10× faster than ``cdist(..., 'hamming')`` for a few thousand keypoints.

    Parameters
    ----------
    descriptors_moving, descriptors_fixed : (N, B) and (M, B) arrays of bool
        Binary descriptors (ORB: B = 256).
    cross_check : bool, optional
        Keep a match only when each descriptor is the other's nearest neighbour.
    max_ratio : float, optional
        Lowe's ratio test: keep a match when best / second-best distance
        ``< max_ratio`` (1.0 disables it).

    Returns
    -------
    matches : ndarray of int64, shape (Q, 2)
        ``[index in moving, index in fixed]`` pairs.
    """
    a = np.asarray(descriptors_moving)
    b = np.asarray(descriptors_fixed)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"Descriptors must be (N, B) arrays of the same length B; got {a.shape} and {b.shape}.")
    if not 0 < max_ratio <= 1:
        raise ValueError(f"max_ratio must lie in (0, 1]; got {max_ratio}.")
    if len(a) == 0 or len(b) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    af = a.astype(np.float32)
    bf = b.astype(np.float32)
    dist = af.sum(1)[:, None] + bf.sum(1)[None, :] - 2.0 * (af @ bf.T)
    dist = np.rint(dist).astype(np.float64)
    idx1 = np.arange(len(a))
    idx2 = np.argmin(dist, axis=1)
    if cross_check:
        back = np.argmin(dist, axis=0)
        keep = idx1 == back[idx2]
        idx1, idx2 = idx1[keep], idx2[keep]
    if max_ratio < 1.0 and len(idx1):
        if dist.shape[1] < 2:
            idx1, idx2 = idx1[:0], idx2[:0]
        else:
            best = dist[idx1, idx2].copy()
            dist[idx1, idx2] = np.inf
            second = dist[idx1].min(axis=1)
            second[second == 0] = np.finfo(np.float64).eps
            keep = best / second < max_ratio
            idx1, idx2 = idx1[keep], idx2[keep]
    return np.column_stack([idx1, idx2]).astype(np.int64)
