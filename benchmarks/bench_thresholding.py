"""Benchmark: automatic thresholds (core.thresholding vs the tutorial's code).

The camera photo is resized to the requested size (uint8 gray). "tutorial" is
the tutorial's cells as written: ``exposure.histogram(camera)`` and
``filters.threshold_otsu(camera)``, then the binary image ``camera > val``
(the tutorial draws it as a contour). "core" is what the page computes for
Otsu: threshold, histogram, Otsu's between-class variance curve, binary image
and the yellow contour overlay. Quality: the threshold (both must agree).
Multi-Otsu (3 and 5 classes: the page's estimate for 5 comes from here) and the page's seven-method table are
timed for core only.
"""

from __future__ import annotations

import numpy as np

from benchmarks._harness import measure, photo, row


def _tutorial(camera):
    from skimage import exposure, filters

    hi = exposure.histogram(camera)
    val = filters.threshold_otsu(camera)
    return val, hi, camera > val


def _core_otsu(gray):
    from core import thresholding as T

    result = T.threshold_image(gray, "otsu")
    hist = T.histogram(gray)
    variance = T.otsu_variance(gray)
    overlay = T.threshold_overlay(gray, result.labels)
    return float(result.thresholds[0]), hist, variance, overlay


def _core_multi(gray, classes=3):
    from core import thresholding as T

    return T.threshold_image(gray, "multiotsu", classes=classes)


def _core_all(gray):
    from core import thresholding as T

    return [T.auto_threshold(gray, m) for m in T.METHODS]


def run(megapixels: float, repeat: int = 3) -> list[dict]:
    """Time the variants on the camera photo at ``megapixels``; one dict per (technique, variant)."""
    gray = photo(megapixels, "camera")
    mp = gray.size / 1e6
    rows = []
    seconds, peak, out = measure(lambda: _core_otsu(gray), repeat)
    rows.append(row("threshold otsu", "core", mp, seconds, peak, "threshold", out[0]))
    seconds, peak, out = measure(lambda: _tutorial(gray), repeat)
    rows.append(row("threshold otsu", "tutorial", mp, seconds, peak, "threshold", float(out[0])))
    seconds, peak, out = measure(lambda: _core_multi(gray), repeat)
    rows.append(row("multi-otsu (3 classes)", "core", mp, seconds, peak, "first threshold",
                    float(out.thresholds[0])))
    seconds, peak, out = measure(lambda: _core_multi(gray, 5), 1)  # seconds: one run is enough
    rows.append(row("multi-otsu (5 classes)", "core", mp, seconds, peak, "first threshold",
                    float(out.thresholds[0])))
    seconds, peak, out = measure(lambda: _core_all(gray), repeat)
    rows.append(row("all 7 methods", "core", mp, seconds, peak, "spread of thresholds",
                    float(np.ptp(out))))
    return rows
