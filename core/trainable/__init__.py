"""Scribble-trained pixel classification (trainable segmentation).

A person labels a few pixels per class (``labels``: 0 = unlabelled, 1…K = classes), a
classifier learns from per-pixel features and labels every pixel — the tutorial's
``trainable_segmentation``, organised as :class:`skimage.future.TrainableSegmenter` is:
the feature function and the classifier are injected, not chosen by strings inside.

Typical use::

    seg = fit_segmenter(image, labels)            # labels: (H, W) int, 0 = unlabelled
    proba = seg.predict_proba(image)              # (H, W, K) float32
    result = seg.predict(image)                   # (H, W) int in 1…K
    unc = uncertainty(proba)                      # (H, W) in [0, 1]
    box = most_uncertain_region(unc, labels=labels)

Features are the slow part; compute them once (``seg.features(image)`` or a
:class:`~core.trainable.features.FeatureSpec`) and pass ``feature_array=`` to both
:func:`fit_segmenter` and :meth:`Segmenter.predict_proba` to retrain cheaply. ``image`` and
``labels`` may be lists: one model trained on the strokes of several images.
"""

from core.canvas import strokes_to_labels
from core.trainable.classifiers import CLASSIFIERS, FOREST_DEFAULTS, make_classifier
from core.trainable.features import FeatureSpec, feature_bytes, layout_of
from core.trainable.hints import Region, most_uncertain_region, suggest_region, uncertainty
from core.trainable.importance import feature_importance
from core.trainable.labels import HeldOutScore, check_labels, heldout_accuracy, smooth_proba
from core.trainable.model_file import load_segmenter, save_segmenter
from core.trainable.segmenter import Segmenter, fit_samples, fit_segmenter, proba_to_labels
from core.trainable.tiles import default_overlap, predict_tiled, tiled_peak_bytes

__all__ = [
    "CLASSIFIERS", "FOREST_DEFAULTS", "FeatureSpec", "HeldOutScore", "default_overlap", "tiled_peak_bytes", "Region", "Segmenter", "check_labels",
    "feature_bytes", "feature_importance", "fit_segmenter", "heldout_accuracy", "layout_of", "load_segmenter",
    "make_classifier",
    "most_uncertain_region", "predict_tiled", "fit_samples", "proba_to_labels", "save_segmenter", "smooth_proba", "suggest_region",
    "strokes_to_labels", "uncertainty",
]
