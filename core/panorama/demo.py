"""Demo views: overlapping views cut from one photo with known transforms (a panorama with a ground truth)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.images import check_image, to_rgb
from core.panorama.geometry import image_corners

__all__ = ["OVERLAP", "DemoViews", "demo_views"]

#: Fraction of a demo view's width shared with its neighbour (the page's, the tests' and the benchmark's).
OVERLAP = 0.6


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
    overlap: float = OVERLAP,
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
