"""Shared measuring helpers for the benchmark modules."""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np


def measure(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, float, Any]:
    """Run ``fn`` ``repeat`` times; return (median seconds, peak MB of Python/numpy allocations, last result).

    The peak is traced by ``tracemalloc`` on one extra run (tracing slows the code, so timed runs are untraced).
    """
    times = []
    result = None
    for _ in range(max(1, repeat)):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return statistics.median(times), peak / 2**20, result


def photo(megapixels: float, name: str = "astronaut") -> np.ndarray:
    """A bundled photo resized (up or down) to about ``megapixels`` million pixels, uint8."""
    from skimage.transform import resize

    from core.images import load_sample

    image = load_sample(name)
    h, w = image.shape[:2]
    scale = (megapixels * 1e6 / (h * w)) ** 0.5
    shape = (max(8, round(h * scale)), max(8, round(w * scale))) + image.shape[2:]
    out = resize(image, shape, order=1, anti_aliasing=scale < 1, preserve_range=True)
    return np.round(out).astype(np.uint8)


def inertia(X: np.ndarray, labels: np.ndarray) -> float:
    """The k-means objective of a partition: sum of squared distances of the rows of X to their cluster's mean."""
    total = 0.0
    for c in np.unique(labels):
        part = X[labels == c]
        total += float(((part - part.mean(axis=0)) ** 2).sum())
    return total


def square_side(megapixels: float, minimum: int = 64) -> int:
    """The side of a square image of about ``megapixels`` million pixels (at least ``minimum``)."""
    return max(minimum, int(round(np.sqrt(megapixels * 1e6))))


def row(technique: str, variant: str, megapixels: float, seconds: float, peak_mb: float,
        quality_name: str = "", quality: float | None = None, **extra) -> dict:
    """One result row in the common format."""
    return {"technique": technique, "variant": variant, "megapixels": megapixels, "seconds": seconds,
            "peak_mb": peak_mb, "quality_name": quality_name, "quality": quality, **extra}


def report(text: str, out=None) -> None:
    """Print a Markdown section and, if ``out`` (a path) is given, append it to that file."""
    print(text)
    if out:
        with open(out, "a") as f:
            f.write(text)
