"""'Reproduce in Python' for the Panorama page.

:func:`script` turns the page's values into a runnable script (numpy, scipy's
``ndimage`` — installed with scikit-image — and scikit-image; no import of this
project) that builds the same input views, detects ORB keypoints, matches them,
fits the transforms with RANSAC and a weighted least-squares refit, warps the
views into the anchor's plane and blends them, binding the panorama (uint8 RGB)
to ``result``. The few helper functions are copied verbatim from
:mod:`core.panorama`, so the script and the page compute the same thing.
"""

from __future__ import annotations

import inspect
import textwrap

from core.recipes import fit_function, header, require, sample_code, working_size

__all__ = ["PHOTOS", "REQUIRED", "orb_params", "register_params", "script"]

#: Photos the demo views can be cut from.
PHOTOS = ("china", "coffee", "chelsea", "astronaut", "flower", "immunohistochemistry", "camera")

#: The page values the script depends on (a page parameter missing here fails the recipe test).
REQUIRED = ("source", "photo", "n_views", "view_seed", "n_keypoints", "fast_threshold", "n_scales", "downscale",
            "cross_check", "max_ratio", "model", "residual_threshold", "max_trials", "seed", "refine", "blend")

#: Longest side (pixels) the page works at for the stereo pair and uploads (at most the working size).
MAX_SIDE = 640


def orb_params(values: dict) -> dict:
    """Keyword arguments of :func:`core.keypoints.orb_features` from page values."""
    return {"n_keypoints": int(values["n_keypoints"]), "fast_threshold": float(values["fast_threshold"]),
            "fast_n": 9, "downscale": float(values["downscale"]), "n_scales": int(values["n_scales"]),
            "harris_k": 0.04}


def register_params(values: dict) -> dict:
    """Keyword arguments of :func:`core.panorama.register_features` from page values."""
    return {"cross_check": bool(values["cross_check"]), "max_ratio": float(values["max_ratio"]),
            "model": str(values["model"]), "residual_threshold": float(values["residual_threshold"]),
            "max_trials": int(values["max_trials"]), "seed": int(values["seed"]), "refine": bool(values["refine"])}


def _helpers(blend: str) -> str:
    from core import panorama as pano

    funcs = [pano.image_corners, pano._apply, pano._weighted_fit, pano._ransac]
    if blend == "seam":
        funcs += [pano._seam_split, pano._seam_blend]
    return "\n\n".join(textwrap.dedent(inspect.getsource(f)).rstrip() for f in funcs) + "\n"


def _views_block(values: dict, working: int) -> tuple[str, set[str], set[str]]:
    """Code that defines ``views`` (list of uint8 RGB) and, for the demo, ``truth`` (view → photo)."""
    source = values["source"]
    size = min(MAX_SIDE, working)
    if source == "demo":
        photo = values["photo"]
        load, modules, extra = sample_code(photo, var="photo")
        code = (
            f"# 1. Demo: {int(values['n_views'])} overlapping views cut from the {photo!r} photo with known, random\n"
            "#    rotation, scale and perspective (truth[k] maps view k's (x, y) to the photo)\n"
            + load
            + "photo = (np.stack([photo] * 3, axis=-1) if photo.ndim == 2 else photo[..., :3]) / 255.0\n"
            f"n_views, rotation, scale, perspective, overlap = {int(values['n_views'])}, 6.0, 0.06, 0.02, 0.6\n"
            f"rng = np.random.default_rng({int(values['view_seed'])})\n"
            "H, W = photo.shape[:2]\n"
            "vw, vh = int(0.86 * W / (1 + (n_views - 1) * (1 - overlap))), int(0.72 * H)\n"
            "step = vw * (1 - overlap)\n"
            "x0 = (W - (vw + (n_views - 1) * step)) / 2.0\n"
            "src = image_corners((vh, vw))\n"
            "views, truth = [], []\n"
            "for k in range(n_views):\n"
            "    centre = np.array([x0 + k * step + vw / 2.0, H / 2.0])\n"
            "    for attempt in range(60):  # draw again (milder) until the view lies inside the photo\n"
            "        damp = 1.0 - attempt / 60.0\n"
            "        th = np.deg2rad(rng.uniform(-rotation, rotation) * damp)\n"
            "        s = 1.0 + rng.uniform(-scale, scale) * damp\n"
            "        rot = s * np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])\n"
            "        dst = (src - [vw / 2.0, vh / 2.0]) @ rot.T + centre\n"
            "        dst = dst + rng.uniform(-perspective, perspective, (4, 2)) * [vw, vh] * damp\n"
            "        if dst.min() >= -0.5 and np.all(dst.max(axis=0) <= [W - 0.5, H - 0.5]):\n"
            "            break\n"
            "    else:\n"
            "        dst = src - [vw / 2.0, vh / 2.0] + centre\n"
            "    m = transform.ProjectiveTransform.from_estimate(src, dst).params\n"
            "    view = transform.warp(photo, transform.ProjectiveTransform(m), output_shape=(vh, vw), order=1,\n"
            "                          mode='edge')\n"
            "    views.append(np.clip(np.rint(view * 255), 0, 255).astype(np.uint8))\n"
            "    truth.append(m / m[2, 2])\n"
        )
        return code, modules | {"color"}, extra
    modules, extra = {"color"}, {"from PIL import Image"}
    code = fit_function(size)
    if source == "stereo":
        modules.add("data")
        code += (
            "\n# 1. scikit-image's stereo pair (a motorcycle seen from two cameras side by side)\n"
            "left, right, _ = data.stereo_motorcycle()\n"
            "views = [fit(left), fit(right)]\n"
        )
    else:
        modules |= {"io", "util"}
        code += (
            "\n# 1. Your photos (uploads do not travel in links: put the files next to this script)\n"
            'files = ["photo1.jpg", "photo2.jpg"]  # left to right\n'
            "views = [fit(util.img_as_ubyte(color.gray2rgb(im) if im.ndim == 2 else im[..., :3]))\n"
            "         for im in (io.imread(f) for f in files)]\n"
        )
    return code, modules, extra


def script(values: dict) -> str:
    """The runnable script for these page values (``result`` = the panorama, uint8 RGB).

    Parameters
    ----------
    values : dict
        The page's ``ps.values()`` plus ``working_size`` (longest side, default 1024).

    Returns
    -------
    code : str
    """
    from core.panorama import MIN_INLIERS, MODELS

    require(values, REQUIRED)
    o = orb_params(values)
    r = register_params(values)
    blend = values["blend"]
    views, modules, extra = _views_block(values, working_size(values))
    code = header(modules | {"feature", "transform"}, "from scipy import ndimage as ndi", *extra) + "\n"
    code += "# Helpers (as in the app): (x, y) maths, a weighted least-squares fit, RANSAC"
    code += ", a minimum-cost seam" if blend == "seam" else ""
    code += "\n" + _helpers(blend) + "\n\n" + views
    min_samples = MODELS[r["model"]][1]
    code += (
        "\n# 2. ORB keypoints (row, col), their pyramid scales and binary descriptors, in every view\n"
        f"orb = feature.ORB(n_keypoints={o['n_keypoints']}, fast_threshold={o['fast_threshold']:g}, "
        f"downscale={o['downscale']:g}, n_scales={o['n_scales']})\n"
        "features = []\n"
        "for view in views:\n"
        "    orb.detect_and_extract(color.rgb2gray(view))\n"
        "    features.append((orb.keypoints, orb.scales, orb.descriptors))\n"
        "\n# 3. Register every view onto the middle one (the anchor): match, RANSAC, refit\n"
        "anchor = len(views) // 2\n"
        "matrices = [np.eye(3) for _ in views]  # view (x, y) -> anchor (x, y)\n"
        "for i in range(len(views)):\n"
        "    if i == anchor:\n"
        "        continue\n"
        "    (k0, s0, d0), (k1, s1, d1) = features[i], features[anchor]\n"
        f"    matches = feature.match_descriptors(d0, d1, cross_check={r['cross_check']}, "
        f"max_ratio={r['max_ratio']:g})\n"
        "    src, dst = k0[matches[:, 0]][:, ::-1], k1[matches[:, 1]][:, ::-1]  # (row, col) -> (x, y)\n"
        f"    assert len(src) >= {max(MIN_INLIERS, min_samples + 1)}, f'view {{i}}: too few matches'\n"
        f"    inliers = _ransac(src, dst, {r['model']!r}, {min_samples}, {r['residual_threshold']:g}, "
        f"{r['max_trials']}, {r['seed']})\n"
        f"    matrix = _weighted_fit({r['model']!r}, src[inliers], dst[inliers], np.ones(inliers.sum()))\n"
    )
    if r["refine"]:
        code += (
            "    # refit, weighting each match by its keypoints' pyramid scales (coarse levels localise worse)\n"
            "    weights = 1.0 / (s0[matches[:, 0]] ** 2 + s1[matches[:, 1]] ** 2) ** 2\n"
            "    for _ in range(3):\n"
            f"        if inliers.sum() < {2 * min_samples}:\n"
            "            break\n"
            f"        refit = _weighted_fit({r['model']!r}, src[inliers], dst[inliers], weights[inliers])\n"
            "        if refit is None:\n"
            "            break\n"
            "        matrix = refit\n"
            f"        new = np.linalg.norm(_apply(matrix, src) - dst, axis=1) < {r['residual_threshold']:g}\n"
            "        if np.array_equal(new, inliers):\n"
            "            break\n"
            "        inliers = new\n"
        )
    code += (
        "    matrices[i] = matrix / matrix[2, 2]\n"
        "    residuals = np.linalg.norm(_apply(matrices[i], src) - dst, axis=1)\n"
        f"    print(f'view {{i}} -> {{anchor}}: {{(residuals < {r['residual_threshold']:g}).sum()}} inliers of "
        "{len(matches)} matches')\n"
    )
    code += (
        "\n# 4. Warp every view into one canvas (warp takes the inverse map) and blend\n"
        "images = [view.astype(np.float64) / 255.0 for view in views]\n"
        "corners = np.vstack([_apply(m, image_corners(im.shape)) for im, m in zip(images, matrices)])\n"
        "lo = np.floor(corners.min(axis=0) + 0.5)\n"
        "hi = np.ceil(corners.max(axis=0) + 0.5)\n"
        "width, height = int(hi[0] - lo[0]), int(hi[1] - lo[1])\n"
        "offset = np.array([[1, 0, -lo[0]], [0, 1, -lo[1]], [0, 0, 1]], dtype=np.float64)\n"
        "warped, masks = [], []\n"
        "for im, m in zip(images, matrices):\n"
        "    stack = np.dstack([im, np.ones(im.shape[:2])])  # a 4th channel tracks where the view lands\n"
        "    out = transform.warp(stack, transform.ProjectiveTransform(offset @ m).inverse,\n"
        "                         output_shape=(height, width), order=1, cval=0.0)\n"
        "    mask = out[..., 3] > 0.999\n"
        "    rgb = out[..., :3] / np.maximum(out[..., 3:4], 1e-9)\n"
        "    rgb[~mask] = 0.0\n"
        "    warped.append(rgb)\n"
        "    masks.append(mask)\n"
    )
    if blend == "seam":
        code += (
            "# minimum-cost seams: paste the anchor, then each view on its side of the cheapest path\n"
            "order = [anchor] + sorted((i for i in range(len(views)) if i != anchor), key=lambda i: abs(i - anchor))\n"
            "canvas, owner = _seam_blend(warped, masks, order)\n"
        )
    else:
        if blend == "feather":
            code += (
                "# feathering: each view weighs by its distance to its own border\n"
                "weights = [ndi.distance_transform_edt(np.pad(m, 1))[1:-1, 1:-1] for m in masks]\n"
            )
        else:
            code += "# plain average of the overlapping views (the tutorial's first try)\n"
            code += "weights = [m.astype(np.float64) for m in masks]\n"
        code += (
            "total = np.sum(weights, axis=0)\n"
            "canvas = np.sum([w[..., None] * im for w, im in zip(weights, warped)], axis=0)\n"
            "canvas = canvas / np.maximum(total, 1e-12)[..., None]\n"
        )
    code += (
        "coverage = np.any(masks, axis=0)\n"
        "panorama = np.clip(np.rint(canvas * 255), 0, 255).astype(np.uint8)\n"
        "panorama[~coverage] = 0\n"
        'print("panorama", panorama.shape)\n'
    )
    if values["source"] == "demo":
        code += (
            "\n# 5. Ground truth: mean distance of each view's corners, estimated vs true position (px)\n"
            "for i in range(len(views)):\n"
            "    true = np.linalg.inv(truth[anchor]) @ truth[i]\n"
            "    c = image_corners(views[i].shape)\n"
            "    print(f'view {i}: corner error', np.linalg.norm(_apply(matrices[i], c) - _apply(true, c), axis=1).mean())\n"
        )
    code += "\nresult = panorama\n"
    return code
