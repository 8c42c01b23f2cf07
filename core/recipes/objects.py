"""'Reproduce in Python' for the Object clustering page.

:func:`script` turns the page's parameter values into a short runnable script
(numpy, pandas, scikit-image, scikit-learn — no import of this project) that
rebuilds the page's property table with its ``cluster`` column and binds it
to ``result``.
"""

from __future__ import annotations

from core.objects import PROPERTIES
from core.recipes import header, image_block, require, working_size

__all__ = ["script", "REQUIRED"]

#: The parameter names the script depends on (a page parameter missing here fails the recipe test).
REQUIRED = (
    "source", "length", "blob_size", "volume", "seed", "image", "objects", "upload_as",
    "connectivity", "exclude_border", "max_size", "features", "scaling", "k",
)

_SCALERS = {
    "none": "# scaling: none — the raw features (the area dominates the distances)\n",
    "area_max": (
        "# scaling: the tutorial's second step, the area divided by its maximum (other features as measured)\n"
        'i = features.index("area")\n'
        "X[:, i] = X[:, i] / X[:, i].max()\n"
    ),
    "max": (
        "# scaling: each feature divided by its own largest absolute value\n"
        "top = np.abs(X).max(axis=0)\n"
        "X = X / np.where(top > 0, top, 1.0)\n"
    ),
    "standard": "X = StandardScaler().fit_transform(X)  # zero mean, unit variance per feature\n",
    "robust": "X = RobustScaler().fit_transform(X)  # median 0, interquartile range 1 per feature\n",
}


def _input_block(v: dict) -> tuple[str, set[str], set[str]]:
    """Code that defines `im` (a binary image) or `labels`; the skimage modules and other imports it needs."""
    source = v["source"]
    if source == "blobs":
        return (
            "# 1. The tutorial's synthetic binary image (`rng` is the seed)\n"
            f"im = data.binary_blobs(length={int(v['length'])}, blob_size_fraction={float(v['blob_size']):g},\n"
            f"                       volume_fraction={float(v['volume']):g}, rng={int(v['seed'])})\n",
            {"data"}, set(),
        )
    side = ">" if v["objects"] == "bright" else "<="
    if source == "image":
        name = v["image"]
        load, modules, extra = image_block(name, working_size(v), convert="gray")
        code = (
            f"# 1. {'Your uploaded photo' if name == 'upload' else f'The {name!r} sample'}, thresholded with Otsu "
            f"({v['objects']} objects)\n"
            + load
            + f"im = gray {side} filters.threshold_otsu(gray)\n"
        )
        return code, modules | {"filters"}, extra
    # an upload: the file is not in the link; the script reads it from disk
    if v.get("upload_as", "auto") == "labels":
        return (
            "# 1. Your uploaded label image: each gray value is one object, 0 is the background\n"
            'labels = io.imread("your_labels.png")  # the file you uploaded\n'
            "if labels.ndim == 3:  # colour labels: one id per distinct colour, black = background\n"
            "    flat = labels[..., :3].reshape(-1, 3).astype(np.int64)\n"
            "    keys = (flat[:, 0] << 16) | (flat[:, 1] << 8) | flat[:, 2]\n"
            "    uniq, ids = np.unique(keys, return_inverse=True)\n"
            "    labels = ids.reshape(labels.shape[:2]) + (0 if uniq[0] == 0 else 1)\n",
            {"io"}, set(),
        )
    return (
        "# 1. Your uploaded mask (the file is not part of the link)\n"
        'image = io.imread("your_mask.png")  # the file you uploaded\n'
        "gray = color.rgb2gray(image[..., :3]) if image.ndim == 3 else util.img_as_float(image)\n"
        f"im = gray {side} filters.threshold_otsu(gray)\n",
        {"io", "color", "filters", "util"}, set(),
    )


def script(values: dict) -> str:
    """The runnable script for these page values (``result`` = the table with its ``cluster`` column).

    Parameters
    ----------
    values : dict
        The page's ``ps.values()`` plus ``working_size`` (longest side of
        sample images, default 1024) and, for uploads, ``upload_kind``
        (``"mask"`` or ``"labels"``, what the page detected).

    Returns
    -------
    code : str
    """
    require(values, REQUIRED)
    v = dict(values)
    if v["source"] == "upload" and v.get("upload_kind"):
        v["upload_as"] = v["upload_kind"]
    input_code, modules, extra = _input_block(v)
    has_labels = v["source"] == "upload" and v["upload_as"] == "labels"
    modules |= {"measure"}
    clean = bool(v["exclude_border"]) or int(v["max_size"]) > 0
    if clean:
        modules |= {"segmentation"}
    if int(v["max_size"]) > 0:
        modules |= {"morphology"}
    features = list(v["features"])
    k = int(v["k"])
    scaling = v["scaling"]

    extra |= {"import pandas as pd", "from sklearn.cluster import KMeans"}
    if scaling == "standard":
        extra.add("from sklearn.preprocessing import StandardScaler")
    if scaling == "robust":
        extra.add("from sklearn.preprocessing import RobustScaler")
    code = header(modules, *extra) + "\n" + input_code + "\n"

    if has_labels:
        code += "# 2. Clean the objects (ids are kept as they are, gaps included)\n"
        code += "labels = labels.astype(np.int32)\n"
    else:
        code += "# 2. Label the connected objects (connectivity 1 = sides, 2 = sides and corners)\n"
        code += f"labels = measure.label(im, connectivity={int(v['connectivity'])})\n"
    if v["exclude_border"]:
        code += "labels = segmentation.clear_border(labels)  # drop objects touching the border\n"
    if int(v["max_size"]) > 0:
        code += f"labels = morphology.remove_small_objects(labels, max_size={int(v['max_size'])})  # drop objects ≤ {int(v['max_size'])} px\n"
    if clean and not has_labels:
        code += "labels = segmentation.relabel_sequential(labels)[0]  # ids 1 … N again\n"

    measured = [p for p in PROPERTIES if p != "perimeter2_over_area"]
    code += (
        "\n# 3. Measure every object: one row per object\n"
        f"table = pd.DataFrame(measure.regionprops_table(labels, properties={['label', *measured]!r}))\n"
        'table["perimeter2_over_area"] = table["perimeter"] ** 2 / table["area"]\n'
        f"table = table[{['label', *PROPERTIES]!r}]\n"
        "\n# 4. Scale the chosen features and cluster the objects with k-means\n"
        f"features = {features!r}\n"
        "X = table[features].to_numpy(dtype=float, copy=True)\n"
        + _SCALERS[scaling]
        + f"kmeans = KMeans(n_clusters={k}, n_init=10, random_state=0).fit(X)\n"
        "# number the clusters by size (0 = largest, ties: first met) so colours match the page\n"
        f"counts = np.bincount(kmeans.labels_, minlength={k})\n"
        f"first = [np.argmax(kmeans.labels_ == c) if counts[c] else len(X) for c in range({k})]\n"
        f"rank = np.empty({k}, dtype=int)\n"
        f"rank[np.lexsort((first, -counts))] = np.arange({k})\n"
        'table["cluster"] = rank[kmeans.labels_]\n'
        "\n# The tutorial's reshape_cluster_labels: an image of cluster ids + 1, 0 = background\n"
        "lut = np.zeros(labels.max() + 1, dtype=int)\n"
        'lut[table["label"]] = table["cluster"] + 1\n'
        "object_clusters = lut[labels]\n"
        "\n"
        'print(table.groupby("cluster")[features].agg(["count", "mean"]))\n'
        "result = table\n"
    )
    return code
