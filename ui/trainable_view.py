"""The trainable page's cached stages and pictures (features → fit → predict; overlay, hint box, swatches)."""

from __future__ import annotations

import dataclasses
import html
import json
import threading
from collections import OrderedDict
from typing import NamedTuple

import numpy as np
import streamlit as st

from core import trainable as T
from core.canvas.objects import rects_to_drawing
from core.clustering import average_colors
from core.images import SAMPLES, image_digest, to_rgb
from core.trainable.features import FeatureSpec, layout_of, n_channels
from core.trainable.schema import MAX_CLASSES, PALETTE, TUTORIAL_RECTS, TUTORIAL_SHAPE
from ui import cache, display, images, memory, share
from ui.params import escape_md
from ui.scribble_state import ClassInfo, ScribbleState, Stroke, from_objects

__all__ = ["RunInputs", "features_of", "features_ready", "fit", "predict", "render", "scribble_state", "swatches"]

#: feature computations done in this process: (image digest, spec JSON); a miss shows the progress bar
_READY: set[tuple[str, str, int]] = set()
#: seconds per megapixel per feature, measured on this machine (2 cores) at 0.8 MP: for the progress estimate
SECONDS_PER_MP_FEATURE = {"gabor": 0.45, "other": 0.08}
STATE_KEY = "trainable_segmentation:_scribbles"


class RunInputs(NamedTuple):
    """What one segmentation depends on (compared to decide whether a frozen result is stale)."""

    images: tuple[str, ...]  # image keys trained on
    labels: tuple[str, ...]  # digests of their training label images
    fit: str  # the model's settings: JSON of core.trainable.schema.fit_kwargs without names and colours


def scribble_state() -> ScribbleState:
    """Return the current session's :class:`ScribbleState`."""
    if STATE_KEY not in st.session_state:
        st.session_state[STATE_KEY] = ScribbleState()
    return st.session_state[STATE_KEY]


def entry_image(state: ScribbleState, key: str) -> np.ndarray:
    """The RGB image of a scribbled image ``key``: its upload, kept with its strokes, or the sample at the working size."""
    entry = state.images[key]
    return to_rgb(entry.image if entry.image is not None else images.sample_at(entry.name, images.working_size())[0])


def spec_json(spec: FeatureSpec) -> str:
    return json.dumps(spec.to_dict(), sort_keys=True)


def features_ready(image: np.ndarray, spec: FeatureSpec, channels: int | None = None) -> bool:
    return (image_digest(image), spec_json(spec), channels or n_channels(image)) in _READY


def estimate_seconds(image: np.ndarray, spec: FeatureSpec) -> float:
    mp = image.shape[0] * image.shape[1] / 1e6
    n = spec.n_features(3 if image.ndim == 3 else 1)
    n_gabor = sum(f == "gabor" for f in spec.families(3 if image.ndim == 3 else 1))
    return mp * (n_gabor * SECONDS_PER_MP_FEATURE["gabor"] + (n - n_gabor) * SECONDS_PER_MP_FEATURE["other"])


#: One image's feature computation may hold at most this much at its peak (ui/memory.py's budget for a class
#: leaves about this for the heaviest page's shared results); a larger one is refused before any work.
FEATURE_LIMIT_MB = 512


def check_feature_budget(image: np.ndarray, spec: FeatureSpec) -> None:
    """Refuse, with the reason, features whose estimated peak exceeds :data:`FEATURE_LIMIT_MB`."""
    need = T.feature_bytes(image.shape, spec) / 2**20
    if need > FEATURE_LIMIT_MB:
        raise ValueError(f"these features of a {image.shape[1]}×{image.shape[0]} image need about {need:,.0f} MB, "
                         f"more than this server gives one image ({FEATURE_LIMIT_MB} MB): lower the working size "
                         "in the sidebar or switch off a feature family.")


@cache.cache_resource(max_entries=8)
def _features(image: np.ndarray, spec: str, channels: int) -> np.ndarray:
    check_feature_budget(image, FeatureSpec.from_dict(json.loads(spec)))
    out = FeatureSpec.from_dict(json.loads(spec))(image, channels=channels)
    out.setflags(write=False)
    return out


#: The cached feature arrays of all sessions together hold at most this many bytes (ui/memory.py's budget): the
#: least recently used are dropped first; the newest is always kept, so one image is never recomputed per rerun.
FEATURES_CACHE_BYTES = memory.FEATURES_MB * 2**20
_HELD: OrderedDict[tuple[str, str, int], tuple[int, np.ndarray]] = OrderedDict()  # (digest, spec, layout) → (bytes, image)
_HELD_LOCK = threading.Lock()


def features_of(image: np.ndarray, spec: str, channels: int | None = None) -> np.ndarray:
    """Per-pixel features of one image (read-only, shared by sessions), once per image, spec and layout.

    ``channels``: the layout (``core.trainable.features.layout_of`` of the training images, or a model's
    ``channels``); default the image's own. Cached by content; all cached feature arrays together stay within
    :data:`FEATURES_CACHE_BYTES`.
    """
    channels = channels or n_channels(image)
    out = _features(image, spec, channels)
    key = (image_digest(image), spec, channels)
    with _HELD_LOCK:
        _HELD[key] = (out.nbytes, image)
        _HELD.move_to_end(key)
        total = sum(n for n, _ in _HELD.values())
        dropped = []
        while total > FEATURES_CACHE_BYTES and len(_HELD) > 1:
            old, (n, old_image) = _HELD.popitem(last=False)
            total -= n
            dropped.append((old, old_image))
    for (digest, old_spec, old_channels), old_image in dropped:
        _features.clear(old_image, old_spec, old_channels)
        _READY.discard((digest, old_spec, old_channels))
    _READY.add(key)
    return out


def held_feature_bytes() -> int:
    """Bytes of feature arrays the cache holds now (all sessions)."""
    with _HELD_LOCK:
        return sum(n for n, _ in _HELD.values())


@cache.cache_resource(max_entries=6)
def _fit(inputs: RunInputs, _images: list, _labels: list) -> T.Segmenter:
    kwargs = json.loads(inputs.fit)
    spec = FeatureSpec.from_dict(kwargs.pop("features"))
    layout = layout_of(_images)  # the layout fit_segmenter trains in: no recomputation there
    arrays = [features_of(img, spec_json(spec), layout) for img in _images]
    return T.fit_segmenter(list(_images), list(_labels), features=spec, feature_array=arrays, **kwargs)


def fit(inputs: RunInputs, images: list, labels: list, classes: list[ClassInfo]) -> T.Segmenter:
    """One model on the strokes of every image in ``inputs`` (features from the cache), labelled with ``classes``.

    Names and colours only label the model: changing them reuses the trained classifier.
    """
    seg = _fit(inputs, images, labels)
    return dataclasses.replace(seg, class_names=[c.name for c in classes], class_colors=[c.colour for c in classes])


@cache.cache_resource(max_entries=6)
def predict(inputs: RunInputs, _seg: T.Segmenter, image: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(proba, labels 1…K, uncertainty)`` of ``image`` under the model of ``inputs`` (read-only)."""
    img = to_rgb(image) if _seg.channels == 3 else image
    spec = _seg.features if isinstance(_seg.features, FeatureSpec) else None
    feats = features_of(img, spec_json(spec), _seg.channels) if spec is not None else None
    proba = _seg.predict_proba(img, feature_array=feats)
    pred, unc = T.proba_to_labels(proba), T.uncertainty(proba)
    for a in (proba, pred, unc):
        a.setflags(write=False)
    return proba, pred, unc


@cache.cache_resource(max_entries=6)
def apply(inputs: RunInputs, _seg: T.Segmenter, image: np.ndarray) -> np.ndarray:
    """Labels 1…K of another image under the model of ``inputs`` (read-only).

    Its features are computed for this prediction and dropped: held in the shared feature cache they would push
    out the training images' features, which every rerun of the page needs (at 1 MP both do not fit its budget).
    Raises ``ValueError`` (before any work) when they would exceed :data:`FEATURE_LIMIT_MB`, as the page's own do.
    """
    img = to_rgb(image) if _seg.channels == 3 else image
    if isinstance(_seg.features, FeatureSpec):
        check_feature_budget(img, _seg.features)
    pred = T.proba_to_labels(_seg.predict_proba(img))
    pred.setflags(write=False)
    return pred


def kwargs_json(kwargs: dict) -> str:
    """What the trained model depends on, as JSON: the fit settings without the class names and colours."""
    model = {k: v for k, v in kwargs.items() if k not in ("class_names", "class_colors")}
    return json.dumps({**model, "features": kwargs["features"].to_dict()}, sort_keys=True)


# ---------------------------------------------------------------------- pictures
def palette(classes: list[ClassInfo], n: int | None = None) -> np.ndarray:
    out = np.zeros(((n or len(classes)) + 1, 3), np.uint8)
    for c in classes[: len(out) - 1]:
        out[c.id] = [int(c.colour[i : i + 2], 16) for i in (1, 3, 5)]
    return out


def render(rgb: np.ndarray, pred: np.ndarray, classes: list[ClassInfo], view: str, opacity: float,
           region=None) -> np.ndarray:
    """The segmentation as the page shows it: overlay, average colour (the tutorial's) or class colours."""
    colours = palette(classes, int(pred.max()))[np.clip(pred, 0, None)]
    if view == "average":
        out = average_colors(rgb, pred).astype(np.uint8)
    elif view == "labels":
        out = colours
    else:
        out = ((1 - opacity) * rgb + opacity * colours).astype(np.uint8)
    if region is not None:
        out = out.copy()
        h, w = out.shape[:2]
        t = max(2, min(h, w) // 150)
        r0, c0 = region.top, region.left
        r1, c1 = min(h, r0 + region.height), min(w, c0 + region.width)
        for thick, colour in ((t + 2, (0, 0, 0)), (t, (255, 255, 255))):  # shows on any colour
            out[r0 : r0 + thick, c0:c1] = colour
            out[max(r0, r1 - thick) : r1, c0:c1] = colour
            out[r0:r1, c0 : c0 + thick] = colour
            out[r0:r1, max(c0, c1 - thick) : c1] = colour
    return out


def swatches(classes: list[ClassInfo], counts=None) -> str:
    """HTML: a real colour square and the (escaped) name of every class, with optional counts."""
    parts = []
    for i, c in enumerate(classes):
        extra = f" {counts[i]}" if counts is not None else ""
        parts.append(f'<span style="white-space:nowrap"><span style="display:inline-block;width:0.9em;height:0.9em;'
                     f'background:{c.colour};border:1px solid #0006;border-radius:2px;vertical-align:-0.1em">'
                     f'</span>&nbsp;{html.escape(c.name)}{html.escape(extra)}</span>')
    return " &nbsp; ".join(parts)


# ---------------------------------------------------------------------- strokes, classes, script
def _tutorial_rects(shape) -> list[tuple[int, tuple[int, int, int, int]]]:
    fy, fx = shape[0] / TUTORIAL_SHAPE[0], shape[1] / TUTORIAL_SHAPE[1]
    return [(k, (round(r0 * fy), round(c0 * fx), round(r1 * fy), round(c1 * fx))) for k, (r0, c0, r1, c1) in TUTORIAL_RECTS]


def tutorial_strokes(shape, classes: list[ClassInfo]) -> list[Stroke]:
    """The tutorial's mask rectangles as strokes on the beach photo at working shape ``shape``."""
    rects = [r for r in _tutorial_rects(shape) if r[0] <= len(classes)]
    return from_objects(rects_to_drawing(rects, {c.id: c.colour for c in classes}, 1.0)["objects"], classes, 1.0)


def classes_editor(ps, state: ScribbleState, classes: list[ClassInfo]) -> None:
    """Rename, recolour, remove (with their strokes) and add classes."""
    for c in classes:
        a, b, d = st.columns([5, 4, 1.4], vertical_alignment="bottom")
        ps.text(f"name{c.id}", f"Name of class {c.id}", container=a, label_visibility="collapsed")
        ps.select(f"color{c.id}", "Colour", container=b, label_visibility="collapsed")
        if d.button("", icon=":material/delete:", key=f"{ps.page}:remove{c.id}", disabled=len(classes) <= 2,
                    help="Remove this class and its strokes on every image"):
            kept = [j for j in range(1, len(classes) + 1) if j != c.id]
            names, cols = [ps.value(f"name{j}") for j in kept], [ps.value(f"color{j}") for j in kept]
            state.remove_class(c.id)
            for j, (name, col) in enumerate(zip(names, cols), start=1):
                st.session_state[ps.key(f"name{j}")], st.session_state[ps.key(f"color{j}")] = name, col
            st.session_state[ps.key("n_classes")], st.session_state[ps.key("active")] = len(classes) - 1, 1
            st.rerun()
    n = len(classes)
    if st.button("Add a class", icon=":material/add:", key=f"{ps.page}:add", disabled=n >= MAX_CLASSES):
        free = [name for name, hexa in PALETTE.items() if hexa not in {c.colour for c in classes}]
        st.session_state[ps.key(f"name{n + 1}")], st.session_state[ps.key(f"color{n + 1}")] = f"class {n + 1}", free[0]
        st.session_state[ps.key("n_classes")] = n + 1
        st.rerun()
    st.caption("Strokes belong to their class, not to its colour: recolouring a class repaints its strokes.")


def script_values(values: dict, classes: list[ClassInfo], strokes: list[Stroke], entry, shape) -> dict:
    """The page's values plus what the script needs of the strokes (the tutorial's rectangles as mask slices)."""
    out = {**values, "class_names": [c.name for c in classes], "rectangles": [], "scribbles": [
        (s.cls, round(s.mark.width, 2), np.round(s.mark.points, 1).tolist()) for s in strokes if not s.check]}
    if entry is not None and entry.preset == "tutorial":
        out["rectangles"] = [(k, r0, r1, c0, c1) for k, (r0, c0, r1, c1) in _tutorial_rects(shape) if k <= len(classes)]
        out["scribbles"] = []
    return out


def apply_tab(seg: T.Segmenter, inputs: RunInputs, classes: list[ClassInfo], *, current: str, page: str) -> None:
    """The "Apply to an image" tab: this model, or a model file the person uploads, on another sample."""
    model, model_key = seg, inputs
    upload = st.file_uploader("Or apply a saved model file (.zip)", type=["zip"], key=f"{page}:model_upload")
    if upload is not None:
        data = upload.getvalue()
        try:
            model = T.load_segmenter(data)
            model_key = RunInputs(("file",), (image_digest(np.frombuffer(data, np.uint8)),), "")
            st.success(f"Loaded: {model.n_classes} classes ({escape_md(', '.join(model.class_names), 120)}), "
                       f"trained on {model.n_images} image(s).", icon=":material/check:")
        except ValueError as err:
            st.error(escape_md(err, 400), icon=":material/block:")
            return
    target = st.selectbox("Apply to", [s for s in SAMPLES if s != current], key=f"{page}:apply_to")
    timage = to_rgb(images.sample_at(target, images.working_size())[0])
    try:
        with st.spinner(f"Computing the features of {target} and predicting…"):
            tpred = apply(model_key, model, timage)
    except ValueError as err:
        st.warning(escape_md(err, 400), icon=":material/memory:")
        return
    display.show(render(timage, tpred, classes, "overlay", 0.5), caption=f"{target}, segmented by the model")
    share.download_png("Labels of this image (PNG)", tpred.astype(np.uint8), f"{target}_labels.png",
                       key=f"{page}:dl_applied")
