"""Geometry shared by the panorama stages: image outlines, applying 3×3 matrices, sanity checks.

Keypoints are ``(row, col)``; transforms act on ``(x, y) = (col, row)``. A 3×3
``matrix`` maps homogeneous ``(x, y, 1)`` of one image to another.
"""

from __future__ import annotations

import numpy as np

__all__ = ["RegistrationError", "apply_matrix", "check_matrix", "check_sizes", "corner_error", "image_corners"]


class RegistrationError(ValueError):
    """Registration or stitching failed; the message says why and what to try."""


def image_corners(shape) -> np.ndarray:
    """``(x, y)`` of the 4 outer corners of an image of ``shape`` (pixel edges), (4, 2) float64."""
    h, w = shape[:2]
    return np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float64) - 0.5




def apply_matrix(matrix: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """``(x, y)`` points (N, 2) mapped by a 3×3 homogeneous ``matrix`` (NaN/inf where it sends them to infinity)."""
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
    return float(np.mean(np.linalg.norm(apply_matrix(matrix, c) - apply_matrix(true_matrix, c), axis=1)))



def check_matrix(matrix: np.ndarray, shape) -> None:
    """Refuse degenerate or absurd transforms of an image of ``shape`` (H, W), with a reason and a fix."""
    if matrix is None or not np.all(np.isfinite(matrix)):
        raise RegistrationError(
            "The fitted transform is degenerate (not finite). Try a simpler model (affine or similarity) "
            "or more keypoints."
        )
    c = apply_matrix(matrix, image_corners(shape))
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

