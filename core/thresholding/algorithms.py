"""Global thresholding: a pixel is a sample with a single feature, its gray level.

Automatic thresholds (Otsu, Li, Yen, triangle, isodata, mean, minimum) and
multi-Otsu, the histogram they are read from, Otsu's between-class variance
curve, and the binary / multi-class result with its contour drawn on the image
(the figure of the scikit-image tutorial "Image processing and machine
learning", section "Thresholding and vector quantization").

Every function takes a numpy array and returns arrays, floats or DataFrames.
Thresholds are in the units of the gray image: 0…255 for uint8 input (as in
the tutorial, where ``threshold_otsu(camera)`` is 102), 0…1 for RGB input
(converted with :func:`skimage.color.rgb2gray`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core._validation import check_choice, check_int
from core.images import to_gray, to_rgb, to_uint8

__all__ = [
    "METHODS",
    "ThresholdResult",
    "apply_thresholds",
    "as_gray",
    "auto_threshold",
    "class_edges",
    "gray_ubyte",
    "histogram",
    "multi_otsu",
    "otsu_variance",
    "threshold_image",
    "threshold_overlay",
]

#: Single-threshold methods, each the ``skimage.filters.threshold_<name>`` function.
METHODS: tuple[str, ...] = ("otsu", "li", "yen", "triangle", "isodata", "mean", "minimum")

#: Largest number of classes offered for multi-Otsu (its cost grows fast with it).
MAX_CLASSES = 5


def as_gray(image: np.ndarray) -> np.ndarray:
    """Return the 2-D gray image thresholds are computed on.

    Parameters
    ----------
    image : ndarray
        ``(H, W)`` gray image of any numeric dtype (returned unchanged, so a
        threshold keeps the image's own units), or ``(H, W, 3)`` RGB /
        ``(H, W, 4)`` RGBA (converted with ``skimage.color.rgb2gray``: float64
        in [0, 1]), or ``(H, W, 1)``.

    Returns
    -------
    gray : ndarray, shape (H, W)

    Raises
    ------
    ValueError
        For other shapes, empty images, or NaN / infinite values.
    """
    image = np.asarray(image)
    if image.dtype == bool:
        image = image.astype(np.uint8)
    if image.dtype.kind not in "uif":
        raise ValueError(f"The image must hold numbers; got dtype {image.dtype}.")
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim == 3 and image.shape[-1] in (3, 4):
        image = to_gray(image)
    if image.ndim != 2:
        raise ValueError(
            f"Expected a gray (H, W) or colour (H, W, 3) image; got shape {image.shape}. "
            "Pass a single 2-D image."
        )
    if image.size == 0:
        raise ValueError("The image is empty (0 pixels); pass an image with at least one row and column.")
    if image.dtype.kind == "f" and not np.all(np.isfinite(image)):
        raise ValueError("The image contains NaN or infinite values; replace them (e.g. np.nan_to_num) first.")
    return image


def gray_ubyte(image: np.ndarray) -> np.ndarray:
    """Return the image as uint8 gray ``(H, W)`` in 0…255 (what the page thresholds).

    uint8 gray input is returned unchanged; RGB / RGBA input goes through
    ``skimage.color.rgb2gray`` then ``skimage.util.img_as_ubyte``; other
    dtypes are scaled by their dtype range (floats: [0, 1], clipped).
    """
    image = np.asarray(image)
    if image.ndim == 2 and image.dtype == np.uint8:
        return image
    gray = as_gray(image)
    return to_uint8(to_gray(gray) if gray.dtype.kind != "f" else np.clip(gray, 0.0, 1.0))


def _check_contrast(gray: np.ndarray) -> None:
    first = gray.reshape(-1)[0]
    if np.all(gray == first):
        raise ValueError(
            f"The image has a single gray level ({first}): every pixel is the same, so no threshold "
            "separates anything (Otsu and the other methods are undefined). Choose an image with contrast."
        )


def auto_threshold(image: np.ndarray, method: str = "otsu") -> float:
    """Compute an automatic global threshold.

    Parameters
    ----------
    image : ndarray
        Gray ``(H, W)`` (any dtype) or RGB / RGBA (converted with ``rgb2gray``).
    method : {'otsu', 'li', 'yen', 'triangle', 'isodata', 'mean', 'minimum'}
        Which ``skimage.filters.threshold_<method>`` to use.

    Returns
    -------
    threshold : float
        Equal to ``skimage.filters.threshold_<method>(as_gray(image))``, in the
        gray image's units. Foreground is ``gray > threshold``.

    Raises
    ------
    ValueError
        For an unknown method, a uniform image (the threshold is undefined),
        or when the minimum method finds no two peaks in the histogram.
    """
    from skimage import filters

    method = check_choice("method", method, METHODS)
    gray = as_gray(image)
    _check_contrast(gray)
    func = getattr(filters, f"threshold_{method}")
    try:
        value = func(gray)
    except RuntimeError as err:
        raise ValueError(
            f"The {method} method failed on this image ({err}). Its histogram has no two clear peaks; "
            "try Otsu or Li instead."
        ) from None
    return float(value)


def multi_otsu(image: np.ndarray, classes: int = 3) -> np.ndarray:
    """Multi-Otsu thresholds that split the histogram into ``classes`` classes.

    Parameters
    ----------
    image : ndarray
        Gray ``(H, W)`` (any dtype) or RGB / RGBA (converted with ``rgb2gray``).
    classes : int
        Number of classes, 2 … 5.

    Returns
    -------
    thresholds : ndarray of float64, shape (classes - 1,)
        Increasing thresholds, equal to ``skimage.filters.threshold_multiotsu``.
        Use :func:`apply_thresholds` to get the class of each pixel.

    Raises
    ------
    ValueError
        If ``classes`` is out of range or the image has fewer gray levels than classes.
    """
    from skimage import filters

    classes = check_int("classes", classes, 2, MAX_CLASSES)
    gray = as_gray(image)
    _check_contrast(gray)
    levels = np.unique(gray).size
    if levels < classes:
        raise ValueError(
            f"The image has only {levels} distinct gray levels, fewer than the {classes} classes asked for; "
            f"lower classes to {levels} or less."
        )
    try:
        thresholds = filters.threshold_multiotsu(gray, classes=classes)
    except ValueError as err:
        raise ValueError(
            f"Multi-Otsu could not find {classes} classes in this image ({err}); lower the number of classes."
        ) from None
    return np.asarray(thresholds, dtype=np.float64)


def apply_thresholds(image: np.ndarray, thresholds) -> np.ndarray:
    """Class of each pixel given increasing thresholds.

    Parameters
    ----------
    image : ndarray
        Gray ``(H, W)`` or RGB (converted like :func:`as_gray`).
    thresholds : float or sequence of float
        One threshold (binary result) or several increasing ones.

    Returns
    -------
    labels : ndarray of uint8, shape (H, W)
        ``np.digitize(gray, thresholds, right=True)``: 0 below or at the first
        threshold, 1 above it, … — so with one threshold, ``labels == (gray > t)``.
    """
    gray = as_gray(image)
    bins = np.atleast_1d(np.asarray(thresholds, dtype=np.float64))
    if bins.size == 0 or np.any(np.diff(bins) < 0):
        raise ValueError("thresholds must be one value or an increasing sequence of values.")
    if bins.size == 1:  # the common binary case: one comparison, no search
        return (gray > bins[0]).view(np.uint8)
    return np.digitize(gray, bins, right=True).astype(np.uint8)


def histogram(image: np.ndarray, nbins: int = 256) -> pd.DataFrame:
    """Gray-level histogram, as ``skimage.exposure.histogram`` computes it.

    Returns
    -------
    table : DataFrame
        Columns ``intensity`` (bin centres, in the gray image's units) and
        ``count`` (pixels per bin). Integer images get one bin per value
        from their minimum to their maximum.
    """
    from skimage import exposure

    gray = as_gray(image)
    counts, centers = exposure.histogram(gray, nbins=nbins)
    return pd.DataFrame({"intensity": centers, "count": counts.astype(np.int64)})


def otsu_variance(image: np.ndarray, nbins: int = 256) -> pd.DataFrame:
    """Otsu's between-class variance for every candidate threshold.

    For a threshold ``t`` the pixels split into a dark class (``≤ t``, weight
    ``w0``, mean ``m0``) and a bright one (``w1``, ``m1``); Otsu picks the ``t``
    that maximises ``w0 · w1 · (m0 − m1)²``.

    Returns
    -------
    table : DataFrame
        Columns ``threshold`` (candidate thresholds: the histogram bin centres
        but the last, computed exactly as ``skimage.filters.threshold_otsu``
        does) and ``variance`` (between-class variance, with ``w0``, ``w1`` as
        fractions of the pixels, in squared gray units). The row with the
        largest variance is Otsu's threshold.
    """
    from skimage import exposure

    gray = as_gray(image)
    _check_contrast(gray)
    counts, centers = exposure.histogram(gray.reshape(-1), nbins, source_range="image")
    counts = counts.astype(np.float64)
    total = counts.sum()
    weight0 = np.cumsum(counts)
    weight1 = np.cumsum(counts[::-1])[::-1]
    mean0 = np.cumsum(counts * centers) / weight0
    mean1 = (np.cumsum((counts * centers)[::-1]) / weight1[::-1])[::-1]
    variance = weight0[:-1] * weight1[1:] * (mean0[:-1] - mean1[1:]) ** 2 / total**2
    return pd.DataFrame({"threshold": centers[:-1].astype(np.float64), "variance": variance})


@dataclass
class ThresholdResult:
    """Thresholds and the per-pixel classes they give.

    Attributes
    ----------
    method : str
        ``'otsu'``, …, or ``'multiotsu'``.
    thresholds : ndarray of float64, shape (n,)
        One threshold, or ``classes - 1`` for multi-Otsu.
    labels : ndarray of uint8, shape (H, W)
        Class of each pixel (0 … n); for one threshold, the binary mask.
    """

    method: str
    thresholds: np.ndarray
    labels: np.ndarray


def threshold_image(image: np.ndarray, method: str = "otsu", *, classes: int = 3) -> ThresholdResult:
    """Threshold an image with one of :data:`METHODS` or ``'multiotsu'``.

    Parameters
    ----------
    image : ndarray
        Gray ``(H, W)`` (any dtype) or RGB / RGBA (converted with ``rgb2gray``).
    method : str
        One of :data:`METHODS`, or ``'multiotsu'``.
    classes : int
        Number of classes for ``'multiotsu'`` (2 … 5); ignored otherwise.
    """
    gray = as_gray(image)  # once: colour → gray is the costly part, and both steps need it
    if method == "multiotsu":
        thresholds = multi_otsu(gray, classes)
    else:
        thresholds = np.array([auto_threshold(gray, method)])
    return ThresholdResult(method, thresholds, apply_thresholds(gray, thresholds))


def class_edges(labels: np.ndarray) -> np.ndarray:
    """Pixels with a 4-neighbour of another class.

    Equal to ``skimage.segmentation.find_boundaries(labels, mode="thick")``
    (2-pixel-wide edges), with four array comparisons instead of two
    morphological filters (about 10× faster at 1 MP).

    Parameters
    ----------
    labels : ndarray of int or bool, shape (H, W)

    Returns
    -------
    edges : ndarray of bool, shape (H, W)
    """
    labels = np.asarray(labels)
    if labels.ndim != 2:
        raise ValueError(f"labels must be a 2-D array; got shape {labels.shape}.")
    edges = np.zeros(labels.shape, dtype=bool)
    down = labels[:-1, :] != labels[1:, :]
    edges[:-1, :] |= down
    edges[1:, :] |= down
    right = labels[:, :-1] != labels[:, 1:]
    edges[:, :-1] |= right
    edges[:, 1:] |= right
    return edges


def threshold_overlay(image: np.ndarray, labels: np.ndarray, color=(255, 255, 0)) -> np.ndarray:
    """Draw the class boundaries on the image (the tutorial's yellow contour).

    Parameters
    ----------
    image : ndarray
        Gray or RGB image, any dtype, shape ``(H, W[, 3])``.
    labels : ndarray of int or bool, shape (H, W)
        Classes (e.g. from :func:`threshold_image`).
    color : tuple of 3 int
        RGB colour of the contour, 0…255.

    Returns
    -------
    overlay : ndarray of uint8, shape (H, W, 3)
    """
    labels = np.asarray(labels)
    rgb = to_rgb(image).copy()
    if labels.shape != rgb.shape[:2]:
        raise ValueError(f"labels has shape {labels.shape} but the image is {rgb.shape[:2]}; pass matching arrays.")
    rgb[class_edges(labels)] = np.asarray(color, dtype=np.uint8)
    return rgb
