"""'Reproduce in Python' for the Thresholding page.

:func:`script` turns the page's values into a short runnable script (numpy,
scikit-image — no import of this project) that loads the same sample at the
same working size, converts it to 0…255 gray the way the page does, computes
the page's threshold(s) and binds the class image (0/1, or 0…classes-1 for
multi-Otsu) to ``result``.
"""

from __future__ import annotations

from core.recipes import header, image_block, require, working_size

__all__ = ["REQUIRED", "script"]

#: The page parameters the script depends on (``log_counts`` only changes the chart's axis).
REQUIRED = ("image", "method", "classes", "manual")
#: Values the script accepts that do not change ``result``.
OPTIONAL = ("working_size", "log_counts")

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
    require(values, REQUIRED, OPTIONAL)
    method = values["method"]
    manual = int(values["manual"])
    load, modules, extra = image_block(values["image"], working_size(values), convert="gray_ubyte")
    code = (
        header(modules | {"exposure", "filters"}, *extra)
        + "\n# 1. The image\n"
        + load
        + "hist, bin_centers = exposure.histogram(gray)  # what the page plots\n\n"
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
