"""The named classifiers of trainable segmentation: factories, not strings inside the segmenter.

:data:`CLASSIFIERS` maps a name to a factory ``f(*, n_estimators, max_depth, balance, random_state)``
that returns an unfitted scikit-learn classifier. :func:`core.trainable.fit_segmenter` takes a
name (looked up here) or any scikit-learn classifier object.
"""

from __future__ import annotations

from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier

from core._validation import check_choice

__all__ = ["CLASSIFIERS", "CLASSIFIER_NAMES", "FOREST_DEFAULTS", "make_classifier"]

#: The app's defaults (the improved classifier, tuned on the loop benchmark's tuning set).
FOREST_DEFAULTS = dict(n_estimators=32, max_depth=16, balance=True, max_training_pixels=20_000, smoothing=8.0,
                       classifier="improved", propagation=True)


def forest(*, n_estimators=100, max_depth=None, balance=False, random_state=0):
    """The tutorial's ``RandomForestClassifier()``: its defaults (100 trees, unlimited depth), seeded.

    ``balance`` weights classes inversely to their pixel counts (``class_weight="balanced"``).
    """
    return RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth, random_state=random_state,
                                  class_weight="balanced" if balance else None, n_jobs=-1)


def improved(*, n_estimators=32, max_depth=16, balance=True, random_state=0):
    """The app's default: extremely randomised trees (``ExtraTreesClassifier``), class-balanced.

    Random split thresholds make smoother decision functions than a forest's best splits: on the
    loop benchmark's tuning mosaics the first-strokes mean IoU goes from 0.73 (forest, or forest +
    logistic-regression vote) to 0.78, in half the time (``benchmarks/TRAINABLE.md``).
    """
    return ExtraTreesClassifier(n_estimators=n_estimators, max_depth=max_depth, random_state=random_state,
                                class_weight="balanced" if balance else None, n_jobs=-1)


#: name → factory
CLASSIFIERS = {"forest": forest, "improved": improved}
#: name → one-line description (for the page)
CLASSIFIER_NAMES = {
    "forest": "Random forest (the tutorial's RandomForestClassifier)",
    "improved": "Improved: extremely randomised trees (ExtraTreesClassifier), class-balanced",
}


def make_classifier(name="improved", **settings):
    """An unfitted classifier from its name in :data:`CLASSIFIERS` and its settings."""
    return CLASSIFIERS[check_choice("classifier", name, list(CLASSIFIERS))](**settings)
