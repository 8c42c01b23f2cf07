"""Benchmark: Gabor filtering by FFT (core.gabor) vs the tutorial's direct convolution.

Two techniques, on the astronaut photo resized to the requested size:

* **gabor bank, 30 features** — the tutorial's ``_compute_features``: for each RGB channel,
  ``filters.gabor`` at frequencies ``np.logspace(-3, 1, 5, base=2)`` × θ ∈ {0, π/2}, magnitude.
  "tutorial" is that code as written; "core" is :func:`core.gabor.gabor_bank` on each channel
  with the same (aliasing) frequencies, one FFT of the image shared by all kernels.
  Quality: the largest absolute difference between the two feature stacks (computed once,
  on the tutorial run's output).
* **gabor power panel** — the page's tutorial figure: ``power`` (normalised image, mode='wrap')
  for frequencies 0.1 and 0.4 on one image. "tutorial" = ``ndi.convolve`` as in the tutorial;
  "core" = :func:`core.gabor.normalized_power`. Quality: max abs difference.

The tutorial variants are skipped above 1.1 MP (minutes per run).
"""
from __future__ import annotations

import numpy as np

from benchmarks._harness import measure, photo, row

TUTORIAL_MAX_MP = 1.1


def _tutorial_features(im):
    from tests.tutorial_code import _compute_features  # the tutorial's _compute_features, as written

    return _compute_features(im)


def _core_features(im):
    from core.gabor import TUTORIAL_FREQUENCIES, gabor_bank
    return [gabor_bank(im[..., ch], TUTORIAL_FREQUENCIES, (0.0, np.pi / 2), allow_alias=True)
            for ch in range(im.shape[-1])]


def _tutorial_power(image, kernels):
    import scipy.ndimage as ndi

    def power(image, kernel):
        image = (image - image.mean()) / image.std()
        return np.sqrt(ndi.convolve(image, np.real(kernel), mode="wrap") ** 2 +
                       ndi.convolve(image, np.imag(kernel), mode="wrap") ** 2)
    return [power(image, k) for k in kernels]


def _core_power(image, kernels):
    from core.gabor import normalized_power
    return [normalized_power(image, k) for k in kernels]


def run(megapixels: float, repeat: int = 3) -> list[dict]:
    """Time the variants at ``megapixels``; one dict per (technique, variant)."""
    from skimage.filters import gabor_kernel

    from core.images import to_gray
    rgb = photo(megapixels, "astronaut")
    mp = rgb.shape[0] * rgb.shape[1] / 1e6
    rows = []
    s, peak, core_out = measure(lambda: _core_features(rgb), repeat)
    core_stack = np.stack([np.moveaxis(c, -1, 0) for c in core_out])  # (3, 10, H, W)
    quality = None
    if mp <= TUTORIAL_MAX_MP:
        ts, tpeak, tut = measure(lambda: _tutorial_features(rgb), repeat)
        quality = float(np.abs(core_stack - tut).max())
        rows.append(row("gabor bank, 30 features", "tutorial", mp, ts, tpeak, "max |core − tutorial|", 0.0))
    rows.append(row("gabor bank, 30 features", "core", mp, s, peak, "max |core − tutorial|", quality))

    gray = to_gray(rgb)
    kernels = [gabor_kernel(f, theta=0) for f in (0.1, 0.4)]
    s, peak, core_p = measure(lambda: _core_power(gray, kernels), repeat)
    quality = None
    if mp <= TUTORIAL_MAX_MP:
        ts, tpeak, tut_p = measure(lambda: _tutorial_power(gray, kernels), repeat)
        quality = float(max(np.abs(a - b).max() for a, b in zip(core_p, tut_p, strict=True)))
        rows.append(row("gabor power (0.1, 0.4)", "tutorial", mp, ts, tpeak, "max |core − tutorial|", 0.0))
    rows.append(row("gabor power (0.1, 0.4)", "core", mp, s, peak, "max |core − tutorial|", quality))
    return rows
