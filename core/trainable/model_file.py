"""Segmenter files that hold no executable structure: training data + settings, refitted on load.

A file is a zip archive of three members:

``segmenter.json``
    Format and version, the feature settings (:class:`~core.trainable.features.FeatureSpec`) with their
    definition version :data:`~core.trainable.features.FEATURES_VERSION` and feature count, the
    classes (names, colours), the classifier's name and settings, the smoothing, the number of
    training images and samples.
``x_train.npy`` / ``y_train.npy``
    The features of the scribbled pixels (N, F) float32 and their classes (N,) uint8, read with
    ``np.load(allow_pickle=False)``.

Nothing in it is code or a pointer structure (no trees, no pickles): loading validates every
field — range, type, shape — and refits the named classifier on the samples. Before anything
is inflated, the archive's members, their declared sizes and compression ratios are checked,
so a zip bomb or a crafted header costs nothing. A file of another feature-definition version
or feature count is refused with what to do.
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile

import numpy as np

from core._validation import check_choice, check_float, check_int, constraint_error
from core.trainable.classifiers import CLASSIFIERS
from core.trainable.features import FEATURES_VERSION, FeatureSpec

__all__ = ["FORMAT", "MAX_FILE_SAMPLES", "load_segmenter", "save_segmenter"]

FORMAT = "image-ml-lab/segmenter"
FORMAT_VERSION = 2
#: Most training samples a file holds (a segmenter trained on more saves a stratified subsample).
MAX_FILE_SAMPLES = 20_000
#: Most trees × samples a file may ask to refit (bounds the work a crafted file can cause).
MAX_REFIT_WORK = 160 * MAX_FILE_SAMPLES
MAX_FEATURES = 256
MAX_CLASSES = 16
MAX_FILE_BYTES = 64 << 20
_MEMBERS = {"segmenter.json": 64 << 10, "x_train.npy": MAX_FILE_SAMPLES * MAX_FEATURES * 4 + 4096,
            "y_train.npy": MAX_FILE_SAMPLES + 4096}
_MAX_RATIO = 1000  # inflated / compressed bytes of one member
_REDO = "save it again from this app's Trainable segmentation page"


def _bad(what: str) -> ValueError:
    return ValueError(f"This is not a segmenter file this app can read ({what}); {_REDO}.")


def _subsample(y, n, rng):
    if len(y) <= n:
        return np.arange(len(y))
    classes, counts = np.unique(y, return_counts=True)
    share = np.maximum(1, np.floor(n * counts / len(y))).astype(int)
    idx = np.arange(len(y))
    return np.sort(np.concatenate([rng.choice(idx[y == c], size=min(int(s), int(k)), replace=False)
                                   for c, s, k in zip(classes, share, counts)]))


def save_segmenter(seg) -> bytes:
    """The file content of a :class:`~core.trainable.Segmenter` (a zip of JSON and two arrays).

    Raises
    ------
    ValueError
        For a segmenter with an injected feature function or classifier (only
        :class:`FeatureSpec` features and :data:`~core.trainable.classifiers.CLASSIFIERS` can be saved).
    """
    if not isinstance(seg.features, FeatureSpec):
        raise ValueError("Only segmenters with FeatureSpec features can be saved (this one uses a custom "
                         "feature function).")
    if seg.classifier_name not in CLASSIFIERS or seg.x_train is None:
        raise ValueError(f"Only segmenters with a named classifier ({', '.join(CLASSIFIERS)}) can be saved.")
    idx = _subsample(np.asarray(seg.y_train), MAX_FILE_SAMPLES, np.random.default_rng(0))
    x = np.ascontiguousarray(seg.x_train[idx], dtype=np.float32)
    y = np.asarray(seg.y_train)[idx].astype(np.uint8)
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, "features_version": FEATURES_VERSION,
            "features": seg.features.to_dict(), "n_features": int(seg.n_features), "channels": int(seg.channels),
            "n_classes": int(seg.n_classes), "class_names": [str(n) for n in seg.class_names],
            "class_colors": [str(c) for c in seg.class_colors],
            "classifier": {"name": seg.classifier_name, **seg.classifier_params},
            "smoothing": float(seg.smoothing), "n_images": int(seg.n_images), "n_samples": int(len(y)),
            "subsampled_from": int(len(seg.y_train))}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("segmenter.json", json.dumps(meta, indent=1))
        for name, arr in (("x_train.npy", x), ("y_train.npy", y)):
            out = io.BytesIO()
            np.save(out, arr, allow_pickle=False)
            zf.writestr(name, out.getvalue())
    return buf.getvalue()


def _read_members(data: bytes) -> dict[str, bytes]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise _bad("not a zip archive; older .skops files cannot be read any more") from None
    names = [i.filename for i in infos]
    if sorted(names) != sorted(_MEMBERS):
        raise _bad(f"it holds {', '.join(repr(n[:40]) for n in names[:5]) or 'nothing'}")
    for info in infos:  # declared sizes, before inflating anything
        if info.file_size > _MEMBERS[info.filename] or info.compress_type not in (zipfile.ZIP_STORED,
                                                                                 zipfile.ZIP_DEFLATED):
            raise _bad(f"{info.filename} is {info.file_size:,} bytes, more than a segmenter holds")
        if info.file_size > _MAX_RATIO * max(1, info.compress_size) + 1024:
            raise _bad(f"{info.filename} inflates {info.file_size // max(1, info.compress_size):,}×: a zip bomb?")
    out = {}
    try:
        for info in infos:
            with zf.open(info) as member:  # reads stop at the declared size (checked above) + CRC check
                out[info.filename] = member.read(_MEMBERS[info.filename] + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        raise _bad("a member is damaged") from None
    return out


def _array(raw: bytes, name: str, dtype, ndim: int) -> np.ndarray:
    try:
        arr = np.load(io.BytesIO(raw), allow_pickle=False)
    except (ValueError, OSError, EOFError) as err:
        raise _bad(f"{name} is not a plain array: {str(err)[:80]}") from None
    if not isinstance(arr, np.ndarray) or arr.dtype != np.dtype(dtype) or arr.ndim != ndim:
        raise _bad(f"{name} must be a {ndim}-D {np.dtype(dtype).name} array")
    return arr


def _field(meta: dict, name: str, kind):
    if name not in meta:
        raise _bad(f"the field {name!r} is missing")
    value = meta[name]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _bad(f"the field {name!r} must be a {getattr(kind, '__name__', 'value')}")
    return value


def _meta(raw: bytes) -> dict:
    try:
        meta = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _bad("segmenter.json is not JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _bad("segmenter.json is not a segmenter description")
    if meta.get("format_version") != FORMAT_VERSION:
        raise _bad(f"file format version {str(meta.get('format_version'))[:20]}, this app reads {FORMAT_VERSION}")
    return meta


def _settings(meta: dict):
    clf = _field(meta, "classifier", dict)
    name = check_choice("classifier", clf.get("name"), list(CLASSIFIERS))
    depth = clf.get("max_depth")
    balance = clf.get("balance")
    if not isinstance(balance, bool):
        raise constraint_error("balance", "a boolean", balance)
    settings = {"n_estimators": check_int("n_estimators", clf.get("n_estimators"), 1, 300),
                "max_depth": None if depth is None else check_int("max_depth", depth, 1, 64),
                "balance": balance, "random_state": check_int("random_state", clf.get("random_state"), 0, 2**31 - 1)}
    return name, settings


def load_segmenter(data):
    """Read a file written by :func:`save_segmenter` and refit its classifier.

    Parameters
    ----------
    data : bytes or file-like

    Returns
    -------
    Segmenter

    Raises
    ------
    ValueError
        Not such a file, a damaged or oversized one, a field out of range, or features of
        another definition version or count (the message says what to do). Bounded: at most
        :data:`MAX_FILE_SAMPLES` samples of ≤ 256 features, and trees × samples ≤ :data:`MAX_REFIT_WORK`.
    """
    from core.trainable.segmenter import fit_samples

    if hasattr(data, "read"):
        data = data.read(MAX_FILE_BYTES + 1)
    if not isinstance(data, (bytes, bytearray)) or not data:
        raise ValueError(f"The segmenter file is empty; upload a file saved by this app ({_REDO}).")
    if len(data) > MAX_FILE_BYTES:
        raise _bad(f"larger than {MAX_FILE_BYTES >> 20} MB")
    raw = _read_members(bytes(data))
    meta = _meta(raw["segmenter.json"])
    version = _field(meta, "features_version", int)
    if version != FEATURES_VERSION:
        raise ValueError(f"This segmenter was trained on features of definition version {version}; this app "
                         f"computes version {FEATURES_VERSION}, so its features would mean something else. "
                         "Load the image, scribble (or load the saved scribbles), train and save it again.")
    try:
        spec = FeatureSpec.from_dict(_field(meta, "features", dict))
    except (TypeError, ValueError) as err:
        raise _bad(f"feature settings: {str(err)[:120]}") from None
    channels = check_choice("channels", _field(meta, "channels", int), [1, 3])
    n_features = check_int("n_features", _field(meta, "n_features", int), 1, MAX_FEATURES)
    if n_features != spec.n_features(channels):
        raise ValueError(f"This segmenter file records {n_features} features per pixel, but its feature settings "
                         f"give {spec.n_features(channels)} in this app; it was made by another version. "
                         "Train the segmenter again and save it again.")
    n_classes = check_int("n_classes", _field(meta, "n_classes", int), 2, MAX_CLASSES)
    names = _field(meta, "class_names", list)
    colors = _field(meta, "class_colors", list)
    if len(names) != n_classes or not all(isinstance(n, str) and len(n) <= 40 for n in names):
        raise _bad(f"class_names must be {n_classes} texts of at most 40 characters")
    if colors and (len(colors) != n_classes or not all(isinstance(c, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", c)
                                                       for c in colors)):
        raise _bad(f"class_colors must be {n_classes} colours like '#1f77b4'")
    smoothing = check_float("smoothing", _field(meta, "smoothing", float), 0.0, 16.0)
    n_images = check_int("n_images", _field(meta, "n_images", int), 1, 10_000)
    name, settings = _settings(meta)
    x = _array(raw["x_train.npy"], "x_train.npy", np.float32, 2)
    y = _array(raw["y_train.npy"], "y_train.npy", np.uint8, 1)
    if x.shape[1] != n_features or x.shape[0] != y.shape[0] or not 2 <= len(y) <= MAX_FILE_SAMPLES:
        raise _bad(f"x_train {x.shape} and y_train {y.shape} do not match {n_features} features")
    if not np.all(np.isfinite(x)) or y.min() < 1 or y.max() > n_classes or len(np.unique(y)) < 2:
        raise _bad("the training samples hold NaN, or classes outside 1…n_classes, or only one class")
    if not math.isfinite(float(np.abs(x).max())):
        raise _bad("x_train holds infinite values")
    if settings["n_estimators"] * len(y) > MAX_REFIT_WORK:
        raise _bad(f"{settings['n_estimators']} trees on {len(y):,} samples is more than a saved segmenter refits")
    return fit_samples(x, y.astype(np.int64), features=spec, classifier=name, settings=settings,
                       n_classes=n_classes, smoothing=smoothing, channels=channels, class_names=names,
                       class_colors=colors, n_images=n_images)
