"""Image registration and panorama stitching from ORB keypoints.

The tutorial's "longer example" (scikit-image's panorama-stitching notebook,
on the three JDW Arches photos): ORB keypoints in every image →
:func:`~core.panorama.matching.match_features` → a robust transform
(:func:`~core.panorama.estimation.estimate_transform`, RANSAC) → every image
warped into the anchor image's plane and blended
(:func:`~core.panorama.compositing.compose`: averaged, feathered, or cut along a
minimum-cost seam). Each stage is a public function the page caches;
:func:`stitch` takes the registrations the page already computed, so what is
shown is what is used. :data:`SCHEMA` declares the page's parameters once.

Submodules: ``geometry`` (outlines, matrices, sanity checks), ``matching``,
``estimation``, ``compositing``, ``demo`` (views with a known truth).
Keypoints are ``(row, col)``; transforms act on ``(x, y) = (col, row)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.images import check_image
from core.keypoints import ORBFeatures, ORBParams, orb_features
from core.panorama.compositing import BLENDS, MAX_CANVAS_SIDE, Panorama, compose, draw_matches
from core.panorama.demo import OVERLAP, DemoViews, demo_views
from core.panorama.estimation import (
    MIN_INLIERS,
    MODELS,
    Registration,
    RegistrationParams,
    estimate_transform,
    register_features,
)
from core.panorama.geometry import RegistrationError, apply_matrix, check_sizes, corner_error, image_corners
from core.panorama.inputs import (
    ARCHES,
    MAX_IMAGES,
    MAX_SIDE,
    PHOTOS,
    SOURCE_NOTES,
    SOURCES,
    pick_uploads,
    script_images,
)
from core.panorama.matching import match_features
from core.schema import Bool, Choice, Float, Int, Schema

__all__ = [
    "ARCHES", "MAX_IMAGES", "SOURCE_NOTES", "TRUTH_ERRORS", "TRUTH_NOTE", "script_images", "transforms_table",
    "BLENDS", "IMPROVED", "MAX_CANVAS_SIDE", "MAX_SIDE", "MIN_INLIERS", "MODELS", "OVERLAP", "PHOTOS", "PRESETS",
    "PRESET_HELP", "SCHEMA", "SOURCES", "TUTORIAL", "DemoViews", "Panorama", "Registration", "RegistrationError",
    "RegistrationParams", "apply_matrix", "batch_outputs", "check_sizes", "compose", "corner_error", "demo_views",
    "draw_matches", "estimate_transform", "image_corners", "match_features", "pick_uploads", "register",
    "register_features", "stitch",
]

#: ``python -m imlab run`` gives :func:`batch_outputs` one set of images (a folder), not one image.
BATCH = "set"

SCHEMA = Schema("panorama", [
    Choice("source", list(SOURCES), "arches", labels=SOURCES, help="What to stitch."),
    Choice("photo", list(PHOTOS), "china", help="Demo views: the photo the views are cut from."),
    Int("n_views", 3, 2, 3, help="Demo views: how many views to cut."),
    Int("view_seed", 0, 0, 999, help="Demo views: seed of their random rotations (±6°), scalings (±6 %) and tilts."),
    Int("n_keypoints", 800, 100, 5000, step=100, help="ORB keeps at most this many keypoints per image."),
    Float("fast_threshold", 0.05, 0.005, 0.3, step=0.005, format="%.3f",
          help="FAST threshold (intensities 0…1): lower = more, weaker corners."),
    Int("n_scales", 8, 1, 8, help="ORB pyramid levels: few localise better; more match across bigger zooms."),
    Float("downscale", 1.2, 1.05, 2.0, step=0.05, help="Size ratio between ORB's pyramid levels."),
    Bool("cross_check", True, help="Keep a match only if each keypoint is the other's nearest neighbour."),
    Float("max_ratio", 1.0, 0.5, 1.0, step=0.05,
          help="Lowe's ratio test: keep a match if its distance is below this fraction of the second-best (1 = off)."),
    Choice("model", list(MODELS), "projective",
           labels={"projective": "Projective (homography)", "affine": "Affine", "similarity": "Similarity",
                   "euclidean": "Euclidean (rigid)"},
           help="Projective: 8 degrees of freedom (a camera turning about its centre); affine 6; similarity 4; "
                "Euclidean 3."),
    Float("residual_threshold", 1.0, 0.5, 10.0, step=0.5, help="RANSAC: a match is an inlier within this many px."),
    Int("max_trials", 300, 50, 5000, step=50, help="RANSAC samples at most this many minimal sets."),
    Int("seed", 0, 0, 999, help="RANSAC's random seed: the same settings give the same result."),
    Bool("refine", False, help="Off: skimage.measure.ransac as the tutorial calls it. On: a faster RANSAC, then a "
                               "least-squares refit on the inliers weighting fine-scale keypoints more."),
    Choice("blend", list(BLENDS), "seam",
           labels={"feather": "Feathered", "seam": "Minimum-cost seam", "average": "Plain average"},
           help="Average: the tutorial's 'easy (and bad) way'; feather: fade each image out towards its border; "
                "seam: each pixel from one image, cut along a minimum-cost path (route_through_array)."),
])

#: The stitching tutorial (adv3_panorama-stitching.ipynb) on its Arches photos: ORB(800, fast_threshold=0.05),
#: cross-checked matches, ransac(ProjectiveTransform, residual_threshold=1, max_trials=300), a minimum-cost seam.
TUTORIAL = dict(source="arches", n_keypoints=800, fast_threshold=0.05, n_scales=8, downscale=1.2, cross_check=True,
                max_ratio=1.0, model="projective", residual_threshold=1.0, max_trials=300, seed=0, refine=False,
                blend="seam")
#: The app's improved pipeline: more keypoints on fewer levels, a ratio test, RANSAC at 2 px, a weighted refit.
IMPROVED = dict(TUTORIAL, n_keypoints=2000, fast_threshold=0.04, n_scales=3, max_ratio=0.8, residual_threshold=2.0,
                max_trials=1000, refine=True, blend="feather")
#: The first linked notebook (example_pano.ipynb): ORB(1000, fast_threshold=0.05), ransac(residual_threshold=2)
#: with scikit-image's default max_trials (100), then the images averaged.
EXAMPLE_PANO = dict(TUTORIAL, n_keypoints=1000, residual_threshold=2.0, max_trials=100, blend="average")
DEMO = dict(photo="china", n_views=3, view_seed=0)
PRESETS = {
    "Tutorial: Arches": TUTORIAL,
    "Improved pipeline": IMPROVED,
    "example_pano notebook": EXAMPLE_PANO,
    "Known truth: tutorial": dict(TUTORIAL, source="demo", **DEMO),
    "Known truth: improved": dict(IMPROVED, source="demo", **DEMO),
    "Stereo pair": dict(IMPROVED, source="stereo", n_scales=4),
}

PRESET_HELP = {
    "Tutorial: Arches": "The tutorial's longer example on its three Arches photos: ORB(800, fast_threshold=0.05), "
                        "cross-checked matches, ransac(ProjectiveTransform, residual_threshold=1, max_trials=300), "
                        "minimum-cost seams.",
    "Improved pipeline": "2000 keypoints on 3 pyramid levels, ratio test 0.8, RANSAC at 2 px, then a least-squares "
                         "refit on the inliers weighted by keypoint scale; feathered blending.",
    "example_pano notebook": "The first linked notebook: ORB(1000, fast_threshold=0.05), ransac(residual_threshold=2) "
                             "with its default 100 trials, then the images averaged — on the Arches photos (the "
                             "notebook's Petra photos are not bundled).",
    "Known truth: tutorial": "Demo views cut from 'china' with known transforms, registered by the tutorial's pipeline.",
    "Known truth: improved": "The same demo views, registered by the improved pipeline.",
    "Stereo pair": "scikit-image's stereo_motorcycle pair with the improved settings (4 pyramid levels).",
}


def orb_params(values: dict) -> ORBParams:
    """The ORB settings of page values (``fast_n`` and ``harris_k`` keep scikit-image's defaults)."""
    return ORBParams.from_values(values)


def register(moving: np.ndarray, fixed: np.ndarray, *, orb: ORBParams | None = None,
             params: RegistrationParams | None = None) -> Registration:
    """Find the transform that maps ``moving`` onto ``fixed`` (ORB → matches → RANSAC → refit).

    Parameters
    ----------
    moving, fixed : ndarray
        ``(H, W)`` gray or ``(H, W, 3)`` colour images of any dtype, of similar size.
    orb : ORBParams, optional
        ORB settings (default: :data:`IMPROVED`'s).
    params : RegistrationParams, optional
        Matching and estimation settings (default: the improved pipeline's).

    Returns
    -------
    registration : Registration
        ``.matrix`` maps moving ``(x, y)`` to fixed ``(x, y)``; ``.matches``, ``.inliers``.
    """
    moving = check_image(moving, name="moving image")
    fixed = check_image(fixed, name="fixed image")
    check_sizes([moving.shape, fixed.shape])
    orb = orb or orb_params(IMPROVED)
    return register_features(orb_features(moving, **orb.kwargs()), orb_features(fixed, **orb.kwargs()), params)


def _prepare_images(images) -> list:
    if images is None:
        images = []
    elif isinstance(images, np.ndarray) and images.ndim in (2, 3):
        images = [images]  # one image, not a list of images
    images = list(images)
    if len(images) < 2:
        raise RegistrationError(
            f"A panorama needs at least 2 overlapping images; got {len(images)}. Add another photo of "
            "the same scene that overlaps this one by a third or more."
        )
    if len(images) > 6:
        raise RegistrationError(f"Stitch at most 6 images at a time; got {len(images)}.")
    out = [check_image(im, name=f"image {k + 1}") for k, im in enumerate(images)]
    check_sizes([im.shape for im in out])
    return out


def stitch(images: Sequence[np.ndarray], *, anchor: int | None = None, blend: str = "feather",
           features: Sequence[ORBFeatures] | None = None, orb: ORBParams | None = None,
           params: RegistrationParams | None = None, registrations: dict | None = None) -> Panorama:
    """Stitch 2–6 overlapping images into a panorama in the plane of an anchor image.

    Every image is registered onto the anchor (the middle one by default); an image that does not
    overlap the anchor is registered onto an already placed neighbour and the transforms are chained.

    Parameters
    ----------
    images : sequence of ndarray
        Gray or colour images of any dtype, of similar size, in left-to-right order.
    anchor : int, optional
        Index of the reference image; default ``len(images) // 2``.
    blend : {'feather', 'seam', 'average'}, optional
        See :func:`compose`.
    features : sequence of ORBFeatures, optional
        Precomputed :func:`core.keypoints.orb_features` of each image (``orb`` is then ignored).
    orb : ORBParams, optional
        ORB settings when ``features`` is not given (default: the improved pipeline's).
    params : RegistrationParams, optional
        Matching and estimation settings of the registrations computed here.
    registrations : dict, optional
        ``{i: Registration of image i onto the anchor}`` already computed (the page's): used as they are.

    Returns
    -------
    panorama : Panorama
        ``.image``, ``.matrices`` (each image → panorama pixels) and ``.registrations`` (``(i, j) →``
        the registration of image i onto image j used to place it).

    Raises
    ------
    RegistrationError
        Fewer than 2 images, very different sizes, or an image that could not be registered
        (the message names it and says why).
    """
    images = _prepare_images(images)
    n = len(images)
    anchor = n // 2 if anchor is None else int(anchor)
    if not 0 <= anchor < n:
        raise ValueError(f"The 'anchor' parameter must be an image index in [0, {n - 1}]; got {anchor}.")
    registrations = dict(registrations or {})
    placed = {anchor: np.eye(3)}
    used = {}
    for i, r in registrations.items():
        placed[i] = r.matrix
        used[(i, anchor)] = r
    feats: list | None = list(features) if features is not None else None
    if len(placed) < n:
        if feats is None:
            orb = orb or orb_params(IMPROVED)
            feats = []
            for k, im in enumerate(images):
                try:
                    feats.append(orb_features(im, **orb.kwargs()))
                except ValueError as err:
                    raise RegistrationError(f"Image {k + 1}: {err}") from None
        if len(feats) != n:
            raise ValueError(f"Give one ORBFeatures per image: {len(feats)} for {n} images.")
    errors = {}
    progress = True
    while len(placed) < n and progress:
        progress = False
        for i in sorted(set(range(n)) - set(placed), key=lambda i: abs(i - anchor)):
            for j in sorted(placed, key=lambda j: (abs(i - j), abs(j - anchor))):
                if (i, j) in errors:
                    continue
                try:
                    r = register_features(feats[i], feats[j], params)
                except RegistrationError as err:
                    errors[(i, j)] = str(err)
                    continue
                placed[i] = placed[j] @ r.matrix
                used[(i, j)] = r
                progress = True
                break
    if len(placed) < n:
        i = sorted(set(range(n)) - set(placed))[0]
        why = errors.get((i, anchor)) or next((e for (a, _), e in errors.items() if a == i), "")
        raise RegistrationError(f"Image {i + 1} could not be registered onto image {anchor + 1}: {why}")
    pano = compose(images, [placed[i] for i in range(n)], blend=blend, anchor=anchor)
    return Panorama(image=pano.image, matrices=pano.matrices, coverage=pano.coverage, owner=pano.owner,
                    anchor=anchor, registrations=used)


def batch_outputs(images: Sequence[np.ndarray], values: dict) -> dict[str, object]:
    """What the Panorama page shows for ONE SET of images: a list (one folder = one set), left to right.

    Unlike the per-image techniques, the input is a list of 2–6 overlapping images, stitched together.

    Parameters
    ----------
    images : sequence of ndarray
        The set's images (gray or colour, any dtype, similar sizes), in left-to-right order.
    values : dict
        ``SCHEMA.parse(...)``'s result (``source``, ``photo``, ``n_views`` and ``view_seed`` are ignored).

    Returns
    -------
    outputs : dict
        ``panorama`` (RGB uint8), ``transforms`` (DataFrame: each image's 3×3 matrix into the panorama),
        ``matches_<i>`` (RGB uint8: image i's matches onto the anchor) and ``summary`` (size, coverage,
        matches and inliers per image).
    """
    images = _prepare_images(images)
    orb = orb_params(values)
    params = RegistrationParams.from_values(values)
    feats = [orb_features(im, **orb.kwargs()) for im in images]
    anchor = len(images) // 2
    registrations = {i: register_features(feats[i], feats[anchor], params) for i in range(len(images))
                     if i != anchor}
    pano = stitch(images, features=feats, params=params, registrations=registrations, blend=values["blend"])
    out: dict[str, object] = {"panorama": pano.image, "transforms": transforms_table(pano)}
    summary: dict[str, object] = {"width": pano.image.shape[1], "height": pano.image.shape[0],
                                  "coverage": float(pano.coverage.mean())}
    for i, r in registrations.items():
        out[f"matches_{i + 1}"] = draw_matches(images[i], images[anchor], r.keypoints_moving, r.keypoints_fixed,
                                               r.matches, r.inliers)
        summary[f"matches_{i + 1}"], summary[f"inliers_{i + 1}"] = len(r.matches), r.n_inliers
    out["summary"] = summary
    return out


def transforms_table(pano: Panorama, names: Sequence[str] | None = None):
    """Each image's 3×3 matrix into the panorama, one row per image (columns ``image``, ``h00`` … ``h22``)."""
    import pandas as pd

    names = list(names) if names is not None else [f"image {k + 1}" for k in range(len(pano.matrices))]
    return pd.DataFrame([{"image": name, **{f"h{r}{c}": float(m[r, c]) for r in range(3) for c in range(3)}}
                         for name, m in zip(names, pano.matrices, strict=True)])


#: Mean corner error (px) of the side views of the default demo (china, 3 views, seed 0) against the true
#: transforms: the tutorial's pipeline, then the improved one (``tests/core/test_panorama.py`` re-measures it).
TRUTH_ERRORS = {"tutorial": (1.21, 20.09), "improved": (0.42, 0.98)}
TRUTH_NOTE = ("**The improved pipeline, one click away** (*Improved pipeline*): on the demo views with a known truth, "
              "the side views land {:.1f} and {:.1f} px off the true transforms with the tutorial's pipeline, {:.1f} "
              "and {:.1f} px with the improved one (*Known truth* presets).").format(*TRUTH_ERRORS["tutorial"],
                                                                                 *TRUTH_ERRORS["improved"])
