"""'Reproduce in Python' for the Colour k-means page.

:func:`script` turns the page's parameter values into a short runnable script
(numpy, scikit-image, scikit-learn — no import of this project) that clusters
the sample's pixel colours exactly as :func:`core.clustering.color_kmeans`
does and binds the ``(H, W)`` label image to ``result`` (and the iris tab's
cluster labels to ``iris_labels``).
"""

from __future__ import annotations

from core.clustering import DEFAULT_MAX_SAMPLES, parse_channels
from core.recipes import header, image_block, require, working_size

__all__ = ["script", "REQUIRED"]

#: The parameter names the script depends on (a page parameter missing here fails the recipe test).
REQUIRED = ("image", "color_space", "channels", "k", "seed", "iris_k")

_LAB_INDEX = {"L": 0, "a": 1, "b": 2}


def script(values: dict) -> str:
    """The runnable script for these page values (``result`` = the ``(H, W)`` cluster labels).

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
    space = v["color_space"]
    names = parse_channels(v["channels"], space)
    k, seed, iris_k = int(v["k"]), int(v["seed"]), int(v["iris_k"])
    load, modules, extra = image_block(v["image"], working_size(v), convert="rgb")
    head = header(modules | {"color", "segmentation"}, *extra, "from sklearn.cluster import KMeans",
                  "from sklearn.datasets import load_iris", "from sklearn.metrics import adjusted_rand_score")
    if space == "lab":
        idx = [_LAB_INDEX[n] for n in names]
        features = (
            f"# 2. One sample per pixel; its features are the Lab channels {', '.join(names)}\n"
            "lab = color.rgb2lab(image)\n"
            f"X = lab[..., {idx!r}].reshape(-1, {len(idx)})\n"
        )
    else:
        features = (
            "# 2. One sample per pixel; its features are R, G, B in [0, 1]\n"
            "X = image.reshape(-1, 3) / 255.0\n"
        )
    n = DEFAULT_MAX_SAMPLES
    code = head + "\n# 1. The image\n" + load + "\n" + features + (
        f"\n# 3. k-means fitted on a random sample of {n:,} pixels, then every pixel labelled\n"
        "#    (the same or a better optimum than fitting on all pixels, for a fraction of the time)\n"
        f"rng = np.random.default_rng({seed})\n"
        f"fit = X[np.sort(rng.choice(len(X), size={n}, replace=False))] if len(X) > {n} else X\n"
        f"kmeans = KMeans(n_clusters={k}, random_state={seed}, n_init=3).fit(fit)\n"
        "labels = kmeans.predict(X).reshape(image.shape[:2])\n"
        "\n# 4. The page's views: average colour per cluster, boundaries, palette shares\n"
        'average = color.label2rgb(labels, image, kind="avg", bg_label=-1)\n'
        "boundaries = segmentation.mark_boundaries(image, labels, color=(1, 1, 0))\n"
        f"shares = np.bincount(labels.ravel(), minlength={k}) / labels.size\n"
        'print("pixel share per cluster:", np.round(shares, 3))\n'
        "\n# The iris tab: the tutorial's k-means on the four iris measurements\n"
        "iris = load_iris()\n"
        f"iris_labels = KMeans(n_clusters={iris_k}, random_state=5, n_init=10).fit(iris.data).labels_\n"
        'print("iris: adjusted Rand index vs species =", round(adjusted_rand_score(iris.target, iris_labels), 3))\n'
        "\nresult = labels\n"
    )
    return code
