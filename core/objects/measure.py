"""Measure every labelled object: :func:`skimage.measure.regionprops_table`, one row per object."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.objects.sources import MAX_OBJECTS, check_labels, label_objects

__all__ = ["PROPERTIES", "PROPERTY_LABELS", "measure_objects"]

#: Columns :func:`measure_objects` can return (besides ``label``), in table order.
PROPERTIES: tuple[str, ...] = (
    "area",
    "perimeter",
    "perimeter2_over_area",
    "solidity",
    "eccentricity",
    "extent",
    "axis_major_length",
    "axis_minor_length",
    "orientation",
    "euler_number",
)

#: Human-readable names of :data:`PROPERTIES` (for widgets and axes).
PROPERTY_LABELS: dict[str, str] = {
    "area": "area (px)",
    "perimeter": "perimeter (px)",
    "perimeter2_over_area": "perimeter² / area",
    "solidity": "solidity (area / convex area)",
    "eccentricity": "eccentricity (0 = circle)",
    "extent": "extent (area / bounding box)",
    "axis_major_length": "major axis length (px)",
    "axis_minor_length": "minor axis length (px)",
    "orientation": "orientation (rad)",
    "euler_number": "Euler number (1 − holes)",
}


def measure_objects(labels: np.ndarray, properties=PROPERTIES) -> pd.DataFrame:
    """Measure every labelled object: one row per object.

    Parameters
    ----------
    labels : ndarray of int, shape (H, W)
        0 = background, ids ``1 … MAX_OBJECTS`` = objects (gaps allowed). A boolean mask is
        labelled first (8-connectivity).
    properties : sequence of str
        Any of :data:`PROPERTIES`; ``perimeter2_over_area`` is derived (perimeter² / area, 4π ≈ 12.6
        for a disk, larger for convoluted shapes). Lengths and areas are in pixels, orientation in
        radians.

    Returns
    -------
    table : pandas.DataFrame
        Columns ``label`` then the requested properties in the order given; rows sorted by label.
    """
    from skimage.measure import regionprops_table

    if np.asarray(labels).dtype == bool:
        labels = label_objects(labels)
    labels = check_labels(labels)
    properties = list(properties)
    unknown = [p for p in properties if p not in PROPERTIES]
    if unknown:
        raise ValueError(f"Unknown properties {unknown}; choose among: {', '.join(PROPERTIES)}.")
    if not labels.size or labels.max() == 0:
        raise ValueError(
            "There are no objects to measure (the mask is empty, or every object was removed). Lower "
            "'Remove objects ≤', pick the other side (dark/bright) of a thresholded photo, or use another image."
        )
    if labels.max() > MAX_OBJECTS:  # regionprops allocates one slot per id up to the largest one
        raise ValueError(f"Object ids must be at most {MAX_OBJECTS:,} (the largest is {int(labels.max()):,}); "
                         "renumber them first with core.objects.compact_labels.")
    base = [p for p in properties if p != "perimeter2_over_area"]
    if "perimeter2_over_area" in properties:
        base += [p for p in ("area", "perimeter") if p not in base]
    table = pd.DataFrame(regionprops_table(labels, properties=["label", *dict.fromkeys(base)]))
    if "perimeter2_over_area" in properties:
        table["perimeter2_over_area"] = table["perimeter"] ** 2 / table["area"]
    table["label"] = table["label"].astype(np.int64)
    return table[["label", *properties]].reset_index(drop=True)
