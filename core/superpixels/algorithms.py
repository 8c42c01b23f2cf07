"""Superpixels (SLIC, Felzenszwalb, quickshift, compact watershed) and their merging.

First stage: :func:`segment` over-segments an image into superpixels, regions of
neighbouring pixels with a similar colour. Second stage: join superpixels of
the same kind, either with k-means over their mean colours
(:func:`merge_kmeans`, the tutorial's way, but with one weighted sample per
superpixel instead of one sample per pixel) or by cutting a region adjacency
graph whose edges join neighbouring superpixels of similar mean colour
(:func:`merge_rag`).
"""

from __future__ import annotations

import numpy as np

from core._threads import limit_threads
from core._validation import check_choice, check_float, check_int, constraint_error
from core.clustering import color_features, parse_channels
from core.images import to_rgb

__all__ = [
    "METHODS",
    "METHOD_NAMES",
    "merge",
    "merge_kmeans",
    "merge_rag",
    "segment",
    "segment_count",
    "superpixel_means",
]

#: Methods and their default parameters (the tutorial's for SLIC and
#: Felzenszwalb, scikit-image's gallery comparison for the others).
METHODS: dict[str, dict] = {
    "slic": {"n_segments": 200, "compactness": 20.0, "sigma": 0.0, "slic_zero": False},
    "felzenszwalb": {"scale": 100.0, "sigma": 0.8, "min_size": 20},
    "quickshift": {"kernel_size": 3.0, "max_dist": 6.0, "ratio": 0.5},
    "watershed": {"markers": 250, "compactness": 0.001},
}

#: Human names of the methods.
METHOD_NAMES = {
    "slic": "SLIC",
    "felzenszwalb": "Felzenszwalb",
    "quickshift": "Quickshift",
    "watershed": "Compact watershed",
}


def segment(image: np.ndarray, method: str = "slic", **params) -> np.ndarray:
    """Over-segment an image into superpixels.

    Parameters
    ----------
    image : ndarray
        ``(H, W, 3)`` RGB, RGBA or ``(H, W)`` gray image, any dtype (converted
        to uint8 RGB with :func:`core.images.to_rgb`, as a bundled sample is).
    method : {"slic", "felzenszwalb", "quickshift", "watershed"}
        The algorithm.
    **params
        The method's parameters (missing ones take the :data:`METHODS` defaults):

        - ``slic``: ``n_segments`` (approximate count, ≤ pixel count),
          ``compactness`` (> 0; higher = squarer, lower = follows colour more),
          ``sigma`` (Gaussian pre-smoothing, pixels), ``slic_zero`` (adaptive
          compactness) — :func:`skimage.segmentation.slic`.
        - ``felzenszwalb``: ``scale`` (> 0, higher = larger segments),
          ``sigma``, ``min_size`` (pixels) —
          :func:`skimage.segmentation.felzenszwalb`.
        - ``quickshift``: ``kernel_size`` (> 0), ``max_dist`` (≥ 0),
          ``ratio`` (0…1, colour vs space) —
          :func:`skimage.segmentation.quickshift`.
        - ``watershed``: ``markers`` (count, ≤ pixel count), ``compactness``
          (≥ 0) — :func:`skimage.segmentation.watershed` on the Sobel gradient
          of the gray image.

    Returns
    -------
    labels : ndarray of int64, shape ``(H, W)``
        One id per superpixel, as scikit-image numbers them (SLIC and
        watershed from 1, Felzenszwalb and quickshift from 0).

    Raises
    ------
    ValueError
        Unknown method or parameter, or a value out of range, with the fix.
    """
    from skimage import segmentation

    method = check_choice("method", str(method).lower(), list(METHODS))
    unknown = sorted(set(params) - set(METHODS[method]))
    if unknown:
        raise ValueError(f"{', '.join(map(repr, unknown))}: not a parameter of {method}; it takes "
                         f"{', '.join(METHODS[method])}.")
    p = {**METHODS[method], **params}
    image = np.asarray(image)
    if image.ndim not in (2, 3) or min(image.shape[:2]) < 2:
        raise ValueError(f"Expected a gray (H, W) or colour (H, W, 3) image; got shape {image.shape}. "
                         "Pass one 2-D image (gray or RGB) at least 2×2 pixels.")
    rgb = to_rgb(image)
    n_pixels = rgb.shape[0] * rgb.shape[1]
    if method == "slic":
        labels = segmentation.slic(
            rgb,
            n_segments=check_int("n_segments", p["n_segments"], 1, n_pixels),
            compactness=check_float("compactness", p["compactness"], 0, lo_open=True),
            sigma=check_float("sigma", p["sigma"], 0),
            slic_zero=bool(p["slic_zero"]),
            start_label=1,
        )
    elif method == "felzenszwalb":
        labels = segmentation.felzenszwalb(
            rgb,
            scale=check_float("scale", p["scale"], 0, lo_open=True),
            sigma=check_float("sigma", p["sigma"], 0),
            min_size=check_int("min_size", p["min_size"], 0),
        )
    elif method == "quickshift":
        labels = segmentation.quickshift(
            rgb,
            kernel_size=check_float("kernel_size", p["kernel_size"], 0, lo_open=True),
            max_dist=check_float("max_dist", p["max_dist"], 0),
            ratio=check_float("ratio", p["ratio"], 0, 1),
        )
    else:
        from skimage.color import rgb2gray
        from skimage.filters import sobel

        labels = segmentation.watershed(
            sobel(rgb2gray(rgb)),
            markers=check_int("markers", p["markers"], 1, n_pixels),
            compactness=check_float("compactness", p["compactness"], 0),
        )
    return np.asarray(labels).astype(np.int64, copy=False)


def _dense(labels: np.ndarray) -> tuple[np.ndarray, int, np.ndarray | None]:
    """Labels as flat ids ``0 … n-1`` for bincount: (ids, n, the unique values or None when ids = labels)."""
    flat = np.asarray(labels).astype(np.int64, copy=False).ravel()
    if flat.size and flat.min() >= 0 and flat.max() <= max(4 * flat.size, 1 << 16):
        return flat.astype(np.intp, copy=False), int(flat.max()) + 1, None
    uniq, inverse = np.unique(flat, return_inverse=True)
    return inverse.ravel().astype(np.intp), uniq.size, uniq


def segment_count(labels: np.ndarray) -> int:
    """Number of distinct labels (superpixels) in a label image."""
    labels = np.asarray(labels)
    if labels.size == 0:
        return 0
    ids, n, uniq = _dense(labels)
    if uniq is not None:
        return int(uniq.size)
    return int(np.count_nonzero(np.bincount(ids, minlength=n)))


def _rgb_and_segments(image: np.ndarray, segments: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The image as uint8 RGB and its superpixel labels, checked to be integers of the same (H, W)."""
    rgb = to_rgb(image)
    segments = np.asarray(segments)
    if segments.dtype.kind not in "iu":
        raise ValueError(f"segments must be an integer label image; got dtype {segments.dtype}.")
    if segments.shape != rgb.shape[:2]:
        raise ValueError(f"segments {segments.shape} and image {rgb.shape[:2]} must have the same shape.")
    return rgb, segments


def superpixel_means(image: np.ndarray, segments: np.ndarray):
    """Mean colour and size of every superpixel.

    Parameters
    ----------
    image : ndarray
        ``(H, W, 3)`` image, any dtype (converted to uint8 RGB).
    segments : ndarray of int, shape ``(H, W)``
        Superpixel labels.

    Returns
    -------
    ids : ndarray of intp, shape ``(H * W,)``
        Dense superpixel index of every pixel (raster order), in ``0 … n-1``
        where ``n`` counts label values from the smallest, empty ones included.
    present : ndarray of intp
        The dense indices that hold pixels.
    means : ndarray of uint8, shape ``(len(present), 3)``
        Mean RGB of each present superpixel, truncated to uint8 exactly as
        ``label2rgb(kind='avg')`` does on a uint8 image.
    counts : ndarray of int64, shape ``(len(present),)``
        Pixels per present superpixel.
    """
    rgb, segments = _rgb_and_segments(image, segments)
    ids, n, _ = _dense(segments)
    counts = np.bincount(ids, minlength=n)
    present = np.flatnonzero(counts)
    flat = rgb.reshape(-1, 3)
    sums = np.stack([np.bincount(ids, weights=flat[:, c], minlength=n) for c in range(3)], axis=1)
    means = (sums[present] / counts[present, None]).astype(np.uint8)
    return ids, present, means, counts[present].astype(np.int64)


def merge_kmeans(
    image: np.ndarray,
    segments: np.ndarray,
    n_clusters: int,
    *,
    channels="ab",
    color_space: str = "lab",
    random_state: int = 0,
    n_init: int = 10,
) -> np.ndarray:
    """Join superpixels of similar colour with k-means (the tutorial's second stage).

    The tutorial ran k-means on every pixel of the average-colour image. Every
    pixel of a superpixel has the same colour there, so k-means on one sample
    per superpixel, weighted by its pixel count, minimises the very same
    objective with a few hundred samples instead of a million.

    Parameters
    ----------
    image : ndarray
        ``(H, W, 3)`` RGB image, any dtype.
    segments : ndarray of int, shape ``(H, W)``
        Superpixel labels (from :func:`segment`).
    n_clusters : int
        k, at most the number of superpixels (and of their distinct colours).
    channels : str or iterable of str, optional
        Lab channels of the mean colours used as features (default ``"ab"``).
    color_space : {"lab", "rgb"}, optional
        Feature space, as on the colour-clustering page.
    random_state : int, optional
        k-means seed.
    n_init : int, optional
        k-means restarts (cheap: one sample per superpixel).

    Returns
    -------
    labels : ndarray of int64, shape ``(H, W)``
        Cluster of every pixel in ``0 … n_clusters-1``, constant inside each
        superpixel.

    Raises
    ------
    ValueError
        If k exceeds the number of superpixels or of their distinct colours, or
        the chosen Lab channels do not vary (a, b of a gray image).
    """
    names = parse_channels(channels, color_space)
    ids, present, means, counts = superpixel_means(image, segments)
    n_clusters = check_int("n_clusters", n_clusters, 1)
    if n_clusters > present.size:
        raise constraint_error("k", f"at most the number of superpixels ({present.size}): lower k or ask for "
                               "more superpixels", n_clusters)
    feats = color_features(means[:, None, :], names, color_space)
    if str(color_space).lower() == "lab" and n_clusters > 1 and float(np.ptp(feats, axis=0).max()) < 0.5:
        hint = " (a gray image has a = b = 0 everywhere)" if "L" not in names else ""
        raise ValueError(
            f"The superpixels' mean colours do not vary in the chosen Lab channels ({', '.join(names)}){hint}: "
            "there is nothing to cluster. Add L to the channels, or choose a colour image."
        )
    distinct = np.unique(feats, axis=0).shape[0]
    if distinct < n_clusters:
        raise constraint_error("k", f"at most the number of distinct superpixel colours ({distinct}): the image has "
                               f"only {distinct} distinct superpixel colours in the chosen channels; lower k",
                               n_clusters)
    from sklearn.cluster import KMeans

    # One OpenMP thread: a few hundred samples; spinning threads on a busy 2-core server are far slower.
    with limit_threads(1, user_api="openmp"):
        km = KMeans(n_clusters=n_clusters, n_init=n_init, random_state=random_state)
        seg_labels = km.fit(feats, sample_weight=counts.astype(np.float64)).labels_.astype(np.int64)
    lut = np.zeros(int(ids.max()) + 1 if ids.size else 0, dtype=np.int64)
    lut[present] = seg_labels
    return lut[ids].reshape(np.asarray(segments).shape)


def _adjacency(dense: np.ndarray, n: int) -> np.ndarray:
    """Unique pairs (i < j) of labels that touch in the 8-neighbourhood."""
    pairs = []
    shifts = (
        (dense[:, :-1], dense[:, 1:]),
        (dense[:-1, :], dense[1:, :]),
        (dense[:-1, :-1], dense[1:, 1:]),
        (dense[:-1, 1:], dense[1:, :-1]),
    )
    for a, b in shifts:
        diff = a != b
        if np.any(diff):
            x, y = a[diff].astype(np.int64), b[diff].astype(np.int64)
            lo, hi = np.minimum(x, y), np.maximum(x, y)
            pairs.append(np.unique(lo * n + hi))
    if not pairs:
        return np.zeros((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(pairs))
    return np.stack([codes // n, codes % n], axis=1)


def merge_rag(image: np.ndarray, segments: np.ndarray, threshold: float) -> np.ndarray:
    """Join neighbouring superpixels whose mean colours are closer than a threshold.

    The same partition as ``skimage.graph.cut_threshold(segments,
    skimage.graph.rag_mean_color(image, segments), threshold)``: nodes are
    superpixels, edges join superpixels that touch (8-connectivity) and weigh
    the Euclidean distance between their mean RGB colours (0…255 units);
    edges with weight ≥ ``threshold`` are cut and the connected pieces that
    remain are the merged regions. Built with numpy and
    :func:`scipy.sparse.csgraph.connected_components` instead of a Python
    callback per pixel (milliseconds instead of seconds at 1 MP).

    Parameters
    ----------
    image : ndarray
        ``(H, W, 3)`` RGB image, any dtype (converted to uint8 RGB).
    segments : ndarray of int, shape ``(H, W)``
        Superpixel labels.
    threshold : float
        Colour distance (0…442, RGB 0…255 units) below which neighbours merge.

    Returns
    -------
    labels : ndarray of int64, shape ``(H, W)``
        Merged region of every pixel, ``0 … n_regions-1``.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    threshold = check_float("threshold", threshold, 0)
    rgb, segments = _rgb_and_segments(image, segments)
    ids, n, _ = _dense(segments)
    counts = np.bincount(ids, minlength=n).astype(np.float64)
    flat = rgb.reshape(-1, 3).astype(np.float64)
    sums = np.stack([np.bincount(ids, weights=flat[:, c], minlength=n) for c in range(3)], axis=1)
    means = sums / np.maximum(counts, 1)[:, None]
    edges = _adjacency(ids.reshape(segments.shape), n)
    if edges.size:
        weight = np.linalg.norm(means[edges[:, 0]] - means[edges[:, 1]], axis=1)
        keep = edges[weight < threshold]
    else:
        keep = edges
    graph = coo_matrix(
        (np.ones(keep.shape[0], dtype=np.int8), (keep[:, 0], keep[:, 1])), shape=(n, n)
    )
    _, comp = connected_components(graph, directed=False)
    # Number the regions 0…m-1 in order of first appearance of their superpixels.
    present = np.flatnonzero(counts)
    _, first = np.unique(comp[present], return_index=True)
    remap = np.zeros(comp.max() + 1, dtype=np.int64)
    remap[comp[present][np.sort(first)]] = np.arange(first.size)
    return remap[comp[ids]].reshape(segments.shape)


def merge(image: np.ndarray, segments: np.ndarray, how: str = "kmeans", *, k: int = 5, channels="ab",
          threshold: float = 29.0) -> np.ndarray:
    """The second stage: join superpixels with :func:`merge_kmeans`, :func:`merge_rag` or not at all.

    Parameters
    ----------
    image : ndarray, shape ``(H, W, 3)`` or ``(H, W)``, any dtype
    segments : ndarray of int, shape ``(H, W)``
        Superpixel labels.
    how : {"kmeans", "rag", "none"}
    k, channels : see :func:`merge_kmeans` (``"kmeans"`` only).
    threshold : see :func:`merge_rag` (``"rag"`` only).

    Returns
    -------
    labels : ndarray of int64, shape ``(H, W)``
        The merged regions (the superpixels themselves for ``"none"``).
    """
    how = check_choice("merge", how, ["none", "kmeans", "rag"])
    if how == "kmeans":
        return merge_kmeans(image, segments, k, channels=channels)
    if how == "rag":
        return merge_rag(image, segments, threshold)
    return np.asarray(segments).astype(np.int64, copy=False)
