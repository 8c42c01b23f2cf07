"""Image registration and panorama stitching from ORB keypoints.

The tutorial's "panorama stitching / image registration" example
(scikit-image's stitching tutorial): ORB keypoints in every image,
``match_descriptors``, a robust transform fitted with RANSAC, every image
warped onto the anchor image's plane and blended (averaged, feathered, or
cut along a minimum-cost seam).

Conventions
-----------
Keypoints are ``(row, col)``; transforms act on ``(x, y) = (col, row)``.
A 3×3 ``matrix`` maps homogeneous ``(x, y, 1)`` of one image to another.
Every stage raises :class:`RegistrationError` (a ``ValueError``) whose message
says why it failed and what to try.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.images import check_image, to_rgb
from core.keypoints import ORBFeatures, orb_features

__all__ = [
    "BLENDS",
    "MODELS",
    "DemoViews",
    "Panorama",
    "Registration",
    "RegistrationError",
    "check_sizes",
    "compose",
    "corner_error",
    "demo_views",
    "estimate_transform",
    "image_corners",
    "match_features",
    "random_homography",
    "register",
    "register_features",
    "stitch",
    "synthetic_pair",
]

#: RANSAC models: name → (skimage transform class name, minimum samples).
MODELS = {
    "projective": ("ProjectiveTransform", 4),
    "affine": ("AffineTransform", 3),
    "similarity": ("SimilarityTransform", 2),
    "euclidean": ("EuclideanTransform", 2),
}
#: Blending modes of :func:`compose`.
BLENDS = ("feather", "seam", "average")

#: Default ORB settings for registration: more keypoints, a lower FAST
#: threshold and fewer pyramid levels than the tutorial (800, 0.05, 8): more
#: and better-localised matches (coarse pyramid levels localise poorly) at a
#: similar cost. Raise n_scales for photos that differ in scale by more than ~1.5×.
ORB_DEFAULTS = dict(n_keypoints=2000, fast_threshold=0.04, fast_n=9, downscale=1.2, n_scales=3, harris_k=0.04)

#: Registrations with fewer RANSAC inliers than this are refused.
MIN_INLIERS = 12
#: Largest panorama side (pixels) :func:`compose` builds.
MAX_CANVAS_SIDE = 6000


class RegistrationError(ValueError):
    """Registration or stitching failed; the message says why and what to try."""


def _transform_class(model: str):
    from skimage import transform

    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}; got {model!r}.")
    return getattr(transform, MODELS[model][0])


def image_corners(shape) -> np.ndarray:
    """``(x, y)`` of the 4 outer corners of an image of ``shape`` (pixel edges), (4, 2) float64."""
    h, w = shape[:2]
    return np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float64) - 0.5


def _apply(matrix: np.ndarray, xy: np.ndarray) -> np.ndarray:
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    h = np.column_stack([xy, np.ones(len(xy))]) @ np.asarray(matrix, dtype=np.float64).T
    with np.errstate(divide="ignore", invalid="ignore"):
        return h[:, :2] / h[:, 2:3]


def corner_error(matrix: np.ndarray, true_matrix: np.ndarray, shape) -> float:
    """Mean distance (pixels) between an image's 4 corners mapped by two transforms.

    Parameters
    ----------
    matrix, true_matrix : (3, 3) arrays
        Estimated and true transforms, both mapping ``(x, y)`` of the image to the same target.
    shape : tuple
        ``(H, W)`` of the image the transforms map from.

    Returns
    -------
    error : float
        Mean Euclidean distance in target pixels.
    """
    c = image_corners(shape)
    return float(np.mean(np.linalg.norm(_apply(matrix, c) - _apply(true_matrix, c), axis=1)))


# --------------------------------------------------------------------------- matching


def match_features(
    descriptors_moving: np.ndarray,
    descriptors_fixed: np.ndarray,
    *,
    cross_check: bool = True,
    max_ratio: float = 1.0,
) -> np.ndarray:
    """Match binary descriptors by Hamming distance.

    Gives the same matches as ``skimage.feature.match_descriptors(d0, d1,
    cross_check=..., max_ratio=...)`` for boolean descriptors, but computes all
    Hamming distances with one matrix product (``|a| + |b| - 2 a·b``), which is
    ~10× faster than ``cdist(..., 'hamming')`` for a few thousand keypoints.

    Parameters
    ----------
    descriptors_moving, descriptors_fixed : (N, B) and (M, B) arrays of bool
        Binary descriptors (ORB: B = 256).
    cross_check : bool, optional
        Keep a match only when each descriptor is the other's nearest neighbour.
    max_ratio : float, optional
        Lowe's ratio test: keep a match when best / second-best distance
        ``< max_ratio`` (1.0 disables it).

    Returns
    -------
    matches : ndarray of int64, shape (Q, 2)
        ``[index in moving, index in fixed]`` pairs.
    """
    a = np.asarray(descriptors_moving)
    b = np.asarray(descriptors_fixed)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"Descriptors must be (N, B) arrays of the same length B; got {a.shape} and {b.shape}.")
    if not 0 < max_ratio <= 1:
        raise ValueError(f"max_ratio must lie in (0, 1]; got {max_ratio}.")
    if len(a) == 0 or len(b) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    af = a.astype(np.float32)
    bf = b.astype(np.float32)
    dist = af.sum(1)[:, None] + bf.sum(1)[None, :] - 2.0 * (af @ bf.T)
    dist = np.rint(dist).astype(np.float64)
    idx1 = np.arange(len(a))
    idx2 = np.argmin(dist, axis=1)
    if cross_check:
        back = np.argmin(dist, axis=0)
        keep = idx1 == back[idx2]
        idx1, idx2 = idx1[keep], idx2[keep]
    if max_ratio < 1.0 and len(idx1):
        if dist.shape[1] < 2:
            idx1, idx2 = idx1[:0], idx2[:0]
        else:
            best = dist[idx1, idx2].copy()
            dist[idx1, idx2] = np.inf
            second = dist[idx1].min(axis=1)
            second[second == 0] = np.finfo(np.float64).eps
            keep = best / second < max_ratio
            idx1, idx2 = idx1[keep], idx2[keep]
    return np.column_stack([idx1, idx2]).astype(np.int64)


# --------------------------------------------------------------------------- registration


@dataclass(frozen=True)
class Registration:
    """A transform from a *moving* image to a *fixed* image, and how it was found.

    Attributes
    ----------
    matrix : ndarray of float64, shape (3, 3)
        Maps homogeneous ``(x, y, 1)`` of the moving image (x = col, y = row)
        to the fixed image.
    model : str
        One of :data:`MODELS`.
    keypoints_moving, keypoints_fixed : ndarray, shape (N, 2) and (M, 2)
        ``(row, col)`` keypoints of both images.
    matches : ndarray of int64, shape (Q, 2)
        ``[index in keypoints_moving, index in keypoints_fixed]``.
    inliers : ndarray of bool, shape (Q,)
        Matches consistent with ``matrix`` (residual < threshold).
    residuals : ndarray of float64, shape (Q,)
        Distance (fixed-image pixels) between each mapped moving keypoint and its match.
    """

    matrix: np.ndarray
    model: str
    keypoints_moving: np.ndarray
    keypoints_fixed: np.ndarray
    matches: np.ndarray
    inliers: np.ndarray
    residuals: np.ndarray

    @property
    def n_inliers(self) -> int:
        """Number of inlier matches."""
        return int(np.count_nonzero(self.inliers))

    @property
    def rms(self) -> float:
        """Root-mean-square residual of the inliers (pixels)."""
        if not self.n_inliers:
            return float("nan")
        return float(np.sqrt(np.mean(self.residuals[self.inliers] ** 2)))

    def __call__(self, xy: np.ndarray) -> np.ndarray:
        """Map ``(x, y)`` points of the moving image into the fixed image."""
        return _apply(self.matrix, xy)


def _check_matrix(matrix: np.ndarray, shape, fixed_shape=None) -> None:
    """Refuse degenerate or absurd transforms, with a reason."""
    if matrix is None or not np.all(np.isfinite(matrix)):
        raise RegistrationError(
            "The fitted transform is degenerate (not finite). Try a simpler model (affine or similarity) "
            "or more keypoints."
        )
    c = _apply(matrix, image_corners(shape))
    if not np.all(np.isfinite(c)):
        raise RegistrationError(
            "The fitted transform sends an image corner to infinity (extreme perspective): the matches are "
            "probably wrong. Try a simpler model (affine or similarity), more keypoints or a lower max_ratio."
        )
    # the mapped outline must stay a convex, non-flipped quadrilateral
    d = np.roll(c, -1, axis=0) - c
    cross = d[:, 0] * np.roll(d, -1, axis=0)[:, 1] - d[:, 1] * np.roll(d, -1, axis=0)[:, 0]
    if not np.all(cross > 0):
        raise RegistrationError(
            "The fitted transform folds or mirrors the image (its outline is no longer a convex "
            "quadrilateral): the inliers are probably chance matches. Try a simpler model (affine or "
            "similarity), a larger max_trials, or images that overlap more."
        )
    area = 0.5 * abs(np.sum(c[:, 0] * np.roll(c[:, 1], -1) - np.roll(c[:, 0], -1) * c[:, 1]))
    ratio = area / float(shape[0] * shape[1])
    if not 1 / 16 < ratio < 16:
        raise RegistrationError(
            f"The fitted transform scales the image area by {ratio:.3g}×, which is implausible for "
            "overlapping photos: the matches are probably wrong. Try a simpler model, more keypoints or "
            "a lower max_ratio."
        )


def _weighted_fit(model: str, src: np.ndarray, dst: np.ndarray, weights: np.ndarray) -> np.ndarray | None:
    """Weighted least-squares fit of ``model`` mapping ``src`` to ``dst`` (both (N, 2) ``(x, y)``).

    Minimises ``sum(weights * algebraic_error**2)`` (the DLT for a homography,
    plain least squares for affine, Umeyama for similarity / Euclidean).
    Returns the 3×3 matrix, or None when the points are degenerate.
    """
    w = np.asarray(weights, dtype=np.float64)
    w = w / w.max()
    if model in ("similarity", "euclidean"):
        mu_s = (w[:, None] * src).sum(0) / w.sum()
        mu_d = (w[:, None] * dst).sum(0) / w.sum()
        s0, d0 = src - mu_s, dst - mu_d
        cov = (w[:, None] * d0).T @ s0 / w.sum()
        u, sv, vt = np.linalg.svd(cov)
        sign = np.diag([1.0, np.sign(np.linalg.det(u) * np.linalg.det(vt)) or 1.0])
        rot = u @ sign @ vt
        var = (w * (s0**2).sum(1)).sum() / w.sum()
        scale = float(np.trace(np.diag(sv) @ sign) / var) if model == "similarity" and var > 0 else 1.0
        out = np.eye(3)
        out[:2, :2] = scale * rot
        out[:2, 2] = mu_d - scale * rot @ mu_s
        return out
    # normalise both point sets (Hartley) for a well-conditioned solve
    def norm(p):
        c = p.mean(0)
        d = np.sqrt(((p - c) ** 2).sum(1)).mean()
        if not d > 0:
            return None
        k = np.sqrt(2) / d
        return np.array([[k, 0, -k * c[0]], [0, k, -k * c[1]], [0, 0, 1.0]])

    ts, td = norm(src), norm(dst)
    if ts is None or td is None:
        return None
    ps = src @ ts[:2, :2].T + ts[:2, 2]
    pd = dst @ td[:2, :2].T + td[:2, 2]
    sw = np.sqrt(w)[:, None]
    n = len(ps)
    if model == "affine":
        x = np.column_stack([ps, np.ones(n)]) * sw
        sol, *_ = np.linalg.lstsq(x, pd * sw, rcond=None)
        m = np.eye(3)
        m[:2, :] = sol.T
    else:
        a = np.zeros((2 * n, 9))
        a[0::2, 0:2], a[0::2, 2] = ps, 1.0
        a[0::2, 6:8], a[0::2, 8] = -pd[:, :1] * ps, -pd[:, 0]
        a[1::2, 3:5], a[1::2, 5] = ps, 1.0
        a[1::2, 6:8], a[1::2, 8] = -pd[:, 1:] * ps, -pd[:, 1]
        a *= np.repeat(sw, 2, axis=0)
        _, _, vt = np.linalg.svd(a, full_matrices=len(a) < 9)  # economy SVD: fast for many points
        m = vt[-1].reshape(3, 3)
    m = np.linalg.inv(td) @ m @ ts
    if not np.all(np.isfinite(m)) or abs(m[2, 2]) < 1e-12:
        return None
    return m / m[2, 2]


def _ransac(src, dst, model, min_samples, residual_threshold, max_trials, seed, stop_probability=0.9999):
    """RANSAC as ``skimage.measure.ransac`` does it (most inliers, ties by residuals; early stop once
    ``stop_probability`` sure), but with a fast fit: skimage's final refit builds a full SVD of a
    (2N, 2N) matrix, ~1 s for 1500 matches. Returns the best inlier mask, or None."""
    rng = np.random.default_rng(seed)
    n = len(src)
    best_count, best_sse, best = 0, np.inf, None
    trials, limit = 0, max_trials
    while trials < limit:
        trials += 1
        pick = rng.choice(n, min_samples, replace=False)
        matrix = _weighted_fit(model, src[pick], dst[pick], np.ones(min_samples))
        if matrix is None:
            continue
        residuals = np.linalg.norm(_apply(matrix, src) - dst, axis=1)
        residuals[~np.isfinite(residuals)] = np.inf
        inliers = residuals < residual_threshold
        count = int(inliers.sum())
        sse = float(np.sum(residuals[inliers] ** 2))
        if count > best_count or (count == best_count and count and sse < best_sse):
            best_count, best_sse, best = count, sse, inliers
            fraction = count / n
            if fraction >= 1:
                break
            if fraction > 0:
                needed = np.log(1 - stop_probability) / np.log(1 - fraction**min_samples)
                limit = min(limit, int(np.ceil(needed)))
    return best


def estimate_transform(
    src: np.ndarray,
    dst: np.ndarray,
    *,
    model: str = "projective",
    residual_threshold: float = 2.0,
    max_trials: int = 1000,
    seed: int = 0,
    refine: bool = True,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Robustly fit a transform ``src → dst`` with RANSAC.

    Parameters
    ----------
    src, dst : (Q, 2) arrays
        Matched ``(x, y)`` points.
    model : str, optional
        One of :data:`MODELS` (projective = homography, 8 degrees of freedom;
        affine 6; similarity 4; Euclidean 3).
    residual_threshold : float, optional
        Inlier distance in pixels.
    max_trials : int, optional
        RANSAC iterations (stops earlier once 99.99 % sure of the best sample).
    seed : int, optional
        Seed of RANSAC's random samples (same seed, same result).
    refine : bool, optional
        After RANSAC, refit on the inliers by (weighted) least squares and
        re-select the inliers with the refitted model, up to 3 times. Gains
        sub-pixel accuracy.
    weights : (Q,) array, optional
        Confidence of each match for the refit (e.g. ``1 / (s_moving² + s_fixed²)``
        with the keypoints' pyramid scales: coarse levels localise worse).

    Returns
    -------
    matrix : (3, 3) ndarray
    inliers : (Q,) bool ndarray
    residuals : (Q,) float ndarray
    """
    _transform_class(model)  # validates the name
    min_samples = MODELS[model][1]
    if not residual_threshold > 0:
        raise ValueError(f"residual_threshold must be positive (pixels); got {residual_threshold}.")
    if not 1 <= max_trials <= 100000:
        raise ValueError(f"max_trials must lie in 1…100000; got {max_trials}.")
    src = np.asarray(src, dtype=np.float64).reshape(-1, 2)
    dst = np.asarray(dst, dtype=np.float64).reshape(-1, 2)
    need = max(MIN_INLIERS, min_samples + 1)
    if len(src) < need:
        raise RegistrationError(
            f"Only {len(src)} matches; at least {need} are needed to fit a {model} transform reliably. "
            "Try: more keypoints, a lower fast_threshold, a higher max_ratio or no cross-check — or "
            "the images may not overlap."
        )
    inliers = _ransac(src, dst, model, min_samples, float(residual_threshold), int(max_trials), int(seed))
    if inliers is None or inliers.sum() < min_samples:
        raise RegistrationError(
            f"RANSAC found no {model} transform consistent with the {len(src)} matches. Try a larger "
            "residual_threshold, more max_trials or a simpler model."
        )
    matrix = _weighted_fit(model, src[inliers], dst[inliers], np.ones(int(inliers.sum())))
    if matrix is None:
        raise RegistrationError(
            f"The {model} transform fitted to the inliers is degenerate (the matched points are collinear?). "
            "Try more keypoints or a simpler model."
        )
    if refine:
        w = np.ones(len(src)) if weights is None else np.asarray(weights, dtype=np.float64).reshape(-1)
        if len(w) != len(src) or not np.all(w > 0):
            raise ValueError("weights must be one positive number per match.")
        for _ in range(3):
            if np.count_nonzero(inliers) < 2 * min_samples:
                break
            refit = _weighted_fit(model, src[inliers], dst[inliers], w[inliers])
            if refit is None:
                break
            matrix = refit
            new = np.linalg.norm(_apply(matrix, src) - dst, axis=1) < residual_threshold
            if np.array_equal(new, inliers):
                break
            inliers = new
    matrix = matrix / matrix[2, 2] if abs(matrix[2, 2]) > 1e-12 else matrix
    residuals = np.linalg.norm(_apply(matrix, src) - dst, axis=1)
    residuals = np.where(np.isfinite(residuals), residuals, np.inf)
    inliers = residuals < residual_threshold
    return matrix, inliers, residuals


def register_features(
    moving: ORBFeatures,
    fixed: ORBFeatures,
    *,
    cross_check: bool = True,
    max_ratio: float = 0.8,
    model: str = "projective",
    residual_threshold: float = 2.0,
    max_trials: int = 1000,
    seed: int = 0,
    refine: bool = True,
) -> Registration:
    """Register two images from their ORB features (match → RANSAC → refit).

    See :func:`register` for the parameters.
    """
    matches = match_features(moving.descriptors, fixed.descriptors, cross_check=cross_check, max_ratio=max_ratio)
    src = moving.keypoints[matches[:, 0]][:, ::-1]
    dst = fixed.keypoints[matches[:, 1]][:, ::-1]
    weights = 1.0 / (moving.scales[matches[:, 0]] ** 2 + fixed.scales[matches[:, 1]] ** 2) ** 2
    matrix, inliers, residuals = estimate_transform(
        src, dst, model=model, residual_threshold=residual_threshold, max_trials=max_trials, seed=seed,
        refine=refine, weights=weights,
    )
    n_in = int(inliers.sum())
    if n_in < MIN_INLIERS:
        raise RegistrationError(
            f"Only {n_in} of {len(matches)} matches agree on one {model} transform (at least {MIN_INLIERS} "
            "are needed): the images probably do not show the same scene, or overlap too little. Use "
            "overlapping photos, or try more keypoints and a larger residual_threshold."
        )
    _check_matrix(matrix, moving.shape, fixed.shape)
    return Registration(
        matrix=matrix,
        model=model,
        keypoints_moving=moving.keypoints,
        keypoints_fixed=fixed.keypoints,
        matches=matches,
        inliers=inliers,
        residuals=residuals,
    )


def check_sizes(shapes) -> None:
    """Refuse images whose sizes differ by more than 2.5× in scale (keypoint matching cannot bridge it)."""
    sides = [float(np.sqrt(s[0] * s[1])) for s in shapes]
    ratio = max(sides) / min(sides)
    if ratio > 2.5:
        dims = " vs ".join(f"{s[1]}×{s[0]}" for s in shapes)
        raise RegistrationError(
            f"The images have very different sizes ({dims}; {ratio:.1f}× in scale). Keypoint matching "
            "works across scale changes of up to ~2×: resize the photos to similar sizes first (photos "
            "from the same camera work best)."
        )


def register(
    moving: np.ndarray,
    fixed: np.ndarray,
    *,
    n_keypoints: int = ORB_DEFAULTS["n_keypoints"],
    fast_threshold: float = ORB_DEFAULTS["fast_threshold"],
    fast_n: int = ORB_DEFAULTS["fast_n"],
    downscale: float = ORB_DEFAULTS["downscale"],
    n_scales: int = ORB_DEFAULTS["n_scales"],
    harris_k: float = ORB_DEFAULTS["harris_k"],
    cross_check: bool = True,
    max_ratio: float = 0.8,
    model: str = "projective",
    residual_threshold: float = 2.0,
    max_trials: int = 1000,
    seed: int = 0,
    refine: bool = True,
) -> Registration:
    """Find the transform that maps ``moving`` onto ``fixed``.

    ORB keypoints in both images, Hamming matching with cross-check and ratio
    test, RANSAC, then a least-squares refit on the inliers.

    Parameters
    ----------
    moving, fixed : ndarray
        ``(H, W)`` gray or ``(H, W, 3)`` colour images of any dtype, of similar size.
    n_keypoints, fast_threshold, fast_n, downscale, n_scales, harris_k
        ORB settings (see :func:`core.keypoints.orb_features`).
    cross_check : bool, optional
        Keep only mutual nearest neighbours.
    max_ratio : float, optional
        Lowe's ratio test (1.0 disables it).
    model : {'projective', 'affine', 'similarity', 'euclidean'}, optional
        Transform family.
    residual_threshold : float, optional
        RANSAC inlier distance, pixels.
    max_trials : int, optional
        RANSAC iterations.
    seed : int, optional
        RANSAC seed.
    refine : bool, optional
        Least-squares refit on the inliers after RANSAC.

    Returns
    -------
    registration : Registration
        ``.matrix`` maps moving ``(x, y)`` to fixed ``(x, y)``; ``.matches``, ``.inliers``.

    Raises
    ------
    RegistrationError
        Too few keypoints / matches / inliers, a degenerate transform, or very different image sizes.
    """
    moving = check_image(moving, name="moving image")
    fixed = check_image(fixed, name="fixed image")
    check_sizes([moving.shape, fixed.shape])
    orb = dict(n_keypoints=n_keypoints, fast_threshold=fast_threshold, fast_n=fast_n, downscale=downscale,
               n_scales=n_scales, harris_k=harris_k)
    f_moving = orb_features(moving, **orb)
    f_fixed = orb_features(fixed, **orb)
    return register_features(
        f_moving, f_fixed, cross_check=cross_check, max_ratio=max_ratio, model=model,
        residual_threshold=residual_threshold, max_trials=max_trials, seed=seed, refine=refine,
    )


# --------------------------------------------------------------------------- compositing


@dataclass(frozen=True)
class Panorama:
    """A stitched panorama.

    Attributes
    ----------
    image : ndarray of uint8, shape (H, W, 3)
        The composite (black where no image covers it).
    matrices : list of (3, 3) ndarrays
        For each input image, the map from its ``(x, y)`` to panorama ``(x, y)``.
    coverage : ndarray of bool, shape (H, W)
        Pixels covered by at least one image.
    owner : ndarray of int16, shape (H, W)
        Index of the image with the largest weight at each pixel (-1: none).
    anchor : int
        Index of the image whose plane the panorama is drawn in.
    registrations : dict
        ``(i, j) → Registration`` of image i onto image j used to place the images.
    """

    image: np.ndarray
    matrices: list
    coverage: np.ndarray
    owner: np.ndarray
    anchor: int
    registrations: dict = field(default_factory=dict)


def _warp_all(images, matrices):
    """Warp RGB float images into one canvas; return warped, masks, offset matrices."""
    from skimage.transform import ProjectiveTransform, warp

    corners = np.vstack([_apply(m, image_corners(im.shape)) for im, m in zip(images, matrices, strict=True)])
    if not np.all(np.isfinite(corners)):
        raise RegistrationError("A transform sends an image corner to infinity; the registration is degenerate.")
    lo = np.floor(corners.min(axis=0) + 0.5)
    hi = np.ceil(corners.max(axis=0) + 0.5)
    width, height = int(hi[0] - lo[0]), int(hi[1] - lo[1])
    total = sum(im.shape[0] * im.shape[1] for im in images)
    if max(width, height) > MAX_CANVAS_SIDE or width * height > 8 * total:
        raise RegistrationError(
            f"The transforms would make a {width}×{height} panorama, far larger than the images: a "
            "registration is probably wrong. Try a simpler model (affine or similarity) or more keypoints."
        )
    offset = np.array([[1, 0, -lo[0]], [0, 1, -lo[1]], [0, 0, 1]], dtype=np.float64)
    placed = [offset @ m for m in matrices]
    warped, masks = [], []
    for im, m in zip(images, placed, strict=True):
        stack = np.dstack([im, np.ones(im.shape[:2])])
        out = warp(stack, ProjectiveTransform(m).inverse, output_shape=(height, width), order=1, cval=0.0)
        mask = out[..., 3] > 0.999
        rgb = out[..., :3] / np.maximum(out[..., 3:4], 1e-9)
        rgb[~mask] = 0.0
        warped.append(rgb)
        masks.append(mask)
    return warped, masks, placed


def _seam_split(cost: np.ndarray, overlap: np.ndarray):
    """Minimum-cost top-to-bottom path through ``cost`` (as in the tutorial): per row, the seam column."""
    from skimage.graph import route_through_array

    rows = np.flatnonzero(overlap.any(axis=1))
    cols = np.flatnonzero(overlap.any(axis=0))
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    sub = np.where(overlap[r0:r1, c0:c1], cost[r0:r1, c0:c1], 1.0 + cost.max())
    sub = sub.copy()
    sub[0, :] = 0.0  # let the path slide along the top and bottom edges
    sub[-1, :] = 0.0
    mid = sub.shape[1] // 2
    path, _ = route_through_array(sub, (0, mid), (sub.shape[0] - 1, mid), fully_connected=True, geometric=True)
    path = np.asarray(path)
    seam = np.full(sub.shape[0], np.nan)
    for r in range(sub.shape[0]):
        on = path[path[:, 0] == r, 1]
        if len(on):
            seam[r] = on.min() if r in (0, sub.shape[0] - 1) else on.mean()
    seam = np.interp(np.arange(len(seam)), np.flatnonzero(np.isfinite(seam)), seam[np.isfinite(seam)])
    return r0, r1, c0, c1, seam


def _seam_blend(warped, masks, order):
    """Paste images in ``order`` (anchor first); each new one takes its side of a minimum-cost seam."""
    canvas = warped[order[0]].copy()
    covered = masks[order[0]].copy()
    owner = np.where(covered, order[0], -1).astype(np.int16)
    for i in order[1:]:
        new, mask = warped[i], masks[i]
        overlap = covered & mask
        take = mask & ~covered
        only_new, only_old = mask & ~covered, covered & ~mask
        if overlap.any() and only_new.any() and only_old.any():
            rn, cn = np.nonzero(only_new)
            ro, co = np.nonzero(only_old)
            vertical = abs(cn.mean() - co.mean()) >= abs(rn.mean() - ro.mean())
            cost = np.abs(canvas - new).mean(axis=2)
            ov, cst = (overlap, cost) if vertical else (overlap.T, cost.T)
            r0, r1, c0, c1, seam = _seam_split(cst, ov)
            new_after = (cn.mean() > co.mean()) if vertical else (rn.mean() > ro.mean())
            cc = np.arange(c0, c1)[None, :]
            side = cc > seam[:, None] if new_after else cc < seam[:, None]
            mine = np.zeros_like(ov)
            mine[r0:r1, c0:c1] = side
            if not vertical:
                mine = mine.T
            take |= overlap & mine
        canvas[take] = new[take]
        owner[take] = i
        covered |= mask
    return canvas, owner


def compose(
    images: list,
    matrices: list,
    *,
    blend: str = "feather",
    anchor: int = 0,
) -> Panorama:
    """Warp images into one canvas and blend them.

    Parameters
    ----------
    images : list of ndarray
        Gray or colour images of any dtype.
    matrices : list of (3, 3) arrays
        Each image's ``(x, y)`` → anchor-plane ``(x, y)``.
    blend : {'feather', 'seam', 'average'}, optional
        ``'average'``: mean of the overlapping images (the tutorial's "easy
        (and bad) way"); ``'feather'``: weights fall off linearly towards each
        image's border (distance transform), hiding seams; ``'seam'``: each
        pixel from one image, split along a minimum-cost path through the
        difference of the overlap (the tutorial's ``route_through_array``).
    anchor : int, optional
        Index of the reference image (pasted first for ``'seam'``).

    Returns
    -------
    panorama : Panorama
    """
    from scipy import ndimage as ndi

    if blend not in BLENDS:
        raise ValueError(f"blend must be one of {', '.join(BLENDS)}; got {blend!r}.")
    if len(images) != len(matrices) or not images:
        raise ValueError("Give one matrix per image.")
    rgb = [to_rgb(im).astype(np.float64) / 255.0 for im in images]
    warped, masks, placed = _warp_all(rgb, matrices)
    if blend == "seam":
        order = [anchor] + sorted((i for i in range(len(images)) if i != anchor), key=lambda i: abs(i - anchor))
        canvas, owner = _seam_blend(warped, masks, order)
    else:
        if blend == "feather":
            weights = [ndi.distance_transform_edt(np.pad(m, 1))[1:-1, 1:-1] for m in masks]
        else:
            weights = [m.astype(np.float64) for m in masks]
        total = np.sum(weights, axis=0)
        canvas = np.sum([w[..., None] * im for w, im in zip(weights, warped, strict=True)], axis=0)
        canvas = canvas / np.maximum(total, 1e-12)[..., None]
        owner = np.argmax(np.stack(weights), axis=0).astype(np.int16)
        owner[total <= 0] = -1
    coverage = np.any(masks, axis=0)
    image = np.clip(np.rint(canvas * 255), 0, 255).astype(np.uint8)
    image[~coverage] = 0
    return Panorama(image=image, matrices=placed, coverage=coverage, owner=owner, anchor=anchor)


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


def stitch(
    images: list,
    *,
    anchor: int | None = None,
    blend: str = "feather",
    features: list | None = None,
    n_keypoints: int = ORB_DEFAULTS["n_keypoints"],
    fast_threshold: float = ORB_DEFAULTS["fast_threshold"],
    fast_n: int = ORB_DEFAULTS["fast_n"],
    downscale: float = ORB_DEFAULTS["downscale"],
    n_scales: int = ORB_DEFAULTS["n_scales"],
    harris_k: float = ORB_DEFAULTS["harris_k"],
    cross_check: bool = True,
    max_ratio: float = 0.8,
    model: str = "projective",
    residual_threshold: float = 2.0,
    max_trials: int = 1000,
    seed: int = 0,
    refine: bool = True,
) -> Panorama:
    """Stitch 2–6 overlapping images into a panorama in the plane of an anchor image.

    Every image is registered onto the anchor (the middle one by default); an
    image that does not overlap the anchor is registered onto an already placed
    neighbour and the transforms are chained.

    Parameters
    ----------
    images : list of ndarray
        Gray or colour images of any dtype, of similar size, in left-to-right order.
    anchor : int, optional
        Index of the reference image; default ``len(images) // 2``.
    blend : {'feather', 'seam', 'average'}, optional
        See :func:`compose`.
    features : list of ORBFeatures, optional
        Precomputed :func:`core.keypoints.orb_features` of each image (the ORB
        settings are then ignored).
    n_keypoints, fast_threshold, fast_n, downscale, n_scales, harris_k, cross_check, max_ratio, model,
    residual_threshold, max_trials, seed, refine
        See :func:`register`.

    Returns
    -------
    panorama : Panorama
        ``.image`` and ``.matrices`` (each image → panorama pixels).

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
        raise ValueError(f"anchor must be an image index in 0…{n - 1}; got {anchor}.")
    if features is not None and len(features) != n:
        raise ValueError(f"Give one ORBFeatures per image: {len(features)} for {n} images.")
    if features is None:
        orb = dict(n_keypoints=n_keypoints, fast_threshold=fast_threshold, fast_n=fast_n, downscale=downscale,
                   n_scales=n_scales, harris_k=harris_k)
        features = []
        for k, im in enumerate(images):
            try:
                features.append(orb_features(im, **orb))
            except ValueError as err:
                raise RegistrationError(f"Image {k + 1}: {err}") from None
    reg = dict(cross_check=cross_check, max_ratio=max_ratio, model=model, residual_threshold=residual_threshold,
               max_trials=max_trials, seed=seed, refine=refine)
    placed = {anchor: np.eye(3)}
    registrations = {}
    errors = {}
    progress = True
    while len(placed) < n and progress:
        progress = False
        for i in sorted(set(range(n)) - set(placed), key=lambda i: abs(i - anchor)):
            for j in sorted(placed, key=lambda j: (abs(i - j), abs(j - anchor))):
                if (i, j) in errors:
                    continue
                try:
                    r = register_features(features[i], features[j], **reg)
                except RegistrationError as err:
                    errors[(i, j)] = str(err)
                    continue
                placed[i] = placed[j] @ r.matrix
                registrations[(i, j)] = r
                progress = True
                break
    if len(placed) < n:
        missing = sorted(set(range(n)) - set(placed))
        i = missing[0]
        why = errors.get((i, anchor)) or next((e for (a, _), e in errors.items() if a == i), "")
        raise RegistrationError(
            f"Image {i + 1} could not be registered onto {'image ' + str(anchor + 1)}: {why}"
        )
    matrices = [placed[i] for i in range(n)]
    pano = compose(images, matrices, blend=blend, anchor=anchor)
    return Panorama(
        image=pano.image, matrices=pano.matrices, coverage=pano.coverage, owner=pano.owner, anchor=anchor,
        registrations=registrations,
    )


# --------------------------------------------------------------------------- synthetic data


def random_homography(
    shape,
    rng,
    *,
    rotation: float = 12.0,
    scale: float = 0.10,
    shift: float = 0.12,
    perspective: float = 0.03,
) -> np.ndarray:
    """A random homography around the image centre (for tests, benchmarks and demos).

    Parameters
    ----------
    shape : tuple
        ``(H, W)`` of the image the homography maps.
    rng : numpy.random.Generator or int
    rotation : float, optional
        Uniform rotation in ±``rotation`` degrees.
    scale : float, optional
        Uniform scale in 1 ± ``scale``.
    shift : float, optional
        Uniform shift in ±``shift`` × (W, H).
    perspective : float, optional
        Each corner further moved uniformly in ±``perspective`` × (W, H).

    Returns
    -------
    matrix : (3, 3) ndarray
        Maps ``(x, y)`` of the image to the transformed position.
    """
    from skimage.transform import ProjectiveTransform

    rng = np.random.default_rng(rng)
    h, w = shape[:2]
    centre = np.array([w / 2.0, h / 2.0])
    theta = np.deg2rad(rng.uniform(-rotation, rotation))
    s = 1.0 + rng.uniform(-scale, scale)
    t = rng.uniform(-shift, shift, 2) * [w, h]
    rot = s * np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    src = image_corners(shape)
    dst = (src - centre) @ rot.T + centre + t + rng.uniform(-perspective, perspective, (4, 2)) * [w, h]
    return np.asarray(ProjectiveTransform.from_estimate(src, dst).params, dtype=np.float64)


def synthetic_pair(
    image: np.ndarray,
    seed: int = 0,
    *,
    rotation: float = 12.0,
    scale: float = 0.10,
    shift: float = 0.12,
    perspective: float = 0.03,
    brightness: float = 0.2,
    noise: float = 0.01,
):
    """A moving image made from ``image`` by a known random homography, brightness change and noise.

    Parameters
    ----------
    image : ndarray
        Gray or colour image of any dtype (the *fixed* image).
    seed : int, optional
        Seed of the random transform, gain, offset and noise.
    rotation, scale, shift, perspective
        See :func:`random_homography`.
    brightness : float, optional
        Gain uniform in 1 ± ``brightness``, offset uniform in ± ``brightness / 4``.
    noise : float, optional
        Standard deviation of added Gaussian noise (intensities in [0, 1]).

    Returns
    -------
    moving : ndarray of float64
        Same shape as ``image`` (gray → gray, colour → RGB), values in [0, 1];
        black where the warped view leaves the photo.
    fixed : ndarray of float64
        ``image`` as float in [0, 1].
    matrix : (3, 3) ndarray
        True transform: moving ``(x, y)`` → fixed ``(x, y)``.
    """
    from skimage.transform import ProjectiveTransform, warp

    from core.images import as_float

    image = check_image(image)
    fixed = as_float(image if image.ndim == 2 else to_rgb(image))
    rng = np.random.default_rng(seed)
    matrix = random_homography(fixed.shape, rng, rotation=rotation, scale=scale, shift=shift,
                               perspective=perspective)
    moving = warp(fixed, ProjectiveTransform(matrix), order=1, mode="constant", cval=0.0)
    gain = rng.uniform(1 - brightness, 1 + brightness)
    offset = rng.uniform(-brightness / 4, brightness / 4)
    moving = np.clip(moving * gain + offset + rng.normal(0.0, noise, moving.shape), 0.0, 1.0)
    return moving, fixed, matrix


@dataclass(frozen=True)
class DemoViews:
    """Overlapping views cut from one photo with known transforms.

    Attributes
    ----------
    views : list of ndarray of uint8, (h, w, 3)
        The views, left to right.
    matrices : list of (3, 3) ndarrays
        Each view's ``(x, y)`` → photo ``(x, y)`` (the ground truth).
    """

    views: list
    matrices: list

    def true_matrix(self, i: int, j: int) -> np.ndarray:
        """True transform from view ``i``'s ``(x, y)`` to view ``j``'s."""
        m = np.linalg.inv(self.matrices[j]) @ self.matrices[i]
        return m / m[2, 2]


def demo_views(
    photo: np.ndarray,
    *,
    n_views: int = 3,
    seed: int = 0,
    rotation: float = 6.0,
    scale: float = 0.06,
    perspective: float = 0.02,
    overlap: float = 0.5,
) -> DemoViews:
    """Cut ``n_views`` overlapping, randomly rotated / scaled / tilted views from a photo.

    Views are spread left to right; each one's outline lies inside the photo.

    Parameters
    ----------
    photo : ndarray
        Gray or colour image of any dtype (at least 96 pixels on each side).
    n_views : int, optional
        2 or 3 (up to 5).
    seed : int, optional
        Seed of the random transforms.
    rotation : float, optional
        Rotation of each view uniform in ±``rotation`` degrees.
    scale : float, optional
        Scale of each view uniform in 1 ± ``scale``.
    perspective : float, optional
        Corner jitter as a fraction of the view size (mild perspective).
    overlap : float, optional
        Fraction of a view's width shared with its neighbour.

    Returns
    -------
    demo : DemoViews
    """
    from skimage.transform import ProjectiveTransform, warp

    if not 2 <= n_views <= 5:
        raise ValueError(f"n_views must lie in 2…5; got {n_views}.")
    if not 0.2 <= overlap <= 0.8:
        raise ValueError(f"overlap must lie in [0.2, 0.8]; got {overlap}.")
    photo = check_image(photo, min_side=96, name="photo")
    rgb = to_rgb(photo).astype(np.float64) / 255.0
    H, W = rgb.shape[:2]
    rng = np.random.default_rng(seed)
    vw = int(0.86 * W / (1 + (n_views - 1) * (1 - overlap)))
    vh = int(0.72 * H)
    step = vw * (1 - overlap)
    x0 = (W - (vw + (n_views - 1) * step)) / 2.0
    views, matrices = [], []
    src = image_corners((vh, vw))
    for k in range(n_views):
        centre = np.array([x0 + k * step + vw / 2.0, H / 2.0])
        for attempt in range(60):
            damp = 1.0 - attempt / 60.0
            th = np.deg2rad(rng.uniform(-rotation, rotation) * damp)
            s = 1.0 + rng.uniform(-scale, scale) * damp
            rot = s * np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
            dst = (src - [vw / 2.0, vh / 2.0]) @ rot.T + centre
            dst = dst + rng.uniform(-perspective, perspective, (4, 2)) * [vw, vh] * damp
            if dst.min() >= -0.5 and np.all(dst.max(axis=0) <= [W - 0.5, H - 0.5]):
                break
        else:
            dst = src - [vw / 2.0, vh / 2.0] + centre
        m = np.asarray(ProjectiveTransform.from_estimate(src, dst).params, dtype=np.float64)
        view = warp(rgb, ProjectiveTransform(m), output_shape=(vh, vw), order=1, mode="edge")
        views.append(np.clip(np.rint(view * 255), 0, 255).astype(np.uint8))
        matrices.append(m / m[2, 2])
    return DemoViews(views=views, matrices=matrices)
