"""Benchmark: image registration and panorama stitching (core.panorama vs the tutorial's pipeline).

* ``register pair``: pairs built from bundled photos (astronaut, coffee,
  chelsea, camera, china, immunohistochemistry — gray, resized to the requested
  size) warped by random homographies with :func:`core.panorama.synthetic_pair`:
  ±12° rotation, ±10 % scale, ±12 % shift, ±3 % corner jitter (mild
  perspective), gain 1 ± 0.2, offset ± 0.05 and Gaussian noise σ = 0.01 (``tests/panorama_data.py``).
  "core" = :func:`core.panorama.register` at its defaults (the improved pipeline: ORB 2000 on 3 levels,
  fast_threshold 0.04, cross-check + ratio 0.8, RANSAC 2 px / 1000 trials,
  scale-weighted least-squares refit); "tutorial" = scikit-image's stitching
  tutorial as written (ORB(n_keypoints=800, fast_threshold=0.05),
  match_descriptors(cross_check=True), ransac(ProjectiveTransform,
  min_samples=4, residual_threshold=1, max_trials=300)).
  Time: median over ``repeat`` runs on the first pair. Quality: mean corner
  error (px) over all pairs (12 pairs ≤ 0.5 MP, 4 ≤ 2 MP, else 2) — the mean distance
  between the moving image's 4 corners mapped by the estimated and the true
  homography. Targets: core ≤ 0.5 px, ≤ 1 s at 0.3 MP.
* ``stitch 3 views``: the page's demo (3 views cut from *china*, which is
  resized to the requested size; overlap :data:`core.panorama.OVERLAP`)
  stitched with feathering, core only. Quality: mean ground-truth corner error
  of the two side views. Target ≤ 3 s.
* ``stitch arches``: the page's default — the tutorial's three Arches photos
  (477×720 each, whatever the requested size) with the tutorial's settings and
  seams, end to end (ORB, matching, RANSAC, warp, blend), core only.
"""

from __future__ import annotations

import numpy as np

from benchmarks._harness import measure, photo, row

PHOTOS = ("astronaut", "coffee", "chelsea", "camera", "china", "immunohistochemistry")


def tutorial_register(moving: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """The stitching tutorial's registration, as written (``model_robust01`` of its step 2)."""
    from skimage.feature import ORB, match_descriptors
    from skimage.measure import ransac
    from skimage.transform import ProjectiveTransform

    orb = ORB(n_keypoints=800, fast_threshold=0.05)
    orb.detect_and_extract(moving)
    keypoints0, descriptors0 = orb.keypoints, orb.descriptors
    orb.detect_and_extract(fixed)
    keypoints1, descriptors1 = orb.keypoints, orb.descriptors
    matches01 = match_descriptors(descriptors0, descriptors1, cross_check=True)
    src = keypoints0[matches01[:, 0]][:, ::-1]
    dst = keypoints1[matches01[:, 1]][:, ::-1]
    model_robust01, inliers01 = ransac((src, dst), ProjectiveTransform, min_samples=4, residual_threshold=1,
                                       max_trials=300)
    return model_robust01.params


def pairs(megapixels: float, count: int):
    from core.images import to_gray
    from tests.panorama_data import synthetic_pair

    out = []
    for k in range(count):
        image = to_gray(photo(megapixels, PHOTOS[k % len(PHOTOS)]))
        out.append(synthetic_pair(image, seed=k))
    return out


def run(megapixels: float, repeat: int = 3) -> list[dict]:
    from core.images import load_sample
    from core.panorama import ARCHES, PRESETS, SCHEMA, batch_outputs, corner_error, demo_views, register, stitch

    rows = []
    data = pairs(megapixels, 12 if megapixels <= 0.5 else 4 if megapixels <= 2 else 2)
    moving0, fixed0, _ = data[0]

    def core_fn(moving, fixed):
        return register(moving, fixed).matrix

    for variant, fn in (("core", core_fn), ("tutorial", tutorial_register)):
        seconds, peak, _ = measure(lambda fn=fn: fn(moving0, fixed0), repeat)
        errors = []
        for moving, fixed, truth in data:
            try:
                errors.append(corner_error(fn(moving, fixed), truth, moving.shape))
            except Exception:
                errors.append(np.inf)
        rows.append(row("register pair", variant, megapixels, seconds, peak, "mean corner error px",
                        float(np.mean(errors)), max_error=float(np.max(errors))))

    source = photo(megapixels, "china")
    demo = demo_views(source, n_views=3, seed=0)
    seconds, peak, pano = measure(lambda: stitch(demo.views, blend="feather"), repeat)
    anchor = pano.anchor
    errs = [corner_error(np.linalg.inv(pano.matrices[anchor]) @ pano.matrices[i], demo.true_matrix(i, anchor),
                         demo.views[i].shape) for i in range(3) if i != anchor]
    rows.append(row("stitch 3 views", "core", megapixels, seconds, peak, "mean corner error px",
                    float(np.mean(errs))))
    arches = [load_sample(name) for name in ARCHES]
    values = SCHEMA.parse({}, base={**SCHEMA.defaults(), **PRESETS["Tutorial: Arches"]})
    seconds, peak, out = measure(lambda: batch_outputs(arches, values), 1)
    rows.append(row("stitch arches", "core", megapixels, seconds, peak, "inliers of image 1",
                    out["summary"]["inliers_1"]))
    return rows
