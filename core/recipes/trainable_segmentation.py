"""'Reproduce in Python' for the Trainable segmentation page.

:func:`script` turns the page's values and scribbles into a runnable script (numpy,
scikit-image, scikit-learn — no import of this project) that computes the same
per-pixel features as :func:`core.features.pixel_features`, trains the same classifier
as :func:`core.trainable.fit_segmenter` on the scribbled pixels and binds the
``(H, W)`` class image (1…K) to ``result``.

The features are computed in float32 with ``numpy.fft`` where the app uses
``scipy.fft``; the values agree to ~1e-6, so a pixel's class can differ only where two
classes are tied (the tests allow 0.5 % of the pixels).
"""
from __future__ import annotations

import base64
import inspect
import textwrap
import zlib

import numpy as np

from core.features import default_params
from core.recipes import header, image_block, require, working_size

__all__ = ["script", "REQUIRED", "scribble_labels", "BEACH_RECTS"]

#: the page parameters the script depends on
REQUIRED = ("image", "features", "trees", "depth", "smoothing", "n_classes")
CHECK_OFFSET = 8  # the page paints check strokes of class k with code k + 8

#: The tutorial's beach cell done on the "china" sample (427×640): (class, (row0, col0, row1, col1))
#: rectangles for sky, water, trees — the same as the page's preset.
BEACH_RECTS = [(1, (15, 380, 120, 620)), (2, (255, 370, 292, 540)), (3, (345, 390, 420, 540))]


def scribble_labels(values: dict) -> np.ndarray | None:
    """The training label image the page uses, from ``values``.

    ``values["labels"]`` (an (H, W) int array) wins; else ``values["scribbles"]`` (the page's
    primitives: dicts with ``class``, ``check``, ``kind``, ``width``, ``points`` in image
    (x, y) coordinates) are rasterised at ``values["shape"]`` and check strokes removed.
    """
    if values.get("labels") is not None:
        return np.asarray(values["labels"]).astype(np.int32)
    prims = values.get("scribbles")
    if prims is None:
        return None
    from core.scribbles import Primitive, rasterize_primitives
    shape = tuple(values["shape"])[:2]
    objs = [Primitive(int(p["class"]) + (CHECK_OFFSET if p.get("check") else 0), int(p["kind"]),
                      float(p["width"]), np.asarray(p["points"], float).reshape(-1, 2)) for p in prims]
    lab = rasterize_primitives(objs, shape)
    return np.where(lab <= CHECK_OFFSET, lab, 0).astype(np.int32)


def _rects(labels, max_rects=16):
    """The label image as filled rectangles [(k, r0, c0, r1, c1)], or None if it is not one."""
    from scipy import ndimage as ndi
    rects = []
    for k in np.unique(labels[labels > 0]):
        cc, n = ndi.label(labels == k)
        for sl in ndi.find_objects(cc):
            if not np.all(labels[sl] == k):
                return None
            rects.append((int(k), sl[0].start, sl[1].start, sl[0].stop, sl[1].stop))
            if len(rects) > max_rects:
                return None
    return rects


def _labels_code(labels):
    h, w = labels.shape
    rects = _rects(labels)
    if rects is not None:
        lines = [f"labels = np.zeros(({h}, {w}), int)  # 0 = not scribbled, k = class k"]
        lines += [f"labels[{r0}:{r1}, {c0}:{c1}] = {k}" for k, r0, c0, r1, c1 in rects]
        return "\n".join(lines) + "\n", set()
    blob = base64.b64encode(zlib.compress(labels.astype(np.uint8).tobytes(), 9)).decode()
    chunks = [blob[i:i + 96] for i in range(0, len(blob), 96)]
    body = "\n".join(f'    "{c}"' for c in chunks)
    code = ("# the strokes drawn on the page, rasterised at image resolution (0 = not scribbled,\n"
            "# k = class k), as a zlib-compressed uint8 image\n"
            f"SCRIBBLES = (\n{body}\n)\n"
            f"labels = np.frombuffer(zlib.decompress(base64.b64decode(SCRIBBLES)), np.uint8).reshape({h}, {w})\n"
            "labels = labels.astype(int)\n")
    return code, {"import base64", "import zlib"}


_PREP = '''
img = image.astype(np.float32) / 255  # uint8 → [0, 1]
gray = img if img.ndim == 2 else img @ np.array([0.2125, 0.7154, 0.0721], np.float32)
'''

_SMOOTH = '''

def fast_pad(n, pad):
    """Padding after a side so that side + 2 pad rounds up to a multiple of 64 (fast FFTs)."""
    return -(-(n + 2 * pad) // 64) * 64 - n - pad


def smooth(stack, sigmas):
    """Gaussian blur of each channel of (H, W, F) with its own sigma, by FFT (mirror padding)."""
    h, w = stack.shape[:2]
    out = np.empty(stack.shape, np.float32)
    for i, s in enumerate(sigmas):
        if s <= 0:
            out[..., i] = stack[..., i]
            continue
        p = min(int(np.ceil(3 * s)), 3 * max(h, w))
        x = np.pad(stack[..., i], ((p, fast_pad(h, p)), (p, fast_pad(w, p))), mode="symmetric")
        fy, fx = np.fft.fftfreq(x.shape[0])[:, None], np.fft.rfftfreq(x.shape[1])[None, :]
        spectrum = np.fft.rfft2(x) * np.exp(-2 * np.pi ** 2 * s * s * (fy ** 2 + fx ** 2))
        out[..., i] = np.fft.irfft2(spectrum, s=x.shape)[p:p + h, p:p + w]
    return out
'''

_GABOR = '''

def gabor_magnitude(gray, frequencies, thetas, bandwidth=1.0):
    """|Gabor response| for every frequency × orientation (= filters.gabor, but by FFT)."""
    kernels = [filters.gabor_kernel(f, theta=t, bandwidth=bandwidth) for f in frequencies for t in thetas]
    p = max(max(k.shape) for k in kernels) // 2
    x = np.pad(gray, p, mode="symmetric")  # the 'reflect' boundary of filters.gabor
    spectrum = np.fft.fft2(x)
    out = np.empty(gray.shape + (len(kernels),), np.float32)
    for i, k in enumerate(kernels):
        big = np.zeros(x.shape, complex)
        big[:k.shape[0], :k.shape[1]] = k
        big = np.roll(big, (-(k.shape[0] // 2), -(k.shape[1] // 2)), axis=(0, 1))  # centre at (0, 0)
        response = np.fft.ifft2(np.fft.fft2(big) * spectrum)
        out[..., i] = np.abs(response[p:p + gray.shape[0], p:p + gray.shape[1]])
    return out
'''

_STATS = '''

def local_stats(g, sigmas):
    """Local mean and standard deviation at each Gaussian scale."""
    sm = smooth(np.stack([g] * len(sigmas) + [g * g] * len(sigmas), axis=-1), list(sigmas) * 2)
    mean = sm[..., :len(sigmas)]
    return np.concatenate([mean, np.sqrt(np.maximum(sm[..., len(sigmas):] - mean ** 2, 0))], axis=-1)


def normalize(g, sigma):
    """Divide out local brightness and contrast: (g − local mean) / (local std + 0.02)."""
    st = local_stats(g, (sigma,))
    return ((g - st[..., 0]) / (st[..., 1] + np.float32(0.02))).astype(np.float32)
'''

def _core_helpers() -> str:
    """``_block_mean`` and ``_upsample``, copied verbatim from :mod:`core.features` (pure numpy)."""
    from core import features

    return "".join("\n\n" + textwrap.dedent(inspect.getsource(f)).rstrip() + "\n"
                   for f in (features._block_mean, features._upsample))


_ENERGY = '''

def gabor_energy(g, frequencies, n_orientations, bandwidth, smoothing, max_window=None, pyramid=True):
    """log Gabor magnitude (+ orientation mean) smoothed over smoothing/frequency px, + anisotropy.

    A low frequency f is computed on the image block-averaged by d (f·d ≤ 0.25, d ≤ 4) at
    frequency f·d, smoothed there and upsampled: the same smoothed energy, much faster.
    """
    thetas = np.pi * np.arange(n_orientations) / n_orientations
    n_t, n_f = len(thetas), len(frequencies)
    h, w = g.shape
    cap = max_window or np.inf
    mags = np.empty((h, w, n_f * n_t), np.float32)
    means = np.empty((h, w, n_f), np.float32)
    groups = {}
    for i, f in enumerate(frequencies):
        d = 1
        while pyramid and d < 4 and f * d * 2 <= 0.25:
            d *= 2
        groups.setdefault(d, []).append(i)
    for d, idx in sorted(groups.items()):
        gd = _block_mean(g, d)
        if min(gd.shape) < 8:
            d, gd = 1, g
        mag = np.log1p(gabor_magnitude(gd, [frequencies[i] * d for i in idx], thetas, bandwidth) * np.float32(10))
        mean_t = mag.reshape(mag.shape[:2] + (len(idx), n_t)).mean(axis=-1)
        stack = np.concatenate([mag, mean_t], axis=-1)
        if smoothing > 0:
            sig = [min(smoothing / frequencies[i], cap) / d for i in idx]
            stack = smooth(stack, [s for s in sig for _ in thetas] + sig)
        stack = _upsample(stack, d, (h, w))
        for j, i in enumerate(idx):
            mags[..., i * n_t:(i + 1) * n_t] = stack[..., j * n_t:(j + 1) * n_t]
            means[..., i] = stack[..., len(idx) * n_t + j]
    per = mags.reshape(h, w, n_f, n_t)
    return np.concatenate([mags, means, per.max(axis=-1) / (per.mean(axis=-1) + np.float32(1e-6))], axis=-1)
'''

_EDGES = '''

def edge_texture(g, window=8.0):
    """Smoothed gradient magnitude (σ = 1, 2, 4) and structure-tensor coherence / eigenvalues (σ = 2)."""
    h, w = g.shape
    p = 12
    x = np.pad(g, ((p, fast_pad(h, p)), (p, fast_pad(w, p))), mode="symmetric")
    spectrum = np.fft.rfft2(x)
    fy, fx = np.fft.fftfreq(x.shape[0])[:, None], np.fft.rfftfreq(x.shape[1])[None, :]
    grads = []
    for s in (1.0, 2.0, 4.0):
        gs = spectrum * np.exp(-2 * np.pi ** 2 * s * s * (fy ** 2 + fx ** 2))
        gy = np.fft.irfft2(gs * (2j * np.pi * fy), s=x.shape)[p:p + h, p:p + w]
        gx = np.fft.irfft2(gs * (2j * np.pi * fx), s=x.shape)[p:p + h, p:p + w]
        grads.append(np.hypot(gy, gx))
    ev = feature.structure_tensor_eigenvalues(feature.structure_tensor(g, sigma=2.0, order="rc"))
    coherence = (ev[0] - ev[1]) / (ev[0] + ev[1] + 1e-9)
    stack = np.stack(grads + [coherence, ev[0], ev[1]], axis=-1).astype(np.float32)
    return smooth(stack, [window] * stack.shape[-1])
'''

_LAB = '''

def lab(img, sigmas):
    """Lab colour (L only for gray), raw or smoothed at each sigma."""
    base = img[..., None] * np.float32(100) if img.ndim == 2 else color.rgb2lab(img).astype(np.float32)
    c = base.shape[-1]
    return smooth(np.concatenate([base] * len(sigmas), axis=-1), [s for s in sigmas for _ in range(c)])
'''


def _fmt(v):
    if isinstance(v, (list, tuple)):
        return "(" + ", ".join(_fmt(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, float):
        return f"{v:.10g}"
    return repr(v)


def _features_code(kind, p):
    """(helper definitions, feature lines, skimage modules) for one feature kind."""
    if kind == "tutorial":
        defs = _GABOR
        lines = ("# the tutorial's Gabor bank, frequencies corrected to ≤ 0.5 cycles/pixel, every channel\n"
                 f"thetas = np.pi * np.arange({p['n_orientations']}) / {p['n_orientations']}\n"
                 "channels = [img] if img.ndim == 2 else [img[..., c] for c in range(img.shape[-1])]\n"
                 f"features = np.concatenate([gabor_magnitude(c, {_fmt(tuple(p['frequencies']))}, thetas, "
                 f"{_fmt(float(p['bandwidth']))})\n                           for c in channels], axis=-1)\n")
        return defs, lines, {"filters"}
    if kind == "basic":
        lines = ("# intensity, edges and texture at several scales (ilastik-like)\n"
                 f"features = feature.multiscale_basic_features(\n"
                 f"    img, intensity={bool(p['intensity'])}, edges={bool(p['edges'])}, "
                 f"texture={bool(p['texture'])},\n"
                 f"    sigma_min={_fmt(float(p['sigma_min']))}, sigma_max={_fmt(float(p['sigma_max']))},\n"
                 "    channel_axis=-1 if img.ndim == 3 else None).astype(np.float32)\n")
        return "", lines, {"feature"}
    if kind == "lab":
        lines = ("# CIE Lab colour, raw and smoothed\n"
                 f"features = lab(img, {_fmt(tuple(float(s) for s in p['sigmas']))})\n")
        return _SMOOTH + _LAB, lines, {"color"}
    if kind == "gabor_energy":
        lines = ("# texture energy on the contrast-normalised image\n"
                 f"g = normalize(gray, {_fmt(float(p['normalize']))}) if {_fmt(float(p['normalize'] or 0))} else gray\n"
                 f"features = gabor_energy(g, {_fmt(tuple(float(f) for f in p['frequencies']))}, "
                 f"{int(p['n_orientations'])}, {_fmt(float(p['bandwidth']))}, {_fmt(float(p['smoothing']))}, "
                 f"max_window={_fmt(p['max_window'])}, pyramid={bool(p['pyramid'])})\n")
        return _SMOOTH + _GABOR + _STATS + _core_helpers() + _ENERGY, lines, {"filters"}
    # default
    isig = tuple(float(s) for s in p["intensity_sigmas"])
    norm = float(p["normalize"] or 0)
    lines = ("# 1. texture, on the image with local brightness and contrast divided out\n"
             f"g = normalize(gray, {_fmt(norm)})\n" if norm else
             "# 1. texture\ng = gray\n")
    lines += (f"parts = [gabor_energy(g, {_fmt(tuple(float(f) for f in p['frequencies']))}, "
              f"{int(p['n_orientations'])}, {_fmt(float(p['bandwidth']))}, {_fmt(float(p['smoothing']))},\n"
              f"                      max_window={_fmt(p['max_window'])}, pyramid={bool(p['pyramid'])}),\n"
              "         local_stats(g, (2.0, 4.0, 8.0)),\n"
              "         edge_texture(g)]\n")
    if isig:
        lines += ("# 2. raw intensity: local mean at each scale and the spread at the largest\n"
                  f"st = local_stats(gray, {_fmt(isig)})\n"
                  f"parts.append(np.concatenate([st[..., :{len(isig)}], st[..., -1:]], axis=-1))\n")
    mods = {"filters", "feature"}
    defs = _SMOOTH + _GABOR + _STATS + _core_helpers() + _ENERGY + _EDGES
    if p["color"]:
        lines += ("# 3. colour: Lab a, b raw and smoothed (σ = 4)\n"
                  "if img.ndim == 3:\n"
                  "    parts.append(lab(img, (0.0, 4.0))[..., [1, 2, 4, 5]])\n")
        defs += _LAB
        mods.add("color")
    lines += "features = np.ascontiguousarray(np.concatenate(parts, axis=-1), dtype=np.float32)\n"
    return defs, lines, mods


def script(values: dict) -> str:
    """The runnable script for these page values (``result`` = the ``(H, W)`` classes 1…K).

    Parameters
    ----------
    values : dict
        The page's ``ps.values()`` (``image``, ``features``, ``trees``, ``depth``,
        ``smoothing``, ``n_classes``) plus ``shape`` (the working (H, W)) and either
        ``scribbles`` (the page's primitives) or ``labels`` (an (H, W) int array);
        without both, the tutorial's beach rectangles (``BEACH_RECTS``) on the working
        image. Optional: ``feature_params``, ``classifier``, ``max_training_pixels``.

    Returns
    -------
    code : str
    """
    require(values, REQUIRED)
    from core.trainable import FOREST_DEFAULTS
    kind = values["features"]
    p = default_params(kind)
    p.update(values.get("feature_params") or {})
    name = values["image"]
    shape = tuple(values.get("shape") or ())[:2]
    size = max(shape) if shape else working_size(values)
    labels = scribble_labels(values)
    if labels is None:
        from core.images import fit_working_size, load_sample
        h, w = fit_working_size(load_sample(name), size).shape[:2] if name != "upload" else shape
        labels = np.zeros((h, w), np.int32)
        sy, sx = h / 427, w / 640
        for k, (r0, c0, r1, c1) in BEACH_RECTS:
            labels[round(r0 * sy):round(r1 * sy), round(c0 * sx):round(c1 * sx)] = k
    n_classes = int(values["n_classes"])
    trees, depth = int(values["trees"]), values["depth"]
    depth = None if depth is None else int(depth)
    smoothing = float(values["smoothing"] or 0)
    classifier = values.get("classifier", FOREST_DEFAULTS["classifier"])
    max_px = values.get("max_training_pixels", FOREST_DEFAULTS["max_training_pixels"])

    image_code, image_mods, imports = image_block(name, size)
    labels_code, extra = _labels_code(labels)
    imports |= extra
    defs, feat_lines, mods = _features_code(kind, p)
    mods |= image_mods
    if smoothing > 0:
        mods.add("filters")
    imports.add("from sklearn.ensemble import RandomForestClassifier")
    if classifier != "forest":
        imports |= {"from sklearn.linear_model import LogisticRegression",
                    "from sklearn.pipeline import Pipeline",
                    "from sklearn.preprocessing import StandardScaler"}
    if classifier == "forest+linear":
        imports.add("from sklearn.ensemble import VotingClassifier")
    head = header(mods, *imports, docstring="Trainable segmentation (Image ML Lab): per-pixel features + a classifier "
                  "trained on\nscribbles, as in the scikit-image tutorial. Requires numpy, scikit-image, scikit-learn.")

    forest = f"RandomForestClassifier(n_estimators={trees}, max_depth={depth}, n_jobs=-1, random_state=0)"
    linear = ('Pipeline([("scale", StandardScaler()),\n'
              '                   ("logistic", LogisticRegression(C=0.01, solver="newton-cg", max_iter=200))])')
    if classifier == "forest":
        clf = f"clf = {forest}\n"
    elif classifier == "linear":
        clf = f"clf = {linear}\n"
    else:
        clf = (f"forest = {forest}\n"
               f"linear = {linear}\n"
               "# soft vote: the forest's sharp rules (weight 3) with a linear model that extrapolates (1)\n"
               'clf = VotingClassifier([("forest", forest), ("linear", linear)], voting="soft", weights=[3, 1])\n')

    n_lab = int((labels > 0).sum())
    if max_px and n_lab > max_px:
        sample = ("# subsample the scribbled pixels (stratified, as the app does) for speed\n"
                  "rng = np.random.default_rng(0)\n"
                  "idx = np.flatnonzero(labels.ravel() > 0)\n"
                  "y_all = labels.ravel()[idx]\n"
                  "keep = [rng.choice(idx[y_all == c], size=min(max(1, int(round("
                  f"{max_px} * (y_all == c).sum() / idx.size))), (y_all == c).sum()), replace=False)\n"
                  "        for c in np.unique(y_all)]\n"
                  "idx = np.sort(np.concatenate(keep))\n")
    else:
        sample = "idx = np.flatnonzero(labels.ravel() > 0)  # the scribbled pixels\n"

    body = (
        "\n\n# 1. the image, as the page sees it\n" + image_code + _PREP +
        "\n# 2. the scribbles\n" + labels_code +
        "\n# 3. per-pixel features (H, W, F)\n" + feat_lines +
        "\n# 4. train on the scribbled pixels\n" +
        "X = features.reshape(-1, features.shape[-1])\n" + sample + clf +
        "clf.fit(X[idx], labels.ravel()[idx])\n"
        "\n# 5. predict every pixel; columns of proba are classes 1…K\n"
        f"proba = np.zeros((X.shape[0], {n_classes}), np.float32)\n"
        "proba[:, clf.classes_ - 1] = clf.predict_proba(X)\n"
        "proba = proba.reshape(features.shape[:2] + (-1,))\n")
    if smoothing > 0:
        body += (f"proba = filters.gaussian(proba, sigma={smoothing:g}, channel_axis=-1, mode='reflect', "
                 "truncate=3.0, preserve_range=True)\n"
                 "proba /= proba.sum(axis=-1, keepdims=True)  # smoothed probabilities, renormalised\n")
    body += "result = np.argmax(proba, axis=-1) + 1  # (H, W) classes 1…K\n"
    return head + defs + body
