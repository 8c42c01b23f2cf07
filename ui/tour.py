"""The tutorial tour: one line per cell (or run of cells) and exercise of the tutorial, in its order.

Each line links to the page that reproduces it, on the page's own preset for it (the preset lives with the
technique, in ``core``; the tour only names it), so a teacher can present the tutorial top to bottom. A link
holds every value of the preset, encoded as the page's share links are, so it opens the same view whatever
the session had set before. ``tests/app/test_shell.py`` opens every link and checks that no setting is refused.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

__all__ = ["STEPS", "Step", "query"]

#: page stem → the core module that holds its SCHEMA and presets (pages without one give values inline).
CORE_MODULES = {
    "thresholding": "core.thresholding",
    "colour_clustering": "core.clustering",
    "superpixels": "core.superpixels",
    "keypoints": "core.keypoints",
    "objects": "core.objects",
    "trainable_segmentation": "core.trainable.schema",
    "panorama": "core.panorama",
}


@dataclass(frozen=True)
class Step:
    """One line of the tour."""

    section: str  # the tutorial's section heading
    cells: str  # which cells ("In [12]–[15]", "Exercise")
    text: str  # what the cell does, in a few words
    page: str  # page stem (file name under pages/)
    preset: str | None = None  # a key of the core module's PRESETS (or an attribute name such as "TUTORIAL")
    values: dict[str, Any] = field(default_factory=dict)  # explicit values (over the preset's)


_INTRO = "A short introduction to machine learning"
_THRESH = "Thresholding and vector quantization"
_SLIC = "SLIC: clustering using colour and spatial features"
_GABOR = "Trained segmentation using Gabor filters and random forests"
_MID = "Using mid-level features"
_OBJ = "Clustering or classifying labeled objects"

STEPS: list[Step] = [
    Step(_INTRO, "In [3]–[8]", "The digits: 1797 samples of 64 features, each an 8×8 image", "digits",
         values={"gamma": 0.001, "C": 100.0, "test_size": 0.25, "seed": 0}),
    Step(_INTRO, "In [9]–[11]", "svm.SVC(gamma=0.001, C=100.): the last two digits read [9 8]",
         "digits", values={"gamma": 0.001, "C": 100.0, "test_size": 0.25, "seed": 0}),
    Step(_THRESH, "In [12]–[15]", "Otsu's threshold of the camera-man, on its histogram", "thresholding",
         preset="Tutorial (Otsu)"),
    Step(_THRESH, "In [16]", "k-means on the iris dataset: 3 clusters in 3-D", "colour_clustering",
         values={"iris_k": 3}),
    Step(_THRESH, "In [17]–[20]", "k-means on Lab a, b: the round pill in 2 clusters",
         "colour_clustering", preset="Tutorial: round pill, a, b, k = 2"),
    Step(_THRESH, "In [21]–[22]", "The chapel floor in L, a, b: 4 clusters, mean colours",
         "colour_clustering", preset="Tutorial: chapel floor, L, a, b, k = 4"),
    Step(_THRESH, "Exercise", "Exercise: the chapel floor, 3 clusters on a, b only", "colour_clustering",
         preset="Exercise: chapel floor, a, b, k = 3"),
    Step(_SLIC, "In [23] and the next two", "The spices, k-means alone (k = 10): noisy on texture",
         "colour_clustering", preset="Tutorial: spices, k-means alone, k = 10"),
    Step(_SLIC, "slic, mark_boundaries, label2rgb, KMeans", "SLIC superpixels, then k-means (k = 5) on their colours", "superpixels", preset="Tutorial: SLIC → k-means"),
    Step(_SLIC, "felzenszwalb", "Felzenszwalb superpixels (scale = 100)", "superpixels",
         preset="Tutorial: Felzenszwalb"),
    Step(_SLIC, "Exercise", "Exercise: SLIC then k-means on the astronaut", "superpixels",
         preset="Exercise: astronaut"),
    Step(_GABOR, "gabor_kernel, power", "Gabor kernels 0.1 and 0.4 on brick, grass and gravel", "gabor",
         values={"frequency": 0.1, "frequency2": 0.4, "theta": 0, "bandwidth": 1.0, "mode": "wrap", "shrink": 3}),
    Step(_GABOR, "trainable_segmentation", "Bells Beach: Gabor features and a random forest", "trainable_segmentation", preset="tutorial"),
    Step(_MID, "corner_harris, corner_peaks", "Harris corners of the camera-man", "keypoints", preset="TUTORIAL"),
    Step(_MID, "Panorama stitching", "Panorama of the Arches: ORB, RANSAC, warp, seam",
         "panorama", preset="Tutorial: Arches"),
    Step(_MID, "A longer example", "A longer example: example_pano.ipynb", "panorama",
         preset="example_pano notebook"),
    Step(_MID, "Exercise", "Exercise: the ORB keypoints of the camera-man", "keypoints", preset="TUTORIAL"),
    Step(_OBJ, "binary_blobs, regionprops, KMeans", "Blobs by area, perimeter²/area, solidity: k-means", "objects", preset="① Raw features"),
    Step(_OBJ, "data[:, 0] /= max", "The area divided by its maximum", "objects", preset="② Area ÷ max"),
    Step(_OBJ, "StandardScaler", "Every feature standardised (StandardScaler)", "objects", preset="③ Standardised"),
    Step(_OBJ, "Exercise", "Exercise: eccentricity instead of area", "objects",
         preset="④ Exercise: eccentricity"),
]


def _module(page: str):
    name = CORE_MODULES.get(page)
    if name is None:
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def values(step: Step) -> dict[str, Any]:
    """The step's values: its preset's (looked up in the page's core module), then its own."""
    out: dict[str, Any] = {}
    if step.preset is not None:
        module = _module(step.page)
        presets = getattr(module, "PRESETS", {}) if module is not None else {}
        preset = presets.get(step.preset) if isinstance(presets, dict) else None
        if preset is None and module is not None:
            preset = getattr(module, step.preset, None)
        if not isinstance(preset, dict):
            raise KeyError(f"{step.page} has no preset {step.preset!r} (the tour names it)")
        out.update(preset)
    out.update(step.values)
    return out


def _encode(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def query(step: Step) -> dict[str, str]:
    """The query string of the step's link: every value, encoded as the page's own links are."""
    vals = values(step)
    module = _module(step.page)
    schema = getattr(module, "SCHEMA", None) if module is not None else None
    if schema is not None:
        return {name: schema.fields[name].encode(v) if name in schema.fields else _encode(v)
                for name, v in vals.items()}
    return {name: _encode(v) for name, v in vals.items()}
