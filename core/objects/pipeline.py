"""The Object clustering technique in one place: its parameters, presets, stages and batch outputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.objects.cluster import SCALINGS, cluster_summary, color_clusters, feature_matrix, fit_clusters, paint_clusters
from core.objects.measure import PROPERTIES, PROPERTY_LABELS, measure_objects
from core.objects.sources import MAX_OBJECTS, clean_labels, label_objects, make_blobs, read_upload, threshold_mask
from core.schema import Bool, Choice, Float, Int, Multi, Schema

__all__ = ["PRESETS", "PRESET_HELP", "SCHEMA", "SOURCE_KEYS", "TUTORIAL_FEATURES", "Source", "batch_decode", "batch_outputs", "describe_source", "make_labels",
           "script_image_lines", "script_values", "size_text", "source_objects", "with_file_ids"]

#: The tutorial's three features.
TUTORIAL_FEATURES = ["area", "perimeter2_over_area", "solidity"]

SCHEMA = Schema("objects", [
    Choice("source", ["blobs", "image", "upload"], "blobs",
           labels={"blobs": "Generated blobs", "image": "Thresholded image", "upload": "Uploaded mask / labels"},
           help="Where the objects come from: the tutorial's binary_blobs, a photo split by Otsu's threshold, "
                "or your own mask / label image (used as it is)."),
    Int("length", 1024, 128, 2048, step=64, help="binary_blobs(length=…): side of the square image (px); "
                                                  "the tutorial uses 1024."),
    Float("blob_size", 0.05, 0.01, 0.2, step=0.01, help="binary_blobs(blob_size_fraction=…): typical blob size "
                                                         "as a fraction of the side (the tutorial: 0.05)."),
    Float("volume", 0.2, 0.05, 0.6, step=0.05, help="binary_blobs(volume_fraction=…): fraction of the pixels "
                                                     "that are foreground (the tutorial: 0.2)."),
    Int("seed", 0, 0, 9999, help="binary_blobs(rng=…): same seed, same blobs. The tutorial's call has none."),
    Choice("objects", ["bright", "dark"], "bright", labels={"bright": "bright objects", "dark": "dark objects"},
           help="Thresholded image only: are the objects above or below Otsu's threshold?"),
    Choice("upload_as", ["auto", "mask", "labels"], "auto",
           labels={"auto": "auto", "mask": "binary mask", "labels": "label image"},
           help="Uploads only. Mask: pixels brighter than half the brightest are objects. Labels: each gray "
                "value (or colour) is one object, black the background. Auto: two levels = a mask."),
    Choice("connectivity", [1, 2], 2, labels={1: "1 (sides)", 2: "2 (sides + corners)"},
           help="measure.label: do pixels touching only by a corner belong to the same object?"),
    Bool("exclude_border", False, help="Remove the objects touching the border (their cut shapes measure wrongly)."),
    Int("max_size", 0, 0, 5000, help="remove_small_objects(max_size=…): remove objects of this many pixels or "
                                     "fewer (0 keeps everything)."),
    Multi("features", list(PROPERTIES), TUTORIAL_FEATURES, allow_empty=True,
          help="The measurements k-means clusters on: each object is a point in their space."),
    Choice("scaling", list(SCALINGS), "none",
           labels={"none": "none", "area_max": "area ÷ max", "max": "all ÷ max", "standard": "standard",
                   "robust": "robust"},
           help="none: as measured · area ÷ max: the tutorial's second step · all ÷ max: each feature by its "
                "maximum · standard: zero mean, unit variance · robust: median 0, interquartile range 1."),
    Int("k", 2, 1, 10, help="KMeans(n_clusters=k); at most the number of objects."),
    Choice("x", list(PROPERTIES), "area", labels=PROPERTY_LABELS, help="The scatter's x axis (display only)."),
    Choice("y", list(PROPERTIES), "perimeter2_over_area", labels=PROPERTY_LABELS,
           help="The scatter's y axis (display only)."),
    Bool("scaled_axes", False, help="Draw the scatter in the scaled features k-means clusters (both axes must be "
                                    "among the clustered features): with no scaling the area's axis dwarfs the rest."),
    Int("highlight", 0, 0, MAX_OBJECTS, help="The object outlined in the pictures (its label; 0 = none)."),
], image="coins")

_TUTORIAL_BLOBS = dict(source="blobs", length=1024, blob_size=0.05, volume=0.2, seed=0, connectivity=2,
                       exclude_border=False, max_size=0, k=2, highlight=0, scaled_axes=False)
#: The tutorial's four steps. Each sets every value its result depends on (the tutorial's blobs included).
PRESETS: dict[str, dict[str, Any]] = {
    "① Raw features": {**_TUTORIAL_BLOBS, "features": TUTORIAL_FEATURES, "scaling": "none",
                       "x": "area", "y": "perimeter2_over_area"},
    "② Area ÷ max": {**_TUTORIAL_BLOBS, "features": TUTORIAL_FEATURES, "scaling": "area_max",
                     "x": "area", "y": "perimeter2_over_area"},
    "③ Standardised": {**_TUTORIAL_BLOBS, "features": TUTORIAL_FEATURES, "scaling": "standard",
                       "x": "area", "y": "perimeter2_over_area"},
    "④ Exercise: eccentricity": {**_TUTORIAL_BLOBS, "features": ["perimeter2_over_area", "solidity", "eccentricity"],
                                 "scaling": "standard", "x": "eccentricity", "y": "perimeter2_over_area"},
}
PRESET_HELP = {
    "① Raw features": "The tutorial's first try on its blobs: area, perimeter²/area and solidity as measured. The "
                      "area (hundreds to thousands of pixels) dominates the distances, so k-means splits by size.",
    "② Area ÷ max": "The tutorial's second step: divide the area by its maximum so it no longer dominates "
                    "(perimeter²/area, at least 4π ≈ 12.6, then weighs most).",
    "③ Standardised": "The tutorial's third step: StandardScaler — every feature gets zero mean and unit variance.",
    "④ Exercise: eccentricity": "The exercise: replace the area by the eccentricity, so the clusters separate "
                                "compact from convoluted particles regardless of their size.",
}


#: The values the first stage (:func:`source_objects`) depends on, per source.
SOURCE_KEYS = {"blobs": ("source", "length", "blob_size", "volume", "seed"), "image": ("source", "objects"),
               "upload": ("source", "upload_as")}


@dataclass(frozen=True)
class Source:
    """The first stage's output: a mask to label, or labels read from a file.

    ``array`` is a bool mask or int32 labels ``1 … N``; ``kind`` is ``"blobs"``, ``"threshold"``,
    ``"mask"`` or ``"labels"``; ``threshold`` is Otsu's (thresholded images); ``file_ids`` the file's
    own id per object (label files).
    """

    array: np.ndarray
    kind: str
    threshold: float | None = None
    file_ids: np.ndarray | None = None
    renumbered: bool = False


def source_objects(values: dict, image: np.ndarray | None = None) -> Source:
    """Stage 1: the blobs, the thresholded ``image`` or the uploaded ``image`` read as a mask / labels."""
    if values["source"] == "blobs":
        return Source(make_blobs(values["length"], values["blob_size"], values["volume"], values["seed"]), "blobs")
    if image is None:
        raise ValueError(f"The {values['source']!r} source needs an image.")
    if values["source"] == "image":
        mask, t = threshold_mask(image, objects=values["objects"])
        return Source(mask, "threshold", threshold=t)
    read = read_upload(image, kind=values["upload_as"])
    return Source(read.array, read.kind, file_ids=read.file_ids, renumbered=read.renumbered)


def make_labels(array: np.ndarray, is_labels: bool, *, connectivity: int = 2, exclude_border: bool = False,
                max_size: int = 0) -> np.ndarray:
    """Stage 2: label a mask (:func:`label_objects`) or clean labels read from a file (:func:`clean_labels`)."""
    if is_labels:
        return clean_labels(array, exclude_border=exclude_border, max_size=max_size)
    return label_objects(array, connectivity=connectivity, exclude_border=exclude_border, max_size=max_size)


def with_file_ids(table: pd.DataFrame, file_ids: np.ndarray | None) -> pd.DataFrame:
    """The table with a ``file_id`` column (the uploaded file's own id of each object) after ``label``."""
    if file_ids is None:
        return table
    out = table.copy()
    out.insert(1, "file_id", np.asarray(file_ids)[out["label"].to_numpy() - 1])
    return out


def size_text(array: np.ndarray) -> str:
    """An image's size as W×H (the app's one way of writing sizes)."""
    return f"{array.shape[1]}×{array.shape[0]} px"


def describe_source(src: Source, values: dict, *, name: str = "") -> str:
    """A caption for the first stage that names the image shown (``name``: the sample or file, escaped)."""
    share = f"{np.mean(src.array):.0%}" if src.array.dtype == bool else ""
    if src.kind == "blobs":
        tutorial = (values["length"], values["blob_size"], values["volume"]) == (1024, 0.05, 0.2)
        return (f"binary_blobs(length={values['length']}, blob_size_fraction={values['blob_size']:g}, "
                f"volume_fraction={values['volume']:g}, rng={values['seed']}): {size_text(src.array)}, {share} "
                "foreground" + (" — the tutorial's blobs." if tutorial else "."))
    if src.kind == "threshold":
        return (f"{name}, {size_text(src.array)}: Otsu's threshold t = {src.threshold:.3f} (gray levels 0 … 1) "
                f"keeps the {values['objects']} pixels ({share}) as objects.")
    if src.kind == "mask":
        return (f"{name}, {size_text(src.array)}: read as a binary mask, used as it is (never thresholded, never "
                f"inverted): the pixels brighter than half the brightest value are the objects ({share}).")
    text = (f"{name}, {size_text(src.array)}: read as a label image: {len(src.file_ids)} objects, one per gray "
            "value (or colour), black = background.")
    if src.renumbered:
        text += " Their ids are renumbered 1 … N in the order of the values; the table's `file_id` column holds yours."
    return text


def script_values(values: dict, source: Source | None = None) -> dict:
    """The values the script's parameters block receives (an upload's ``auto`` resolved to what was read)."""
    out = dict(values)
    if values["source"] == "upload" and source is not None and source.kind in ("mask", "labels"):
        out["upload_as"] = source.kind
    elif out["upload_as"] == "auto":
        out["upload_as"] = "mask"
    return out


def script_image_lines(values: dict, name: str | None, *, shape=None, working_size: int = 1024) -> list[str]:
    """The image lines of the script's parameters block: none for blobs, the photo, or your uploaded file."""
    from core.reproduce import image_lines

    if values["source"] == "blobs":
        return []
    if values["source"] == "upload":
        return ["# Save the mask / label image you uploaded next to this script as your_labels.png",
                'image = io.imread("your_labels.png")  # uploads never travel in links']
    return image_lines(name, shape=shape, working_size=working_size)


def batch_decode(data: bytes, values: dict, working_size: int | None = None) -> np.ndarray:
    """Decode a batch input the way the page does: label files keep their 16/32-bit ids and their size.

    A mask / label image (``source="upload"``) is never resampled (resampling would blend ids); a photo
    to threshold is fitted to ``working_size`` like any upload. ``python -m imlab run`` should decode
    this page's inputs with this function rather than the generic decoder.
    """
    from core.images import read_image
    from core.objects.sources import read_label_file

    if values.get("source") == "upload":
        return read_label_file(data)
    return read_image(data, max_side=working_size or None)


def batch_outputs(image: np.ndarray | None, values: dict) -> dict[str, object]:
    """What the page shows, for ``python -m imlab run``: the same stages as the page.

    Parameters
    ----------
    image : ndarray or None
        The photo to threshold (``source="image"``) or the mask / label image (``source="upload"``);
        ignored for ``source="blobs"``.
    values : dict
        ``SCHEMA.parse(...)``'s result.

    Returns
    -------
    outputs : dict
        ``labels`` (int32 (H, W), 8/16-bit PNG), ``clusters`` (uint8 (H, W, 3), objects coloured by
        cluster), ``objects`` (the measurement table with ``cluster``), ``summary`` (flat dict).
    """
    src = source_objects(values, image)
    labels = make_labels(src.array, src.kind == "labels", connectivity=values["connectivity"],
                         exclude_border=values["exclude_border"], max_size=values["max_size"])
    table = with_file_ids(measure_objects(labels, PROPERTIES), src.file_ids)
    clusters = fit_clusters(feature_matrix(table, values["features"], values["scaling"]), values["k"])
    painted = paint_clusters(labels, table, clusters)
    shown = table.copy()
    shown.insert(1, "cluster", clusters)
    sizes = cluster_summary(table, clusters, values["features"])["objects"]
    summary: dict[str, int | float | str] = {
        "source": src.kind, "width": int(labels.shape[1]), "height": int(labels.shape[0]),
        "objects": int(len(table)), "k": int(values["k"]), "scaling": values["scaling"],
        "features": ",".join(values["features"]), "cluster_sizes": "/".join(str(int(n)) for n in sizes),
        "mean_area": float(table["area"].mean()),
    }
    if src.threshold is not None:
        summary["threshold"] = src.threshold
    return {"labels": labels, "clusters": color_clusters(painted), "objects": shown, "summary": summary}
