"""'Reproduce in Python' for the Keypoints page (Harris corners and ORB).

:func:`script` turns the page's values into a short runnable script (numpy,
pandas, scikit-image — no import of this project) that computes the Harris
response and its peaks (the tutorial's cell) and the ORB keypoints (the
tutorial's exercise), and binds the table the page downloads to ``result``.
"""

from __future__ import annotations

from core.recipes import header, image_block, require, working_size

__all__ = ["REQUIRED", "harris_params", "orb_params", "script"]

#: The page values the script depends on (a page parameter missing here fails the recipe test).
REQUIRED = ("image", "method", "k", "eps", "sigma", "min_distance", "threshold_rel", "n_keypoints",
            "fast_threshold", "fast_n", "downscale", "n_scales", "harris_k")


def harris_params(values: dict) -> dict:
    """Keyword arguments of :func:`core.keypoints.harris_corners` from page values."""
    return {"method": str(values["method"]), "k": float(values["k"]), "eps": float(values["eps"]),
            "sigma": float(values["sigma"]), "min_distance": int(values["min_distance"]),
            "threshold_rel": float(values["threshold_rel"])}


def orb_params(values: dict) -> dict:
    """Keyword arguments of :func:`core.keypoints.orb_features` from page values."""
    return {"n_keypoints": int(values["n_keypoints"]), "fast_threshold": float(values["fast_threshold"]),
            "fast_n": int(values["fast_n"]), "downscale": float(values["downscale"]),
            "n_scales": int(values["n_scales"]), "harris_k": float(values["harris_k"])}


def script(values: dict) -> str:
    """The runnable script for these page values (``result`` = the table of corners and keypoints).

    Parameters
    ----------
    values : dict
        The page's ``ps.values()`` plus ``working_size`` (longest side, default 1024).

    Returns
    -------
    code : str
    """
    require(values, REQUIRED)
    h = harris_params(values)
    o = orb_params(values)
    load, modules, extra = image_block(values["image"], working_size(values), convert="gray")
    threshold = "None" if h["threshold_rel"] <= 0 else f"{h['threshold_rel']:g}"
    code = header(modules | {"feature"}, "import pandas as pd", *extra)
    code += "\n# 1. The image, as gray floats in [0, 1]\n" + load
    code += (
        "\n# 2. Harris: corner measure from the structure tensor, then its local maxima (the tutorial's cell)\n"
        f"response = feature.corner_harris(gray, method={h['method']!r}, k={h['k']:g}, eps={h['eps']:g}, "
        f"sigma={h['sigma']:g})\n"
        f"coords = feature.corner_peaks(response, min_distance={h['min_distance']}, threshold_rel={threshold})\n"
        "coords = coords[np.argsort(-response[coords[:, 0], coords[:, 1]], kind='stable')]  # strongest first\n"
        'print(len(coords), "Harris corners")\n'
        "\n# 3. ORB: FAST corners on an image pyramid, ranked by Harris, oriented, with rBRIEF descriptors\n"
        f"orb = feature.ORB(n_keypoints={o['n_keypoints']}, fast_threshold={o['fast_threshold']:g}, "
        f"fast_n={o['fast_n']},\n"
        f"                  downscale={o['downscale']:g}, n_scales={o['n_scales']}, harris_k={o['harris_k']:g})\n"
        "orb.detect_and_extract(gray)\n"
        'print(len(orb.keypoints), "ORB keypoints")\n'
        "\n# 4. One table: (row, col) of every corner and keypoint\n"
        "harris = pd.DataFrame({'detector': 'harris', 'row': coords[:, 0].astype(float),\n"
        "                       'col': coords[:, 1].astype(float), 'scale': 1.0, 'orientation': np.nan,\n"
        "                       'response': response[coords[:, 0], coords[:, 1]]})\n"
        "keypoints = pd.DataFrame({'detector': 'orb', 'row': orb.keypoints[:, 0], 'col': orb.keypoints[:, 1],\n"
        "                          'scale': orb.scales, 'orientation': orb.orientations,\n"
        "                          'response': orb.responses})\n"
        "result = pd.concat([harris, keypoints], ignore_index=True)\n"
        "print(result.head())\n"
    )
    return code
