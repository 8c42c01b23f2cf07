"""'Reproduce in Python' for the Colour k-means page.

:func:`script` turns the page's parameter values into a short runnable script
(numpy, scikit-image, scikit-learn — no import of this project) that clusters
the sample's pixel colours exactly as :func:`core.clustering.color_kmeans`
does and binds the ``(H, W)`` label image to ``result`` (and the iris tab's
cluster labels to ``iris_labels``).
"""

from __future__ import annotations

from core.clustering import DEFAULT_MAX_SAMPLES, parse_channels

__all__ = ["script", "REQUIRED", "image_block"]

#: The parameter names the script depends on (a page parameter missing here fails the recipe test).
REQUIRED = ("image", "color_space", "channels", "k", "seed", "iris_k")

_LAB_INDEX = {"L": 0, "a": 1, "b": 2}


def image_block(name: str, size: int) -> tuple[str, set[str], set[str]]:
    """Code that loads the sample ``name`` as the page sees it: uint8 RGB ``image``.

    Returns ``(code, skimage modules, extra import lines)``. The page works at a
    longest side of ``size`` pixels (Lanczos downscaling, as
    :func:`core.images.fit_working_size`); gray samples are stacked to RGB.
    """
    extra: set[str] = set()
    modules: set[str] = set()
    if name == "upload":
        code = (
            'image = io.imread("your_image.png")  # the file you uploaded (it is not part of the link)\n'
            "if image.ndim == 3:\n"
            "    image = image[..., :3]  # drop an alpha channel (the page composites it on white)\n"
        )
        modules.add("io")
    elif name in ("china", "flower"):
        extra.add("from sklearn.datasets import load_sample_image")
        code = f'image = load_sample_image("{name}.jpg")  # the {name!r} sample\n'
    else:
        modules.add("data")
        code = f"image = data.{name}()  # the {name!r} sample\n"
    code += (
        f"if max(image.shape[:2]) > {size}:  # the page works at a longest side of {size} px\n"
        "    from PIL import Image\n"
        f"    f = {size} / max(image.shape[:2])\n"
        "    size = (max(1, round(image.shape[1] * f)), max(1, round(image.shape[0] * f)))\n"
        "    image = np.asarray(Image.fromarray(image).resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0))\n"
        "if image.ndim == 2:  # a gray image: three equal channels\n"
        "    image = np.stack([image] * 3, axis=-1)\n"
    )
    return code, modules, extra


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
    missing = [name for name in REQUIRED if name not in values]
    if missing:
        raise KeyError(f"script() needs the page values {missing}")
    v = values
    space = v["color_space"]
    names = parse_channels(v["channels"], space)
    k, seed, iris_k = int(v["k"]), int(v["seed"]), int(v["iris_k"])
    load, modules, extra = image_block(v["image"], int(v.get("working_size", 1024)))
    modules |= {"color", "segmentation"}
    lines = ["import numpy as np", f"from skimage import {', '.join(sorted(modules))}",
             "from sklearn.cluster import KMeans", "from sklearn.datasets import load_iris",
             "from sklearn.metrics import adjusted_rand_score", *sorted(extra)]
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
    code = "\n".join(lines) + "\n\n# 1. The image\n" + load + "\n" + features + (
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
