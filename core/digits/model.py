"""Digits (SVC): the page's schema and presets, the dataset, training and the tutorial's check."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from core._validation import check_float, check_int, constraint_error
from core.schema import Float, Int, LogFloat, Schema

__all__ = ["BATCH", "BATCH_REASON", "CANVAS_SIZE", "PRESETS", "PRESET_HELP", "SCHEMA", "DigitsResult", "load_digits",
           "train_digits", "tutorial_check"]

#: Side of the square drawing canvas the page uses, in pixels.
CANVAS_SIZE = 280

SCHEMA = Schema("digits", [
    LogFloat("gamma", 0.001, 1e-4, 1e-1,
             help="RBF kernel width: small = each training digit influences far away (smooth boundaries); "
                  "large = only its own neighbourhood (the model memorises the training set)."),
    LogFloat("C", 100.0, 0.1, 1000.0,
             help="Penalty of misclassified training digits: large = tight fit, small = smoother boundary."),
    Float("test_size", 0.25, 0.1, 0.5, step=0.05, help="Share of the digits held out to test the model."),
    Int("seed", 0, 0, 99, help="random_state of train_test_split: which digits are held out."),
])

#: Presets: every value the result depends on.
PRESETS: dict[str, dict] = {
    "Tutorial (γ=0.001, C=100)": {"gamma": 0.001, "C": 100.0, "test_size": 0.25, "seed": 0},
    "γ too large (0.1)": {"gamma": 0.1, "C": 100.0, "test_size": 0.25, "seed": 0},
    "Too smooth (C = 0.1)": {"gamma": 0.0001, "C": 0.1, "test_size": 0.25, "seed": 0},
}
PRESET_HELP = {
    "Tutorial (γ=0.001, C=100)": "The tutorial's svm.SVC(gamma=0.001, C=100.), a quarter of the digits held out.",
    "γ too large (0.1)": "Each training digit only influences its own tiny neighbourhood: the model memorises "
                         "the training set and fails on new digits (overfitting).",
    "Too smooth (C = 0.1)": "γ = 0.0001, C = 0.1: a wide kernel and a weak penalty — boundaries too simple "
                            "(underfitting).",
}

#: The digits page has no per-image batch form.
BATCH = None
BATCH_REASON = ("The digits page trains one classifier on scikit-learn's fixed 8×8 digits data set and reads "
                "digits drawn on its canvas; it does not process image files.")


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
        number = check_float(name, value)
    except ValueError:
        number = 0.0
    if number <= 0:
        raise constraint_error(name, "a positive finite float", value)
    return number


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
    test_size = check_float("test_size", test_size, 0.05, 0.9)  # both parts keep digits of every class
    random_state = check_int("random_state", random_state, 0)
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


