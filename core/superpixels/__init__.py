"""Superpixels (SLIC, Felzenszwalb, quickshift, compact watershed) and their merging — one technique.

Stages, each cacheable: :func:`segment` (image → superpixels), :func:`merge`
(superpixels → regions, by k-means on their mean colours or a region-graph cut).
:data:`SCHEMA` declares every parameter of the page once; :func:`segment_kwargs`
and :func:`merge_kwargs` translate the page's names (``fz_sigma``,
``ws_compactness``) into the stages' keyword arguments; :func:`batch_outputs`
gives what the page shows for ``python -m imlab run``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.schema import Bool, Choice, Float, Int, LogFloat, Multi, Schema
from core.superpixels.algorithms import (
    METHOD_NAMES,
    METHODS,
    merge,
    merge_kmeans,
    merge_rag,
    segment,
    segment_count,
    superpixel_means,
)
from core.superpixels.compare import (
    connected_regions,
    estimate_seconds,
    kmeans_objective,
    label_agreement,
    tutorial_kmeans,
)

__all__ = [
    "METHODS", "METHOD_NAMES", "MERGE_NAMES", "PRESETS", "SCHEMA", "batch_outputs", "connected_regions",
    "estimate_seconds", "kmeans_objective", "label_agreement", "merge", "merge_kmeans", "merge_kwargs", "merge_rag",
    "segment", "segment_count", "segment_kwargs", "superpixel_means", "tutorial_kmeans",
]

MERGE_NAMES = {"none": "None", "kmeans": "k-means on mean colours", "rag": "Region graph (RAG) cut"}

SCHEMA = Schema("superpixels", [
    Choice("method", list(METHODS), "slic", labels=METHOD_NAMES, help="The superpixel algorithm."),
    # SLIC
    Int("n_segments", 200, 10, 2000, help="SLIC: about how many superpixels (cluster centres on a grid)."),
    LogFloat("compactness", 20.0, 0.1, 100.0,
             help="SLIC: weight of space against colour; high = square, grid-like, low = hugs edges."),
    Float("sigma", 0.0, 0.0, 5.0, step=0.1, help="SLIC: Gaussian pre-smoothing, pixels."),
    Bool("slic_zero", False, help="SLIC-zero: adapt the compactness to each superpixel."),
    # Felzenszwalb
    LogFloat("scale", 100.0, 1.0, 1000.0, help="Felzenszwalb: higher = larger segments."),
    Float("fz_sigma", 0.8, 0.0, 5.0, step=0.1, help="Felzenszwalb: Gaussian pre-smoothing, pixels."),
    Int("min_size", 20, 0, 1000, step=5, help="Felzenszwalb: smaller segments are merged away, pixels."),
    # quickshift
    Float("kernel_size", 3.0, 1.0, 10.0, step=0.5, help="Quickshift: width of the density kernel, pixels "
          "(the cost grows with its square)."),
    Float("max_dist", 6.0, 1.0, 50.0, step=1.0, help="Quickshift: cut-off distance between merged modes."),
    Float("ratio", 0.5, 0.0, 1.0, step=0.05, help="Quickshift: 0…1, weight of colour against space."),
    # compact watershed
    Int("markers", 250, 10, 2000, step=10, help="Compact watershed: seeds on a grid."),
    LogFloat("ws_compactness", 0.001, 1e-5, 1.0,
             help="Compact watershed: 0 = classic watershed; higher = more regular regions."),
    # second stage
    Choice("merge", list(MERGE_NAMES), "kmeans", labels=MERGE_NAMES, help="How superpixels are joined."),
    Int("k", 5, 2, 20, help="k-means: clusters (the tutorial: 5 on spices, 8 for the astronaut exercise)."),
    Multi("channels", ["L", "a", "b"], ["a", "b"], allow_empty=True,
          help="k-means: Lab channels of the mean colours; a, b = colour only (the tutorial)."),
    Float("threshold", 29.0, 1.0, 150.0, step=1.0,
          help="RAG: neighbours whose mean RGB colours (0…255) differ by less than this merge."),
    Bool("compare", False, help="Show all four methods side by side, each with its current settings."),
], image="spices")

_TUTORIAL_SLIC = dict(method="slic", n_segments=200, compactness=20.0, sigma=0.0, slic_zero=False)
#: Presets: each sets every value (the schema defaults, then its own), so none keeps another's leftovers.
PRESETS: dict[str, dict[str, Any]] = {
    "Tutorial: SLIC → k-means": {**SCHEMA.defaults(), **_TUTORIAL_SLIC, "image": "spices", "merge": "kmeans",
                                 "k": 5, "channels": ["a", "b"]},
    "Tutorial: Felzenszwalb": {**SCHEMA.defaults(), "image": "spices", "method": "felzenszwalb", "scale": 100.0,
                               "fz_sigma": 0.8, "min_size": 20, "merge": "none"},
    "Exercise: astronaut": {**SCHEMA.defaults(), **_TUTORIAL_SLIC, "image": "astronaut", "n_segments": 500,
                            "merge": "kmeans", "k": 8},
    "Gallery: all four": {**SCHEMA.defaults(), "image": "astronaut", "compare": True, "n_segments": 250,
                          "compactness": 10.0, "sigma": 1.0, "scale": 100.0, "fz_sigma": 0.5, "min_size": 50,
                          "kernel_size": 3.0, "max_dist": 6.0, "ratio": 0.5, "markers": 250,
                          "ws_compactness": 0.001},
}
PRESET_HELP = {
    "Tutorial: SLIC → k-means": "The tutorial's cells on its spices photo: slic(n_segments=200, compactness=20), "
                                "then k-means with 5 clusters on the a, b channels of the superpixel colours.",
    "Tutorial: Felzenszwalb": "The tutorial's last cells: felzenszwalb(spices, scale=100), in mean colours.",
    "Exercise: astronaut": "The tutorial's exercise: SLIC 500 / compactness 20 on the astronaut, then k-means 8.",
    "Gallery: all four": "scikit-image's gallery comparison of the four algorithms (its parameters) on the "
                         "astronaut.",
}


def segment_kwargs(values: dict[str, Any], method: str | None = None) -> dict[str, Any]:
    """The keyword arguments of :func:`segment` for ``method`` (default: ``values["method"]``)."""
    method = method or values["method"]
    if method == "slic":
        return {"n_segments": int(values["n_segments"]), "compactness": float(values["compactness"]),
                "sigma": float(values["sigma"]), "slic_zero": bool(values["slic_zero"])}
    if method == "felzenszwalb":
        return {"scale": float(values["scale"]), "sigma": float(values["fz_sigma"]),
                "min_size": int(values["min_size"])}
    if method == "quickshift":
        return {"kernel_size": float(values["kernel_size"]), "max_dist": float(values["max_dist"]),
                "ratio": float(values["ratio"])}
    return {"markers": int(values["markers"]), "compactness": float(values["ws_compactness"])}


def merge_kwargs(values: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of :func:`merge` (``how``, ``k``, ``channels``, ``threshold``)."""
    return {"how": values["merge"], "k": int(values["k"]), "channels": tuple(values["channels"]),
            "threshold": float(values["threshold"])}


def batch_outputs(image: np.ndarray, values: dict[str, Any]) -> dict[str, object]:
    """What the page shows, by file stem (see DEVELOPING "Batch outputs").

    Parameters
    ----------
    image : ndarray, shape ``(H, W, 3)`` or ``(H, W)``, any dtype
    values : dict
        ``SCHEMA.parse(...)``'s result (``image`` is ignored).

    Returns
    -------
    outputs : dict
        ``superpixels`` (int labels), ``average`` and ``boundaries`` (uint8 RGB),
        ``regions`` / ``regions_average`` / ``regions_boundaries`` when a second
        stage is chosen, ``gallery_<method>`` boundaries when ``compare`` is on,
        and ``summary``.
    """
    from skimage.segmentation import mark_boundaries

    from core.clustering import average_colors
    from core.images import to_rgb

    rgb = to_rgb(image)

    def outline(labels):
        return (mark_boundaries(rgb, labels) * 255).astype(np.uint8)

    segments = segment(rgb, values["method"], **segment_kwargs(values))
    out: dict[str, object] = {"superpixels": segments, "average": average_colors(rgb, segments),
                              "boundaries": outline(segments)}
    summary: dict[str, int | float | str] = {"method": values["method"], "superpixels": segment_count(segments),
                                             "mean_size_px": round(segments.size / max(segment_count(segments), 1), 1)}
    if values["merge"] != "none":
        labels = merge(rgb, segments, **merge_kwargs(values))
        out.update(regions=labels, regions_average=average_colors(rgb, labels), regions_boundaries=outline(labels))
        summary.update(merge=values["merge"], clusters=segment_count(labels), connected_regions=connected_regions(labels))
    if values["compare"]:
        for method in METHODS:
            out[f"gallery_{method}"] = outline(segment(rgb, method, **segment_kwargs(values, method)))
    out["summary"] = summary
    return out
