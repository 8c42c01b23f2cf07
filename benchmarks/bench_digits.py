"""Benchmark: the digits SVC (core.digits vs the tutorial's code) and the drawing reduction.

"tutorial" is the tutorial's cells as written: ``svm.SVC(gamma=0.001, C=100.)``
fitted on ``digits.data[:-10]``, predicting ``digits.data[-2:]`` (quality:
fraction of those 2 predicted right). "core" is what the page computes:
``train_digits()`` — a 75/25 split, fit, predictions and the confusion matrix
(quality: held-out accuracy; the issue's target is ≥ 0.99). Neither depends
on the image size; ``megapixels`` sets the size of the drawing reduced by
``drawing_to_digit`` (a "7" drawn on a square canvas of that many pixels;
quality: 1 when the tutorial model reads it as a 7; ``drawn_hit_rate``: the share of the 50 drawn digits of
``tests/digit_drawings.py`` read right).
"""

from __future__ import annotations

import numpy as np

from benchmarks._harness import measure, row, square_side


def _tutorial():
    from sklearn import datasets, svm

    digits = datasets.load_digits()
    clf = svm.SVC(gamma=0.001, C=100.)
    clf.fit(digits.data[:-10], digits.target[:-10])
    return clf.predict(digits.data[-2:]), digits.target[-2:]


def _seven(side: int) -> np.ndarray:
    from core.digits import rasterize_strokes
    from tests.digit_drawings import fabric_paths, placed

    s = side / 280.0
    strokes = [p * s for p in placed(7, 220)]
    return rasterize_strokes(fabric_paths(strokes, width=22 * s), (side, side))


def _hit_rate(model) -> float:
    """Share of the 50 drawings of tests/digit_drawings.py (0–9, five sizes / positions) read right."""
    from core.digits import digit_scores, drawing_to_digit, rasterize_strokes
    from tests.digit_drawings import PLACEMENTS, fabric_paths, placed

    hits = [digit_scores(model, drawing_to_digit(rasterize_strokes(fabric_paths(placed(d, *p)))))["digit"].iloc[0] == d
            for d in range(10) for p in PLACEMENTS]
    return float(np.mean(hits))


def run(megapixels: float, repeat: int = 3) -> list[dict]:
    """Time the variants; one dict per (technique, variant)."""
    from core.digits import drawing_to_digit, load_digits, train_digits

    load_digits()  # the dataset is loaded once per process, as on the page
    rows = []
    seconds, peak, result = measure(lambda: train_digits(0.001, 100.0), repeat)
    rows.append(row("digits SVC", "core", megapixels, seconds, peak, "held-out accuracy", result.accuracy))
    seconds, peak, (pred, true) = measure(_tutorial, repeat)
    rows.append(row("digits SVC", "tutorial", megapixels, seconds, peak, "last 2 right", float(np.mean(pred == true))))
    side = square_side(megapixels, minimum=32)
    drawing = _seven(side)
    model = train_digits().model
    seconds, peak, digit = measure(lambda: drawing_to_digit(drawing), repeat)
    rows.append(row("drawing → 8×8 digit", "core", side * side / 1e6, seconds, peak, "read as 7",
                    float(model.predict(digit[None])[0] == 7), drawn_hit_rate=_hit_rate(model)))
    return rows
