"""Benchmark: Harris corners and ORB keypoints (core.keypoints vs the tutorial's code).

The camera-man (the page's default image) resized to the requested size.

* ``harris``: "core" = :func:`core.keypoints.harris_corners` with the page's
  default (the tutorial's era: ``min_distance=10, threshold_rel=0.1``);
  "tutorial" = the tutorial's cell as written, ``feature.corner_peaks(
  feature.corner_harris(camera))`` — with today's ``corner_peaks`` defaults
  (``min_distance=1``, no threshold), which keeps every local maximum.
  Quality: number of corners.
* ``orb 400``: "core" = :func:`core.keypoints.orb_features` (400, 0.02);
  "tutorial" = the exercise written directly,
  ``ORB(n_keypoints=400, fast_threshold=0.02).detect_and_extract(camera)``.
  Quality: number of keypoints (the same code underneath: ≤ 400 each).
"""

from __future__ import annotations

from benchmarks._harness import measure, photo, row


def run(megapixels: float, repeat: int = 3) -> list[dict]:
    from skimage import feature
    from skimage.util import img_as_float

    from core.keypoints import harris_corners, orb_features

    image = photo(megapixels, "camera")
    gray = img_as_float(image)
    rows = []

    def core_harris():
        return harris_corners(image, min_distance=10, threshold_rel=0.1)

    def tutorial_harris():
        return feature.corner_peaks(feature.corner_harris(image))

    for variant, fn in (("core", core_harris), ("tutorial", tutorial_harris)):
        seconds, peak, result = measure(fn, repeat)
        rows.append(row("harris", variant, megapixels, seconds, peak, "corners", len(result)))

    def core_orb():
        return orb_features(image, n_keypoints=400, fast_threshold=0.02)

    def tutorial_orb():
        orb = feature.ORB(n_keypoints=400, fast_threshold=0.02)
        orb.detect_and_extract(gray)
        return orb.keypoints

    for variant, fn in (("core", core_orb), ("tutorial", tutorial_orb)):
        seconds, peak, result = measure(fn, repeat)
        rows.append(row("orb 400", variant, megapixels, seconds, peak, "keypoints", len(result)))
    return rows
