"""Object features and clustering: label → ``regionprops`` → scaled k-means.

The last section of the scikit-image tutorial "Image processing and machine learning": label the
objects of a binary image, measure each one with :func:`skimage.measure.regionprops_table`, and
cluster the objects on a few of those measurements with :class:`sklearn.cluster.KMeans` — first on
raw features (the area dominates), then with the area divided by its maximum, then standardised,
and finally with the eccentricity in place of the area.

* :mod:`core.objects.sources` — blobs, thresholded photos, uploaded masks / label images (sparse ids
  renumbered ``1 … N`` and the object count capped at :data:`MAX_OBJECTS` before anything is
  allocated per id), labelling and cleaning;
* :mod:`core.objects.measure` — the property table;
* :mod:`core.objects.cluster` — scaling, k-means, painting;
* :mod:`core.objects.pipeline` — :data:`SCHEMA`, :data:`PRESETS`, the stages and :func:`batch_outputs`.
"""

from core.objects.cluster import (
    PALETTE,
    SCALINGS,
    cluster_objects,
    cluster_summary,
    color_clusters,
    color_labels,
    feature_matrix,
    fit_clusters,
    highlight_object,
    paint_clusters,
    scale_features,
)
from core.objects.measure import PROPERTIES, PROPERTY_LABELS, measure_objects
from core.objects.pipeline import (
    PRESET_HELP,
    PRESETS,
    SCHEMA,
    SOURCE_KEYS,
    TUTORIAL_FEATURES,
    Source,
    batch_decode,
    batch_outputs,
    describe_source,
    make_labels,
    script_image_lines,
    script_values,
    size_text,
    source_objects,
    with_file_ids,
)
from core.objects.sources import (
    MAX_OBJECTS,
    UploadRead,
    check_labels,
    check_object_count,
    clean_labels,
    compact_labels,
    label_objects,
    make_blobs,
    read_label_file,
    read_upload,
    threshold_mask,
)

__all__ = [
    "MAX_OBJECTS", "PALETTE", "PRESETS", "PRESET_HELP", "PROPERTIES", "PROPERTY_LABELS", "SCALINGS", "SCHEMA",
    "SOURCE_KEYS", "TUTORIAL_FEATURES", "Source", "UploadRead", "batch_decode", "batch_outputs", "check_labels",
    "describe_source", "check_object_count", "clean_labels", "cluster_objects", "cluster_summary", "color_clusters",
    "color_labels", "compact_labels", "feature_matrix", "fit_clusters", "highlight_object", "label_objects",
    "make_blobs", "make_labels", "measure_objects", "paint_clusters", "read_label_file", "read_upload",
    "scale_features", "script_image_lines", "script_values", "size_text", "source_objects", "threshold_mask",
    "with_file_ids",
]
