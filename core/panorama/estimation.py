"""Robust estimation: RANSAC (scikit-image's, or a faster one plus a weighted least-squares refit).

``estimate_transform`` fits one of :data:`MODELS` to matched ``(x, y)`` points;
``register_features`` goes from two images' ORB features to a :class:`Registration`
(match → RANSAC → refit → sanity checks).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core._validation import check_choice, check_float, check_int
from core.keypoints import ORBFeatures
from core.panorama.geometry import RegistrationError, apply_matrix, check_matrix
from core.panorama.matching import match_features

__all__ = ["MIN_INLIERS", "MODELS", "Registration", "RegistrationParams", "estimate_transform", "register_features"]

#: RANSAC models: name → (skimage transform class name, minimum samples).
MODELS = {
    "projective": ("ProjectiveTransform", 4),
    "affine": ("AffineTransform", 3),
    "similarity": ("SimilarityTransform", 2),
    "euclidean": ("EuclideanTransform", 2),
}
#: Registrations with fewer RANSAC inliers than this are refused.
MIN_INLIERS = 12


def _transform_class(model: str):
    from skimage import transform

    check_choice("model", model, MODELS)
    return getattr(transform, MODELS[model][0])


@dataclass(frozen=True)
class RegistrationParams:
    """Settings of :func:`register_features`: matching (``cross_check``, ``max_ratio``) and robust estimation.

    The defaults are the improved pipeline's; ``refine=False`` with ``residual_threshold=1, max_trials=300,
    max_ratio=1`` is the stitching tutorial's.
    """

    cross_check: bool = True
    max_ratio: float = 0.8
    model: str = "projective"
    residual_threshold: float = 2.0
    max_trials: int = 1000
    seed: int = 0
    refine: bool = True

    @classmethod
    def from_values(cls, values: dict) -> RegistrationParams:
        return cls(**{name: values[name] for name in cls.__dataclass_fields__})


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
        return apply_matrix(self.matrix, xy)



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
    (2N, 2N) matrix, ~1 s for 1500 matches. Returns the best inlier mask, or None.
    """
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
        residuals = np.linalg.norm(apply_matrix(matrix, src) - dst, axis=1)
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
        RANSAC iterations, 1…100000.
    seed : int, optional
        Seed of RANSAC's random samples (same seed, same result).
    refine : bool, optional
        False: ``skimage.measure.ransac((src, dst), <model>Transform, min_samples, residual_threshold,
        max_trials=max_trials, rng=seed)`` exactly as the stitching tutorial calls it (every trial runs).
        True: a faster RANSAC with the same sampling rule that stops once 99.99 % sure of its best sample
        (scikit-image's final fit builds a (2N, 2N) SVD, ~1 s for 1500 matches), then a (weighted)
        least-squares refit on the inliers that re-selects them, up to 3 times: sub-pixel accuracy.
    weights : (Q,) array, optional
        Confidence of each match for the refit (e.g. ``1 / (s_moving² + s_fixed²)``
        with the keypoints' pyramid scales: coarse levels localise worse).

    Returns
    -------
    matrix : (3, 3) ndarray
    inliers : (Q,) bool ndarray
        Matches within ``residual_threshold`` of the final transform (``refine=True``), or, as
        ``skimage.measure.ransac`` returns them, of its best sample's transform (``refine=False``).
    residuals : (Q,) float ndarray
        Distances (pixels) of every match to the final transform.
    """
    transform_class = _transform_class(model)
    min_samples = MODELS[model][1]
    residual_threshold = check_float("residual_threshold", residual_threshold, 0.0, 1000.0, lo_open=True)
    max_trials = check_int("max_trials", max_trials, 1, 100000)
    src = np.asarray(src, dtype=np.float64).reshape(-1, 2)
    dst = np.asarray(dst, dtype=np.float64).reshape(-1, 2)
    need = max(MIN_INLIERS, min_samples + 1)
    if len(src) < need:
        raise RegistrationError(
            f"Only {len(src)} matches; at least {need} are needed to fit a {model} transform reliably. "
            "Try: more keypoints, a lower fast_threshold, a higher max_ratio or no cross-check — or "
            "the images may not overlap."
        )
    if refine:
        inliers = _ransac(src, dst, model, min_samples, residual_threshold, max_trials, int(seed))
    else:
        from skimage.measure import ransac

        fitted, inliers = ransac((src, dst), transform_class, min_samples=min_samples,
                                 residual_threshold=residual_threshold, max_trials=max_trials, rng=int(seed))
        if not fitted or inliers is None or inliers.sum() < min_samples:
            inliers = None
        else:
            matrix = np.asarray(fitted.params, dtype=np.float64)
    if inliers is None or inliers.sum() < min_samples:
        raise RegistrationError(
            f"RANSAC found no {model} transform consistent with the {len(src)} matches. Try a larger "
            "residual_threshold, more max_trials or a simpler model."
        )
    if refine:
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
            new = np.linalg.norm(apply_matrix(matrix, src) - dst, axis=1) < residual_threshold
            if np.array_equal(new, inliers):
                break
            inliers = new
    matrix = matrix / matrix[2, 2] if abs(matrix[2, 2]) > 1e-12 else matrix
    residuals = np.linalg.norm(apply_matrix(matrix, src) - dst, axis=1)
    residuals = np.where(np.isfinite(residuals), residuals, np.inf)
    if refine:  # scikit-image's ransac keeps the inliers of its best sample: so does the tutorial's pipeline
        inliers = residuals < residual_threshold
    return matrix, inliers, residuals


def register_features(moving: ORBFeatures, fixed: ORBFeatures, params: RegistrationParams | None = None
                      ) -> Registration:
    """Register two images from their ORB features (match → RANSAC → refit), as :class:`RegistrationParams` say.

    Raises
    ------
    RegistrationError
        Too few matches or inliers, or an implausible transform; the message says what to try.
    """
    p = params or RegistrationParams()
    matches = match_features(moving.descriptors, fixed.descriptors, cross_check=p.cross_check,
                             max_ratio=p.max_ratio)
    src = moving.keypoints[matches[:, 0]][:, ::-1]
    dst = fixed.keypoints[matches[:, 1]][:, ::-1]
    weights = 1.0 / (moving.scales[matches[:, 0]] ** 2 + fixed.scales[matches[:, 1]] ** 2) ** 2
    matrix, inliers, residuals = estimate_transform(
        src, dst, model=p.model, residual_threshold=p.residual_threshold, max_trials=p.max_trials, seed=p.seed,
        refine=p.refine, weights=weights,
    )
    n_in = int(inliers.sum())
    if n_in < MIN_INLIERS:
        raise RegistrationError(
            f"Only {n_in} of {len(matches)} matches agree on one {p.model} transform (at least {MIN_INLIERS} "
            "are needed): the images probably do not show the same scene, or overlap too little. Use "
            "overlapping photos, or try more keypoints and a larger residual_threshold."
        )
    check_matrix(matrix, moving.shape)
    return Registration(
        matrix=matrix,
        model=p.model,
        keypoints_moving=moving.keypoints,
        keypoints_fixed=fixed.keypoints,
        matches=matches,
        inliers=inliers,
        residuals=residuals,
    )

