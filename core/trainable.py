"""Scribble-trained pixel classification (trainable segmentation).

A person labels a few pixels per class (``labels``: 0 = unlabelled, 1…K = classes),
a random forest learns from per-pixel features (:func:`core.features.pixel_features`)
and labels every pixel. By default the forest's probabilities are averaged (weights 3 : 1)
with a regularised logistic regression's, which extrapolates better to parts of a class
that look unlike its strokes (see :data:`CLASSIFIERS`), then smoothed (σ = 4 px).

Typical use::

    seg = fit_segmenter(image, labels)            # labels: (H, W) int, 0 = unlabelled
    proba = seg.predict_proba(image)              # (H, W, K) float32
    result = seg.predict(image)                   # (H, W) int in 1…K
    unc = uncertainty(proba)                      # (H, W) in [0, 1]
    box = most_uncertain_region(unc, labels=labels)

Features are the slow part; compute them once with ``pixel_features`` and pass
``feature_array=`` to both :func:`fit_segmenter` and ``predict_proba`` to retrain cheaply.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import ndimage as ndi
from sklearn.ensemble import RandomForestClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from core.features import DEFAULT_KIND, FEATURE_KINDS, default_params, pixel_features
from core.scribbles import strokes_to_labels  # noqa: F401

__all__ = [
    "Segmenter", "Region", "HeldOutScore", "FOREST_DEFAULTS", "CLASSIFIERS", "make_classifier",
    "proba_to_labels",
    "fit_segmenter", "check_labels", "smooth_proba", "uncertainty", "most_uncertain_region",
    "heldout_accuracy", "save_segmenter", "load_segmenter", "strokes_to_labels",
]

#: fast defaults for the forest (tuned on the texture-mosaic benchmark)
FOREST_DEFAULTS = dict(n_estimators=32, max_depth=12, max_training_pixels=20_000, smoothing=4.0,
                       classifier="forest+linear")
#: classifier kinds: name → description
CLASSIFIERS = {
    "forest+linear": "Random forest (weight 3) averaged with a logistic regression (weight 1): the "
                     "forest finds sharp rules, the linear model extrapolates to textures unlike the strokes",
    "forest": "Random forest only (ilastik-like)",
    "linear": "Logistic regression only (fast, smooth)",
}


def make_classifier(kind="forest+linear", *, n_estimators=32, max_depth=12, random_state=0, n_jobs=-1):
    """The scikit-learn estimator for a classifier kind (see :data:`CLASSIFIERS`).

    Returns
    -------
    estimator : RandomForestClassifier, Pipeline (StandardScaler + LogisticRegression) or a soft
        VotingClassifier of both.
    """
    if kind not in CLASSIFIERS:
        raise ValueError(f"unknown classifier {kind!r}; choose one of {', '.join(CLASSIFIERS)}")
    forest = RandomForestClassifier(n_estimators=int(n_estimators),
                                    max_depth=None if max_depth is None else int(max_depth),
                                    n_jobs=n_jobs, random_state=random_state)
    linear = Pipeline([("scale", StandardScaler()),
                       ("logistic", LogisticRegression(C=0.01, solver="newton-cg", max_iter=200))])
    if kind == "forest":
        return forest
    if kind == "linear":
        return linear
    # the forest counts three times: it draws the sharper boundaries, the linear model only steadies
    # it on textures unlike the strokes (mosaic IoU 0.84 → 0.87; more linear weight shifts boundaries)
    return VotingClassifier([("forest", forest), ("linear", linear)], voting="soft", weights=[3, 1])


_CHUNK = 1 << 18  # pixels per prediction chunk
_FORMAT = "image-ml-lab/segmenter"
_VERSION = 1


def check_labels(labels, shape=None, n_classes=None):
    """Validate a scribble label image and return it as int32.

    Parameters
    ----------
    labels : (H, W) integer array
        0 = unlabelled, 1…K = classes.
    shape : tuple, optional
        The image's (H, W); labels must match it.
    n_classes : int, optional
        K; labels above it are refused.

    Returns
    -------
    labels : (H, W) int32

    Raises
    ------
    ValueError
        Wrong shape, negative or non-integer labels, no strokes, or strokes of one class only.
    """
    labels = np.asarray(labels)
    if labels.ndim != 2:
        raise ValueError(f"labels must be a 2-D (H, W) array of class numbers, got shape {labels.shape}")
    if shape is not None and labels.shape != tuple(shape[:2]):
        raise ValueError(f"labels have shape {labels.shape} but the image is {tuple(shape[:2])}; "
                         "rasterise the strokes at the image's resolution")
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)):
            raise ValueError("labels must be whole class numbers (0 = unlabelled, 1…K)")
    elif labels.dtype.kind not in "uib":
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}")
    labels = labels.astype(np.int32)
    if labels.min() < 0:
        raise ValueError("labels must be ≥ 0 (0 = unlabelled, 1…K = classes)")
    if n_classes is not None and labels.max() > n_classes:
        raise ValueError(f"labels go up to {labels.max()} but there are only {n_classes} classes")
    present = np.unique(labels[labels > 0])
    if present.size == 0:
        raise ValueError("no scribbles yet: draw at least one stroke in each of two classes")
    if present.size == 1:
        raise ValueError(f"only class {present[0]} has strokes: draw a stroke in at least one "
                         "other class so the classifier has something to tell apart")
    return labels


def smooth_proba(proba, sigma):
    """Gaussian-smooth each probability map (sigma in pixels; 0 = unchanged), renormalised.

    Parameters
    ----------
    proba : (H, W, K) float array
    sigma : float

    Returns
    -------
    proba : (H, W, K) float32, rows sum to 1
    """
    proba = np.asarray(proba, dtype=np.float32)
    if sigma is None or sigma <= 0:
        return proba
    from skimage.filters import gaussian
    out = gaussian(proba, sigma=float(sigma), channel_axis=-1, mode="reflect", truncate=3.0,
                   preserve_range=True).astype(np.float32)
    s = out.sum(axis=-1, keepdims=True)
    np.divide(out, s, out=out, where=s > 0)
    return out


@dataclass
class Segmenter:
    """A trained pixel classifier together with how to compute its features.

    Attributes
    ----------
    classifier : scikit-learn classifier
        A random forest, a scaled logistic regression, or a soft vote of both
        (see :func:`make_classifier`).
    n_classes : int
        K; probabilities have K columns for classes 1…K (absent classes get 0).
    classes : ndarray of int
        The classes that had strokes when training.
    feature_kind : str
    feature_params : dict
        Non-default feature parameters (passed to ``pixel_features``).
    smoothing : float
        Gaussian sigma (pixels) applied to the probabilities before the arg-max.
    class_names : list of str
    n_features : int
    color : bool
        Whether it was trained on an RGB image.
    """

    classifier: object
    n_classes: int
    classes: np.ndarray
    feature_kind: str = DEFAULT_KIND
    feature_params: dict = field(default_factory=dict)
    smoothing: float = 4.0
    class_names: list = field(default_factory=list)
    n_features: int = 0
    color: bool = False

    def features(self, image):
        """``pixel_features(image, self.feature_kind, **self.feature_params)``."""
        return pixel_features(image, self.feature_kind, **self.feature_params)

    def _feats(self, image, feature_array):
        if feature_array is None:
            if image is None:
                raise ValueError("give an image (or its feature_array)")
            image = np.asarray(image)
            is_color = image.ndim == 3 and image.shape[-1] >= 3
            if is_color != self.color and self.feature_kind in ("tutorial", "lab", "default", "basic"):
                if self.color:
                    from core.images import to_rgb
                    image = to_rgb(image)
                else:
                    from core.images import to_gray
                    image = to_gray(image)
            feature_array = self.features(image)
        feature_array = np.asarray(feature_array)
        if feature_array.ndim != 3 or feature_array.shape[-1] != self.n_features:
            raise ValueError(f"this segmenter expects {self.n_features} features per pixel, got an array "
                             f"of shape {feature_array.shape}; compute them with the same feature setting")
        return feature_array

    def predict_proba(self, image=None, *, feature_array=None, smoothing=None):
        """Class probabilities of every pixel.

        Parameters
        ----------
        image : (H, W) or (H, W, 3) array, any dtype
            Ignored when ``feature_array`` is given.
        feature_array : (H, W, F) float32, optional
            Precomputed ``self.features(image)``.
        smoothing : float, optional
            Overrides ``self.smoothing``.

        Returns
        -------
        proba : (H, W, K) float32; column k-1 is class k
        """
        f = self._feats(image, feature_array)
        h, w, nf = f.shape
        x = f.reshape(-1, nf)
        proba = np.zeros((h * w, self.n_classes), np.float32)
        cols = self.classes - 1
        with threadpool_limits(limits=1, user_api="blas"):
            for start in range(0, h * w, _CHUNK):  # chunks bound the temporary memory
                stop = min(start + _CHUNK, h * w)
                proba[start:stop, cols] = self.classifier.predict_proba(x[start:stop])
        proba = proba.reshape(h, w, self.n_classes)
        return smooth_proba(proba, self.smoothing if smoothing is None else smoothing)

    def predict(self, image=None, *, feature_array=None, smoothing=None):
        """Class (1…K) of every pixel: the arg-max of :meth:`predict_proba`.

        Returns
        -------
        labels : (H, W) int32
        """
        return proba_to_labels(self.predict_proba(image, feature_array=feature_array, smoothing=smoothing))


def proba_to_labels(proba):
    """Arg-max of (H, W, K) probabilities as classes 1…K, int32."""
    return (np.argmax(proba, axis=-1) + 1).astype(np.int32)


def _sample_training(labels, max_pixels, rng):
    idx = np.flatnonzero(labels.ravel() > 0)
    if max_pixels and idx.size > max_pixels:
        # keep every class represented: sample each class in proportion, at least 1 pixel each
        y = labels.ravel()[idx]
        keep = []
        for c in np.unique(y):
            ci = idx[y == c]
            n = max(1, int(round(max_pixels * ci.size / idx.size)))
            keep.append(rng.choice(ci, size=min(n, ci.size), replace=False))
        idx = np.sort(np.concatenate(keep))
    return idx


def fit_segmenter(image, labels, *, features=DEFAULT_KIND, feature_params=None, feature_array=None,
                  n_estimators=FOREST_DEFAULTS["n_estimators"], max_depth=FOREST_DEFAULTS["max_depth"],
                  max_training_pixels=FOREST_DEFAULTS["max_training_pixels"],
                  smoothing=FOREST_DEFAULTS["smoothing"], n_classes=None, class_names=None,
                  classifier=FOREST_DEFAULTS["classifier"], random_state=0, n_jobs=-1):
    """Train a pixel classifier (random forest by default, averaged with a linear model) on the
    scribbled pixels.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) array, any dtype
        May be None when ``feature_array`` is given (then colour is assumed from it).
    labels : (H, W) int array
        0 = unlabelled, 1…K = classes; at least two classes need strokes.
    features : str
        Feature kind, one of :data:`core.features.FEATURE_KINDS`.
    feature_params : dict, optional
        Overrides of the kind's defaults (see :func:`core.features.default_params`).
    feature_array : (H, W, F) float32, optional
        Precomputed ``pixel_features(image, features, **feature_params)`` (cache it: retraining
        on new strokes then costs only the forest).
    n_estimators : int
        Number of trees.
    max_depth : int or None
        Maximum tree depth (None = unlimited; slower prediction).
    max_training_pixels : int or None
        Subsample the scribbled pixels to at most this many (stratified), for speed.
    smoothing : float
        Gaussian sigma (pixels) applied to the probabilities before the arg-max; 0 = none.
    n_classes : int, optional
        K (default: the largest label). Classes without strokes get probability 0.
    class_names : list of str, optional
    classifier : str
        One of :data:`CLASSIFIERS`: ``"forest+linear"`` (default), ``"forest"``, ``"linear"``.
    random_state : int
        Seed of the forest and of the subsampling (fixed → reproducible).
    n_jobs : int
        Threads for the forest.

    Returns
    -------
    Segmenter
    """
    default_params(features)  # validates the kind ("unknown feature kind …; choose one of …")
    feature_params = dict(feature_params or {})
    if classifier not in CLASSIFIERS:
        raise ValueError(f"unknown classifier {classifier!r}; choose one of {', '.join(CLASSIFIERS)}")
    if n_estimators is None or int(n_estimators) < 1:
        raise ValueError("n_estimators must be ≥ 1 (e.g. 32)")
    if max_depth is not None and int(max_depth) < 1:
        raise ValueError("max_depth must be ≥ 1 or None")
    if image is not None:
        image = np.asarray(image)
        shape = image.shape[:2]
        color = image.ndim == 3 and image.shape[-1] >= 3
    elif feature_array is not None:
        shape = np.asarray(feature_array).shape[:2]
        color = False
    else:
        raise ValueError("give an image (or its feature_array)")
    labels = check_labels(labels, shape, n_classes)
    n_classes = int(n_classes or labels.max())
    if feature_array is None:
        feature_array = pixel_features(image, features, **feature_params)
    feature_array = np.asarray(feature_array)
    if feature_array.ndim != 3 or feature_array.shape[:2] != tuple(shape):
        raise ValueError(f"feature_array must be (H, W, F) with (H, W) = {tuple(shape)}, "
                         f"got {feature_array.shape}")
    rng = np.random.default_rng(random_state)
    idx = _sample_training(labels, max_training_pixels, rng)
    x = feature_array.reshape(-1, feature_array.shape[-1])[idx]
    y = labels.ravel()[idx]
    clf = make_classifier(classifier, n_estimators=n_estimators, max_depth=max_depth,
                          random_state=random_state, n_jobs=n_jobs)
    # single-threaded BLAS: the linear model's small matrix products are 10× slower when
    # BLAS threads compete for a few busy cores; the forest uses its own threads
    with threadpool_limits(limits=1, user_api="blas"):
        clf.fit(x, y)
    names = list(class_names) if class_names is not None else [f"class {k}" for k in range(1, n_classes + 1)]
    return Segmenter(classifier=clf, n_classes=n_classes, classes=np.asarray(clf.classes_, dtype=np.int64),
                     feature_kind=features, feature_params=feature_params,
                     smoothing=float(smoothing or 0.0), class_names=names,
                     n_features=int(feature_array.shape[-1]), color=bool(color))


def uncertainty(proba, method="margin"):
    """Per-pixel uncertainty of a classification.

    Parameters
    ----------
    proba : (H, W, K) float array
    method : {'margin', 'entropy'}
        ``'margin'``: 1 − (p_best − p_second) (ilastik's); ``'entropy'``: Shannon entropy / log K.

    Returns
    -------
    u : (H, W) float32 in [0, 1]; 1 = the classifier cannot decide
    """
    proba = np.asarray(proba, dtype=np.float32)
    if proba.ndim != 3 or proba.shape[-1] < 2:
        raise ValueError(f"proba must be (H, W, K) with K ≥ 2, got {proba.shape}")
    if method == "margin":
        part = np.partition(proba, -2, axis=-1)
        return np.clip(1 - (part[..., -1] - part[..., -2]), 0, 1).astype(np.float32)
    if method == "entropy":
        p = np.clip(proba, 1e-12, 1)
        return np.clip(-(p * np.log(p)).sum(-1) / np.log(proba.shape[-1]), 0, 1).astype(np.float32)
    raise ValueError(f"method must be 'margin' or 'entropy', got {method!r}")


@dataclass
class Region:
    """A box of the image: rows ``top:top+height``, columns ``left:left+width``; ``score`` = mean uncertainty."""

    top: int
    left: int
    height: int
    width: int
    score: float

    @property
    def center(self):
        """(row, col) of the box's centre."""
        return (self.top + self.height // 2, self.left + self.width // 2)


def most_uncertain_region(unc, size=None, labels=None):
    """The square window with the highest mean uncertainty: "scribble here next".

    Parameters
    ----------
    unc : (H, W) float array, e.g. from :func:`uncertainty`
    size : int, optional
        Window side in pixels (default: 1/8 of the shorter side, at least 8).
    labels : (H, W) int array, optional
        Scribbles; already-scribbled pixels count as certain.

    Returns
    -------
    Region
    """
    unc = np.asarray(unc, dtype=np.float32)
    if unc.ndim != 2:
        raise ValueError(f"uncertainty must be (H, W), got {unc.shape}")
    h, w = unc.shape
    if size is None:
        size = max(8, min(h, w) // 8)
    size = int(min(max(1, size), h, w))
    if labels is not None:
        unc = np.where(np.asarray(labels) > 0, 0, unc).astype(np.float32)
    mean = ndi.uniform_filter(unc, size=size, mode="constant")
    half = size // 2
    # window centres must keep the window inside the image
    valid = mean[half:h - (size - 1 - half), half:w - (size - 1 - half)]
    r, c = np.unravel_index(int(np.argmax(valid)), valid.shape)
    return Region(top=int(r), left=int(c), height=size, width=size, score=float(valid[r, c]))


@dataclass
class HeldOutScore:
    """Accuracy on held-out (check) strokes.

    Attributes
    ----------
    accuracy : float
        Fraction of check pixels classified as their stroke's class.
    n_pixels : int
    per_class : pandas.DataFrame
        Columns ``class``, ``pixels``, ``correct``, ``accuracy``.
    """

    accuracy: float
    n_pixels: int
    per_class: pd.DataFrame


def heldout_accuracy(prediction, check_labels_, class_names=None):
    """Accuracy of a segmentation on strokes kept out of training.

    Parameters
    ----------
    prediction : (H, W) int array of classes 1…K
    check_labels_ : (H, W) int array, 0 = not a check pixel, k = the true class
    class_names : list of str, optional

    Returns
    -------
    HeldOutScore
    """
    prediction = np.asarray(prediction)
    check = np.asarray(check_labels_)
    if prediction.shape != check.shape:
        raise ValueError(f"check strokes ({check.shape}) and segmentation ({prediction.shape}) "
                         "differ in shape")
    m = check > 0
    n = int(m.sum())
    if n == 0:
        raise ValueError("no check strokes: mark some strokes as 'check' to measure accuracy")
    t, p = check[m], prediction[m]
    rows = []
    for c in np.unique(t):
        sel = t == c
        name = class_names[c - 1] if class_names is not None and 0 < c <= len(class_names) else f"class {c}"
        rows.append({"class": name, "pixels": int(sel.sum()), "correct": int((p[sel] == c).sum()),
                     "accuracy": float((p[sel] == c).mean())})
    return HeldOutScore(accuracy=float((t == p).mean()), n_pixels=n, per_class=pd.DataFrame(rows))


# ----------------------------------------------------------------------------- skops I/O
# Types skops does not trust by default that a segmenter contains (sklearn's own estimators,
# numpy arrays and builtins are trusted by skops already). Anything else is refused.
_TRUSTED = [
    "sklearn.tree._tree.Tree",
    "sklearn.utils._bunch.Bunch",
]


def save_segmenter(seg):
    """Serialise a :class:`Segmenter` with ``skops`` (never pickle).

    Returns
    -------
    data : bytes
        A ``.skops`` file's content.
    """
    import skops.io as sio
    obj = {"format": _FORMAT, "version": _VERSION, "classifier": seg.classifier,
           "n_classes": int(seg.n_classes), "classes": [int(c) for c in seg.classes],
           "feature_kind": seg.feature_kind,
           "feature_params": {k: (list(v) if isinstance(v, tuple) else v) for k, v in seg.feature_params.items()},
           "smoothing": float(seg.smoothing), "class_names": [str(c) for c in seg.class_names],
           "n_features": int(seg.n_features), "color": bool(seg.color)}
    return sio.dumps(obj)


def load_segmenter(data):
    """Load a segmenter saved by :func:`save_segmenter`, checking its types with ``skops``.

    Only a random forest and plain containers are trusted; anything else is refused
    before it is loaded (no code from the file is run).

    Parameters
    ----------
    data : bytes or file-like

    Returns
    -------
    Segmenter

    Raises
    ------
    ValueError
        Not a skops file, not a segmenter, or it contains untrusted types.
    """
    import skops.io as sio
    if hasattr(data, "read"):
        data = data.read()
    if not isinstance(data, (bytes, bytearray)) or len(data) == 0:
        raise ValueError("the segmenter file is empty; upload a .skops file saved by this app")
    data = bytes(data)
    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as err:  # noqa: BLE001 - any parse failure means "not a skops file"
        raise ValueError("this is not a segmenter file (not a valid .skops archive); "
                         "upload a .skops file saved by this app") from err
    bad = sorted(set(untrusted) - set(_TRUSTED))
    if bad:
        raise ValueError("refused to load the segmenter file: it contains untrusted types "
                         f"({', '.join(bad[:5])}); only files saved by this app can be loaded")
    try:
        obj = sio.loads(data, trusted=sorted(set(untrusted)))
    except Exception as err:  # noqa: BLE001
        raise ValueError(f"the segmenter file could not be read ({err}); save it again from this app") from err
    if not isinstance(obj, dict) or obj.get("format") != _FORMAT:
        raise ValueError("this .skops file is not a segmenter saved by this app")
    clf = obj["classifier"]
    if not isinstance(clf, (RandomForestClassifier, Pipeline, VotingClassifier)):
        raise ValueError("the segmenter file does not contain a classifier saved by this app")
    kind = obj["feature_kind"]
    if kind not in FEATURE_KINDS:
        raise ValueError(f"the segmenter uses an unknown feature kind {kind!r}")
    params = {k: (tuple(v) if isinstance(v, list) else v) for k, v in obj["feature_params"].items()}
    return Segmenter(classifier=clf, n_classes=int(obj["n_classes"]),
                     classes=np.asarray(obj["classes"], dtype=np.int64), feature_kind=kind,
                     feature_params=params, smoothing=float(obj["smoothing"]),
                     class_names=list(obj["class_names"]), n_features=int(obj["n_features"]),
                     color=bool(obj["color"]))
