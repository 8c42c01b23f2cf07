"""Mid-level features: Harris corners and ORB keypoints.

The tutorial's "Using mid-level features" section: ``feature.corner_harris``
followed by ``feature.corner_peaks`` on the camera-man, and the exercise
"represent the ORB keypoints of the camera-man". Everything here takes a gray
or colour image of any dtype (converted with :func:`core.images.to_gray`) and
returns plain arrays or dataclasses. Coordinates are ``(row, col)``, as
scikit-image's feature detectors return them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.images import check_image, to_gray

__all__ = [
    "HARRIS_METHODS",
    "features_table",
    "ORBFeatures",
    "harris_corners",
    "harris_response",
    "keypoint_glyphs",
    "orb_features",
]

#: ``corner_harris`` methods: ``"k"`` uses ``det(A) - k * trace(A)**2``,
#: ``"eps"`` uses ``2 * det(A) / (trace(A) + eps)`` (Noble's measure).
HARRIS_METHODS = ("k", "eps")


def _gray(image: np.ndarray, name: str = "image") -> np.ndarray:
    image = check_image(image, min_side=8, name=name)
    return to_gray(image)


def _check_harris(method: str, k: float, eps: float, sigma: float) -> None:
    if method not in HARRIS_METHODS:
        raise ValueError(f"method must be 'k' or 'eps'; got {method!r}.")
    if not 0 <= k <= 0.25:
        raise ValueError(f"k must lie in [0, 0.25] (typical: 0.04–0.06); got {k}.")
    if not eps > 0:
        raise ValueError(f"eps must be positive (e.g. 1e-6); got {eps}.")
    if not sigma > 0:
        raise ValueError(f"sigma must be positive (e.g. 1.0 pixel); got {sigma}.")


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
        Sensitivity for ``method='k'``; smaller values detect sharper corners *and* more edges.
    eps : float, optional
        Normalisation for ``method='eps'``.
    sigma : float, optional
        Standard deviation (pixels) of the Gaussian that averages the structure tensor.

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
        Minimum distance (pixels) between two corners; also the border left out.
    threshold_rel : float, optional
        Keep peaks above ``threshold_rel * response.max()`` (0 keeps every
        local maximum above the image's minimum response, skimage's default).
    num_peaks : int or None, optional
        Keep at most this many (the strongest).
    response : ndarray, optional
        A precomputed :func:`harris_response` of ``image`` (saves recomputing it).

    Returns
    -------
    corners : ndarray of int64, shape (N, 2)
        ``(row, col)`` coordinates, strongest first.
    """
    if min_distance < 1:
        raise ValueError(f"min_distance must be at least 1 pixel; got {min_distance}.")
    if not 0 <= threshold_rel <= 1:
        raise ValueError(f"threshold_rel must lie in [0, 1]; got {threshold_rel}.")
    if num_peaks is not None and num_peaks < 1:
        raise ValueError(f"num_peaks must be at least 1 (or None for all); got {num_peaks}.")
    from skimage.feature import corner_peaks

    if response is None:
        response = harris_response(image, method=method, k=k, eps=eps, sigma=sigma)
    coords = corner_peaks(
        response,
        min_distance=int(min_distance),
        threshold_rel=float(threshold_rel) if threshold_rel > 0 else None,
        num_peaks=np.inf if num_peaks is None else int(num_peaks),
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
        ``(H, W)`` gray or ``(H, W, 3)`` colour image of any dtype.
    n_keypoints : int, optional
        Keep at most this many keypoints (the strongest Harris responses).
    fast_threshold : float, optional
        FAST threshold on [0, 1] intensities: a pixel is a corner candidate when
        ``fast_n`` contiguous circle pixels are all brighter or darker by this much.
        Lower it to find more keypoints in low-contrast images.
    fast_n : int, optional
        Contiguous pixels (of 16) FAST requires.
    downscale : float, optional
        Factor between pyramid levels (> 1).
    n_scales : int, optional
        Number of pyramid levels.
    harris_k : float, optional
        ``k`` of the Harris measure used to rank FAST corners.

    Returns
    -------
    features : ORBFeatures
        Unpacks as ``keypoints, scales, orientations, descriptors``.

    Raises
    ------
    ValueError
        On bad parameters, or when no keypoint is found (flat image).
    """
    if not 1 <= n_keypoints <= 20000:
        raise ValueError(f"n_keypoints must lie in 1…20000; got {n_keypoints}.")
    if not 0 < fast_threshold < 1:
        raise ValueError(f"fast_threshold must lie in (0, 1) (intensities are scaled to [0, 1]); got {fast_threshold}.")
    if not 1 <= fast_n <= 16:
        raise ValueError(f"fast_n must lie in 1…16; got {fast_n}.")
    if not 1 < downscale <= 4:
        raise ValueError(f"downscale must lie in (1, 4] (e.g. 1.2); got {downscale}.")
    if not 1 <= n_scales <= 20:
        raise ValueError(f"n_scales must lie in 1…20; got {n_scales}.")
    if not 0 <= harris_k <= 0.25:
        raise ValueError(f"harris_k must lie in [0, 0.25] (typical: 0.04); got {harris_k}.")
    gray = _gray(image)
    if min(gray.shape) < 32:
        raise ValueError(
            f"The image is too small for ORB ({gray.shape[1]}×{gray.shape[0]}): its descriptors need "
            "a 31×31 patch around each keypoint. Use an image at least 64 pixels on each side."
        )
    from skimage.feature import ORB

    orb = ORB(
        n_keypoints=int(n_keypoints),
        fast_threshold=float(fast_threshold),
        fast_n=int(fast_n),
        downscale=float(downscale),
        n_scales=int(n_scales),
        harris_k=float(harris_k),
    )
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


def keypoint_glyphs(
    keypoints: np.ndarray,
    scales: np.ndarray,
    orientations: np.ndarray,
    *,
    base_radius: float = 4.0,
    n_vertices: int = 24,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Polylines for drawing keypoints: a circle sized by scale and an orientation tick.

    Parameters
    ----------
    keypoints : (N, 2) array
        ``(row, col)`` positions.
    scales : (N,) array
        Pyramid scale of each keypoint; the circle radius is ``base_radius * scale``.
    orientations : (N,) array
        Orientation in radians (``ORB.orientations``): the tick points along
        ``(d_row, d_col) = (sin, cos)``.
    base_radius : float, optional
        Radius in pixels of a keypoint found at scale 1.
    n_vertices : int, optional
        Vertices per circle.

    Returns
    -------
    circle_x, circle_y, tick_x, tick_y : ndarray of float64
        Column (x) and row (y) coordinates of all circles, then of all ticks,
        each glyph separated by NaN (the format plotly and matplotlib draw as
        separate lines).
    """
    keypoints = np.asarray(keypoints, dtype=np.float64).reshape(-1, 2)
    scales = np.asarray(scales, dtype=np.float64).reshape(-1)
    orientations = np.asarray(orientations, dtype=np.float64).reshape(-1)
    if not (len(keypoints) == len(scales) == len(orientations)):
        raise ValueError("keypoints, scales and orientations must have the same length.")
    n = len(keypoints)
    radius = base_radius * scales
    t = np.linspace(0, 2 * np.pi, n_vertices + 1)
    cx = keypoints[:, 1, None] + radius[:, None] * np.cos(t)[None, :]
    cy = keypoints[:, 0, None] + radius[:, None] * np.sin(t)[None, :]
    nan = np.full((n, 1), np.nan)
    circle_x = np.hstack([cx, nan]).ravel()
    circle_y = np.hstack([cy, nan]).ravel()
    tx = np.column_stack([keypoints[:, 1], keypoints[:, 1] + radius * np.cos(orientations), nan[:, 0]])
    ty = np.column_stack([keypoints[:, 0], keypoints[:, 0] + radius * np.sin(orientations), nan[:, 0]])
    return circle_x, circle_y, tx.ravel(), ty.ravel()


def features_table(corners: np.ndarray, response: np.ndarray, orb: ORBFeatures | None = None):
    """One table of Harris corners and ORB keypoints (what the Keypoints page downloads).

    Parameters
    ----------
    corners : (N, 2) int array
        Harris corners ``(row, col)``.
    response : (H, W) array
        The Harris response (gives each corner's strength).
    orb : ORBFeatures, optional
        ORB keypoints to append.

    Returns
    -------
    table : pandas.DataFrame
        Columns ``detector`` ("harris" / "orb"), ``row``, ``col``, ``scale``,
        ``orientation`` (radians, NaN for Harris), ``response``.
    """
    import pandas as pd

    corners = np.asarray(corners).reshape(-1, 2)
    harris = pd.DataFrame({
        "detector": "harris",
        "row": corners[:, 0].astype(np.float64),
        "col": corners[:, 1].astype(np.float64),
        "scale": 1.0,
        "orientation": np.nan,
        "response": np.asarray(response)[corners[:, 0], corners[:, 1]].astype(np.float64),
    })
    if orb is None:
        return harris
    keypoints = pd.DataFrame({
        "detector": "orb",
        "row": orb.keypoints[:, 0],
        "col": orb.keypoints[:, 1],
        "scale": orb.scales,
        "orientation": orb.orientations,
        "response": orb.responses,
    })
    return pd.concat([harris, keypoints], ignore_index=True)
