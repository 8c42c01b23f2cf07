"""'Reproduce in Python' for the Thresholding page.

:func:`script` turns the page's values into a short runnable script (numpy,
scikit-image — no import of this project) that loads the same sample at the
same working size, converts it to 0…255 gray the way the page does, computes
the page's threshold(s) and binds the class image (0/1, or 0…classes-1 for
multi-Otsu) to ``result``.
"""

from __future__ import annotations

__all__ = ["REQUIRED", "script"]

#: The page parameters the script depends on (``log_counts`` only changes the chart's axis).
REQUIRED = ("image", "method", "classes", "manual")
#: Values the script accepts that do not change ``result``.
OPTIONAL = ("working_size", "log_counts")

_SKLEARN_SAMPLES = ("china", "flower")


def _load_block(name: str, size: int) -> str:
    if name in _SKLEARN_SAMPLES:
        load = f'from sklearn.datasets import load_sample_image\nimage = load_sample_image("{name}.jpg")\n'
    else:
        load = f"image = data.{name}()\n"
    return (
        f"# The {name!r} sample, at the page's working size (longest side {size} px)\n"
        + load
        + f"if max(image.shape[:2]) > {size}:\n"
        "    from PIL import Image\n"
        f"    f = {size} / max(image.shape[:2])\n"
        "    size = (max(1, round(image.shape[1] * f)), max(1, round(image.shape[0] * f)))\n"
        "    image = np.asarray(Image.fromarray(image).resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0))\n"
    )


def script(values: dict) -> str:
    """The runnable script for these page values.

    Parameters
    ----------
    values : dict
        The page's ``ps.values()`` (``image``, ``method``, ``classes``,
        ``manual``) plus ``working_size`` (longest side of sample images,
        default 1024).

    Returns
    -------
    code : str
        Ends with ``result``: uint8 ``(H, W)`` classes, ``1`` where
        ``gray > threshold`` (or ``0 … classes-1`` for multi-Otsu).
    """
    missing = [name for name in REQUIRED if name not in values]
    if missing:
        raise KeyError(f"script() needs the page values {missing}")
    unknown = [name for name in values if name not in REQUIRED + OPTIONAL]
    if unknown:  # a parameter added to the page must be added to its script too
        raise KeyError(f"script() does not know the page values {unknown}; teach the recipe about them")
    name = values["image"]
    size = int(values.get("working_size", 1024))
    method = values["method"]
    manual = int(values["manual"])
    if name == "upload":
        load = (
            "# Your uploaded image (it is not part of the link): read it from disk\n"
            'image = io.imread("your_image.png")\n'
            "if image.ndim == 3 and image.shape[-1] == 4:\n"
            "    image = util.img_as_ubyte(color.rgba2rgb(image))\n"
        )
        modules = "color, exposure, filters, io, util"
    else:
        load = _load_block(name, size)
        modules = "color, data, exposure, filters, util"
    code = (
        "import numpy as np\n"
        f"from skimage import {modules}\n\n"
        + load
        + "\n# Gray levels 0…255: colour images go through rgb2gray (0.2125 R + 0.7154 G + 0.0721 B)\n"
        "gray = image if image.ndim == 2 else util.img_as_ubyte(color.rgb2gray(image))\n"
        "hist, bin_centers = exposure.histogram(gray)  # what the page plots\n\n"
    )
    if method == "multiotsu":
        classes = int(values["classes"])
        code += (
            f"# Multi-Otsu: {classes - 1} thresholds that maximise the between-class variance of {classes} classes\n"
            f"thresholds = filters.threshold_multiotsu(gray, classes={classes})\n"
            'print("thresholds:", thresholds)\n'
            "result = np.digitize(gray, bins=thresholds, right=True).astype(np.uint8)  # class 0 … "
            f"{classes - 1}\n"
        )
    else:
        code += (
            f"threshold = filters.threshold_{method}(gray)\n"
            f'print("{method} threshold:", threshold)\n'
            "result = (gray > threshold).astype(np.uint8)  # 1 = brighter than the threshold\n"
        )
        if method == "otsu":
            code += (
                "\n# Otsu's criterion: the between-class variance for every candidate threshold peaks at it\n"
                "w0 = np.cumsum(hist) / hist.sum()\n"
                "w1 = 1 - w0\n"
                "mu = np.cumsum(hist * bin_centers) / hist.sum()\n"
                "with np.errstate(divide='ignore', invalid='ignore'):\n"
                "    variance = (mu[-1] * w0 - mu) ** 2 / (w0 * w1)\n"
                'print("variance peaks at", bin_centers[np.nanargmax(variance[:-1])])\n'
            )
    code += (
        f"\n# The manual threshold, for comparison\n"
        f"manual = gray > {manual}\n"
        'print(f"manual: {manual.mean():.1%} of the pixels above; differs from the automatic result on "\n'
        '      f"{np.mean(manual != (result > 0)):.1%} of them")\n'
    )
    return code
