"""Trainable segmentation: scribble a few strokes per class, a random forest segments the image."""

from __future__ import annotations

import hashlib
import io
import time

import numpy as np
import streamlit as st
from PIL import Image
from streamlit_drawable_canvas import st_canvas

from core import scribbles as S
from core import trainable as T
from core.clustering import average_colors
from core.features import DEFAULT_KIND, FEATURE_KINDS, pixel_features
from core.images import SAMPLES, fit_working_size, image_digest, read_image, to_gray, to_rgb
from core.recipes import trainable_segmentation as recipe
from ui import cache, images, share
from ui import params as P

PAGE = "trainable"
CANVAS_W = 700  # canvas display width (px); strokes are rasterised at image resolution
MAX_CLASSES = 8
CHECK_OFFSET = 8  # check strokes of class k get code k + 8 in the rasterised map
TOKEN_MAX = 6000  # longest stroke token that travels in a link (characters)

#: the class colours (a colour-blind-friendly Set1-like palette); name → (hex, emoji)
PALETTE = {
    "blue": ("#377eb8", "🔵"), "orange": ("#ff7f00", "🟠"), "green": ("#4daf4a", "🟢"),
    "red": ("#e41a1c", "🔴"), "purple": ("#984ea3", "🟣"), "yellow": ("#ffd92f", "🟡"),
    "brown": ("#a65628", "🟤"), "white": ("#ffffff", "⚪"),
}
DEFAULT_NAMES = ["sky", "water", "trees", "pagoda", "class 5", "class 6", "class 7", "class 8"]
DEFAULT_COLORS = list(PALETTE)
MODES = {"freedraw": "✏️ Freehand", "line": "📏 Line", "rect": "▭ Rectangle"}
VIEWS = {"overlay": "Overlay", "average": "Average colour (tutorial)", "labels": "Class colours"}
FEATURE_LABELS = {
    "default": "Texture energy + intensity + colour (best)",
    "tutorial": "Tutorial's Gabor bank",
    "gabor_energy": "Gabor energy (texture only)",
    "basic": "multiscale_basic_features (ilastik-like)",
    "lab": "Lab colour only",
}

# The tutorial's beach example (sea, sky, sand as rectangles of a mask), done on scikit-learn's
# Summer Palace photo, which has the same kind of regions: sky, the lake's water, and trees in place
# of sand. Rectangles are (class, (row0, col0, row1, col1)) on the 427×640 photo, i.e. mask slices.
BEACH_RECTS = [(1, (15, 380, 120, 620)), (2, (255, 370, 292, 540)), (3, (345, 390, 420, 540))]
BEACH4_RECTS = BEACH_RECTS + [(4, (270, 100, 330, 330))]
STROKE_PRESETS = {"beach": BEACH_RECTS, "beach4": BEACH4_RECTS, "none": []}
PRESET_IMAGE = "china"
PRESET_SHAPE = (427, 640)

ps = P.ParamSet(
    PAGE,
    [
        P.Int("n_classes", 3, 2, MAX_CLASSES),
        *[P.Text(f"name{k}", DEFAULT_NAMES[k - 1], max_length=24) for k in range(1, MAX_CLASSES + 1)],
        *[P.Choice(f"color{k}", list(PALETTE), DEFAULT_COLORS[k - 1]) for k in range(1, MAX_CLASSES + 1)],
        P.Choice("active", list(range(1, MAX_CLASSES + 1)), 1),
        P.Choice("mode", list(MODES), "freedraw", labels=MODES),
        P.Int("brush", 12, 1, 60),
        P.Bool("check", False),
        P.Choice("features", list(FEATURE_KINDS), DEFAULT_KIND, labels=FEATURE_LABELS),
        P.Int("trees", T.FOREST_DEFAULTS["n_estimators"], 4, 200, step=4),
        P.Int("depth", T.FOREST_DEFAULTS["max_depth"], 2, 40),
        P.Float("smoothing", T.FOREST_DEFAULTS["smoothing"], 0.0, 5.0, step=0.5),
        P.Bool("live", True),
        P.Float("opacity", 0.5, 0.0, 1.0, step=0.05),
        P.Choice("view", list(VIEWS), "overlay", labels=VIEWS),
        P.Bool("hint", True),
        P.Text("strokes", "beach", max_length=TOKEN_MAX),
    ],
    image=PRESET_IMAGE,
)

PRESETS = {
    "① Tutorial: beach → sky / water / trees": dict(
        image=PRESET_IMAGE, n_classes=3, name1="sky", name2="water", name3="trees", color1="blue",
        color2="orange", color3="green", features="tutorial", strokes="beach", active=1, check=False),
    "② Best default features, 4 classes": dict(
        image=PRESET_IMAGE, n_classes=4, name1="sky", name2="water", name3="trees", name4="pagoda",
        color1="blue", color2="orange", color3="green", color4="red", features=DEFAULT_KIND,
        strokes="beach4", active=1, check=False),
    "③ Blank canvas (draw your own)": dict(strokes="none", n_classes=2, name1="class 1", name2="class 2",
                                          color1="blue", color2="orange", active=1, check=False),
}
PRESET_HELP = {
    "① Tutorial: beach → sky / water / trees": "The tutorial's beach cell: three rectangles of labelled pixels "
    "(its mask), the tutorial's Gabor features (frequencies corrected to ≤ 0.5) and a random forest.",
    "② Best default features, 4 classes": "Adds the pagoda as a fourth class and uses the best default "
    "features (Gabor texture energy + local intensity statistics + Lab colour).",
    "③ Blank canvas (draw your own)": "Two empty classes; scribble a stroke in each.",
}

CANVAS_KEY = f"{PAGE}:canvas"
SEED_KEY = f"{PAGE}:_seed"  # what the canvas was last seeded with: {"value", "image", "nonce", "token"}
FORCE_KEY = f"{PAGE}:_reseed"  # objects to load into the canvas on the next run (clear, recolour, remove)
RUN_KEY = f"{PAGE}:_last_run"  # button mode: the inputs of the last segmentation


# --------------------------------------------------------------------------- classes
def classes() -> list[dict]:
    """The current classes: [{code, name, color, hex, check_hex, emoji}] for codes 1…n."""
    out = []
    for k in range(1, ps.value("n_classes") + 1):
        color = ps.value(f"color{k}")
        hexa, emoji = PALETTE[color]
        out.append({"code": k, "name": ps.value(f"name{k}").strip() or f"class {k}", "color": color,
                    "hex": hexa, "check_hex": darker(hexa), "emoji": emoji})
    return out


def hex_rgb(hexa: str) -> tuple[int, int, int]:
    """``"#rrggbb"`` → ``(r, g, b)`` in 0…255."""
    return tuple(int(hexa[i : i + 2], 16) for i in (1, 3, 5))


def darker(hexa: str, factor: float = 0.5) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(v * factor) for v in hex_rgb(hexa)))


def code_of_color(cls: list[dict]) -> dict[str, int]:
    mapping = {c["hex"]: c["code"] for c in cls}
    mapping.update({c["check_hex"]: c["code"] + CHECK_OFFSET for c in cls})
    return mapping


def color_of_code(cls: list[dict]) -> dict[int, str]:
    mapping = {c["code"]: c["hex"] for c in cls}
    mapping.update({c["code"] + CHECK_OFFSET: c["check_hex"] for c in cls})
    return mapping


def current_objects() -> list[dict]:
    state = st.session_state.get(CANVAS_KEY) or {}
    raw = ((state.get("drawing") or {}).get("raw")) or {}
    return list(raw.get("objects") or [])


def _recolor(k: int, old: str) -> None:
    """A class changed colour: repaint its strokes (training and check) in the new colour."""
    new = ps.value(f"color{k}")
    if new == old:
        return
    swap = {PALETTE[old][0]: PALETTE[new][0], darker(PALETTE[old][0]): darker(PALETTE[new][0])}
    objs = []
    for o in current_objects():
        o = dict(o)
        for field in ("stroke", "fill"):
            key = S.normalize_color(o.get(field))
            if key in swap:
                alpha = 0.3 if field == "fill" else 1.0
                o[field] = swap[key] if alpha == 1.0 else _rgba(swap[key], alpha)
        objs.append(o)
    st.session_state[FORCE_KEY] = objs


def _rgba(hexa: str, alpha: float) -> str:
    r, g, b = hex_rgb(hexa)
    return f"rgba({r}, {g}, {b}, {alpha})"


def _remove_class(k: int) -> None:
    """Remove class k: erase its strokes and shift the later classes down."""
    n = ps.value("n_classes")
    if n <= 2:
        return
    gone = {PALETTE[ps.value(f"color{k}")][0], darker(PALETTE[ps.value(f"color{k}")][0])}
    st.session_state[FORCE_KEY] = [o for o in current_objects() if S.normalize_color(o.get("stroke")) not in gone]
    names = [ps.value(f"name{j}") for j in range(1, n + 1)]
    colors = [ps.value(f"color{j}") for j in range(1, n + 1)]
    del names[k - 1], colors[k - 1]
    for j, (name, color) in enumerate(zip(names, colors), start=1):
        ps.set(f"name{j}", name)
        ps.set(f"color{j}", color)
    ps.set("n_classes", n - 1)
    if ps.value("active") >= n:
        ps.set("active", n - 1)


def _add_class() -> None:
    n = ps.value("n_classes")
    if n >= MAX_CLASSES:
        return
    used = {ps.value(f"color{j}") for j in range(1, n + 1)}
    free = [c for c in PALETTE if c not in used]
    ps.set(f"name{n + 1}", f"class {n + 1}")
    ps.set(f"color{n + 1}", free[0])
    ps.set("n_classes", n + 1)
    ps.set("active", n + 1)


def _clear() -> None:
    st.session_state[FORCE_KEY] = []


# --------------------------------------------------------------------------- seeding the canvas
def preset_objects(name: str, image_name: str, scale: float, cls: list[dict]) -> list[dict]:
    """The preset's rectangles as canvas objects (only on the photo they were drawn for)."""
    if image_name != PRESET_IMAGE or not STROKE_PRESETS[name]:
        return []
    rects = STROKE_PRESETS[name]
    h, w = working_shape
    ry, rx = h / PRESET_SHAPE[0], w / PRESET_SHAPE[1]
    scaled = [(k, (r0 * ry, c0 * rx, r1 * ry, c1 * rx)) for k, (r0, c0, r1, c1) in rects if k <= len(cls)]
    return S.rects_to_drawing(scaled, color_of_code(cls), scale)["objects"]


def seed_canvas(image_key: str, scale: float, cls: list[dict]) -> dict:
    """Decide what the canvas starts from this run; returns its ``initial_drawing``.

    The canvas is (re)seeded when a preset or a shared link changes the ``strokes`` value, when the
    image changes, or after Clear / a class removal or recolouring. Otherwise the canvas keeps what
    the person drew (its state lives in the browser and in ``st.session_state``).
    """
    state = st.session_state
    want = ps.value("strokes")
    seed = state.get(SEED_KEY)
    forced = state.pop(FORCE_KEY, None)
    objects = None
    notice = None
    if forced is not None:
        objects = forced
    elif seed is None or seed["value"] != want or seed["image"] != image_key:
        if seed is not None and seed["image"] != image_key and seed["value"] == want:
            want = ""  # the person switched images: strokes drawn on the old one do not apply
        if want in STROKE_PRESETS:
            objects = preset_objects(want, image_key, scale, cls)
            if not objects and want != "none":
                notice = "The tutorial preset's rectangles are made for the *china* photo; draw your own here."
        elif want:
            try:
                objects = S.decode_strokes(want, color_of_code(cls), 1.0)
            except ValueError as err:
                objects, notice = [], str(err)
        else:
            objects = []
    if objects is not None:
        nonce = (seed or {}).get("nonce", 0) + 1
        token = S.encode_strokes(objects, code_of_color(cls), 1.0) if objects else ""
        value = want if (forced is None and want in STROKE_PRESETS and objects) else token
        seed = {"value": value, "image": image_key, "nonce": nonce, "token": token,
                "drawing": {"objects": objects, "nonce": nonce}}
        state[SEED_KEY] = seed
        state[ps.key("strokes")] = value
        state[CANVAS_KEY] = {"drawing": {"raw": {"objects": objects}, "data": None}}
    if notice:
        st.info(notice, icon="✏️")
    return seed["drawing"]


def sync_strokes(objects: list[dict], cls: list[dict]) -> None:
    """Keep the ``strokes`` link value in step with what is on the canvas."""
    state = st.session_state
    seed = state[SEED_KEY]
    token = S.encode_strokes(objects, code_of_color(cls), 1.0) if objects else ""
    if token == seed["token"] and seed["value"] in STROKE_PRESETS:
        value = seed["value"]  # the preset, untouched: keep the link short
    elif len(token) <= TOKEN_MAX:
        value = token
    else:
        value = ""
        st.caption(f"⚠️ Your strokes ({len(token)} characters encoded) are too many to travel in the link; "
                   "the link opens with an empty canvas. Download the scribbles PNG to keep them.")
    seed["value"] = value
    state[ps.key("strokes")] = value


# --------------------------------------------------------------------------- cached stages
@cache.cache_resource(max_entries=3)
def features_of(image: np.ndarray, kind: str) -> np.ndarray:
    """Per-pixel features, computed once per image and feature kind (read-only, shared)."""
    out = pixel_features(image, kind)
    out.setflags(write=False)
    return out


@cache.cache_resource(max_entries=6)
def train_and_predict(image: np.ndarray, labels: np.ndarray, kind: str, trees: int, depth: int,
                      smoothing: float, n_classes: int, names: tuple):
    features = features_of(image, kind)
    start = time.perf_counter()
    seg = T.fit_segmenter(image, labels, features=kind, feature_array=features, n_estimators=trees,
                          max_depth=depth, smoothing=smoothing, n_classes=n_classes, class_names=list(names))
    proba = seg.predict_proba(feature_array=features)
    seconds = time.perf_counter() - start
    # derived once per model (read-only, shared): the view sliders below never recompute them
    pred = T.proba_to_labels(proba)
    unc = T.uncertainty(proba)
    region = T.most_uncertain_region(unc, labels=labels)
    for array in (proba, pred, unc):
        array.setflags(write=False)
    return seg, proba, pred, unc, region, seconds


@cache.cache_resource(max_entries=2)
def load_segmenter(data: bytes) -> T.Segmenter:
    """A ``.skops`` upload, loaded (and type-checked) once, not on every rerun."""
    return T.load_segmenter(data)


@cache.cache_data(max_entries=2)
def decode_target(data: bytes, max_side: int) -> np.ndarray:
    return fit_working_size(read_image(data), max_side)


@cache.cache_resource(max_entries=2)
def apply_segmenter(_seg: T.Segmenter, seg_key: str, _target: np.ndarray, target_key: str) -> np.ndarray:
    """Labels 1…K of another image (keyed by the segmenter's and the image's keys): once, not per rerun."""
    target_in = to_rgb(_target) if _seg.color else (to_gray(_target) * 255).astype(np.uint8)
    labels = T.proba_to_labels(_seg.predict_proba(feature_array=features_of(target_in, _seg.feature_kind)))
    labels.setflags(write=False)
    return labels


@cache.cache_data(max_entries=8)
def background_jpeg(image: np.ndarray, width: int, height: int) -> bytes:
    pil = Image.fromarray(to_rgb(image)).resize((width, height), Image.LANCZOS)
    buffer = io.BytesIO()
    pil.save(buffer, format="JPEG", quality=88)
    return buffer.getvalue()


def palette_array(cls: list[dict]) -> np.ndarray:
    out = np.zeros((len(cls) + 1, 3), np.uint8)
    for c in cls:
        out[c["code"]] = hex_rgb(c["hex"])
    return out


def render_view(rgb: np.ndarray, pred: np.ndarray, cls: list[dict], view: str, opacity: float,
                region: T.Region | None = None) -> np.ndarray:
    colours = palette_array(cls)[np.clip(pred, 0, len(cls))]
    if view == "average":
        out = average_colors(rgb, pred).astype(np.uint8)
    elif view == "labels":
        out = colours
    else:
        out = ((1 - opacity) * rgb + opacity * colours).astype(np.uint8)
    if region is not None:
        out = out.copy()
        draw_box(out, region)
    return out


def draw_box(image: np.ndarray, region: T.Region) -> None:
    """Draw the "scribble here next" box (black-and-white, so it shows on any colour)."""
    h, w = image.shape[:2]
    t = max(2, min(h, w) // 150)
    r0, c0 = region.top, region.left
    r1, c1 = min(h, r0 + region.height), min(w, c0 + region.width)
    for thick, colour in ((t + 2, (0, 0, 0)), (t, (255, 255, 255))):
        pad = (thick - t) // 2 + 0
        a0, b0 = max(0, r0 - pad), max(0, c0 - pad)
        a1, b1 = min(h, r1 + pad), min(w, c1 + pad)
        image[a0 : a0 + thick, b0:b1] = colour
        image[max(a0, a1 - thick) : a1, b0:b1] = colour
        image[a0:a1, b0 : b0 + thick] = colour
        image[a0:a1, max(b0, b1 - thick) : b1] = colour


# --------------------------------------------------------------------------- page
ps.restore()
st.title(":material/brush: Trainable segmentation")
st.caption(
    "Texture and colour tell regions apart better than colour alone. Here **you label a few pixels**: scribble a "
    "stroke or a box per class on the image. Every pixel gets a vector of **features** (Gabor texture energy, "
    "smoothed intensity, Lab colour…, computed once per image); a **random forest** learns from the scribbled "
    "pixels which features separate the classes and labels all the others — the tutorial's *trainable "
    "segmentation*, live, like ilastik's pixel classification. The forest's **uncertainty** shows where one "
    "more stroke would help most; strokes marked as **check** strokes are kept out of training to measure accuracy."
)
ps.preset_buttons(PRESETS, help=PRESET_HELP)

img = images.image_input(ps)
rgb = to_rgb(img.image)
working_shape = img.image.shape[:2]
h, w = working_shape
scale = w / CANVAS_W
canvas_h = max(1, round(h / scale))
image_key = img.digest if img.is_upload else img.name

with st.sidebar:
    st.subheader("Classifier")
    ps.select("features", "Features", help="; ".join(f"**{FEATURE_LABELS[k]}**: {v}" for k, v in FEATURE_KINDS.items()))
    ps.slider("trees", "Trees in the forest", help="More trees: smoother probabilities, slower (ilastik uses 100).")
    ps.slider("depth", "Maximum tree depth", help="Deeper trees fit finer detail and predict more slowly.")
    ps.slider("smoothing", "Smooth probabilities (σ, px)", help="Gaussian smoothing of each class's probability "
              "map before the arg-max: removes speckle. 0 = off.")
    ps.toggle("live", "Live: retrain on every stroke", help="Off = press *Segment* (for large images).")

cls = classes()
duplicates = {c["color"] for c in cls if sum(d["color"] == c["color"] for d in cls) > 1}

# ---- the canvas and its tools
row1 = st.columns([3, 2], vertical_alignment="bottom")
with row1[0]:
    if ps.value("active") > len(cls):
        ps.set("active", 1)
    st.radio("Draw class", options=list(range(1, len(cls) + 1)), key=ps.key("active"), horizontal=True,
             format_func=lambda k: f"{cls[k - 1]['emoji']} {cls[k - 1]['name']}", persist_state="session")
ps.radio("mode", "Tool", container=row1[1])
row2 = st.columns([3, 2, 1.3, 1.3], vertical_alignment="bottom")
ps.slider("brush", "Brush width (canvas px)", container=row2[0])
ps.toggle("check", "Check strokes", container=row2[1], help="New strokes are kept out of training and used to "
          "measure accuracy; they are drawn in a darker shade of their class colour.")
row2[2].button("🧹 Clear", on_click=_clear, key=f"{PAGE}:clear", width="stretch",
               help="Remove every stroke. The canvas toolbar (hover the canvas) has undo / redo.")
with row2[3].popover("Classes", width="stretch", help="Add, rename, recolour or remove classes (2–8)."):
    for c in cls:
        a, b, d = st.columns([5, 4, 2], vertical_alignment="bottom")
        ps.text(f"name{c['code']}", f"Name of class {c['code']}", container=a, label_visibility="collapsed")
        b.selectbox("Colour", options=list(PALETTE), key=ps.key(f"color{c['code']}"),
                    format_func=lambda name: f"{PALETTE[name][1]} {name}", label_visibility="collapsed",
                    on_change=_recolor, args=(c["code"], c["color"]), persist_state="session")
        d.button("✕", key=f"{PAGE}:remove{c['code']}", on_click=_remove_class, args=(c["code"],),
                 disabled=len(cls) <= 2, help=f"Remove {c['name']} and its strokes")
    st.button("➕ Add a class", on_click=_add_class, key=f"{PAGE}:add", disabled=len(cls) >= MAX_CLASSES,
              width="stretch")
    st.caption("Strokes are matched to classes by colour; recolouring a class repaints its strokes.")

active = min(ps.value("active"), len(cls))
stroke_hex = cls[active - 1]["check_hex"] if ps.value("check") else cls[active - 1]["hex"]
initial = seed_canvas(image_key, scale, cls)
with st.container():
    result = st_canvas(
        fill_color=_rgba(stroke_hex, 0.3),
        stroke_width=ps.value("brush"),
        stroke_color=stroke_hex,
        background_image=background_jpeg(img.image, CANVAS_W, canvas_h),
        update_streamlit=True,
        width=CANVAS_W,
        height=canvas_h,
        drawing_mode=ps.value("mode"),
        initial_drawing=initial,
        key=CANVAS_KEY,
        max_display_height=760,
    )
    objects = list((result.json_data or {}).get("objects") or [])
    legend = " · ".join(f"{c['emoji']} {c['name']}" for c in cls)
    st.caption(f"{w}×{h} image shown at {CANVAS_W}×{canvas_h}; strokes are rasterised at the image's resolution "
               f"(×{scale:.2f}). Classes: {legend}. Check strokes use a darker shade.")

if duplicates:
    st.error(f"Two classes share the colour {', '.join(sorted(duplicates))}: give each class its own colour "
             "(Classes: add, rename, remove).")
    st.stop()

sync_strokes(objects, cls)
try:
    code_map = code_of_color(cls)
    all_labels = S.strokes_to_labels(objects, working_shape, code_map, scale=scale)
except ValueError as err:
    st.error(str(err))
    st.stop()
train = np.where(all_labels <= CHECK_OFFSET, all_labels, 0).astype(np.int32)
check = np.where(all_labels > CHECK_OFFSET, all_labels - CHECK_OFFSET, 0).astype(np.int32)

counts = np.bincount(train.ravel(), minlength=len(cls) + 1)[1:]
names = tuple(c["name"] for c in cls)
kind = ps.value("features")
run_inputs = (image_digest(train), img.digest, kind, ps.value("trees"), ps.value("depth"),
              ps.value("smoothing"), len(cls), names)

st.subheader("Segmentation")
status_line = ", ".join(f"{c['emoji']} {c['name']}: {n:,} px" for c, n in zip(cls, counts))
st.caption(f"Scribbled pixels — {status_line}; check strokes: {int((check > 0).sum()):,} px.")
if objects and not all_labels.any():
    st.warning("None of your strokes falls inside the image (or they are in colours of removed classes); "
               "draw on the picture.", icon="✏️")
thin = [c["name"] for c, n in zip(cls, counts) if 0 < n < 10]
if thin:
    st.warning(f"{', '.join(thin)}: fewer than 10 scribbled pixels — the forest has almost nothing to learn "
               "from; draw a longer or wider stroke.", icon="✏️")

live = ps.value("live")
if not live:
    if st.button("▶️ Segment", type="primary", key=f"{PAGE}:segment"):
        st.session_state[RUN_KEY] = {"inputs": run_inputs, "train": train}
    last = st.session_state.get(RUN_KEY)
    if last is None or last["inputs"][1] != img.digest:
        st.info("Button mode: press **Segment** to train on your strokes.", icon="▶️")
        train_for_run = None
    else:
        train_for_run = last["train"]
        if last["inputs"] != run_inputs:
            st.caption("⏳ Strokes or settings changed since the last segmentation: press **Segment** to update.")
        run_inputs = last["inputs"]
else:
    train_for_run = train

seg = None
if train_for_run is not None:
    try:
        T.check_labels(train_for_run, working_shape, len(cls))
    except ValueError as err:
        st.info(f"To segment: {err}.", icon="✏️")
    else:
        with st.status("Segmenting…", expanded=False) as status:
            start = time.perf_counter()
            status.update(label=f"Computing features ({FEATURE_LABELS[run_inputs[2]]}; cached per image)…")
            try:
                features_of(img.image, run_inputs[2])
                status.update(label="Training the forest and predicting every pixel…")
                seg, proba, pred, unc, region, fit_seconds = train_and_predict(img.image, train_for_run, *run_inputs[2:7], run_inputs[7])
            except ValueError as err:
                status.update(label="Could not segment", state="error")
                st.error(str(err))
            else:
                total = time.perf_counter() - start
                how = (f"forest trained and applied in {fit_seconds:.2f} s" if fit_seconds <= total + 0.05
                       else f"reused the cached forest, which took {fit_seconds:.2f} s")
                status.update(label=f"Segmented {w}×{h} px in {total:.2f} s ({how}; features cached per image)",
                              state="complete")

if seg is not None:
    tab_seg, tab_proba, tab_unc, tab_check, tab_apply = st.tabs(
        ["Segmentation", "Probabilities", "Uncertainty", "Check strokes", "Apply to another image"])
    with tab_seg:
        a, b, c = st.columns([2, 2, 1])
        ps.radio("view", "Show", container=a)
        ps.slider("opacity", "Overlay opacity", container=b, disabled=ps.value("view") != "overlay")
        ps.toggle("hint", "“Scribble here next” box", container=c)
        shown = render_view(rgb, pred, cls, ps.value("view"), ps.value("opacity"),
                            region if ps.value("hint") else None)
        st.image(shown, caption="Segmentation overlay: every pixel in the colour of the class the forest gives it"
                 + (" (white box: the most uncertain region — scribble there next)" if ps.value("hint") else "")
                 + ".", width="stretch")
        frac = np.bincount(pred.ravel(), minlength=len(cls) + 1)[1:] / pred.size
        st.caption("Area: " + " · ".join(f"{c['emoji']} {c['name']} {f:.0%}" for c, f in zip(cls, frac)))
        d1, d2, d3, d4 = st.columns(4)
        share.download_png("Labels (PNG)", pred.astype(np.uint8), "segmentation_labels.png",
                           key=f"{PAGE}:dl_labels", container=d1)
        share.download_npy("Probabilities (.npy)", proba, "segmentation_probabilities.npy",
                           key=f"{PAGE}:dl_proba", container=d2)
        share.download_png("Scribbles (label PNG)", train.astype(np.uint8), "scribbles.png",
                           key=f"{PAGE}:dl_scribbles", container=d3)
        share.download_bytes("Segmenter (.skops)", lambda: T.save_segmenter(seg), "segmenter.skops",
                             "application/octet-stream", key=f"{PAGE}:dl_model", container=d4)
        st.caption("Label PNGs hold class numbers 1…K (scribbles: 0 = unlabelled); the probabilities are an "
                   "(H, W, K) float32 array; the segmenter is a `skops` file that this page (or "
                   "`core.trainable.load_segmenter`) loads back with a trusted-type check — never pickle.")
    with tab_proba:
        st.caption("Each class's probability (white = certainly this class), after smoothing. Where two maps are "
                   "both grey the forest hesitates between those classes.")
        cols = st.columns(min(4, len(cls)))
        for i, c in enumerate(cls):
            cols[i % len(cols)].image(proba[..., i], clamp=True, caption=f"{c['emoji']} P({c['name']})",
                                      width="stretch")
    with tab_unc:
        import plotly.express as px

        step = max(1, max(h, w) // 400)
        fig = px.imshow(unc[::step, ::step], color_continuous_scale="Magma", zmin=0, zmax=1,
                        labels={"color": "uncertainty"}, x=np.arange(0, w, step), y=np.arange(0, h, step))
        fig.add_shape(type="rect", x0=region.left, y0=region.top, x1=region.left + region.width,
                      y1=region.top + region.height, line=dict(color="cyan", width=3))
        fig.update_layout(margin=dict(l=0, r=0, t=30, b=0), height=420,
                          title=f"1 − (p₁ − p₂): mean {unc.mean():.2f}; box = scribble here next "
                          f"(mean {region.score:.2f})")
        st.plotly_chart(fig, key=f"{PAGE}:unc_chart")
        st.caption("Uncertainty is 1 minus the margin between the two most probable classes (ilastik's measure): "
                   "bright where the forest cannot decide. New strokes there teach it the most; the box marks the "
                   f"most uncertain {region.width}×{region.height} px window away from your strokes.")
    with tab_check:
        if check.any():
            score = T.heldout_accuracy(pred, check, list(names))
            st.metric("Accuracy on check strokes", f"{score.accuracy:.1%}", help=f"{score.n_pixels:,} pixels")
            st.dataframe(score.per_class, hide_index=True,
                         column_config={"accuracy": st.column_config.ProgressColumn(min_value=0, max_value=1,
                                                                                    format="percent")})
            share.download_csv("Check accuracy (CSV)", score.per_class, "check_accuracy.csv",
                               key=f"{PAGE}:dl_check")
            st.caption("Check strokes never train the forest, so this is an honest estimate of how well the "
                       "segmentation matches what you mean — draw them where mistakes would matter.")
        else:
            st.info("No check strokes yet: switch on **Check strokes (held out)** and draw a few strokes in the "
                    "right class; the accuracy on them appears here.", icon="🎯")
    with tab_apply:
        st.caption("Use a trained segmenter on another image: the one trained here, or a `.skops` file saved "
                   "from this page. Its features are recomputed on the new image.")
        a, b = st.columns(2)
        source = a.radio("Segmenter", ["trained here", "load a .skops file"], key=f"{PAGE}:apply_source",
                         horizontal=True)
        use, use_key = seg, repr(run_inputs)
        if source == "load a .skops file":
            file = a.file_uploader("Segmenter file (.skops)", type=["skops"], key=f"{PAGE}:model_upload")
            use = None
            if file is not None:
                data = file.getvalue()
                use_key = hashlib.blake2b(data, digest_size=16).hexdigest()
                try:
                    use = load_segmenter(data)
                except ValueError as err:
                    a.error(str(err), icon="🚫")
                else:
                    a.success(f"Loaded: {use.n_classes} classes ({', '.join(use.class_names)}), "
                              f"features “{use.feature_kind}”.")
        others = [s for s in SAMPLES if s != img.name]
        target_name = b.selectbox("Apply to", others + ["upload an image"], key=f"{PAGE}:apply_to")
        target = None
        if target_name == "upload an image":
            up = b.file_uploader("Image", type=["png", "jpg", "jpeg", "tif", "tiff", "bmp", "webp"],
                                 key=f"{PAGE}:apply_upload")
            if up is not None:
                try:
                    target = decode_target(up.getvalue(), images.working_size())
                except ValueError as err:
                    b.error(str(err), icon="🚫")
                else:
                    target_key = image_digest(target)
        else:
            target, target_key = images.sample_at(target_name, images.working_size())
        if use is not None and target is not None:
            try:
                with st.spinner("Computing features of the other image and predicting…"):
                    other_pred = apply_segmenter(use, use_key, target, target_key)
            except ValueError as err:
                st.error(str(err))
            else:
                k_use = min(use.n_classes, len(cls))
                if use.n_classes > len(cls):
                    st.caption("The loaded segmenter has more classes than this page: extra classes are shown black.")
                pal = palette_array(cls[:k_use])
                colours = np.zeros((use.n_classes + 1, 3), np.uint8)
                colours[: len(pal)] = pal
                shown = (0.5 * to_rgb(target) + 0.5 * colours[other_pred]).astype(np.uint8)
                st.image(shown, caption=f"{target_name}: segmented with the {source} segmenter "
                         f"({', '.join(use.class_names)}).", width="stretch")
                share.download_png("Labels of this image (PNG)", other_pred.astype(np.uint8),
                                   "applied_labels.png", key=f"{PAGE}:dl_applied")

# ---- share and reproduce
values = ps.values()
code = None
try:
    scribbles = [
        {"class": p.code if p.code <= CHECK_OFFSET else p.code - CHECK_OFFSET, "check": p.code > CHECK_OFFSET,
         "kind": p.kind, "width": round(p.width, 2), "points": np.round(p.points, 1).tolist()}
        for p in S.objects_to_primitives(objects, code_of_color(cls), scale)
    ]
    code = recipe.script({**values, "scale": scale, "shape": list(working_shape),
                          "class_colors": [c["hex"] for c in cls], "scribbles": scribbles})
except Exception as err:  # noqa: BLE001 - the recipe must never break the page
    st.caption(f"(The Python recipe is unavailable for these settings: {err})")
note = "Your strokes travel in the link (compressed)." if values["strokes"] else None
share.footer(ps, code=code, filename="trainable_segmentation.py", note=note)
