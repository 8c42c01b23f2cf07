"""The trainable segmentation page's parameters: :data:`SCHEMA`, presets, and their translation.

:func:`fit_kwargs` turns the page's values into :func:`core.trainable.fit_segmenter`'s keyword
arguments (the one place page names meet core names). :data:`PRESETS` set every value they
depend on. :func:`tutorial_mask` is the tutorial's mask of labelled rectangles on its beach
photo (``bells_beach``), at any working size.
"""

from __future__ import annotations

import numpy as np

from core.schema import Bool, Choice, Float, Int, Schema, Text
from core.trainable.classifiers import CLASSIFIER_NAMES, FOREST_DEFAULTS
from core.trainable.features import FAMILIES, FeatureSpec

__all__ = ["MAX_CLASSES", "PALETTE", "PRESETS", "SCHEMA", "TUTORIAL_RECTS", "feature_spec", "fit_kwargs",
           "tutorial_mask"]

MAX_CLASSES = 8
#: class colours (colour-blind-friendly Set1-like): name → hex
PALETTE = {"blue": "#377eb8", "orange": "#ff7f00", "green": "#4daf4a", "red": "#e41a1c", "purple": "#984ea3",
           "yellow": "#ffd92f", "brown": "#a65628", "white": "#ffffff"}
_NAMES = ["vegetation", "sea and sky", "sand", "class 4", "class 5", "class 6", "class 7", "class 8"]
#: The tutorial's mask on the 960×1280 beach photo, as (class, (row0, col0, row1, col1)) slices:
#: ``mask[700:] = 1; mask[:550, :650] = 2; mask[400:450, 1000:1100] = 3``.
TUTORIAL_RECTS = [(1, (700, 0, 960, 1280)), (2, (0, 0, 550, 650)), (3, (400, 1000, 450, 1100))]
TUTORIAL_SHAPE = (960, 1280)

_FREQ_HELP = ("Gabor frequencies of the tutorial's bank. 'tutorial': 1/8 … 2 cycles/px as in the notebook — "
              "above 0.5 cycles/px a sampled wave aliases to a lower frequency (see the Gabor page), so two "
              "of its five filters repeat others; 'corrected': 1/32 … 1/2, five distinct octaves.")

SCHEMA = Schema("trainable_segmentation", [
    Int("n_classes", 3, 2, MAX_CLASSES, help="Number of classes to scribble."),
    *[Text(f"name{k}", _NAMES[k - 1], max_length=24, help=f"Name of class {k}.") for k in range(1, MAX_CLASSES + 1)],
    *[Choice(f"color{k}", list(PALETTE), list(PALETTE)[k - 1], help=f"Colour of class {k}.")
      for k in range(1, MAX_CLASSES + 1)],
    Choice("active", list(range(1, MAX_CLASSES + 1)), 1, help="The class the brush paints."),
    Choice("mode", ["freedraw", "line", "rect"], "freedraw", help="Drawing tool: freehand, line or rectangle."),
    Int("brush", 12, 1, 60, help="Brush width in canvas pixels."),
    Bool("check", False, help="Draw held-out check strokes (not used for training, scored for accuracy)."),
    Bool("gabor", False, help="Feature family: " + FAMILIES["gabor"] + "."),
    Choice("frequencies", ["corrected", "tutorial"], "corrected", help=_FREQ_HELP),
    Bool("texture", True, help="Feature family: " + FAMILIES["texture"] + "."),
    Bool("edges", True, help="Feature family: " + FAMILIES["edges"] + "."),
    Bool("intensity", True, help="Feature family: " + FAMILIES["intensity"] + "."),
    Bool("color", True, help="Feature family: " + FAMILIES["color"] + " (colour images only; a gray photo stored as RGB is gray)."),
    Bool("palette", True, help="Feature family: " + FAMILIES["palette"] + " (colour images only; a gray photo stored as RGB is gray)."),
    Bool("lbp", True, help="Feature family: " + FAMILIES["lbp"] + " (gray images only, including gray photos stored as RGB)."),
    Float("sigma_max", 16.0, 4.0, 64.0, step=4.0, help="Largest smoothing scale of intensity, colour and palette (px); the lbp window is half of it."),
    Choice("classifier", list(CLASSIFIER_NAMES), FOREST_DEFAULTS["classifier"], labels=CLASSIFIER_NAMES,
           help="'forest': the tutorial's RandomForestClassifier(); 'improved': extremely randomised trees "
                "(ExtraTreesClassifier), class-balanced — smoother decisions, better on images it was not tuned on."),
    Int("trees", FOREST_DEFAULTS["n_estimators"], 1, 300, help="Number of trees of the forest."),
    Int("depth", FOREST_DEFAULTS["max_depth"], 0, 64, help="Maximum tree depth (0 = unlimited, the tutorial's)."),
    Bool("balance", FOREST_DEFAULTS["balance"], help="Weight classes equally, however many pixels each has."),
    Int("max_pixels", FOREST_DEFAULTS["max_training_pixels"], 0, 1_000_000, step=1000,
        help="Train on at most this many scribbled pixels (stratified sample; 0 = all, the tutorial's)."),
    Float("smoothing", FOREST_DEFAULTS["smoothing"], 0.0, 16.0, step=0.5,
          help="Spatial regularisation: Gaussian σ (px) of the class probabilities before the arg-max."),
    Bool("propagate", FOREST_DEFAULTS["propagation"],
         help="Spread the strokes through the image's regions (edge-aware random walker; on a colour image over its "
              "SLIC superpixels, computed once per image: ≈ 0.2 s at 512 px)."),
    Bool("live", True, help="Re-segment after every stroke (off: on a button)."),
    Float("opacity", 0.5, 0.0, 1.0, step=0.05, help="Opacity of the overlay."),
    Choice("view", ["overlay", "average", "labels"], "overlay", help="Overlay, average colour, or class colours."),
    Bool("hint", True, help="Show the 'scribble here next' box (the most uncertain window)."),
    Text("strokes", "tutorial", max_length=20_000,
         help="The strokes: a token of the share link, or a preset name ('tutorial', 'none')."),
], image="bells_beach")

#: The Tutorial preset trains on a stratified sample of this many of the ~450 000 rectangle pixels (the tutorial
#: trains on all of them): the page opens in seconds instead of minutes, and the labels still agree with the
#: tutorial's code on 99.7 % of the pixels (99.3 % of the unlabelled ones) at 384 px — measured with
#: benchmarks/bench_trainable.py's tutorial comparison; max_pixels = 0 on the page trains on every pixel.
TUTORIAL_MAX_PIXELS = 20_000
_TUTORIAL_MODEL = dict(gabor=True, frequencies="tutorial", texture=False, edges=False, intensity=False, color=False,
                       palette=False, lbp=False,
                       sigma_max=16.0, classifier="forest", trees=100, depth=0, balance=False,
                       max_pixels=TUTORIAL_MAX_PIXELS, smoothing=0.0, propagate=False)
_IMPROVED_MODEL = {name: SCHEMA.fields[name].default for name in _TUTORIAL_MODEL}
#: name → every value the preset depends on
PRESETS = {
    "tutorial": dict(image="bells_beach", n_classes=3, name1="vegetation", name2="sea and sky", name3="sand", color1="blue",
                     color2="orange", color3="green", strokes="tutorial", active=1, check=False, **_TUTORIAL_MODEL),
    "tutorial_corrected": dict(image="bells_beach", n_classes=3, name1="vegetation", name2="sea and sky", name3="sand",
                               color1="blue", color2="orange", color3="green", strokes="tutorial", active=1,
                               check=False, **{**_TUTORIAL_MODEL, "frequencies": "corrected"}),
    "improved": dict(image="bells_beach", n_classes=3, name1="vegetation", name2="sea and sky", name3="sand", color1="blue",
                     color2="orange", color3="green", strokes="tutorial", active=1, check=False, **_IMPROVED_MODEL),
    "blank": dict(strokes="none", n_classes=2, name1="class 1", name2="class 2", color1="blue", color2="orange",
                  active=1, check=False, **_IMPROVED_MODEL),
}


def feature_spec(values) -> FeatureSpec:
    """The :class:`FeatureSpec` of the page's values."""
    return FeatureSpec(gabor=bool(values["gabor"]), texture=bool(values["texture"]), edges=bool(values["edges"]),
                       intensity=bool(values["intensity"]), color=bool(values["color"]), palette=bool(values["palette"]),
                       lbp=bool(values["lbp"]), frequencies=values["frequencies"], sigma_max=float(values["sigma_max"]))


def fit_kwargs(values) -> dict:
    """:func:`core.trainable.fit_segmenter` keyword arguments from the page's values (``SCHEMA.parse``)."""
    k = int(values["n_classes"])
    return dict(features=feature_spec(values), classifier=values["classifier"], n_estimators=int(values["trees"]),
                max_depth=int(values["depth"]) or None, balance=bool(values["balance"]),
                max_training_pixels=int(values["max_pixels"]), smoothing=float(values["smoothing"]),
                propagation=bool(values["propagate"]), n_classes=k,
                class_names=[values[f"name{i}"].strip() or f"class {i}" for i in range(1, k + 1)],
                class_colors=[PALETTE[values[f"color{i}"]] for i in range(1, k + 1)])


def tutorial_mask(shape=TUTORIAL_SHAPE) -> np.ndarray:
    """The tutorial's training mask, scaled to ``shape`` (the beach photo at a working size).

    Returns
    -------
    mask : (H, W) uint8; 1 = vegetation (rows ≥ 700 of 960), 2 = sea and sky (top-left), 3 = sand (a small patch)
    """
    h, w = int(shape[0]), int(shape[1])
    fy, fx = h / TUTORIAL_SHAPE[0], w / TUTORIAL_SHAPE[1]
    mask = np.zeros((h, w), np.uint8)
    for code, (r0, c0, r1, c1) in TUTORIAL_RECTS:
        mask[round(r0 * fy):round(r1 * fy), round(c0 * fx):round(c1 * fx)] = code
    return mask
