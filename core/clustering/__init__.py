"""Colour clustering: k-means on pixel colours (the tutorial's Lab cells), average colours, iris k-means.

The tutorial's "pixels are samples" idea: every pixel is a point in a colour
space (Lab by default, only the chroma channels a and b), and k-means groups
pixels of similar colour.

- :mod:`core.clustering.colour`: the page's :data:`SCHEMA`, presets, the fit
  stage :func:`color_kmeans_fit`, the views and :func:`batch_outputs`;
- :mod:`core.clustering.lab`: an exact uint8 ``rgb2lab`` (a lookup table for
  the sRGB transfer curve) and the distinct colours of an image;
- :mod:`core.clustering._base`: channels, features, k-means on rows and
  :func:`average_colors`, the project-wide average-colour function (a
  ``np.bincount`` mean equal to ``label2rgb(kind='avg', bg_label=-1)``);
- :mod:`core.clustering.iris`: the iris k-means.
"""

from core.clustering._base import (
    COLOR_SPACES,
    DEFAULT_MAX_SAMPLES,
    _dense_labels,
    _kmeans_on_features,
    _spread,
    average_colors,
    cluster_palette,
    color_features,
    colour_rows,
    parse_channels,
)
from core.clustering.colour import (
    EXERCISES,
    FIT_LABELS,
    PRESET_HELP,
    PRESETS,
    SCHEMA,
    VIEW_LABELS,
    ColorKMeansResult,
    batch_outputs,
    cluster_map,
    cluster_views,
    color_kmeans,
    color_kmeans_fit,
    kmeans_kwargs,
)
from core.clustering.iris import IRIS_BATCH_REASON, IRIS_COLUMNS, IrisClusters, iris_kmeans
from core.clustering.lab import rgb2lab_uint8, unique_colors

__all__ = [
    "COLOR_SPACES", "DEFAULT_MAX_SAMPLES", "EXERCISES", "FIT_LABELS", "IRIS_BATCH_REASON", "IRIS_COLUMNS",
    "PRESETS", "PRESET_HELP", "SCHEMA", "VIEW_LABELS", "ColorKMeansResult", "IrisClusters", "average_colors",
    "batch_outputs", "cluster_map", "cluster_palette", "cluster_views", "color_features", "color_kmeans",
    "color_kmeans_fit", "colour_rows", "iris_kmeans", "kmeans_kwargs", "parse_channels", "rgb2lab_uint8",
    "unique_colors",
]
# Private helpers core.superpixels reuses (kept importable from here).
_SHARED_PRIVATE = (_dense_labels, _kmeans_on_features, _spread)
