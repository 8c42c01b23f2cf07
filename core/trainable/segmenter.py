"""The trained pixel classifier: :class:`Segmenter`, :func:`fit_segmenter` and :func:`fit_samples`."""


from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone

from core._threads import limit_threads
from core._validation import check_int
from core.trainable.classifiers import CLASSIFIERS, FOREST_DEFAULTS, make_classifier
from core.trainable.features import FeatureSpec, layout_of, n_channels
from core.trainable.labels import check_labels, check_two_classes, smooth_proba
from core.trainable.propagate import PROPAGATION, propagate_proba, superpixels

__all__ = ["Segmenter", "StrokeSeeds", "fit_samples", "fit_segmenter", "proba_to_labels"]

_CHUNK = 1 << 18  # pixels per prediction chunk (bounds the classifier's temporary memory)


@dataclass
class Segmenter:
    """A trained pixel classifier together with how to compute its features.

    Attributes
    ----------
    classifier : scikit-learn classifier (fitted)
    features : FeatureSpec or callable
        ``features(image) -> (H, W, F)``; a :class:`FeatureSpec` can be saved in a model file.
    n_classes : int
        K; probabilities have K columns for classes 1…K (classes without strokes get 0).
    classes : ndarray of int
        The classes that had strokes when training.
    smoothing : float
        Gaussian sigma (pixels) applied to the probabilities before the arg-max.
    propagation : bool
        Spread the probabilities from the strokes through the regions of the features
        (:func:`~core.trainable.propagate.propagate_proba`) when predicting an image the strokes
        were drawn on (recognised by :attr:`seeds`); other images get the smoothing only. Given the
        colour image itself, through its superpixels; otherwise through a coarse grid.
    seeds : list of StrokeSeeds
        The strokes of every training image, with a fingerprint of its features.
    n_features, channels : int
        F, and the colour channels (1 gray, 3 RGB) the features were computed on.
    class_names, class_colors : list of str
    classifier_name : str or None
        The :data:`CLASSIFIERS` factory it came from (None for an injected estimator).
    classifier_params : dict
        The factory's settings (``n_estimators``, ``max_depth``, ``balance``, ``random_state``).
    x_train : (N, F) float32 and y_train : (N,) int
        The training samples (features of the scribbled pixels, as subsampled).
    n_images : int
        How many images the strokes came from.
    """

    classifier: object
    features: Callable
    n_classes: int
    classes: np.ndarray
    smoothing: float = 0.0
    n_features: int = 0
    channels: int = 3
    class_names: list = field(default_factory=list)
    class_colors: list = field(default_factory=list)
    classifier_name: str | None = None
    classifier_params: dict = field(default_factory=dict)
    x_train: np.ndarray | None = None
    y_train: np.ndarray | None = None
    n_images: int = 1
    propagation: bool = False
    seeds: list = field(default_factory=list)

    @property
    def color(self) -> bool:
        """Whether it was trained on colour images."""
        return self.channels == 3

    def features_of(self, image) -> np.ndarray:
        """``self.features(image)`` in the layout it was trained on.

        A model trained on colour images gets a gray image's (or a gray photo stored as RGB) features as an
        RGB image with equal channels had them; a model trained on gray images a colour image's on its luminance.
        """
        image = np.asarray(image)
        if isinstance(self.features, FeatureSpec):
            return self.features(image, channels=self.channels)
        if n_channels(image) != self.channels:
            from core.images import to_gray, to_rgb
            image = to_rgb(image) if self.channels == 3 else to_gray(image)
        return self.features(image)

    def _check(self, image, feature_array):
        if feature_array is None:
            if image is None:
                raise ValueError("Give an image (or its feature_array) to segment.")
            feature_array = self.features_of(image)
        feature_array = np.asarray(feature_array)
        if (image is not None and feature_array.ndim == 3 and feature_array.shape[-1] != self.n_features
                and isinstance(self.features, FeatureSpec)
                and feature_array.shape[-1] == self.features.n_features(4 - self.channels)):
            # features of the other kind of image (e.g. a gray photo stored as RGB for a colour model):
            # recompute them in the layout this model was trained on
            feature_array = self.features_of(image)
        if feature_array.ndim != 3 or feature_array.shape[-1] != self.n_features:
            kind = "colour" if self.channels == 3 else "gray"
            raise ValueError(f"This segmenter was trained on {kind} images and expects {self.n_features} features "
                             f"per pixel; got an array of shape {feature_array.shape}. Compute them with "
                             "segmenter.features_of(image), which converts the image to the kind it was trained on "
                             "(or pass the image instead of feature_array).")
        return feature_array

    def predict_proba(self, image=None, *, feature_array=None, smoothing=None, propagation=None) -> np.ndarray:
        """Class probabilities of every pixel.

        Parameters
        ----------
        image : (H, W) or (H, W, 3) array, any dtype
            Ignored when ``feature_array`` is given.
        feature_array : (H, W, F) float32, optional
            Precomputed ``self.features_of(image)``.
        smoothing : float, optional
            Overrides ``self.smoothing`` (Gaussian sigma in pixels, 0 = none).
        propagation : bool, optional
            Overrides ``self.propagation`` (spreading the strokes of a training image). Given a colour
            ``image`` (also with ``feature_array``), the strokes spread through its SLIC superpixels
            (:func:`~core.trainable.propagate.superpixels`, computed once per image), whose boundaries follow
            the image's edges; otherwise (gray images, features alone) through a coarse grid.

        Returns
        -------
        proba : (H, W, K) float32; column k-1 is class k; rows sum to 1
        """
        f = self._check(image, feature_array)
        h, w, nf = f.shape
        x = f.reshape(-1, nf)
        proba = np.zeros((h * w, self.n_classes), np.float32)
        cols = np.asarray(self.classes) - 1
        with limit_threads(1, user_api="blas"):
            for start in range(0, h * w, _CHUNK):
                stop = min(start + _CHUNK, h * w)
                proba[start:stop, cols] = self.classifier.predict_proba(x[start:stop])
        proba = smooth_proba(proba.reshape(h, w, self.n_classes), self.smoothing if smoothing is None else smoothing)
        seeds = self.seeds_of(f) if (self.propagation if propagation is None else propagation) else None
        if seeds is None:
            return proba
        weights = getattr(self.classifier, "feature_importances_", None)
        segments = None
        if image is not None and n_channels(image) == 3 and np.shape(image)[:2] == (h, w):
            segments = superpixels(np.asarray(image))  # a colour photo: spread through its superpixels
        return propagate_proba(proba, f, seeds=seeds, channel_weights=weights, segments=segments, **PROPAGATION)

    def seeds_of(self, feature_array):
        """The strokes drawn on the image of ``feature_array`` (None if it is not a training image)."""
        for seed in self.seeds:
            if seed.matches(feature_array):
                return seed.labels
        return None

    def predict(self, image=None, *, feature_array=None, smoothing=None, propagation=None) -> np.ndarray:
        """Class (1…K) of every pixel: the arg-max of :meth:`predict_proba`.

        Returns
        -------
        labels : (H, W) int32
        """
        return proba_to_labels(self.predict_proba(image, feature_array=feature_array, smoothing=smoothing,
                                                  propagation=propagation))


@dataclass
class StrokeSeeds:
    """The strokes of one training image and a fingerprint of its features (to recognise it).

    Attributes
    ----------
    labels : (H, W) uint8
        0 = unlabelled, k = class k.
    index : (n,) int
        Flat indices of up to 32 scribbled pixels.
    rows : (n, F) float32
        Their feature rows.
    """

    labels: np.ndarray
    index: np.ndarray
    rows: np.ndarray

    @classmethod
    def of(cls, labels, feature_array, n=32):
        """Seeds from ``labels`` (H, W) and the image's ``feature_array`` (H, W, F)."""
        flat = np.flatnonzero(np.asarray(labels).ravel() > 0)
        index = flat[np.linspace(0, len(flat) - 1, min(n, len(flat))).astype(np.intp)] if len(flat) else flat
        f = np.asarray(feature_array)
        return cls(np.asarray(labels, np.uint8), index, f.reshape(-1, f.shape[-1])[index].astype(np.float32))

    def matches(self, feature_array) -> bool:
        """Whether ``feature_array`` is the features of this image (same shape, same rows at the strokes)."""
        f = np.asarray(feature_array)
        if f.shape[:2] != self.labels.shape or f.shape[-1] != self.rows.shape[-1]:
            return False
        return bool(np.array_equal(f.reshape(-1, f.shape[-1])[self.index].astype(np.float32), self.rows))


def proba_to_labels(proba) -> np.ndarray:
    """Arg-max of (H, W, K) probabilities as classes 1…K, int32."""
    return (np.argmax(proba, axis=-1) + 1).astype(np.int32)


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _sample(y, max_pixels, balance, rng):
    """Indices of the training samples: all, or at most ``max_pixels`` keeping every class.

    With ``balance`` every class gets an equal share (a class with fewer pixels keeps all);
    otherwise shares follow the classes' pixel counts.
    """
    idx = np.arange(y.size)
    if not max_pixels or y.size <= max_pixels:
        return idx
    classes, counts = np.unique(y, return_counts=True)
    if balance:
        share = np.full(len(classes), max_pixels // len(classes))
    else:
        share = np.maximum(1, np.round(max_pixels * counts / y.size)).astype(int)
    keep = [rng.choice(idx[y == c], size=min(int(n), int(k)), replace=False)
            for c, n, k in zip(classes, share, counts)]
    return np.sort(np.concatenate(keep))


def _resolve_features(features):
    if features is None:
        return FeatureSpec()
    if isinstance(features, dict):
        return FeatureSpec.from_dict(features)
    if not callable(features):
        raise ValueError("features must be a FeatureSpec, its dict, or a function image → (H, W, F) array.")
    return features


def fit_segmenter(image, labels, *, features=None, feature_array=None, classifier="improved",
                  n_estimators=None, max_depth=-1, balance=None, max_training_pixels=None, smoothing=None,
                  propagation=None, n_classes=None, class_names=None, class_colors=None, random_state=0):
    """Train a pixel classifier on the scribbled pixels of one or several images.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) array, any dtype; or a list of them
        May be None (or hold None) where ``feature_array`` is given.
    labels : (H, W) int array, or a list (one per image)
        0 = unlabelled, 1…K = classes; over all images at least two classes need strokes.
    features : FeatureSpec, dict or callable, optional
        The feature function ``image -> (H, W, F)`` (default ``FeatureSpec()``). Only a
        :class:`FeatureSpec` can be saved with :func:`save_segmenter`.
    feature_array : (H, W, F) float32 or a list of them, optional
        Precomputed ``features(image)`` (cache it: retraining then costs only the classifier).
    classifier : str or scikit-learn classifier
        A name of :data:`CLASSIFIERS` (``"forest"``: the tutorial's ``RandomForestClassifier()``;
        ``"improved"``: the app's default, extra trees), or any estimator with ``fit`` / ``predict_proba``
        (cloned, then fitted; ``n_estimators`` etc. are then ignored).
    n_estimators, max_depth, balance : optional
        The named classifier's settings (trees; depth, None = unlimited; equal weight per class);
        defaults from :data:`FOREST_DEFAULTS`.
    max_training_pixels : int, optional
        Subsample the scribbled pixels to at most this many (stratified; 0 = use all).
    smoothing : float, optional
        Gaussian sigma (pixels) applied to the probabilities before the arg-max; 0 = none.
    propagation : bool, optional
        When predicting a training image, spread the probabilities from its strokes through the
        regions of its features (edge-aware random walker); default from :data:`FOREST_DEFAULTS`.
    n_classes : int, optional
        K (default: the largest label). Classes without strokes get probability 0.
    class_names, class_colors : list of str, optional
    random_state : int
        Seed of the classifier and of the subsampling (fixed → reproducible).

    Returns
    -------
    Segmenter
    """
    images, label_list = _as_list(image), _as_list(labels)
    arrays = _as_list(feature_array) if feature_array is not None else [None] * len(images)
    if not (len(images) == len(label_list) == len(arrays)) or not images:
        raise ValueError(f"Give one label image per image: got {len(images)} images, {len(label_list)} label "
                         f"images and {len(arrays)} feature arrays.")
    spec = _resolve_features(features)
    d = FOREST_DEFAULTS
    settings = {"n_estimators": d["n_estimators"] if n_estimators is None else check_int("n_estimators", n_estimators, 1, 1000),
                "max_depth": d["max_depth"] if max_depth == -1 else (None if not max_depth else check_int("max_depth", max_depth, 1, 100)),
                "balance": d["balance"] if balance is None else bool(balance),
                "random_state": int(random_state)}
    max_training_pixels = d["max_training_pixels"] if max_training_pixels is None else max_training_pixels
    xs, ys, seeds = [], [], []
    if not (isinstance(spec, FeatureSpec) and all(img is not None for img in images)) \
            and len({n_channels(img) for img in images if img is not None}) > 1:
        raise ValueError("Train on images of one kind: all colour or all gray (convert the others first).")
    # colour and gray images together (e.g. a gray photo stored as RGB): all get the colour layout
    channels = layout_of(images)
    for img, lab, arr in zip(images, label_list, arrays):
        if img is None and arr is None:
            raise ValueError("Give an image (or its feature_array) for every label image.")
        shape = (np.asarray(arr) if img is None else np.asarray(img)).shape[:2]
        lab = check_labels(lab, shape, n_classes, require_two=False)
        if img is None and isinstance(spec, FeatureSpec) and np.asarray(arr).shape[-1:] == (spec.n_features(1),) \
                and spec.n_features(1) != spec.n_features(3):
            channels = 1  # a gray image's features, given without the image
        if img is not None and (arr is None or (isinstance(spec, FeatureSpec)
                                                and np.asarray(arr).shape[-1:] != (spec.n_features(channels),))):
            arr = spec(img, channels=channels) if isinstance(spec, FeatureSpec) else spec(img)
        arr = np.asarray(arr)
        if arr.ndim != 3 or arr.shape[:2] != tuple(shape):
            raise ValueError(f"feature_array must be (H, W, F) with (H, W) = {tuple(shape)}; got {arr.shape}.")
        m = lab.ravel() > 0
        seeds.append(StrokeSeeds.of(lab, arr))
        xs.append(arr.reshape(-1, arr.shape[-1])[m])
        ys.append(lab.ravel()[m])
    if len({x.shape[1] for x in xs}) > 1:
        raise ValueError("The images gave different feature counts; compute every feature array the same way.")
    x, y = np.concatenate(xs).astype(np.float32, copy=False), np.concatenate(ys)
    check_two_classes(y)  # over all images together
    idx = _sample(y, max_training_pixels, settings["balance"], np.random.default_rng(random_state))
    x, y = np.ascontiguousarray(x[idx]), y[idx]
    n_classes = int(n_classes or y.max())
    seg = fit_samples(x, y, features=spec, classifier=classifier, settings=settings, n_classes=n_classes,
                      smoothing=d["smoothing"] if smoothing is None else smoothing, channels=channels,
                      class_names=class_names, class_colors=class_colors, n_images=len(images))
    seg.propagation = bool(d["propagation"] if propagation is None else propagation)
    seg.seeds = seeds
    return seg


def fit_samples(x, y, *, features, classifier, settings, n_classes, smoothing, channels, class_names=None,
                class_colors=None, n_images=1) -> Segmenter:
    """Fit a :class:`Segmenter` on training samples directly (what :func:`load_segmenter` does).

    Parameters
    ----------
    x : (N, F) float32; y : (N,) int in 1…``n_classes``
    features, classifier, smoothing, class_names, class_colors
        As for :func:`fit_segmenter`.
    settings : dict
        ``n_estimators``, ``max_depth``, ``balance``, ``random_state`` of a named classifier.
    channels : int
        1 or 3.
    """
    if isinstance(classifier, str):
        name = classifier
        clf = make_classifier(name, **settings)
    elif hasattr(classifier, "fit") and hasattr(classifier, "predict_proba"):
        name, clf = None, clone(classifier)
    else:
        raise ValueError(f"classifier must be one of {sorted(CLASSIFIERS)} or a scikit-learn classifier with "
                         "predict_proba.")
    with limit_threads(1, user_api="blas"):  # BLAS threads only compete with the forest's
        clf.fit(x, y)
    names = list(class_names) if class_names is not None else [f"class {k}" for k in range(1, n_classes + 1)]
    return Segmenter(classifier=clf, features=features, n_classes=n_classes,
                     classes=np.asarray(clf.classes_, dtype=np.int64), smoothing=float(smoothing or 0.0),
                     n_features=int(x.shape[1]), channels=int(channels), class_names=names,
                     class_colors=list(class_colors or []), classifier_name=name,
                     classifier_params=dict(settings) if name else {}, x_train=x, y_train=np.asarray(y),
                     n_images=int(n_images))

