"""Which feature families matter: importance per family of a trained segmenter."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core._validation import check_choice, check_int

__all__ = ["feature_importance"]


def _families(segmenter) -> list[str]:
    families = getattr(segmenter.features, "families", None)
    if callable(families):
        out = families(segmenter.channels)
        if len(out) == segmenter.n_features:
            return out
    return [f"feature {i}" for i in range(segmenter.n_features)]


def _forest(clf):
    """The tree ensemble inside a classifier (itself, a vote's member, a pipeline's last step)."""
    if hasattr(clf, "feature_importances_"):
        return clf
    for member in list(getattr(clf, "named_estimators_", {}).values()) + [getattr(clf, "steps", [[None, None]])[-1][1]]:
        if member is not None and hasattr(member, "feature_importances_"):
            return member
    return None


def feature_importance(segmenter, *, method="impurity", n_repeats=3, max_samples=5000, random_state=0):
    """Importance of each feature family, summed over its features.

    Parameters
    ----------
    segmenter : core.trainable.Segmenter
    method : {'impurity', 'permutation'}
        ``'impurity'``: the forest's mean decrease in impurity (``feature_importances_``; computed
        while training, free, biased towards features with many distinct values).
        ``'permutation'``: the drop in accuracy on the scribbled (training) pixels when one
        family's columns are shuffled together (any classifier; ``n_repeats`` shuffles).
    n_repeats : int
    max_samples : int
        Permutation uses at most this many training pixels (stratified by the random draw).
    random_state : int

    Returns
    -------
    importance : pandas.DataFrame
        Columns ``family``, ``importance`` (impurity: fractions summing to 1; permutation:
        accuracy drop), ``n_features``, ``method``; sorted by importance, largest first.
    """
    method = check_choice("method", method, ["impurity", "permutation"])
    families = np.asarray(_families(segmenter))
    names = list(dict.fromkeys(families))
    if method == "impurity":
        forest = _forest(segmenter.classifier)
        if forest is None:
            raise ValueError("This classifier has no impurity importance (no forest inside); use "
                             "method='permutation'.")
        imp = np.asarray(forest.feature_importances_, dtype=float)
        values = [float(imp[families == f].sum()) for f in names]
    else:
        if segmenter.x_train is None:
            raise ValueError("This segmenter keeps no training pixels; permutation importance needs them.")
        n_repeats = check_int("n_repeats", n_repeats, 1, 50)
        rng = np.random.default_rng(random_state)
        x, y = segmenter.x_train, np.asarray(segmenter.y_train)
        if len(y) > max_samples:
            keep = rng.choice(len(y), size=int(max_samples), replace=False)
            x, y = x[keep], y[keep]
        base = float((segmenter.classifier.predict(x) == y).mean())
        values = []
        for f in names:
            cols = np.flatnonzero(families == f)
            drops = []
            for _ in range(n_repeats):
                shuffled = x.copy()
                shuffled[:, cols] = x[rng.permutation(len(y))][:, cols]
                drops.append(base - float((segmenter.classifier.predict(shuffled) == y).mean()))
            values.append(float(np.mean(drops)))
    table = pd.DataFrame({"family": names, "importance": values,
                          "n_features": [int((families == f).sum()) for f in names], "method": method})
    return table.sort_values("importance", ascending=False, ignore_index=True)
