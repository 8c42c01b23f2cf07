"""Scribble label images and their checks; probability smoothing; held-out accuracy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["HeldOutScore", "check_labels", "heldout_accuracy", "smooth_proba"]


def check_labels(labels, shape=None, n_classes=None, *, require_two=True):
    """Validate a scribble label image and return it as int32.

    Parameters
    ----------
    labels : (H, W) integer array
        0 = unlabelled, 1…K = classes.
    shape : tuple, optional
        The image's (H, W); labels must match it.
    n_classes : int, optional
        K; labels above it are refused.
    require_two : bool
        Require strokes of at least two classes.

    Returns
    -------
    labels : (H, W) int32

    Raises
    ------
    ValueError
        Wrong shape, negative or non-integer labels, no strokes, or strokes of one class only.
    """
    labels = np.asarray(labels)
    if labels.ndim != 2:
        raise ValueError(f"labels must be a 2-D (H, W) array of class numbers; got shape {labels.shape}.")
    if shape is not None and labels.shape != tuple(shape[:2]):
        raise ValueError(f"labels have shape {labels.shape} but the image is {tuple(shape[:2])}; "
                         "rasterise the strokes at the image's resolution.")
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)):
            raise ValueError("labels must be whole class numbers (0 = unlabelled, 1…K).")
    elif labels.dtype.kind not in "uib":
        raise ValueError(f"labels must be integers; got dtype {labels.dtype}.")
    if labels.size and (labels.min() < 0 or labels.max() > 255):
        raise ValueError("labels must be in 0…255 (0 = unlabelled, 1…K = classes).")
    labels = labels.astype(np.int32)
    if n_classes is not None and labels.size and labels.max() > n_classes:
        raise ValueError(f"labels go up to {labels.max()} but there are only {n_classes} classes.")
    if require_two:
        check_two_classes(labels)
    return labels


def check_two_classes(labels):
    """Raise a ValueError unless ``labels`` holds strokes of at least two classes."""
    present = np.unique(np.asarray(labels)[np.asarray(labels) > 0])
    if present.size == 0:
        raise ValueError("no scribbles yet: draw at least one stroke in each of two classes")
    if present.size == 1:
        raise ValueError(f"only class {present[0]} has strokes: draw a stroke in at least one other class so "
                         "the classifier has something to tell apart")


def smooth_proba(proba, sigma):
    """Gaussian-smooth each probability map (sigma in pixels; 0 = unchanged), renormalised.

    Parameters
    ----------
    proba : (H, W, K) float array
    sigma : float

    Returns
    -------
    proba : (H, W, K) float32, rows sum to 1
    """
    proba = np.asarray(proba, dtype=np.float32)
    if sigma is None or sigma <= 0:
        return proba
    from core.trainable._filters import _gauss_stack_fft
    out = _gauss_stack_fft(proba, [float(sigma)] * proba.shape[-1])
    np.maximum(out, 0, out=out)
    s = out.sum(axis=-1, keepdims=True)
    np.divide(out, s, out=out, where=s > 0)
    return out


@dataclass
class HeldOutScore:
    """Accuracy on held-out (check) strokes.

    Attributes
    ----------
    accuracy : float
        Fraction of check pixels classified as their stroke's class.
    n_pixels : int
    per_class : pandas.DataFrame
        Columns ``class``, ``pixels``, ``correct``, ``accuracy``.
    """

    accuracy: float
    n_pixels: int
    per_class: pd.DataFrame


def heldout_accuracy(prediction, check_labels_, class_names=None):
    """Accuracy of a segmentation on strokes kept out of training.

    Parameters
    ----------
    prediction : (H, W) int array of classes 1…K
    check_labels_ : (H, W) int array, 0 = not a check pixel, k = the true class
    class_names : list of str, optional

    Returns
    -------
    HeldOutScore
    """
    prediction = np.asarray(prediction)
    check = np.asarray(check_labels_)
    if prediction.shape != check.shape:
        raise ValueError(f"check strokes ({check.shape}) and segmentation ({prediction.shape}) differ in shape.")
    m = check > 0
    n = int(m.sum())
    if n == 0:
        raise ValueError("No check strokes: mark some strokes as 'check' to measure accuracy.")
    t, p = check[m], prediction[m]
    rows = []
    for c in np.unique(t):
        sel = t == c
        name = class_names[c - 1] if class_names is not None and 0 < c <= len(class_names) else f"class {c}"
        rows.append({"class": name, "pixels": int(sel.sum()), "correct": int((p[sel] == c).sum()),
                     "accuracy": float((p[sel] == c).mean())})
    return HeldOutScore(accuracy=float((t == p).mean()), n_pixels=n, per_class=pd.DataFrame(rows))
