"""'Reproduce in Python' for the Superpixels page.

:func:`script` turns the page's parameter values into a short runnable script
(numpy, scikit-image, scikit-learn — no import of this project) that computes
the superpixels with :mod:`skimage.segmentation` and, when a second stage is
chosen, merges them with k-means over their mean colours or a region
adjacency graph, binding the final ``(H, W)`` label image to ``result``.
"""

from __future__ import annotations

from core.clustering import parse_channels
from core.recipes import header, image_block, require, working_size

__all__ = ["script", "REQUIRED", "segment_params"]

#: The parameter names the script depends on (a page parameter missing here fails the recipe test).
REQUIRED = (
    "image", "method", "n_segments", "compactness", "sigma", "slic_zero", "scale", "fz_sigma", "min_size",
    "kernel_size", "max_dist", "ratio", "markers", "ws_compactness", "merge", "k", "channels", "threshold",
)

_LAB_INDEX = {"L": 0, "a": 1, "b": 2}


def segment_params(values: dict) -> dict:
    """The keyword arguments of :func:`core.superpixels.segment` for the chosen method, from page values."""
    method = values["method"]
    if method == "slic":
        return {"n_segments": int(values["n_segments"]), "compactness": float(values["compactness"]),
                "sigma": float(values["sigma"]), "slic_zero": bool(values["slic_zero"])}
    if method == "felzenszwalb":
        return {"scale": float(values["scale"]), "sigma": float(values["fz_sigma"]),
                "min_size": int(values["min_size"])}
    if method == "quickshift":
        return {"kernel_size": float(values["kernel_size"]), "max_dist": float(values["max_dist"]),
                "ratio": float(values["ratio"])}
    if method == "watershed":
        return {"markers": int(values["markers"]), "compactness": float(values["ws_compactness"])}
    raise ValueError(f"Unknown method {method!r}.")


def _segment_code(method: str, p: dict) -> str:
    if method == "slic":
        return (
            "# 2. SLIC: k-means on (x, y, L, a, b) in local windows; compactness weighs space against colour\n"
            f"segments = segmentation.slic(image, n_segments={p['n_segments']}, compactness={p['compactness']:g},\n"
            f"                             sigma={p['sigma']:g}, slic_zero={p['slic_zero']}, start_label=1)\n"
        )
    if method == "felzenszwalb":
        return (
            "# 2. Felzenszwalb: graph-based merging; larger scale = larger segments\n"
            f"segments = segmentation.felzenszwalb(image, scale={p['scale']:g}, sigma={p['sigma']:g}, "
            f"min_size={p['min_size']})\n"
        )
    if method == "quickshift":
        return (
            "# 2. Quickshift: mode seeking in (x, y, L, a, b); ratio weighs colour against space\n"
            f"segments = segmentation.quickshift(image, kernel_size={p['kernel_size']:g}, "
            f"max_dist={p['max_dist']:g}, ratio={p['ratio']:g})\n"
        )
    return (
        "# 2. Compact watershed on the Sobel gradient, from a grid of markers\n"
        "gradient = filters.sobel(color.rgb2gray(image))\n"
        f"segments = segmentation.watershed(gradient, markers={p['markers']}, compactness={p['compactness']:g})\n"
    )


def script(values: dict) -> str:
    """The runnable script for these page values (``result`` = the final ``(H, W)`` labels).

    Parameters
    ----------
    values : dict
        The page's ``ps.values()`` plus ``working_size`` (longest side of
        sample images, default 1024).

    Returns
    -------
    code : str
    """
    require(values, REQUIRED)
    v = values
    method, merge = v["method"], v["merge"]
    p = segment_params(v)
    load, modules, extra = image_block(v["image"], working_size(v), convert="rgb")
    modules |= {"color", "segmentation"}
    if method == "watershed":
        modules.add("filters")
    if merge == "rag":
        modules.add("graph")
    if merge == "kmeans":
        extra.add("from sklearn.cluster import KMeans")
    code = header(modules, *extra) + "\n# 1. The image\n" + load + "\n" + _segment_code(method, p)
    code += (
        'average = color.label2rgb(segments, image, kind="avg", bg_label=-1)  # superpixels in their mean colour\n'
        'print(len(np.unique(segments)), "superpixels")\n'
    )
    if merge == "kmeans":
        names = parse_channels(v["channels"], "lab")
        idx = [_LAB_INDEX[n] for n in names]
        code += (
            "\n# 3. k-means over the superpixels' mean colours (Lab channels "
            f"{', '.join(names)}).\n"
            "#    The tutorial clustered every pixel of `average`; one sample per superpixel, weighted by\n"
            "#    its pixel count, minimises the same objective with a few hundred samples.\n"
            "ids, first, sizes = np.unique(segments.ravel(), return_index=True, return_counts=True)\n"
            "means = average.reshape(-1, 3)[first]  # the mean colour of each superpixel (uint8)\n"
            f"X = color.rgb2lab(means[:, None, :])[:, 0, {idx!r}]\n"
            f"kmeans = KMeans(n_clusters={int(v['k'])}, random_state=0, n_init=10).fit(X, sample_weight=sizes)\n"
            "labels = kmeans.predict(X)[np.searchsorted(ids, segments)]  # every pixel takes its superpixel's cluster\n"
        )
    elif merge == "rag":
        code += (
            "\n# 3. Region adjacency graph: neighbouring superpixels joined by an edge weighing the distance\n"
            f"#    between their mean colours; edges ≥ {float(v['threshold']):g} are cut, what stays connected merges\n"
            "rag = graph.rag_mean_color(image, segments)\n"
            f"labels = graph.cut_threshold(segments, rag, {float(v['threshold']):g})\n"
        )
    else:
        code += "labels = segments\n"
    code += (
        "boundaries = segmentation.mark_boundaries(image, labels)\n"
        'print(len(np.unique(labels)), "regions")\n'
        "\nresult = labels\n"
    )
    return code
