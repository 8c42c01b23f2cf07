"""Measures of a superpixel result: connected pieces, the tutorial's k-means objective, agreement, cost.

The page compares its second stage (one weighted sample per superpixel) with the
tutorial's own (one k-means run over every pixel of the average-colour image):
:func:`kmeans_objective` scores both on the same objective and
:func:`label_agreement` says on how many pixels they agree.
"""

from __future__ import annotations

import numpy as np

from core._validation import check_int
from core.clustering import color_features, parse_channels
from core.superpixels.algorithms import superpixel_means

__all__ = ["SECONDS_PER_PIXEL", "connected_regions", "estimate_seconds", "kmeans_objective", "label_agreement",
           "tutorial_kmeans"]


def connected_regions(labels: np.ndarray) -> int:
    """Number of 8-connected pieces of a label image (a k-means cluster may hold many pieces).

    Parameters
    ----------
    labels : ndarray of int, shape ``(H, W)``

    Returns
    -------
    n : int
        ``skimage.measure.label(labels, background=-1).max()`` for labels ≥ 0.
    """
    from skimage.measure import label

    labels = np.asarray(labels)
    return int(label(labels - labels.min(), background=-1, connectivity=2).max()) if labels.size else 0


def _lab_of_superpixels(image: np.ndarray, segments: np.ndarray, channels) -> tuple:
    names = parse_channels(channels, "lab")
    ids, present, means, counts = superpixel_means(image, segments)
    return ids, present, color_features(means[:, None, :], names, "lab"), counts


def kmeans_objective(image: np.ndarray, segments: np.ndarray, labels: np.ndarray, *, channels="ab") -> float:
    """The tutorial's k-means objective of a clustering: mean squared Lab distance to the cluster means.

    Every pixel's feature is the chosen Lab channels of its superpixel's mean
    colour (the tutorial's ``rgb2lab(label2rgb(segments, image, kind='mean'))``);
    ``labels`` must be constant inside each superpixel.

    Returns
    -------
    objective : float
        Inertia per pixel, in squared Lab units (lower is better).
    """
    ids, present, feats, counts = _lab_of_superpixels(image, segments, channels)
    first = np.zeros(int(ids.max()) + 1, dtype=np.int64)
    first[ids[::-1]] = np.arange(ids.size)[::-1]  # one pixel of each superpixel
    cluster = np.asarray(labels).reshape(-1)[first[present]]
    w = counts.astype(np.float64)
    total = 0.0
    for c in np.unique(cluster):
        sel = cluster == c
        centre = np.average(feats[sel], axis=0, weights=w[sel])
        total += float((w[sel] * ((feats[sel] - centre) ** 2).sum(axis=1)).sum())
    return total / w.sum()


def tutorial_kmeans(image: np.ndarray, segments: np.ndarray, k: int, *, channels="ab") -> np.ndarray:
    """The tutorial's own second stage: one k-means run over every pixel of the average-colour image.

    ``KMeans(n_clusters=k, random_state=0).fit(data.T)`` with the chosen Lab
    channels of every pixel (scikit-learn's default: one k-means++ start).
    Slow at 1 MP (hundreds of thousands of samples); :func:`merge_kmeans` reaches
    the same or a lower objective with one weighted sample per superpixel.

    Returns
    -------
    labels : ndarray of int64, shape ``(H, W)``
    """
    from sklearn.cluster import KMeans

    ids, present, feats, counts = _lab_of_superpixels(image, segments, channels)
    lut = np.zeros((int(ids.max()) + 1, feats.shape[1]))
    lut[present] = feats
    km = KMeans(n_clusters=check_int("k", k, 1, present.size), random_state=0).fit(lut[ids])
    return km.labels_.astype(np.int64).reshape(np.asarray(segments).shape)


def label_agreement(a: np.ndarray, b: np.ndarray) -> float:
    """Share of pixels two clusterings agree on, after matching their cluster ids one to one (Hungarian).

    Returns
    -------
    agreement : float
        In [0, 1]; 1 when the partitions are the same up to renumbering.
    """
    from scipy.optimize import linear_sum_assignment

    a, b = np.asarray(a).ravel(), np.asarray(b).ravel()
    if a.shape != b.shape:
        raise ValueError(f"The label images differ in size ({a.size} and {b.size} pixels); pass matching arrays.")
    _, ai = np.unique(a, return_inverse=True)
    _, bi = np.unique(b, return_inverse=True)
    table = np.zeros((ai.max() + 1, bi.max() + 1), dtype=np.int64)
    np.add.at(table, (ai, bi), 1)
    rows, cols = linear_sum_assignment(-table)
    return float(table[rows, cols].sum() / max(a.size, 1))


#: Seconds per pixel measured on the project's 2-core machine at 1 MP (quickshift at kernel_size 3).
SECONDS_PER_PIXEL = {"slic": 1.0e-6, "felzenszwalb": 2.4e-6, "quickshift": 4.5e-6, "watershed": 0.9e-6}


def estimate_seconds(method: str, shape: tuple[int, ...], **params) -> float:
    """A rough compute time for :func:`segment` (quickshift grows with ``kernel_size`` squared).

    Parameters
    ----------
    method : str
    shape : tuple of int
        The image's shape ``(H, W[, C])``.

    Returns
    -------
    seconds : float
    """
    seconds = SECONDS_PER_PIXEL[method] * shape[0] * shape[1]
    if method == "quickshift":
        seconds *= max(float(params.get("kernel_size", 3.0)), 1.0) ** 2 / 9.0
    return seconds
