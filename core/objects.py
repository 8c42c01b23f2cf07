"""Object features and clustering: label → ``regionprops_table`` → scaled k-means.

The last section of the scikit-image tutorial "Image processing and machine
learning": label the objects of a binary image, measure each one with
:func:`skimage.measure.regionprops_table`, and cluster the objects on a few of
those measurements with :class:`sklearn.cluster.KMeans` — first on raw
features (the area dominates), then with the area divided by its maximum, then
standardised, and finally with the eccentricity in place of the area.

Every function takes numpy arrays (any dtype) and returns arrays or pandas
DataFrames; errors are ``ValueError`` with a message that says how to fix the
input.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from core.images import read_image, to_gray, to_rgb

__all__ = [
    "PROPERTIES",
    "PROPERTY_LABELS",
    "SCALINGS",
    "PALETTE",
    "make_blobs",
    "threshold_mask",
    "label_objects",
    "clean_labels",
    "labels_from_image",
    "read_label_file",
    "label_gaps",
    "measure_objects",
    "scale_features",
    "cluster_objects",
    "cluster_summary",
    "paint_clusters",
    "color_labels",
    "color_clusters",
    "highlight_object",
]

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

#: Scalings understood by :func:`scale_features` / :func:`cluster_objects`.
SCALINGS: tuple[str, ...] = ("none", "area_max", "max", "standard", "robust")

#: Cluster colours (plotly's default qualitative sequence); cluster ``c`` → ``PALETTE[c % 10]``.
PALETTE: tuple[str, ...] = (
    "#636EFA",
    "#EF553B",
    "#00CC96",
    "#AB63FA",
    "#FFA15A",
    "#19D3F3",
    "#FF6692",
    "#B6E880",
    "#FF97FF",
    "#FECB52",
)


def _palette_rgb(palette=PALETTE) -> np.ndarray:
    return np.array([[int(h[i : i + 2], 16) for i in (1, 3, 5)] for h in palette], dtype=np.uint8)


# --------------------------------------------------------------------------- inputs


def make_blobs(
    length: int = 1024,
    blob_size_fraction: float = 0.05,
    volume_fraction: float = 0.2,
    seed: int = 0,
) -> np.ndarray:
    """Generate the tutorial's synthetic binary image of blobs.

    Thin wrapper on :func:`skimage.data.binary_blobs` (whose seed argument is
    ``rng`` in scikit-image ≥ 0.21).

    Parameters
    ----------
    length : int
        Side of the square image, in pixels (16 … 4096).
    blob_size_fraction : float
        Typical blob size as a fraction of ``length`` (0 < f ≤ 1).
    volume_fraction : float
        Fraction of the pixels that are foreground (0 < f < 1).
    seed : int
        Seed of the random generator (same seed → same image).

    Returns
    -------
    mask : ndarray of bool, shape (length, length)
    """
    from skimage import data

    length = int(length)
    if not 16 <= length <= 4096:
        raise ValueError(f"length must be between 16 and 4096 pixels; got {length}.")
    if not 0 < blob_size_fraction <= 1:
        raise ValueError(f"blob_size_fraction must be in (0, 1]; got {blob_size_fraction}.")
    if not 0 < volume_fraction < 1:
        raise ValueError(f"volume_fraction must be strictly between 0 and 1; got {volume_fraction}.")
    return data.binary_blobs(
        length=length,
        blob_size_fraction=float(blob_size_fraction),
        volume_fraction=float(volume_fraction),
        rng=int(seed),
    )


def threshold_mask(image: np.ndarray, *, objects: str = "bright") -> np.ndarray:
    """Otsu-threshold an image into a foreground mask.

    Parameters
    ----------
    image : ndarray
        Gray ``(H, W)`` or colour ``(H, W, 3)`` image of any dtype.
    objects : {"bright", "dark"}
        Whether the objects are brighter (``gray > t``) or darker
        (``gray <= t``) than the background.

    Returns
    -------
    mask : ndarray of bool, shape (H, W)
    """
    from skimage.filters import threshold_otsu

    if objects not in ("bright", "dark"):
        raise ValueError(f"objects must be 'bright' or 'dark'; got {objects!r}.")
    gray = to_gray(image)
    if gray.size == 0 or gray.min() == gray.max():
        raise ValueError("The image is uniform (one gray level): there is nothing to threshold. Choose another image.")
    t = threshold_otsu(gray)
    return gray > t if objects == "bright" else gray <= t


def _check_int_labels(labels: np.ndarray, name: str = "labels") -> np.ndarray:
    labels = np.asarray(labels)
    if labels.ndim != 2:
        raise ValueError(f"{name} must be a 2-D (H, W) image; got shape {labels.shape}.")
    if labels.dtype == bool:
        raise ValueError(f"{name} is a boolean mask: label it first with label_objects(mask).")
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or not np.all(labels == np.round(labels)):
            raise ValueError(f"{name} must hold whole numbers (object ids); got non-integer values.")
        labels = labels.astype(np.int64)
    elif labels.dtype.kind not in "iu":
        raise ValueError(f"{name} must be an integer image of object ids; got dtype {labels.dtype}.")
    if labels.size and labels.min() < 0:
        raise ValueError(f"{name} must not be negative (0 = background, 1, 2, … = objects).")
    return labels


def clean_labels(labels: np.ndarray, *, exclude_border: bool = False, max_size: int = 0) -> np.ndarray:
    """Drop objects touching the border and / or small objects, keeping the ids of the others.

    Parameters
    ----------
    labels : ndarray of int, shape (H, W)
        0 = background.
    exclude_border : bool
        Remove the objects that touch the image border.
    max_size : int
        Remove the objects of ``max_size`` pixels or fewer (0 keeps everything).

    Returns
    -------
    labels : ndarray of int32, shape (H, W)
    """
    from skimage.morphology import remove_small_objects
    from skimage.segmentation import clear_border

    labels = _check_int_labels(labels)
    if int(max_size) < 0:
        raise ValueError(f"max_size must be ≥ 0 pixels; got {max_size}.")
    if labels.size and labels.max() > np.iinfo(np.int32).max:
        raise ValueError("Object ids must fit in 32 bits; relabel the image first.")
    out = labels.astype(np.int32, copy=True)
    if exclude_border:
        out = clear_border(out)
    if max_size > 0:
        out = remove_small_objects(out, max_size=int(max_size))
    return out


def label_objects(
    mask: np.ndarray,
    *,
    connectivity: int = 2,
    exclude_border: bool = False,
    max_size: int = 0,
) -> np.ndarray:
    """Label the connected objects of a binary mask.

    Parameters
    ----------
    mask : ndarray, shape (H, W)
        Foreground where non-zero (any dtype).
    connectivity : {1, 2}
        1 = pixels touch by their sides (4-neighbourhood), 2 = sides or corners
        (8-neighbourhood, :func:`skimage.measure.label`'s default in 2-D).
    exclude_border : bool
        Remove the objects that touch the image border.
    max_size : int
        Remove the objects of ``max_size`` pixels or fewer (0 keeps everything).

    Returns
    -------
    labels : ndarray of int32, shape (H, W)
        0 = background, objects numbered 1 … N without gaps.
    """
    from skimage.measure import label
    from skimage.segmentation import relabel_sequential

    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError(f"The mask must be a 2-D (H, W) image; got shape {mask.shape}.")
    if connectivity not in (1, 2):
        raise ValueError(f"connectivity must be 1 (sides) or 2 (sides and corners); got {connectivity}.")
    labels = label(mask != 0, connectivity=int(connectivity)).astype(np.int32)
    if exclude_border or max_size > 0:
        labels = clean_labels(labels, exclude_border=exclude_border, max_size=max_size)
        labels = relabel_sequential(labels)[0].astype(np.int32)
    return labels


def labels_from_image(image: np.ndarray, *, kind: str = "auto", objects: str = "bright") -> tuple[np.ndarray, str]:
    """Interpret an uploaded image as a binary mask or as a label image.

    Parameters
    ----------
    image : ndarray
        ``(H, W)`` gray (any integer dtype) or ``(H, W, 3)`` colour image.
    kind : {"auto", "mask", "labels"}
        ``"mask"``: Otsu-threshold the gray image (``objects`` says which side
        is foreground); ``"labels"``: every distinct gray value (or colour) is
        one object, 0 (black) is the background; ``"auto"``: a mask when the
        image holds two values at most, else a label image.
    objects : {"bright", "dark"}
        Foreground side for masks.

    Returns
    -------
    array : ndarray
        bool mask ``(H, W)`` when ``kind`` resolves to ``"mask"``, else int32
        labels ``(H, W)`` with the image's own ids (gaps kept).
    kind : str
        ``"mask"`` or ``"labels"``.
    """
    if kind not in ("auto", "mask", "labels"):
        raise ValueError(f"kind must be 'auto', 'mask' or 'labels'; got {kind!r}.")
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 4:
        image = image[..., :3]
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim == 3 and image.shape[-1] == 3 and np.array_equal(image[..., 0], image[..., 1]) and np.array_equal(
        image[..., 0], image[..., 2]
    ):
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] != 3):
        raise ValueError(f"Expected a gray (H, W) or colour (H, W, 3) image; got shape {image.shape}.")
    if image.ndim == 2:
        values = np.unique(image)
    else:
        values = np.unique(image.reshape(-1, 3), axis=0)
    if kind == "auto":
        kind = "mask" if len(values) <= 2 else "labels"
    if kind == "mask":
        if image.ndim == 2 and len(values) == 2:
            fg = image == values[1] if objects == "bright" else image == values[0]
            return fg, "mask"
        if len(values) < 2:
            return np.zeros(image.shape[:2], dtype=bool), "mask"
        return threshold_mask(image, objects=objects), "mask"
    if image.ndim == 2:
        labels = _check_int_labels(image if image.dtype.kind in "iu" else np.round(image * 1.0))
        return labels.astype(np.int32), "labels"
    flat = image.reshape(-1, 3).astype(np.int64)
    keys = (flat[:, 0] << 16) | (flat[:, 1] << 8) | flat[:, 2]
    uniq, inverse = np.unique(keys, return_inverse=True)
    ids = inverse.reshape(image.shape[:2]).astype(np.int32)
    if uniq[0] == 0:  # black is the background and gets id 0
        return ids, "labels"
    return ids + 1, "labels"


def read_label_file(data: bytes) -> np.ndarray:
    """Decode an uploaded mask or label image, keeping 16-bit label ids.

    :func:`core.images.read_image` with ``keep_integers=True``: validated like
    any upload (size limits, damaged files …), but 16/32-bit gray PNG and TIFF
    files keep their raw ids instead of being rescaled to 0…255.

    Returns
    -------
    image : ndarray
        uint8 ``(H, W)`` / ``(H, W, 3)``, or int32 ``(H, W)`` for 16/32-bit files.
    """
    return read_image(data, keep_integers=True)  # raises ImageError (a ValueError) with an actionable message


def label_gaps(labels: np.ndarray) -> list[int]:
    """Ids missing between 1 and ``labels.max()`` (a label image with gaps).

    Returns
    -------
    gaps : list of int
        Sorted missing ids (empty when the ids are 1 … N without gaps).
    """
    labels = _check_int_labels(labels)
    if labels.size == 0 or labels.max() == 0:
        return []
    present = np.zeros(int(labels.max()) + 1, dtype=bool)
    present[np.unique(labels)] = True
    return [int(i) for i in np.flatnonzero(~present[1:]) + 1]


# --------------------------------------------------------------------------- measure


def measure_objects(labels: np.ndarray, properties=PROPERTIES) -> pd.DataFrame:
    """Measure every labelled object: one row per object.

    Parameters
    ----------
    labels : ndarray of int, shape (H, W)
        0 = background, ids ≥ 1 = objects (gaps allowed). A boolean mask is
        labelled first (8-connectivity).
    properties : sequence of str
        Any of :data:`PROPERTIES`; ``perimeter2_over_area`` is derived
        (perimeter² / area, 4π ≈ 12.6 for a disk, larger for convoluted
        shapes). Lengths and areas are in pixels, orientation in radians.

    Returns
    -------
    table : pandas.DataFrame
        Columns ``label`` then the requested properties in the order given;
        rows sorted by label.
    """
    from skimage.measure import regionprops_table

    if np.asarray(labels).dtype == bool:
        labels = label_objects(labels)
    labels = _check_int_labels(labels)
    properties = list(properties)
    unknown = [p for p in properties if p not in PROPERTIES]
    if unknown:
        raise ValueError(f"Unknown properties {unknown}; choose among: {', '.join(PROPERTIES)}.")
    if not labels.size or labels.max() == 0:
        raise ValueError(
            "There are no objects to measure (the mask is empty). Lower the threshold, pick the other "
            "side (dark/bright), lower 'remove objects ≤', or use another image."
        )
    base = [p for p in properties if p != "perimeter2_over_area"]
    if "perimeter2_over_area" in properties:
        base += [p for p in ("area", "perimeter") if p not in base]
    raw = regionprops_table(labels, properties=["label", *dict.fromkeys(base)])
    table = pd.DataFrame(raw)
    if "perimeter2_over_area" in properties:
        table["perimeter2_over_area"] = table["perimeter"] ** 2 / table["area"]
    table["label"] = table["label"].astype(np.int64)
    return table[["label", *properties]].reset_index(drop=True)


# --------------------------------------------------------------------------- cluster


def scale_features(features: np.ndarray, scaling: str = "standard", *, names=None) -> np.ndarray:
    """Scale a feature matrix column by column.

    Parameters
    ----------
    features : ndarray, shape (n_objects, n_features)
    scaling : {"none", "area_max", "max", "standard", "robust"}
        ``"none"``: as measured; ``"area_max"``: the tutorial's second step,
        ``data[:, 0] /= data[:, 0].max()`` — only the ``area`` column is
        divided by its maximum, the others stay as measured (needs ``names``);
        ``"max"``: every column divided by its own largest absolute value
        (all-zero columns are left alone); ``"standard"``: zero mean, unit
        variance (:class:`~sklearn.preprocessing.StandardScaler`);
        ``"robust"``: median removed, divided by the interquartile range
        (:class:`~sklearn.preprocessing.RobustScaler`).
    names : sequence of str, optional
        The column names (required for ``"area_max"``).

    Returns
    -------
    scaled : ndarray of float64, same shape (a new array; the input is not modified)
    """
    X = np.asarray(features, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"features must be a 2-D (n_objects, n_features) array; got shape {X.shape}.")
    if scaling == "none":
        return X.copy()
    if scaling == "area_max":
        names = list(names) if names is not None else []
        if "area" not in names:
            raise ValueError(
                "'area ÷ max' divides the area by its maximum, but the area is not among the chosen features; "
                "add it, or choose 'max' to divide every feature by its own maximum."
            )
        out = X.copy()
        i = names.index("area")
        top = out[:, i].max() if len(out) else 1.0
        if top > 0:
            out[:, i] = out[:, i] / top
        return out
    if scaling == "max":
        top = np.abs(X).max(axis=0) if len(X) else np.ones(X.shape[1])
        top = np.where(top > 0, top, 1.0)
        return X / top
    if scaling == "standard":
        from sklearn.preprocessing import StandardScaler

        return StandardScaler().fit_transform(X)
    if scaling == "robust":
        from sklearn.preprocessing import RobustScaler

        return RobustScaler().fit_transform(X)
    raise ValueError(f"scaling must be one of {', '.join(SCALINGS)}; got {scaling!r}.")


def cluster_objects(
    table: pd.DataFrame,
    features,
    n_clusters: int,
    *,
    scaling: str = "standard",
    random_state: int = 0,
) -> np.ndarray:
    """Cluster the objects of a property table with k-means.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`measure_objects` (one row per object).
    features : sequence of str
        Columns of ``table`` to cluster on (at least one).
    n_clusters : int
        Number of clusters k, 1 ≤ k ≤ number of objects.
    scaling : {"none", "area_max", "max", "standard", "robust"}
        See :func:`scale_features`.
    random_state : int
        Seed of :class:`~sklearn.cluster.KMeans` (``n_init=10``).

    Returns
    -------
    clusters : ndarray of int64, shape (n_objects,)
        Cluster id per row, renumbered by cluster size: 0 is the largest
        cluster (ties: the one met first), so colours stay stable when the
        scaling changes.
    """
    from sklearn.cluster import KMeans

    features = list(features)
    if not features:
        raise ValueError("Choose at least one feature to cluster on.")
    missing = [f for f in features if f not in table.columns]
    if missing:
        raise ValueError(f"Features {missing} are not in the table; measure them first (columns: {list(table.columns)}).")
    n = len(table)
    if n == 0:
        raise ValueError("There are no objects to cluster; the table is empty.")
    n_clusters = int(n_clusters)
    if n_clusters < 1:
        raise ValueError(f"k must be at least 1; got {n_clusters}.")
    if n_clusters > n:
        raise ValueError(
            f"k = {n_clusters} is larger than the number of objects ({n}); lower k to {n} or fewer."
        )
    X = table[features].to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(X)):
        raise ValueError("Some feature values are NaN or infinite; drop those features or objects.")
    X = scale_features(X, scaling, names=features)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fewer distinct points than k: KMeans warns, result still valid
        raw = KMeans(n_clusters=n_clusters, n_init=10, random_state=int(random_state)).fit(X).labels_
    return _renumber_by_size(raw, n_clusters)


def _renumber_by_size(raw: np.ndarray, n_clusters: int) -> np.ndarray:
    """Renumber k-means labels by cluster size (0 = largest; ties: the cluster met first)."""
    counts = np.bincount(raw, minlength=n_clusters)
    first = [int(np.argmax(raw == c)) if counts[c] else len(raw) for c in range(n_clusters)]
    rank = np.empty(n_clusters, dtype=np.int64)
    rank[np.lexsort((first, -counts))] = np.arange(n_clusters)
    return rank[raw]


def cluster_summary(table: pd.DataFrame, clusters: np.ndarray, features) -> pd.DataFrame:
    """Size and mean features of each cluster.

    Returns
    -------
    summary : pandas.DataFrame
        Index ``cluster``; columns ``objects`` (count), ``share`` (fraction of
        objects) and the mean of each feature (unscaled units).
    """
    clusters = np.asarray(clusters)
    if len(clusters) != len(table):
        raise ValueError(f"clusters has {len(clusters)} entries but the table has {len(table)} rows.")
    frame = table[list(features)].copy()
    frame["cluster"] = clusters
    grouped = frame.groupby("cluster")
    out = grouped.mean()
    out.insert(0, "share", grouped.size() / len(frame))
    out.insert(0, "objects", grouped.size())
    return out


def paint_clusters(labels: np.ndarray, table: pd.DataFrame, clusters: np.ndarray) -> np.ndarray:
    """Paint every object with its cluster id + 1.

    Parameters
    ----------
    labels : ndarray of int, shape (H, W)
    table : pandas.DataFrame
        With a ``label`` column (one row per object).
    clusters : ndarray of int, shape (len(table),)

    Returns
    -------
    painted : ndarray of int32, shape (H, W)
        0 = background (and objects not in the table), ``c + 1`` for cluster ``c``.
    """
    labels = _check_int_labels(labels)
    clusters = np.asarray(clusters)
    if len(clusters) != len(table):
        raise ValueError(f"clusters has {len(clusters)} entries but the table has {len(table)} rows.")
    ids = table["label"].to_numpy(dtype=np.int64)
    top = max(int(labels.max()) if labels.size else 0, int(ids.max()) if len(ids) else 0)
    lut = np.zeros(top + 1, dtype=np.int32)
    lut[ids] = clusters.astype(np.int32) + 1
    return lut[labels]


# --------------------------------------------------------------------------- display


def color_labels(labels: np.ndarray, palette=PALETTE, background=(0, 0, 0)) -> np.ndarray:
    """Colour a label image: id ``i`` → ``palette[(i - 1) % len(palette)]``, 0 → ``background``.

    Returns
    -------
    rgb : ndarray of uint8, shape (H, W, 3)
    """
    labels = _check_int_labels(labels)
    colors = _palette_rgb(palette)
    top = int(labels.max()) if labels.size else 0
    lut = np.empty((top + 1, 3), dtype=np.uint8)
    lut[0] = background
    if top:
        lut[1:] = colors[np.arange(top) % len(colors)]
    return lut[labels]


def color_clusters(painted: np.ndarray, background=(0, 0, 0)) -> np.ndarray:
    """Colour the output of :func:`paint_clusters` with :data:`PALETTE` (cluster c → ``PALETTE[c]``)."""
    return color_labels(painted, PALETTE, background)


def highlight_object(image: np.ndarray, labels: np.ndarray, label: int, *, dim: float = 0.35) -> np.ndarray:
    """Dim everything but one object and draw a thick outline around it.

    Parameters
    ----------
    image : ndarray
        ``(H, W)`` or ``(H, W, 3)`` image of any dtype, same size as ``labels``.
    labels : ndarray of int, shape (H, W)
    label : int
        Id of the object to highlight.
    dim : float
        Brightness factor of the rest of the image (0 … 1).

    Returns
    -------
    rgb : ndarray of uint8, shape (H, W, 3)
    """
    from scipy import ndimage as ndi

    labels = _check_int_labels(labels)
    rgb = to_rgb(image)
    if rgb.shape[:2] != labels.shape:
        raise ValueError(f"image {rgb.shape[:2]} and labels {labels.shape} must have the same height and width.")
    obj = labels == int(label)
    if not obj.any():
        raise ValueError(f"There is no object with id {label} in the label image.")
    out = (rgb.astype(np.float32) * float(dim)).astype(np.uint8)
    out[obj] = rgb[obj]
    width = max(1, round(max(labels.shape) / 256))
    rows, cols = np.nonzero(obj)
    r0, r1 = max(rows.min() - width - 1, 0), min(rows.max() + width + 2, labels.shape[0])
    c0, c1 = max(cols.min() - width - 1, 0), min(cols.max() + width + 2, labels.shape[1])
    crop = obj[r0:r1, c0:c1]
    ring = ndi.binary_dilation(crop, iterations=width + 1) & ~ndi.binary_dilation(crop, iterations=1)
    box = out[r0:r1, c0:c1]
    box[ring] = (255, 230, 0)
    return out
