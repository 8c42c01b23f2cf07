"""Handwritten digits with a support vector classifier: a sample is a whole image.

The scikit-learn digits dataset holds 1797 images of 8×8 pixels, each pixel an
integer 0…16: the number of "on" pixels in a 4×4 block of a 32×32 binary
bitmap of a handwritten digit. :func:`train_digits` fits the tutorial's
``SVC(gamma=0.001, C=100.)`` on part of it and scores the rest;
:func:`drawing_to_digit` reduces a drawing the way the dataset was made so
that the model can read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = [
    "CANVAS_SIZE",
    "DATASET_STROKE",
    "DigitsResult",
    "digit_scores",
    "drawing_to_bitmap",
    "drawing_to_digit",
    "load_digits",
    "rasterize_strokes",
    "train_digits",
    "tutorial_check",
]

#: Side of the square drawing canvas the page uses, in pixels.
CANVAS_SIZE = 280


@lru_cache(maxsize=1)
def load_digits():
    """The scikit-learn digits dataset (bundled, offline), loaded once.

    Returns
    -------
    digits : sklearn.utils.Bunch
        ``.data`` (1797, 64) float64 in 0…16, ``.images`` (1797, 8, 8),
        ``.target`` (1797,) int in 0…9.
    """
    from sklearn import datasets

    digits = datasets.load_digits()
    for array in (digits.data, digits.images, digits.target):
        array.setflags(write=False)
    return digits


@dataclass
class DigitsResult:
    """A fitted digits classifier and its held-out evaluation.

    Attributes
    ----------
    model : sklearn.svm.SVC
        Fitted on the training part.
    accuracy : float
        Fraction of held-out digits predicted right.
    confusion : ndarray of int64, shape (10, 10)
        ``confusion[i, j]``: held-out digits of class ``i`` predicted ``j``.
    test_index : ndarray of int, shape (n_test,)
        Row of each held-out digit in the dataset.
    y_test, y_pred : ndarray of int, shape (n_test,)
        True and predicted classes of the held-out digits.
    """

    model: object
    accuracy: float
    confusion: np.ndarray
    test_index: np.ndarray
    y_test: np.ndarray
    y_pred: np.ndarray
    params: dict = field(default_factory=dict)

    @property
    def n_train(self) -> int:
        return int(load_digits().data.shape[0] - self.test_index.size)

    def errors(self) -> pd.DataFrame:
        """The misclassified held-out digits: columns ``index``, ``true``, ``predicted``."""
        wrong = self.y_pred != self.y_test
        return pd.DataFrame(
            {"index": self.test_index[wrong], "true": self.y_test[wrong], "predicted": self.y_pred[wrong]}
        )


def _check_positive(name: str, value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number; got {value!r}.") from None
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number; got {value!r}.")
    return value


def train_digits(gamma: float = 0.001, C: float = 100.0, *, test_size: float = 0.25, random_state: int = 0) -> DigitsResult:
    """Fit ``SVC(gamma, C)`` on the digits and evaluate it on a held-out part.

    Parameters
    ----------
    gamma : float
        RBF kernel width (in 1 / squared pixel-count units); the tutorial's 0.001.
    C : float
        Penalty of misclassified training samples; the tutorial's 100.
    test_size : float
        Held-out fraction, strictly between 0 and 1 (0.05 … 0.9 in practice).
    random_state : int
        Seed of ``sklearn.model_selection.train_test_split`` (not stratified).

    Returns
    -------
    result : DigitsResult
        ``.model``, ``.accuracy``, ``.confusion`` (10×10) and the held-out predictions.

    Raises
    ------
    ValueError
        If gamma or C is not positive, or the split leaves too few digits on a side.
    """
    from sklearn.metrics import confusion_matrix
    from sklearn.model_selection import train_test_split
    from sklearn.svm import SVC

    gamma = _check_positive("gamma", gamma)
    C = _check_positive("C", C)
    try:
        test_size = float(test_size)
    except (TypeError, ValueError):
        raise ValueError(f"test_size must be a fraction between 0.05 and 0.9; got {test_size!r}.") from None
    if not 0.05 <= test_size <= 0.9:
        raise ValueError(
            f"test_size must be a fraction between 0.05 and 0.9 so both the training and held-out parts "
            f"have digits of every class; got {test_size}."
        )
    digits = load_digits()
    index = np.arange(digits.target.size)
    train_idx, test_idx = train_test_split(index, test_size=test_size, random_state=int(random_state))
    model = SVC(gamma=gamma, C=C)
    model.fit(digits.data[train_idx], digits.target[train_idx])
    y_test = digits.target[test_idx]
    y_pred = model.predict(digits.data[test_idx])
    confusion = confusion_matrix(y_test, y_pred, labels=np.arange(10)).astype(np.int64)
    return DigitsResult(
        model=model,
        accuracy=float(np.mean(y_pred == y_test)),
        confusion=confusion,
        test_index=test_idx,
        y_test=y_test,
        y_pred=y_pred,
        params={"gamma": gamma, "C": C, "test_size": test_size, "random_state": int(random_state)},
    )


def tutorial_check(gamma: float = 0.001, C: float = 100.0) -> pd.DataFrame:
    """The tutorial's own check: train on all digits but the last 10, predict the last 2.

    Returns
    -------
    table : DataFrame
        Two rows (dataset rows -2 and -1): ``index``, ``true``, ``predicted``.
        With the tutorial's settings the predictions are ``[9, 8]``.
    """
    from sklearn.svm import SVC

    digits = load_digits()
    clf = SVC(gamma=_check_positive("gamma", gamma), C=_check_positive("C", C))
    clf.fit(digits.data[:-10], digits.target[:-10])
    n = digits.target.size
    return pd.DataFrame(
        {"index": [n - 2, n - 1], "true": digits.target[-2:], "predicted": clf.predict(digits.data[-2:])}
    )


# --------------------------------------------------------------------------- drawing


def _sample_path(commands) -> list[np.ndarray]:
    """Turn a Fabric.js / SVG path command list into polylines of (x, y) points."""
    polylines: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    pos = (0.0, 0.0)
    for command in commands:
        if not command:
            continue
        op, args = str(command[0]), [float(v) for v in command[1:]]
        if op in ("M", "m"):
            if len(current) > 0:
                polylines.append(current)
            pos = (args[0], args[1]) if op == "M" else (pos[0] + args[0], pos[1] + args[1])
            current = [pos]
        elif op in ("L", "l") and len(args) >= 2:
            pos = (args[0], args[1]) if op == "L" else (pos[0] + args[0], pos[1] + args[1])
            current.append(pos)
        elif op == "Q" and len(args) >= 4:
            p0, p1, p2 = np.array(pos), np.array(args[0:2]), np.array(args[2:4])
            for t in np.linspace(0, 1, 9)[1:]:
                current.append(tuple((1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2))
            pos = tuple(p2)
        elif op == "C" and len(args) >= 6:
            p0, p1, p2, p3 = np.array(pos), np.array(args[0:2]), np.array(args[2:4]), np.array(args[4:6])
            for t in np.linspace(0, 1, 9)[1:]:
                current.append(
                    tuple((1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3)
                )
            pos = tuple(p3)
        elif op in ("Z", "z") and len(current) > 0:
            current.append(current[0])
    if len(current) > 0:
        polylines.append(current)
    return [np.asarray(line, dtype=np.float64) for line in polylines]


def _object_transform(obj: dict, points: np.ndarray) -> np.ndarray:
    """Map a path's own coordinates to canvas pixels (handles moved / scaled / rotated strokes)."""
    all_points = np.concatenate([p for p in points]) if len(points) else np.zeros((0, 2))
    if all_points.size == 0:
        return points
    lo, hi = all_points.min(axis=0), all_points.max(axis=0)
    path_offset = (lo + hi) / 2
    sx, sy = float(obj.get("scaleX", 1) or 1), float(obj.get("scaleY", 1) or 1)
    if obj.get("flipX"):
        sx = -sx
    if obj.get("flipY"):
        sy = -sy
    stroke = float(obj.get("strokeWidth", 0) or 0)
    width = float(obj.get("width", hi[0] - lo[0]))
    height = float(obj.get("height", hi[1] - lo[1]))
    dim = np.array([(width + stroke) * abs(sx), (height + stroke) * abs(sy)])
    origin = {"left": 0.0, "center": 0.5, "right": 1.0, "top": 0.0, "bottom": 1.0}
    ox = origin.get(str(obj.get("originX", "left")), 0.0)
    oy = origin.get(str(obj.get("originY", "top")), 0.0)
    angle = np.deg2rad(float(obj.get("angle", 0) or 0))
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    anchor = np.array([float(obj.get("left", lo[0] - stroke / 2)), float(obj.get("top", lo[1] - stroke / 2))])
    center = anchor + rot @ (np.array([0.5 - ox, 0.5 - oy]) * dim)
    return [(p - path_offset) * np.array([sx, sy]) @ rot.T + center for p in points]


def rasterize_strokes(json_data: dict | None, shape: tuple[int, int] = (CANVAS_SIZE, CANVAS_SIZE), *, stroke_width: float | None = None) -> np.ndarray:
    """Render the free-hand strokes of a drawable-canvas drawing as an RGBA image.

    Parameters
    ----------
    json_data : dict or None
        ``CanvasResult.json_data`` of ``streamlit_drawable_canvas.st_canvas``
        (Fabric.js JSON): objects of type ``"path"`` whose ``"path"`` is a list of
        SVG commands (``M``, ``L``, ``Q``, ``C``, ``Z``), with their ``strokeWidth``
        and position (moved, scaled or rotated strokes are placed where the canvas shows them).
        Other object types are ignored.
    shape : (int, int)
        ``(height, width)`` of the canvas in pixels.
    stroke_width : float, optional
        Override every stroke's width (pixels).

    Returns
    -------
    rgba : ndarray of uint8, shape (H, W, 4)
        Black ink, alpha 255 where the strokes are and 0 elsewhere (what the
        canvas itself would export on a transparent background, without anti-aliasing).
    """
    from scipy import ndimage as ndi
    from skimage.draw import line

    height, width = int(shape[0]), int(shape[1])
    if height < 8 or width < 8:
        raise ValueError(f"The canvas must be at least 8×8 pixels; got {width}×{height}.")
    ink = np.zeros((height, width), dtype=bool)
    objects = (json_data or {}).get("objects", []) if isinstance(json_data, dict) else []
    for obj in objects:
        if not isinstance(obj, dict) or str(obj.get("type", "")).lower() != "path" or not obj.get("path"):
            continue
        try:
            polylines = _object_transform(obj, _sample_path(obj["path"]))
        except (TypeError, ValueError, IndexError):
            continue
        sw = float(stroke_width if stroke_width is not None else obj.get("strokeWidth", 20) or 20)
        scale = np.sqrt(abs(float(obj.get("scaleX", 1) or 1) * float(obj.get("scaleY", 1) or 1)))
        radius = max(sw * scale / 2.0, 0.5)
        # skeleton of the stroke, then thickened by a distance transform
        skeleton = np.zeros((height, width), dtype=bool)
        margin = int(np.ceil(radius)) + 1
        for pts in polylines:
            pts = np.round(pts).astype(np.int64)
            pts[:, 0] = np.clip(pts[:, 0], -margin, width - 1 + margin)
            pts[:, 1] = np.clip(pts[:, 1], -margin, height - 1 + margin)
            if len(pts) == 1:
                pts = np.vstack([pts, pts])
            for (x0, y0), (x1, y1) in zip(pts[:-1], pts[1:], strict=True):
                rr, cc = line(int(y0), int(x0), int(y1), int(x1))
                keep = (rr >= 0) & (rr < height) & (cc >= 0) & (cc < width)
                skeleton[rr[keep], cc[keep]] = True
        if skeleton.any():
            ink |= ndi.distance_transform_edt(~skeleton) <= radius
    rgba = np.zeros((height, width, 4), dtype=np.uint8)
    rgba[..., 3] = ink * np.uint8(255)
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


def drawing_to_bitmap(rgba: np.ndarray, *, ink_threshold: float = 0.5) -> np.ndarray:
    """Normalise a drawing to the 32×32 binary bitmap the digits dataset starts from.

    The drawn pixels are binarised, cropped to their bounding box, scaled so the
    longer side spans the 32 pixels (aspect ratio kept, like NIST's size
    normalisation) and centred. A pen much thinner or thicker than the
    dataset's strokes (median :data:`DATASET_STROKE` pixels at 32×32) is
    dilated or eroded to that width, so the pen size does not change the
    prediction. The work is done at 128×128, then each 4×4 block becomes one
    bitmap pixel (on when at least half of it is inked).

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

    if not 0 < ink_threshold < 1:
        raise ValueError(f"ink_threshold must lie strictly between 0 and 1; got {ink_threshold}.")
    ink = _ink(rgba) > ink_threshold
    if not ink.any():
        raise ValueError("The drawing is empty: draw a digit (0–9) on the canvas, large and centred.")
    rows, cols = np.nonzero(ink)
    crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1].astype(np.float64)
    h, w = crop.shape
    side = 128
    scale = side / max(h, w)
    nh, nw = max(1, int(round(h * scale))), max(1, int(round(w * scale)))
    small = resize(crop, (nh, nw), order=1, anti_aliasing=max(h, w) > side) >= 0.5
    if not small.any():  # a hairline can vanish when shrunk: keep its trace
        small = resize(crop, (nh, nw), order=1, anti_aliasing=max(h, w) > side) > 0
    big = np.zeros((side, side), dtype=bool)
    top, left = (side - nh) // 2, (side - nw) // 2
    big[top : top + nh, left : left + nw] = small
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
    """Per-class scores of one digit: the SVC's one-vs-rest decision function.

    These are not probabilities (``SVC(probability=True)`` is deprecated in
    scikit-learn 1.9): each is the number of one-vs-one votes the class won
    plus a confidence term in (−1/3, 1/3); the class with the highest score is the prediction.

    Parameters
    ----------
    model : fitted sklearn.svm.SVC
    digit : ndarray, shape (64,) or (8, 8)
        Values 0…16.

    Returns
    -------
    table : DataFrame
        Columns ``digit`` (0…9), ``score``, ``predicted`` (bool, one row true).
    """
    x = np.asarray(digit, dtype=np.float64).reshape(1, -1)
    if x.shape[1] != 64:
        raise ValueError(f"A digit must have 64 values (8×8); got {x.shape[1]}.")
    scores = np.asarray(model.decision_function(x)).reshape(-1)
    classes = np.asarray(model.classes_)
    predicted = model.predict(x)[0]
    return pd.DataFrame({"digit": classes, "score": scores, "predicted": classes == predicted})
