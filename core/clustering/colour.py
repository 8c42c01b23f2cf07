"""Colour k-means: every pixel a sample, its Lab colour the features (the tutorial's cells).

Stages, each cacheable: :func:`color_kmeans_fit` (colour conversion, fit,
labels) → :func:`cluster_views` (average-colour image, boundaries, cluster map,
palette). :data:`SCHEMA` declares the page's parameters once and
:func:`kmeans_kwargs` turns them into :func:`color_kmeans_fit`'s keywords.

Two ways to fit, both converting only what must be converted (exact Lab values
of a 256-entry transfer curve, :mod:`core.clustering.lab`):

- ``fit="all"``: the tutorial's own call, ``KMeans(n_clusters=k,
  random_state=seed).fit(X)`` on every pixel: the same labels as the tutorial's code.
- ``fit="sample"``: k-means on 10,000 random pixels (3 restarts), then every
  *distinct colour* is labelled once and the labels are looked up per pixel —
  the same labels as converting and predicting every pixel, several times faster.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core._threads import limit_threads
from core._validation import check_int
from core.clustering._base import (
    DEFAULT_MAX_SAMPLES,
    _spread,
    average_colors,
    cluster_palette,
    colour_rows,
    parse_channels,
)
from core.clustering.lab import unique_colors
from core.images import to_rgb
from core.schema import Choice, Int, Multi, Schema

__all__ = ["PRESETS", "SCHEMA", "ColorKMeansResult", "batch_outputs", "cluster_map", "cluster_views",
           "color_kmeans", "color_kmeans_fit", "kmeans_kwargs"]

FIT_LABELS = {"all": "Every pixel (the tutorial's fit)", "sample": "A 10,000-pixel sample (faster)"}
VIEW_LABELS = {"average": "Average colours", "boundaries": "Boundaries", "labels": "Cluster map"}

SCHEMA = Schema("colour_clustering", [
    Choice("color_space", ["lab", "rgb"], "lab", labels={"lab": "Lab", "rgb": "RGB"},
           help="Lab separates lightness (L) from colour (a, b); RGB mixes them."),
    Multi("channels", ["L", "a", "b"], ["a", "b"], allow_empty=True,
          help="The Lab channels used as features: the tutorial uses a and b (colour without lightness). "
               "Ignored for RGB, which uses R, G and B."),
    Int("k", 2, 2, 12, help="Number of colour groups k-means finds."),
    Int("seed", 0, 0, 999, help="random_state of KMeans (and of the pixel sample)."),
    Choice("fit", ["all", "sample"], "all", labels=FIT_LABELS,
           help="Every pixel: the tutorial's KMeans(n_clusters=k, random_state=seed).fit(X), the same labels as "
                "its code. A sample: 3 restarts on 10,000 random pixels, then every pixel labelled — several "
                "times faster, often a lower objective."),
    Choice("view", ["average", "boundaries", "labels"], "average", labels=VIEW_LABELS,
           help="How the clusters are shown."),
    Int("iris_k", 3, 1, 10, help="k of the iris k-means (the tutorial uses 3, the number of species)."),
], image="round_pill")

_TUTORIAL = dict(color_space="lab", seed=0, fit="all")
#: Presets: every value their result depends on. ``image`` of an exercise is kept when the person uploaded one.
PRESETS: dict[str, dict] = {
    "Tutorial: round pill, a, b, k = 2": dict(_TUTORIAL, image="round_pill", channels=["a", "b"], k=2,
                                              view="average"),
    "Tutorial: chapel floor, L, a, b, k = 4": dict(_TUTORIAL, image="chapel_floor", channels=["L", "a", "b"], k=4,
                                                   view="average"),
    "Exercise: chapel floor, a, b, k = 3": dict(_TUTORIAL, image="chapel_floor", channels=["a", "b"], k=3,
                                                view="average"),
    "Tutorial: spices, k-means alone, k = 10": dict(_TUTORIAL, image="spices", channels=["a", "b"], k=10,
                                                    view="boundaries"),
}
EXERCISES = ("Exercise: chapel floor, a, b, k = 3",)
PRESET_HELP = {
    "Tutorial: round pill, a, b, k = 2": "The tutorial's first cell: rgb2lab, only a and b, "
                                         "KMeans(n_clusters=2, random_state=0) on every pixel.",
    "Tutorial: chapel floor, L, a, b, k = 4": "The chapel-floor cell: all three Lab channels, k = 4.",
    "Exercise: chapel floor, a, b, k = 3": "The exercise: 3 clusters from the colour channels only — light and "
                                           "dark tiles of one hue fall together. Keeps your upload if you made one.",
    "Tutorial: spices, k-means alone, k = 10": "The spices cell before superpixels: pixel k-means with k = 10 is "
                                               "noisy on texture — relief and shade split every heap.",
}

#: One flat colour per cluster for the 'cluster map' view (Plotly's qualitative palette).
MAP_COLOURS = np.array([[int(h[i:i + 2], 16) for i in (1, 3, 5)] for h in (
    "#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880", "#ff97ff",
    "#fecb52")], dtype=np.uint8)


@dataclass
class ColorKMeansResult:
    """What :func:`color_kmeans_fit` found.

    Attributes
    ----------
    labels : ndarray of int64, shape ``(H, W)``
        Cluster of every pixel, in ``0 … n_clusters-1``.
    centers : ndarray of float64, shape ``(n_clusters, n_channels)``
        Cluster centres in feature units (Lab units, or RGB in [0, 1]).
    inertia : float
        Sum of squared distances of *all* pixels to their centre (feature units²).
    n_fit : int
        Rows the model was fitted on (pixels, or distinct colours).
    channels : tuple of str
    color_space : str
    """

    labels: np.ndarray
    centers: np.ndarray
    inertia: float
    n_fit: int
    channels: tuple
    color_space: str


def kmeans_kwargs(values: dict) -> dict:
    """The page's values (``SCHEMA.parse`` output) → :func:`color_kmeans_fit` keywords."""
    every = values["fit"] == "all"
    return dict(n_clusters=int(values["k"]), channels=tuple(values["channels"]), color_space=values["color_space"],
                random_state=int(values["seed"]), max_samples=None if every else DEFAULT_MAX_SAMPLES,
                n_init="auto" if every else 3)


def _too_few(n_distinct: int, k: int) -> ValueError:
    return ValueError(f"The image has only {n_distinct} distinct colours in the chosen channels, fewer than "
                      f"k = {k}; lower k to at most {n_distinct}.")


def color_kmeans_fit(image: np.ndarray, n_clusters: int, *, channels="ab", color_space: str = "lab",
                     random_state: int = 0, max_samples: int | None = DEFAULT_MAX_SAMPLES,
                     n_init: int | str = 3) -> ColorKMeansResult:
    """Cluster the pixels of an image by colour with k-means.

    Parameters
    ----------
    image : ndarray
        ``(H, W, 3)`` RGB, ``(H, W, 4)`` RGBA or ``(H, W)`` gray, any dtype
        (converted to uint8 RGB with :func:`core.images.to_rgb`).
    n_clusters : int
        k, ≥ 1 and at most the number of distinct colours.
    channels : str or iterable of str, optional
        Any non-empty subset of ``L, a, b`` (default ``"ab"``, the tutorial's).
        Ignored for ``color_space="rgb"``.
    color_space : {"lab", "rgb"}, optional
    random_state : int, optional
        Seed of k-means and of the pixel sample.
    max_samples : int or None, optional
        ``None``: fit on every pixel, in raster order, as the tutorial does.
        Otherwise fit on that many random pixels (``default_rng(random_state)``,
        indices sorted) and label every distinct colour once.
    n_init : int or "auto", optional
        k-means restarts (``"auto"``: scikit-learn's default, the tutorial's).

    Returns
    -------
    result : ColorKMeansResult

    Raises
    ------
    ValueError
        If k exceeds the distinct colours, the chosen Lab channels do not vary
        (a, b of a gray image), or a parameter is invalid.
    """
    from sklearn.cluster import KMeans

    image = np.asarray(image)
    if image.ndim not in (2, 3) or image.size == 0:
        raise ValueError(f"Expected a gray (H, W) or colour (H, W, 3) image; got shape {image.shape}.")
    names = parse_channels(channels, color_space)
    space = str(color_space).lower()
    k = check_int("n_clusters", n_clusters, 1)
    rgb = to_rgb(image)
    flat = rgb.reshape(-1, 3)
    n = flat.shape[0]
    colors, counts, codes = unique_colors(flat)
    feats_u = colour_rows(colors, names, space)  # every distinct colour, converted once
    if space == "lab" and _spread(feats_u) < 0.5:
        hint = " (a gray image has a = b = 0 everywhere)" if "L" not in names else ""
        raise ValueError(f"The image has no colour variation in the chosen Lab channels ({', '.join(names)}){hint}: "
                         "there is nothing to cluster. Add L to the channels, or choose a colour image.")
    if colors.shape[0] < k or (colors.shape[0] < 50_000 and len(np.unique(feats_u, axis=0)) < k):
        raise _too_few(len(np.unique(feats_u, axis=0)), k)
    # One OpenMP thread: on a busy server scikit-learn's spinning threads make small fits up to 100× slower.
    with limit_threads(1, user_api="openmp"):
        if max_samples is None or n <= max_samples:
            feats = colour_rows(flat, names, space)
            km = KMeans(n_clusters=k, random_state=random_state, n_init=n_init).fit(feats)
            labels = km.labels_.astype(np.int64)
            inertia = float(((feats - km.cluster_centers_[labels]) ** 2).sum())
            n_fit = n
        else:
            rng = np.random.default_rng(random_state)
            idx = np.sort(rng.choice(n, size=int(max_samples), replace=False))
            fit_x, weight = colour_rows(flat[idx], names, space), None
            if len(np.unique(fit_x, axis=0)) < k:  # the sample missed rare colours: fit on every colour
                fit_x, weight = feats_u, counts.astype(np.float64)
            km = KMeans(n_clusters=k, random_state=random_state, n_init=n_init).fit(fit_x, sample_weight=weight)
            labels_u = km.predict(feats_u)
            inertia = float((((feats_u - km.cluster_centers_[labels_u]) ** 2).sum(axis=1)) @ counts)
            table = np.zeros(1 << 24, dtype=np.uint8)  # colour code → cluster (pages touched only where used)
            table[(colors[:, 0].astype(np.uint32) << 16) | (colors[:, 1].astype(np.uint32) << 8) | colors[:, 2]] = \
                labels_u
            labels = table[codes].astype(np.int64)
            n_fit = fit_x.shape[0]
    return ColorKMeansResult(labels=labels.reshape(rgb.shape[:2]), centers=km.cluster_centers_.astype(np.float64),
                             inertia=inertia, n_fit=int(n_fit), channels=names, color_space=space)


def color_kmeans(image: np.ndarray, n_clusters: int, **kwargs) -> np.ndarray:
    """The ``(H, W)`` int64 cluster labels of :func:`color_kmeans_fit` (same parameters)."""
    return color_kmeans_fit(image, n_clusters, **kwargs).labels


def cluster_map(labels: np.ndarray) -> np.ndarray:
    """Each cluster in a distinct flat colour: uint8 ``(H, W, 3)``."""
    return MAP_COLOURS[np.asarray(labels) % len(MAP_COLOURS)]


def cluster_views(image: np.ndarray, labels: np.ndarray) -> dict:
    """What the page shows for a clustering (the second stage).

    Returns
    -------
    views : dict
        ``average`` (uint8 ``(H, W, 3)``, each pixel in its cluster's mean
        colour, = ``label2rgb(kind='avg')``), ``boundaries`` (uint8, cluster
        boundaries in yellow), ``labels`` (the cluster map) and ``palette``
        (DataFrame, see :func:`core.clustering.cluster_palette`).
    """
    from skimage.segmentation import mark_boundaries

    rgb = to_rgb(image)
    return {"average": average_colors(rgb, labels),
            "boundaries": (mark_boundaries(rgb, labels, color=(1, 1, 0)) * 255).astype(np.uint8),
            "labels": cluster_map(labels), "palette": cluster_palette(rgb, labels)}


def batch_outputs(image: np.ndarray, values: dict) -> dict:
    """What the page shows, by file stem, for ``python -m imlab run`` (see DEVELOPING, batch outputs).

    Returns ``labels`` (int ``(H, W)``), ``average`` (uint8 RGB: each cluster in
    its mean colour), ``clusters`` (the palette table) and ``summary``.
    """
    result = color_kmeans_fit(image, **kmeans_kwargs(values))
    views = cluster_views(image, result.labels)
    summary = {"clusters": int(len(views["palette"])), "features": ", ".join(result.channels),
               "fitted_on": result.n_fit, "inertia": result.inertia,
               "largest_share": float(views["palette"]["share"].iloc[0])}
    return {"labels": result.labels, "average": views["average"], "clusters": views["palette"],
            "summary": summary}
