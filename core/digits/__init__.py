"""Handwritten digits with a support vector classifier: a sample is a whole image.

The scikit-learn digits dataset holds 1797 images of 8×8 pixels, each pixel an
integer 0…16: the number of "on" pixels in a 4×4 block of a 32×32 binary
bitmap of a handwritten digit. :func:`train_digits` fits the tutorial's
``SVC(gamma=0.001, C=100.)`` on part of it and scores the rest;
:func:`drawing_to_digit` reduces a drawing the way the dataset was made so
that the model can read it, and :func:`digit_scores` ranks the classes (its top
row is the verdict: one source of truth).

Stages: :func:`train_digits` (γ, C, split) → :func:`rasterize_strokes` (canvas
JSON → ink) → :func:`drawing_to_bitmap` → :func:`bitmap_to_digit` →
:func:`digit_scores`. :data:`SCHEMA` declares the page's parameters.
"""

from core.digits.drawing import (
    BOX_WIDTH,
    DATASET_STROKE,
    INK,
    bitmap_to_digit,
    digit_scores,
    drawing_to_bitmap,
    drawing_to_digit,
    rasterize_strokes,
)
from core.digits.model import (
    BATCH,
    BATCH_REASON,
    CANVAS_SIZE,
    PRESET_HELP,
    PRESETS,
    SCHEMA,
    DigitsResult,
    load_digits,
    train_digits,
    tutorial_check,
)

__all__ = ["BATCH", "BATCH_REASON", "BOX_WIDTH", "CANVAS_SIZE", "DATASET_STROKE", "INK", "PRESETS", "PRESET_HELP", "SCHEMA",
           "DigitsResult", "bitmap_to_digit", "digit_scores", "drawing_to_bitmap", "drawing_to_digit", "load_digits",
           "rasterize_strokes", "train_digits", "tutorial_check"]
