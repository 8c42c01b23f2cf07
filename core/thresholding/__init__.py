"""Global thresholding — one technique: schema, stages and batch outputs.

Stages, each cacheable: :func:`gray_ubyte` (image → 0…255 gray), then
:func:`threshold_image` (gray → thresholds and classes), then the display-only
comparison with a manual threshold (:func:`manual_comparison`). :data:`SCHEMA`
declares every parameter of the page once; :func:`batch_outputs` gives what the
page shows for ``python -m imlab run``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from core.schema import Bool, Choice, Int, Schema
from core.thresholding.algorithms import (
    MAX_CLASSES,
    METHODS,
    ThresholdResult,
    apply_thresholds,
    as_gray,
    auto_threshold,
    class_edges,
    gray_ubyte,
    histogram,
    multi_otsu,
    otsu_variance,
    threshold_image,
    threshold_overlay,
)

__all__ = [
    "MAX_CLASSES", "METHODS", "METHOD_HELP", "METHOD_LABELS", "PRESETS", "SCHEMA", "ThresholdResult", "all_methods",
    "apply_thresholds", "as_gray", "auto_threshold", "batch_outputs", "class_edges", "class_shades", "estimate_seconds",
    "gray_ubyte", "histogram", "manual_comparison", "multi_otsu", "otsu_variance", "threshold_image",
    "threshold_overlay",
]

METHOD_LABELS = {
    "otsu": "Otsu", "li": "Li (minimum cross-entropy)", "yen": "Yen (maximum correlation)", "triangle": "Triangle",
    "isodata": "Isodata (Ridler–Calvard)", "mean": "Mean gray level", "minimum": "Minimum (valley between two peaks)",
    "multiotsu": "Multi-Otsu (several classes)",
}
METHOD_HELP = {
    "otsu": "Maximises the variance between the two classes of pixels: k-means with k=2 on gray levels.",
    "li": "Minimises the cross-entropy between the image and its two-level version (iterative).",
    "yen": "Maximises the entropic correlation of the two classes.",
    "triangle": "Draws a line from the histogram's peak to its far end; the threshold is the farthest histogram "
                "point from it. Suits one big peak with a long tail.",
    "isodata": "Iterates: the threshold is the mean of the two class means.",
    "mean": "The mean gray level. Crude, but a fine baseline.",
    "minimum": "Smooths the histogram until it has two peaks, takes the valley between them. Fails without two "
               "peaks.",
    "multiotsu": "Otsu's criterion with several thresholds: splits the pixels into 2–5 classes.",
}

SCHEMA = Schema("thresholding", [
    Choice("method", [*METHODS, "multiotsu"], "otsu", labels=METHOD_LABELS,
           help="How the threshold is chosen (skimage.filters.threshold_<method>)."),
    Int("classes", 3, 2, MAX_CLASSES, help="Multi-Otsu only: number of classes (classes − 1 thresholds)."),
    Int("manual", 128, 0, 255, help="Your own threshold (0…255), compared with the automatic one."),
    Bool("log_counts", False, help="Draw the histogram's pixel counts on a log scale (display only)."),
], image="camera")

#: Presets: each sets every value (the schema defaults, then its own).
PRESETS: dict[str, dict[str, Any]] = {
    "Tutorial (Otsu)": {**SCHEMA.defaults(), "image": "camera", "method": "otsu"},
    "Multi-Otsu, 3 classes": {**SCHEMA.defaults(), "image": "camera", "method": "multiotsu", "classes": 3},
    "Coins with Li": {**SCHEMA.defaults(), "image": "coins", "method": "li", "manual": 100},
    "Moon: triangle": {**SCHEMA.defaults(), "image": "moon", "method": "triangle", "manual": 120},
}
PRESET_HELP = {
    "Tutorial (Otsu)": "The tutorial's cells: threshold_otsu on the cameraman, its histogram and contour.",
    "Multi-Otsu, 3 classes": "Two thresholds: dark, mid and bright pixels.",
    "Coins with Li": "Bright coins on a dark ground, with Li's cross-entropy method.",
    "Moon: triangle": "A low-contrast image with one dominant peak.",
}

#: Multi-Otsu's search over 256 gray levels, seconds on this project's 2-core server, by class count: it tries
#: every set of classes − 1 thresholds (C(255, 4) ≈ 1.7e8 for 5 classes), whatever the image size.
MULTIOTSU_SECONDS = {2: 0.01, 3: 0.01, 4: 0.1, 5: 5.0}


def estimate_seconds(method: str, classes: int = 3) -> float:
    """A rough compute time of :func:`threshold_image` on a 0…255 gray image (only multi-Otsu can be slow)."""
    return MULTIOTSU_SECONDS[int(classes)] if method == "multiotsu" else 0.01


def all_methods(gray: np.ndarray) -> pd.DataFrame:
    """Every single-threshold method on one gray image.

    Returns
    -------
    table : DataFrame
        Columns ``method``, ``threshold`` (gray units; None where the method
        fails), ``foreground %`` (pixels above it) and ``note`` (why it failed).
    """
    rows = []
    for method in METHODS:
        try:
            t = auto_threshold(gray, method)
            rows.append({"method": method, "threshold": round(t, 2),
                         "foreground %": round(100 * float(np.mean(gray > t)), 1), "note": ""})
        except ValueError as err:
            rows.append({"method": method, "threshold": None, "foreground %": None, "note": str(err).split(".")[0]})
    return pd.DataFrame(rows)


def class_shades(labels: np.ndarray, classes: int) -> np.ndarray:
    """Class labels ``0 … classes-1`` as uint8 gray shades from black to white, shape ``(H, W)``."""
    return np.round(np.asarray(labels, np.float64) * 255 / max(int(classes) - 1, 1)).astype(np.uint8)


def manual_comparison(gray: np.ndarray, labels: np.ndarray, manual: int) -> tuple[np.ndarray, np.ndarray, float]:
    """The manual threshold against the automatic classes.

    Parameters
    ----------
    gray : ndarray, shape ``(H, W)``, 0…255
    labels : ndarray of int, shape ``(H, W)``
        Automatic classes (0 = at or below the first threshold).
    manual : int
        The manual threshold, 0…255.

    Returns
    -------
    mask : ndarray of bool, shape ``(H, W)``
        ``gray > manual``.
    difference : ndarray of uint8, shape ``(H, W, 3)``
        The image at half brightness, orange where only the manual threshold
        keeps a pixel, blue where only the automatic one does.
    share : float
        Fraction of pixels where the two differ.
    """
    gray = np.asarray(gray)
    mask = gray > int(manual)
    differ = mask != (np.asarray(labels) > 0)
    diff = np.stack([(gray // 2).astype(np.uint8)] * 3, axis=-1)
    diff[differ & mask] = (255, 127, 14)
    diff[differ & ~mask] = (31, 119, 180)
    return mask, diff, float(differ.mean())


def batch_outputs(image: np.ndarray, values: dict[str, Any]) -> dict[str, object]:
    """What the page shows, by file stem (see DEVELOPING "Batch outputs").

    Returns
    -------
    outputs : dict
        ``classes`` (uint8 labels: 0/1, or 0 … classes-1), ``mask`` (uint8
        0/255, or the class shades for multi-Otsu), ``contour`` (uint8 RGB),
        ``manual`` (uint8 0/255), ``histogram`` and ``thresholds`` (tables) and
        ``summary``.
    """
    gray = gray_ubyte(image)
    method, classes = values["method"], int(values["classes"])
    result = threshold_image(gray, method, classes=classes)
    mask, _, differs = manual_comparison(gray, result.labels, values["manual"])
    shown = class_shades(result.labels, classes) if method == "multiotsu" else result.labels * np.uint8(255)
    summary: dict[str, int | float | str] = {
        "method": method, "thresholds": " ".join(f"{t:g}" for t in result.thresholds),
        "foreground_percent": round(100 * float(np.mean(result.labels > 0)), 2), "manual": int(values["manual"]),
        "manual_differs_percent": round(100 * differs, 2)}
    return {"classes": result.labels, "mask": shown, "contour": threshold_overlay(gray, result.labels),
            "manual": mask.astype(np.uint8) * 255, "histogram": histogram(gray), "thresholds": all_methods(gray),
            "summary": summary}
