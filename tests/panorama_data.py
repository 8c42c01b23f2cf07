"""Synthetic registration data for the panorama tests and benchmarks (not used by the app).

``synthetic_pair(image, seed)`` makes a moving image from ``image`` by a known random homography,
a brightness change and noise; ``random_homography`` draws such a homography.
"""

from __future__ import annotations

import numpy as np

from core.images import as_float, check_image, to_rgb
from core.panorama import image_corners


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
