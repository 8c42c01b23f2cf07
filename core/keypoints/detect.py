"""Detection stages: the Harris measure and its peaks, ORB keypoints (image first, keyword parameters)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core._validation import check_choice, check_float, check_int, constraint_error
from core.images import check_image, to_gray

__all__ = ["HARRIS_METHODS", "ORBFeatures", "harris_corners", "harris_response", "orb_features"]

#: ``corner_harris`` methods: ``"k"`` uses ``det(A) - k * trace(A)**2``,
#: ``"eps"`` uses ``2 * det(A) / (trace(A) + eps)`` (Noble's measure).
HARRIS_METHODS = ("k", "eps")


def _gray(image: np.ndarray, name: str = "image") -> np.ndarray:
    image = check_image(image, min_side=8, name=name)
    return to_gray(image)


def _open_range(name: str, value, lo: float, hi: float | None = None) -> float:
    """``value`` as a float in ``(lo, hi)`` (``(lo, ∞)`` without ``hi``), in the one message form."""
    constraint = f"a finite float > {lo:g}" if hi is None else f"a finite float in the range ({lo:g}, {hi:g})"
    try:
        number = check_float(name, value)
    except ValueError:
        raise constraint_error(name, constraint, value) from None
    if number <= lo or (hi is not None and number >= hi):
        raise constraint_error(name, constraint, value)
    return number


def _check_harris(method: str, k: float, eps: float, sigma: float) -> None:
    check_choice("method", method, HARRIS_METHODS)
    check_float("k", k, 0.0, 0.25)
    _open_range("eps", eps, 0.0)
    _open_range("sigma", sigma, 0.0)


def harris_response(
    image: np.ndarray, *, method: str = "k", k: float = 0.05, eps: float = 1e-6, sigma: float = 1.0
) -> np.ndarray:
    """Harris corner measure of every pixel (``skimage.feature.corner_harris``).

    Parameters
    ----------
    image : ndarray
        ``(H, W)`` gray or ``(H, W, 3)`` colour image of any dtype; colour is
        converted to gray, intensities are scaled to [0, 1].
    method : {'k', 'eps'}, optional
        ``'k'``: ``det(A) - k * trace(A)**2``; ``'eps'``: ``2 det(A) / (trace(A) + eps)``.
    k : float, optional
        Sensitivity for ``method='k'`` in [0, 0.25]; smaller values detect sharper corners *and* more edges.
    eps : float, optional
        Normalisation for ``method='eps'`` (> 0).
    sigma : float, optional
        Standard deviation (pixels, > 0) of the Gaussian that averages the structure tensor.

    Returns
    -------
    response : ndarray of float64, shape (H, W)
        Large positive at corners, negative along edges, near zero in flat regions.
    """
    _check_harris(method, k, eps, sigma)
    from skimage.feature import corner_harris

    return corner_harris(_gray(image), method=method, k=k, eps=eps, sigma=sigma)


def harris_corners(
    image: np.ndarray,
    *,
    method: str = "k",
    k: float = 0.05,
    eps: float = 1e-6,
    sigma: float = 1.0,
    min_distance: int = 1,
    threshold_rel: float = 0.0,
    num_peaks: int | None = None,
    response: np.ndarray | None = None,
) -> np.ndarray:
    """Harris corners: ``corner_peaks(corner_harris(image))``, as in the tutorial.

    Parameters
    ----------
    image : ndarray
        ``(H, W)`` gray or ``(H, W, 3)`` colour image of any dtype.
    method, k, eps, sigma
        See :func:`harris_response`.
    min_distance : int, optional
        Minimum distance (pixels, ≥ 1) between two corners; also the border left out.
    threshold_rel : float, optional
        Keep peaks above ``threshold_rel * response.max()``, in [0, 1] (0 keeps
        every local maximum, as today's ``corner_peaks`` default does).
    num_peaks : int or None, optional
        Keep at most this many (the strongest).
    response : ndarray, optional
        A precomputed :func:`harris_response` of ``image`` (saves recomputing it).

    Returns
    -------
    corners : ndarray of int64, shape (N, 2)
        ``(row, col)`` coordinates, strongest first.
    """
    min_distance = check_int("min_distance", min_distance, 1, None)
    threshold_rel = check_float("threshold_rel", threshold_rel, 0.0, 1.0)
    if num_peaks is not None:
        num_peaks = check_int("num_peaks", num_peaks, 1, None)
    from skimage.feature import corner_peaks

    if response is None:
        response = harris_response(image, method=method, k=k, eps=eps, sigma=sigma)
    coords = corner_peaks(
        response,
        min_distance=min_distance,
        threshold_rel=threshold_rel if threshold_rel > 0 else None,
        num_peaks=np.inf if num_peaks is None else num_peaks,
    )
    coords = np.asarray(coords, dtype=np.int64).reshape(-1, 2)
    if len(coords):
        order = np.argsort(-response[coords[:, 0], coords[:, 1]], kind="stable")
        coords = coords[order]
    return coords


@dataclass(frozen=True)
class ORBFeatures:
    """ORB keypoints of one image.

    Attributes
    ----------
    keypoints : ndarray of float64, shape (N, 2)
        ``(row, col)`` positions in the full-resolution image.
    scales : ndarray of float64, shape (N,)
        Pyramid scale each keypoint was found at (``downscale ** octave``).
    orientations : ndarray of float64, shape (N,)
        Orientation in radians, measured from the column axis towards the row
        axis (``skimage.feature.ORB.orientations``).
    descriptors : ndarray of bool, shape (N, 256)
        rBRIEF binary descriptors.
    responses : ndarray of float64, shape (N,)
        Harris response of each keypoint (ORB ranks by it).
    shape : tuple of int
        ``(H, W)`` of the image the features were computed on.
    """

    keypoints: np.ndarray
    scales: np.ndarray
    orientations: np.ndarray
    descriptors: np.ndarray
    responses: np.ndarray
    shape: tuple

    def __len__(self) -> int:
        return len(self.keypoints)

    def __iter__(self):
        """Unpack as ``keypoints, scales, orientations, descriptors``."""
        return iter((self.keypoints, self.scales, self.orientations, self.descriptors))


def orb_features(
    image: np.ndarray,
    *,
    n_keypoints: int = 500,
    fast_threshold: float = 0.08,
    fast_n: int = 9,
    downscale: float = 1.2,
    n_scales: int = 8,
    harris_k: float = 0.04,
) -> ORBFeatures:
    """Oriented FAST and rotated BRIEF keypoints (``skimage.feature.ORB``).

    Defaults are scikit-image's. The tutorial's exercise is
    ``orb_features(camera, n_keypoints=400, fast_threshold=0.02)``.

    Parameters
    ----------
    image : ndarray
        ``(H, W)`` gray or ``(H, W, 3)`` colour image of any dtype, at least 32
        pixels on each side.
    n_keypoints : int, optional
        Keep at most this many keypoints (the strongest Harris responses), 1…20000.
    fast_threshold : float, optional
        FAST threshold on [0, 1] intensities, in (0, 1): a pixel is a corner
        candidate when ``fast_n`` contiguous circle pixels are all brighter or
        darker by this much. Lower it to find more keypoints in low-contrast images.
    fast_n : int, optional
        Contiguous pixels (of 16) FAST requires.
    downscale : float, optional
        Factor between pyramid levels, in (1, 4].
    n_scales : int, optional
        Number of pyramid levels, 1…20.
    harris_k : float, optional
        ``k`` of the Harris measure used to rank FAST corners, in [0, 0.25].

    Returns
    -------
    features : ORBFeatures
        Unpacks as ``keypoints, scales, orientations, descriptors``.

    Raises
    ------
    ValueError
        On bad parameters, or when no keypoint is found (flat image).
    """
    n_keypoints = check_int("n_keypoints", n_keypoints, 1, 20000)
    fast_threshold = _open_range("fast_threshold", fast_threshold, 0.0, 1.0)
    fast_n = check_int("fast_n", fast_n, 1, 16)
    downscale = check_float("downscale", downscale, 1.0, 4.0, lo_open=True)  # (1, 4]
    n_scales = check_int("n_scales", n_scales, 1, 20)
    harris_k = check_float("harris_k", harris_k, 0.0, 0.25)
    gray = _gray(image)
    if min(gray.shape) < 32:
        raise ValueError(
            f"The image is too small for ORB ({gray.shape[1]}×{gray.shape[0]}): its descriptors need "
            "a 31×31 patch around each keypoint. Use an image at least 64 pixels on each side."
        )
    from skimage.feature import ORB

    orb = ORB(n_keypoints=n_keypoints, fast_threshold=fast_threshold, fast_n=fast_n, downscale=downscale,
              n_scales=n_scales, harris_k=harris_k)
    try:
        orb.detect_and_extract(gray)
        found = orb.keypoints is not None and len(orb.keypoints) > 0
    except RuntimeError:
        found = False
    if not found:
        if min(gray.shape) < 64:
            raise ValueError(
                f"No ORB keypoints found in this small image ({gray.shape[1]}×{gray.shape[0]}): ORB ignores "
                "a 16-pixel border. Use an image at least 64 pixels on each side."
            )
        raise ValueError(
            "No ORB keypoints found: the image has no corners with enough contrast "
            f"(fast_threshold={fast_threshold:g}). Lower fast_threshold, or use a textured image."
        )
    return ORBFeatures(
        keypoints=np.asarray(orb.keypoints, dtype=np.float64),
        scales=np.asarray(orb.scales, dtype=np.float64),
        orientations=np.asarray(orb.orientations, dtype=np.float64),
        descriptors=np.asarray(orb.descriptors, dtype=bool),
        responses=np.asarray(orb.responses, dtype=np.float64),
        shape=tuple(gray.shape),
    )
