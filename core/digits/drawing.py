"""Digits (SVC): a drawing on the canvas → the dataset's 32×32 bitmap → 8×8 counts → ranked classes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core import canvas as _canvas  # the one canvas adapter
from core._validation import check_float, constraint_error
from core.digits.model import CANVAS_SIZE

__all__ = ["BOX_WIDTH", "DATASET_STROKE", "bitmap_to_digit", "digit_scores", "drawing_to_bitmap", "drawing_to_digit",
           "rasterize_strokes"]


#: The colour of the page's pen; any stroke colour counts as ink.
INK = "#000000"


def rasterize_strokes(json_data: dict | list | None, shape: tuple[int, int] = (CANVAS_SIZE, CANVAS_SIZE)) -> np.ndarray:
    """Render the strokes of a drawable-canvas drawing as an RGBA image.

    The canvas JSON goes through the project's one canvas adapter
    (:func:`core.canvas.objects_to_primitives` → :func:`core.canvas.rasterize_primitives`),
    the same code the trainable-segmentation page uses, so a stroke covers the same
    pixels on both pages.

    Parameters
    ----------
    json_data : dict, list or None
        ``CanvasResult.json_data`` of ``streamlit_drawable_canvas.st_canvas`` (Fabric.js
        JSON) or its ``objects`` list. Strokes of any colour count as ink.
    shape : (int, int)
        ``(height, width)`` of the canvas in pixels (one image pixel per canvas pixel).

    Returns
    -------
    rgba : ndarray of uint8, shape (H, W, 4)
        Black ink, alpha 255 where the strokes are and 0 elsewhere.

    Raises
    ------
    ValueError
        If the canvas is smaller than 8×8 or the data is not a drawing.
    """
    height, width = int(shape[0]), int(shape[1])
    if height < 8 or width < 8:
        raise ValueError(f"The canvas must be at least 8×8 pixels; got {width}×{height}.")
    objects = (json_data or {}).get("objects") or [] if isinstance(json_data, dict) else (json_data or [])
    colours = {o.get("stroke") for o in objects if isinstance(o, dict) and isinstance(o.get("stroke"), str)}
    ink_of = {c: 1 for c in colours if _canvas.normalize_color(c) is not None} or {INK: 1}
    labels = _canvas.rasterize_primitives(_canvas.objects_to_primitives(objects, ink_of, 1.0), (height, width))
    rgba = np.zeros((height, width, 4), dtype=np.uint8)
    rgba[..., 3] = (labels > 0) * np.uint8(255)
    return rgba


def _ink(rgba: np.ndarray) -> np.ndarray:
    """Ink amount in [0, 1] per pixel: alpha when it varies (or is all transparent), else darkness."""
    from core.images import as_float, to_gray

    image = np.asarray(rgba)
    if image.dtype == bool:
        image = image.astype(np.float64)
    if image.dtype.kind not in "uif":
        raise ValueError(f"The drawing must be a numeric image; got dtype {image.dtype}.")
    if image.ndim == 2:
        return np.clip(as_float(image), 0, 1)
    if image.ndim == 3 and image.shape[-1] == 4:
        alpha = as_float(image[..., 3])
        if alpha.max() > alpha.min() or alpha.max() == 0:  # ink on a transparent ground
            return np.clip(alpha, 0, 1)
        return 1.0 - to_gray(image[..., :3])
    if image.ndim == 3 and image.shape[-1] == 3:
        return 1.0 - to_gray(image)
    raise ValueError(
        f"The drawing must be RGBA (H, W, 4), RGB (H, W, 3) or gray (H, W); got shape {image.shape}."
    )


#: Median stroke width of the dataset's digits in the 32×32 bitmap, in pixels
#: (measured on the digits themselves: on-pixel area / skeleton length).
DATASET_STROKE = 5.4
_STROKE_BAND = (4.5, 7.0)
#: The box a drawing is fitted into, in 32×32-bitmap pixels: the full height, at most this wide. Every digit of
#: the dataset spans all 8 rows of its 8×8 image but only 5–6 of the 8 columns (10th / 50th / 90th percentile:
#: 5, 6, 6; column 0 is inked in 1.2 % of the digits): the bitmaps were centred in a box narrower than 32 px.
#: 20 px reads all 50 drawings of tests/digit_drawings.py right (22 px: 47, 24 px: 44, the old "longer side to
#: 32 px" scaling: 38 — a round "0" stretched to the outer columns was read as "1").
BOX_WIDTH = 20


def drawing_to_bitmap(rgba: np.ndarray, *, ink_threshold: float = 0.5) -> np.ndarray:
    """Normalise a drawing to the 32×32 binary bitmap the digits dataset starts from.

    The drawn pixels are binarised and cropped to their bounding box, which is
    then fitted the way the dataset's digits were: scaled to the full 32-pixel
    height, its width scaled alike but never beyond :data:`BOX_WIDTH` pixels (a
    wide drawing is narrowed), and centred, so the outer columns stay empty as
    they do in the dataset. A pen much thinner or thicker than the dataset's
    strokes (median :data:`DATASET_STROKE` pixels at 32×32) is dilated or eroded
    to that width, so the pen size does not change the prediction. The work is
    done at 128×128, then each 4×4 block becomes one bitmap pixel (on when at
    least half of it is inked).

    Parameters
    ----------
    rgba : ndarray
        ``(H, W, 4)`` RGBA where ink is opaque on a transparent background (the
        canvas), or an opaque RGB / RGBA image with dark ink on a light ground,
        or a gray ``(H, W)`` image with bright ink on black (like the dataset).
    ink_threshold : float
        Ink fraction in (0, 1) above which a pixel counts as drawn.

    Returns
    -------
    bitmap : ndarray of bool, shape (32, 32)

    Raises
    ------
    ValueError
        If nothing is drawn.
    """
    from scipy import ndimage as ndi
    from skimage.morphology import skeletonize
    from skimage.transform import resize

    ink_threshold = check_float("ink_threshold", ink_threshold, 0.0, 1.0, lo_open=True)
    if ink_threshold >= 1:
        raise constraint_error("ink_threshold", "a float in the range (0, 1)", ink_threshold)
    ink = _ink(rgba) > ink_threshold
    if not ink.any():
        raise ValueError("The drawing is empty: draw a digit (0–9) on the canvas, large and centred.")
    rows, cols = np.nonzero(ink)
    crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1].astype(np.float64)
    h, w = crop.shape
    side = 128
    nh = side
    nw = max(1, min(int(round(w * side / h)), BOX_WIDTH * 4))
    shrinking = h > side or w > nw
    small = resize(crop, (nh, nw), order=1, anti_aliasing=shrinking) >= 0.5
    if not small.any():  # a hairline can vanish when shrunk: keep its trace
        small = resize(crop, (nh, nw), order=1, anti_aliasing=shrinking) > 0
    big = np.zeros((side, side), dtype=bool)
    left = (side - nw) // 2
    big[:, left : left + nw] = small
    # pen width in 32-pixel units: inked area / skeleton length
    width = big.sum() / max(int(skeletonize(big).sum()), 1) / 4.0
    if width < _STROKE_BAND[0]:
        big = ndi.distance_transform_edt(~big) <= (DATASET_STROKE - width) / 2 * 4
    elif width > _STROKE_BAND[1]:
        thinner = ndi.distance_transform_edt(big) > (width - DATASET_STROKE) / 2 * 4
        if thinner.any():
            big = thinner
    return big.reshape(32, 4, 32, 4).mean(axis=(1, 3)) >= 0.5


def drawing_to_digit(rgba: np.ndarray, *, ink_threshold: float = 0.5) -> np.ndarray:
    """Reduce a drawing to a digits-dataset sample: 8×8 counts of on pixels, 0…16.

    Parameters
    ----------
    rgba : ndarray
        The drawing, see :func:`drawing_to_bitmap`.
    ink_threshold : float
        Ink fraction in (0, 1) above which a pixel counts as drawn.

    Returns
    -------
    digit : ndarray of float64, shape (64,)
        Integer values in 0…16 (the number of on pixels in each 4×4 block of
        the 32×32 bitmap), raveled row by row like ``digits.data``.
    """
    return bitmap_to_digit(drawing_to_bitmap(rgba, ink_threshold=ink_threshold))


def bitmap_to_digit(bitmap: np.ndarray) -> np.ndarray:
    """Count the on pixels of each 4×4 block of a ``(32, 32)`` bitmap: the ``(64,)`` float sample, 0…16."""
    bitmap = np.asarray(bitmap, dtype=bool)
    if bitmap.shape != (32, 32):
        raise ValueError(f"Expected a 32×32 bitmap (see drawing_to_bitmap); got shape {bitmap.shape}.")
    counts = bitmap.reshape(8, 4, 8, 4).sum(axis=(1, 3))
    return counts.astype(np.float64).reshape(64)


def digit_scores(model, digit: np.ndarray) -> pd.DataFrame:
    """The classes of one digit, ranked by the SVC's decision function: the top row is the verdict.

    The scores are ``model.decision_function`` in its one-vs-rest shape: the
    number of one-vs-one duels a class won plus a confidence term in (−1/3,
    1/3). They are not probabilities (``SVC(probability=True)`` is deprecated in
    scikit-learn 1.9). The verdict is the highest score — what
    ``SVC(break_ties=True).predict`` returns; plain ``predict`` counts votes only
    and may pick another class when two tie, so it is not used for the verdict.

    Parameters
    ----------
    model : fitted sklearn.svm.SVC
    digit : ndarray, shape (64,) or (8, 8)
        Values 0…16.

    Returns
    -------
    table : DataFrame
        One row per class, highest score first: ``rank`` (1…10), ``digit``,
        ``score``, ``predicted`` (True on the first row only).
    """
    x = np.asarray(digit, dtype=np.float64).reshape(1, -1)
    if x.shape[1] != 64:
        raise ValueError(f"A digit must have 64 values (8×8); got {x.shape[1]}.")
    scores = np.asarray(model.decision_function(x), dtype=np.float64).reshape(-1)
    classes = np.asarray(model.classes_)
    order = np.argsort(-scores, kind="stable")  # ties: the lower class first, as argmax does
    return pd.DataFrame({"rank": np.arange(1, classes.size + 1), "digit": classes[order], "score": scores[order],
                         "predicted": np.arange(classes.size) == 0})
