"""Scale the measured features, cluster the objects with k-means, and paint the result."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from core._threads import limit_threads
from core._validation import check_choice, check_int, constraint_error
from core.images import to_rgb
from core.objects.sources import check_labels

__all__ = [
    "PALETTE",
    "SCALINGS",
    "cluster_objects",
    "cluster_summary",
    "color_clusters",
    "color_labels",
    "feature_matrix",
    "fit_clusters",
    "highlight_object",
    "paint_clusters",
    "scale_features",
]

#: Scalings understood by :func:`scale_features`.
SCALINGS: tuple[str, ...] = ("none", "area_max", "max", "standard", "robust")

#: Cluster colours (plotly's default qualitative sequence); cluster ``c`` → ``PALETTE[c % 10]``.
PALETTE: tuple[str, ...] = ("#636EFA", "#EF553B", "#00CC96", "#AB63FA", "#FFA15A",
                            "#19D3F3", "#FF6692", "#B6E880", "#FF97FF", "#FECB52")


def _palette_rgb(palette=PALETTE) -> np.ndarray:
    return np.array([[int(h[i: i + 2], 16) for i in (1, 3, 5)] for h in palette], dtype=np.uint8)


def scale_features(features: np.ndarray, scaling: str = "standard", *, names=None) -> np.ndarray:
    """Scale a feature matrix column by column.

    Parameters
    ----------
    features : ndarray, shape (n_objects, n_features)
    scaling : {"none", "area_max", "max", "standard", "robust"}
        ``"none"``: as measured; ``"area_max"``: the tutorial's second step,
        ``data[:, 0] /= data[:, 0].max()`` — only the ``area`` column is divided by its maximum
        (needs ``names``); ``"max"``: every column divided by its largest absolute value (all-zero
        columns left alone); ``"standard"``: zero mean, unit variance
        (:class:`~sklearn.preprocessing.StandardScaler`); ``"robust"``: median removed, divided by
        the interquartile range (:class:`~sklearn.preprocessing.RobustScaler`).
    names : sequence of str, optional
        The column names (required for ``"area_max"``).

    Returns
    -------
    scaled : ndarray of float64, same shape (a new array; the input is not modified)
    """
    scaling = check_choice("scaling", scaling, SCALINGS)
    X = np.asarray(features, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"features must be a 2-D (n_objects, n_features) array; got shape {X.shape}.")
    if scaling == "none":
        return X.copy()
    if scaling == "area_max":
        names = list(names) if names is not None else []
        if "area" not in names:
            raise ValueError("'area ÷ max' divides the area by its maximum, but the area is not among the chosen "
                             "features; add it, or choose 'max' to divide every feature by its own maximum.")
        out = X.copy()
        i = names.index("area")
        top = out[:, i].max() if len(out) else 1.0
        if top > 0:
            out[:, i] /= top
        return out
    if scaling == "max":
        top = np.abs(X).max(axis=0) if len(X) else np.ones(X.shape[1])
        return X / np.where(top > 0, top, 1.0)
    from sklearn.preprocessing import RobustScaler, StandardScaler

    return (StandardScaler() if scaling == "standard" else RobustScaler()).fit_transform(X)


def feature_matrix(table: pd.DataFrame, features, scaling: str = "none") -> np.ndarray:
    """The scaled ``(n_objects, n_features)`` matrix k-means sees (see :func:`scale_features`)."""
    features = list(features)
    if not features:
        raise ValueError("Choose at least one feature to cluster on.")
    missing = [f for f in features if f not in table.columns]
    if missing:
        raise ValueError(f"Features {missing} are not in the table; measure them first (columns: {list(table.columns)}).")
    if len(table) == 0:
        raise ValueError("There are no objects to cluster; the table is empty.")
    X = table[features].to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(X)):
        raise ValueError("Some feature values are NaN or infinite; drop those features or objects.")
    return scale_features(X, scaling, names=features)


def fit_clusters(X: np.ndarray, n_clusters: int, *, random_state: int = 0) -> np.ndarray:
    """k-means (``n_init=10``) on the rows of ``X``; clusters renumbered by size.

    Parameters
    ----------
    X : ndarray, shape (n_objects, n_features)
        Scaled features (:func:`feature_matrix`).
    n_clusters : int
        k, from 1 to the number of objects.
    random_state : int
        Seed of :class:`~sklearn.cluster.KMeans`.

    Returns
    -------
    clusters : ndarray of int64, shape (n_objects,)
        0 is the largest cluster (ties: the lower k-means id), so colours stay stable when the
        scaling changes.
    """
    from sklearn.cluster import KMeans

    n = len(X)
    k = check_int("k", n_clusters, 1)
    if k > n:
        raise constraint_error("k", f"an int in the range [1, {n}] (at most the number of objects, {n})", k)
    # One OpenMP thread: a few hundred objects; spinning threads on a busy 2-core server are far slower.
    with warnings.catch_warnings(), limit_threads(1, user_api="openmp"):
        warnings.simplefilter("ignore")  # fewer distinct points than k: KMeans warns, the result is still valid
        raw = KMeans(n_clusters=k, n_init=10, random_state=int(random_state)).fit(X).labels_
    order = np.argsort(-np.bincount(raw, minlength=k), kind="stable")
    return np.argsort(order)[raw].astype(np.int64)


def cluster_objects(table: pd.DataFrame, features, n_clusters: int, *, scaling: str = "standard",
                    random_state: int = 0) -> np.ndarray:
    """:func:`feature_matrix` then :func:`fit_clusters`: a cluster id per row of ``table``."""
    return fit_clusters(feature_matrix(table, features, scaling), n_clusters, random_state=random_state)


def cluster_summary(table: pd.DataFrame, clusters: np.ndarray, features) -> pd.DataFrame:
    """Size and mean features of each cluster.

    Returns
    -------
    summary : pandas.DataFrame
        Index ``cluster``; columns ``objects`` (count), ``share`` (fraction of objects) and the mean
        of each feature (unscaled units).
    """
    clusters = np.asarray(clusters)
    if len(clusters) != len(table):
        raise ValueError(f"clusters has {len(clusters)} entries but the table has {len(table)} rows.")
    frame = table[list(features)].copy()
    frame["cluster"] = clusters
    grouped = frame.groupby("cluster")
    out = grouped.mean()
    out.insert(0, "share", grouped.size() / len(frame))
    out.insert(0, "objects", grouped.size())
    return out


def paint_clusters(labels: np.ndarray, table: pd.DataFrame, clusters: np.ndarray) -> np.ndarray:
    """Paint every object with its cluster id + 1 (the tutorial's ``reshape_cluster_labels``).

    Parameters
    ----------
    labels : ndarray of int, shape (H, W)
    table : pandas.DataFrame
        With a ``label`` column (one row per object).
    clusters : ndarray of int, shape (len(table),)

    Returns
    -------
    painted : ndarray of int32, shape (H, W)
        0 = background (and objects not in the table), ``c + 1`` for cluster ``c``.
    """
    labels = check_labels(labels)
    clusters = np.asarray(clusters)
    if len(clusters) != len(table):
        raise ValueError(f"clusters has {len(clusters)} entries but the table has {len(table)} rows.")
    ids = table["label"].to_numpy(dtype=np.int64)
    lut = np.zeros(max(int(labels.max()) if labels.size else 0, int(ids.max()) if len(ids) else 0) + 1, np.int32)
    lut[ids] = clusters.astype(np.int32) + 1
    return lut[labels]


def color_labels(labels: np.ndarray, palette=PALETTE, background=(0, 0, 0)) -> np.ndarray:
    """Colour a label image: id ``i`` → ``palette[(i - 1) % len(palette)]``, 0 → ``background``.

    Returns
    -------
    rgb : ndarray of uint8, shape (H, W, 3)
    """
    labels = check_labels(labels)
    colors = _palette_rgb(palette)
    top = int(labels.max()) if labels.size else 0
    lut = np.empty((top + 1, 3), dtype=np.uint8)
    lut[0] = background
    if top:
        lut[1:] = colors[np.arange(top) % len(colors)]
    return np.take(lut, labels, axis=0)  # = lut[labels], 3× faster at 1 MP


def color_clusters(painted: np.ndarray, background=(0, 0, 0)) -> np.ndarray:
    """Colour the output of :func:`paint_clusters` with :data:`PALETTE` (cluster c → ``PALETTE[c]``)."""
    return color_labels(painted, PALETTE, background)


def highlight_object(image: np.ndarray, labels: np.ndarray, label: int, *, dim: float = 0.35) -> np.ndarray:
    """Dim everything but one object and draw a thick yellow outline around it.

    Parameters
    ----------
    image : ndarray
        ``(H, W)`` or ``(H, W, 3)`` image of any dtype, same size as ``labels``.
    labels : ndarray of int, shape (H, W)
    label : int
        Id of the object to highlight.
    dim : float
        Brightness factor of the rest of the image (0 … 1).

    Returns
    -------
    rgb : ndarray of uint8, shape (H, W, 3)
    """
    from scipy import ndimage as ndi

    labels = check_labels(labels)
    rgb = to_rgb(image)
    if rgb.shape[:2] != labels.shape:
        raise ValueError(f"image {rgb.shape[:2]} and labels {labels.shape} must have the same height and width.")
    obj = labels == int(label)
    if not obj.any():
        raise ValueError(f"There is no object with id {label} in the label image.")
    out = (rgb.astype(np.float32) * float(dim)).astype(np.uint8)
    out[obj] = rgb[obj]
    width = max(1, round(max(labels.shape) / 256))
    rows, cols = np.nonzero(obj)
    r0, r1 = max(rows.min() - width - 1, 0), min(rows.max() + width + 2, labels.shape[0])
    c0, c1 = max(cols.min() - width - 1, 0), min(cols.max() + width + 2, labels.shape[1])
    crop = obj[r0:r1, c0:c1]
    ring = ndi.binary_dilation(crop, iterations=width + 1) & ~ndi.binary_dilation(crop, iterations=1)
    out[r0:r1, c0:c1][ring] = (255, 230, 0)
    return out
