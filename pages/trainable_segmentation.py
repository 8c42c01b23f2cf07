"""Trainable segmentation: scribble a few strokes per class; a classifier on per-pixel features labels the rest."""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from core import reproduce
from core import trainable as T
from core.canvas import decode_primitives, encode_primitives
from core.images import image_digest, to_rgb
from core.trainable.classifiers import CLASSIFIER_NAMES
from core.trainable.features import FAMILIES
from core.trainable.schema import PALETTE, PRESETS, SCHEMA, fit_kwargs
from ui import display, images, share
from ui import params as P
from ui import trainable_view as V
from ui.scribble_state import ClassInfo, Stroke, darker

PAGE = "trainable_segmentation"
TUTORIAL_AGREEMENT = ("99.7 % of the pixels agree with the tutorial's code at 384 px (100 % at 160 px), trained on 20 000 "
                      "of the rectangles' pixels ('Training pixels at most' = 0: all, as the tutorial; minutes)")
PRESET_LABELS = {"tutorial": "Tutorial", "tutorial_corrected": "Tutorial, corrected", "improved": "Improved", "blank": "Blank canvas"}
PRESET_HELP = {
    "Tutorial": "The tutorial's cell as written: its beach photo and mask rectangles, its Gabor bank "
                "(1/8 … 2 cycles/px) and RandomForestClassifier(). " + TUTORIAL_AGREEMENT + ".",
    "Tutorial, corrected": "The same, with the Gabor frequencies below the aliasing limit (1/32 … 1/2).",
    "Improved": "The app's default: texture, edges, intensity, colour and a colour palette (texture histograms on "
                "gray images); balanced extra trees; then the strokes spread through regions (a random walker).",
    "Blank canvas": "Two empty classes on the current image; scribble a stroke in each.",
}
CANVAS_WIDTHS = [420, 480, 560, 640, 720, 880, 1040]
FAMILY_LABELS = {"gabor": "Gabor (the tutorial's)", "texture": "Texture energy", "edges": "Edges", "intensity":
                 "Intensity", "color": "Colour", "palette": "Colour palette", "lbp": "Texture histograms (LBP)"}

ps = P.ParamSet(SCHEMA)
if not st.query_params and f"{PAGE}:_opened" not in st.session_state:  # a first visit opens on the tutorial
    st.session_state.update({ps.key(k): v for k, v in PRESETS["tutorial"].items()})
st.session_state[f"{PAGE}:_opened"] = True
ps.restore()
st.title(":material/brush: Trainable segmentation")
st.caption("You label a few pixels — a stroke or a box per class — and a classifier learns from per-pixel "
           "**features** (Gabor texture, brightness, colour…) which features separate the classes, then labels "
           "every other pixel: the tutorial's *trainable segmentation*, live, like ilastik's pixel classification.")
ps.preset_buttons({PRESET_LABELS[k]: v for k, v in PRESETS.items()}, help=PRESET_HELP)

img = images.image_input(ps)
rgb = to_rgb(img.image)
shape = img.image.shape[:2]
h, w = shape
key = f"upload:{img.digest}" if img.is_upload else img.name
state = V.scribble_state()
values = ps.values()

with st.sidebar:
    st.subheader("Features")
    for fam in FAMILIES:
        ps.checkbox(fam, FAMILY_LABELS[fam], help=SCHEMA.fields[fam].help)
    ps.radio("frequencies", "Gabor frequencies (tutorial's: 1/8 … 2; corrected: 1/32 … 1/2)",
             disabled=not values["gabor"], help=SCHEMA.fields["frequencies"].help)
    st.caption("Above 0.5 cycles/px a sampled wave looks like a slower one (aliasing, see the Gabor page): the "
               "tutorial's 1 and 2 cycles/px filters repeat lower ones; *corrected* uses five distinct octaves.")
    ps.slider("sigma_max", "Largest smoothing scale (px)",
              disabled=not any(values[f] for f in ("intensity", "color", "palette", "lbp")))
    st.subheader("Classifier")
    ps.radio("classifier", "Classifier", horizontal=False)
    ps.slider("trees", "Trees")
    ps.slider("depth", "Maximum depth (0 = unlimited)")
    ps.toggle("balance", "Balance the classes")
    ps.slider("smoothing", "Smooth probabilities (σ, px)")
    ps.number("max_pixels", "Training pixels at most (0 = all)")
    ps.toggle("live", "Live: retrain after every stroke", help="Off: the result stays frozen until *Segment*.")
    canvas_w = st.select_slider("Canvas width (px)", CANVAS_WIDTHS, value=560, key=f"{PAGE}:canvas_w",
                                help="560 fits a 1024×768 screen with the sidebar open.")

values = ps.values()
classes = [ClassInfo(k, values[f"name{k}"].strip() or f"class {k}", PALETTE[values[f"color{k}"]])
           for k in range(1, values["n_classes"] + 1)]
colours = [c.colour for c in classes]
duplicate = len(set(colours)) < len(colours)
scale = w / canvas_w
canvas_h = max(1, round(h / scale))


# ---- a preset or a link set the strokes: load them into this image's entry
want = values["strokes"]
if want != state.token:
    strokes, preset = [], None
    if want == "tutorial" and img.name == "bells_beach":
        strokes, preset = V.tutorial_strokes(shape, classes), "tutorial"
    elif want == "tutorial":
        st.info("The tutorial's rectangles belong to its beach photo (*bells_beach*); draw your own here.",
                icon=":material/draw:")
    st.session_state[f"{PAGE}:_link_notice"] = None
    if want not in ("none", "tutorial"):
        try:
            strokes = [Stroke(p.code, False, p) for p in decode_primitives(want, shape) if p.code <= len(classes)]
        except ValueError as err:  # kept until the next link or preset: a first visit may run twice
            strokes, st.session_state[f"{PAGE}:_link_notice"] = [], P.escape_md(f"Strokes not loaded: {err}", 240)
    state.set_strokes(key, img.name, shape, strokes, img.image if img.is_upload else None)
    state.images[key].preset = preset
    state.token = want
    state.reseed()
if st.session_state.get(f"{PAGE}:_link_notice"):
    st.warning(st.session_state[f"{PAGE}:_link_notice"], icon=":material/link_off:")


# ---- the canvas and its tools
t1, t2 = st.columns([3, 2], vertical_alignment="bottom")
st.session_state[ps.key("active")] = values["active"] if values["active"] <= len(classes) else 1
t1.radio("Draw class", options=[c.id for c in classes], key=ps.key("active"), horizontal=True,
         format_func=lambda k: classes[k - 1].name)
t2.segmented_control("Tool", ["freedraw", "line", "rect"], key=ps.key("mode"), persist_state="session",
                     format_func={"freedraw": "Freehand", "line": "Line", "rect": "Box"}.get)
b0, b1 = st.columns([3, 2], vertical_alignment="bottom")
ps.slider("brush", "Brush (canvas px)", container=b0)
ps.toggle("check", "Check strokes", container=b1, help="Held out of training and scored; drawn darker.")
b2, b3, b4 = st.columns(3, vertical_alignment="bottom")
if b2.button("Clear", icon=":material/ink_eraser:", key=f"{PAGE}:clear", width="stretch",
             help="Remove every stroke on this image (Undo clear brings them back)."):
    state.clear(key, img.name, shape)
b3.button("Undo clear", icon=":material/undo:", key=f"{PAGE}:undo_clear", width="stretch", disabled=not state.undo,
          on_click=state.undo_clear)
with b4.popover("Classes", icon=":material/palette:", width="stretch"):
    V.classes_editor(ps, state, classes)
if duplicate:
    st.error("Two classes share a colour: give each class its own colour to draw (Classes). Your strokes are kept.",
             icon=":material/palette:")
active = classes[min(values["active"], len(classes)) - 1]
pen = darker(active.colour) if values["check"] else active.colour
st.markdown(V.swatches(classes), unsafe_allow_html=True)
nonce, initial = state.canvas_seed(key, shape, classes, scale)
result = st_canvas(fill_color=pen + "4d", stroke_width=values["brush"], stroke_color=pen,
                   background_image=display.encoded(rgb, canvas_w), width=canvas_w, height=canvas_h,
                   drawing_mode=values["mode"], initial_drawing=initial, key=f"{PAGE}:canvas:{nonce}",
                   disabled=duplicate, max_display_height=720)
if not duplicate:
    event = state.read_canvas(key, img.name, shape, (result.json_data or {}).get("objects") or [], classes, scale,
                              img.image if img.is_upload else None)
    if event == "bin":
        st.rerun()
st.caption(f"{w}×{h} image shown {canvas_w} px wide; strokes are rasterised at the image's resolution. Canvas "
           "toolbar: undo / redo, edit, bin (once you have drawn, it clears every stroke, preset boxes too). "
           "**Clear** always removes everything; **Undo clear** brings it back.")

entry = state.images.get(key)
marks = [s.mark for s in state.strokes(key, shape) if not s.check]
token = (entry.preset if entry and entry.preset else encode_primitives(marks) if marks else "none")
if len(token) > SCHEMA.fields["strokes"].max_length:
    st.caption("These strokes are too many for a link; the link opens with an empty canvas.")
    token = "none"
state.token = token
st.session_state[ps.key("strokes")] = token

# ---- what to train on
try:
    train, check = state.labels(key, shape)
except ValueError as err:  # strokes too costly to draw at this size: say so, train on none
    st.warning(f"{P.escape_md(err, 200)} (**Clear** removes them.)", icon=":material/brush:")
    train = check = np.zeros(shape[:2], np.int32)
others = [k for k in state.scribbled() if k != key]
use_all = st.toggle(f"Train one model on every scribbled image ({len(others) + 1})", value=True, key=f"{PAGE}:all",
                    disabled=not others, help="Scribble on another image (pick it in the sidebar): each image keeps "
                    "its strokes, and one model learns from all of them.")
keys = [key] + (others if use_all else [])
train_images = [rgb] + [V.entry_image(state, k) for k in keys[1:]]
train_labels = [train] + [state.labels(k, im.shape[:2])[0] for k, im in zip(keys[1:], train_images[1:])]
kwargs = fit_kwargs(values)
inputs = V.RunInputs(tuple(keys), tuple(image_digest(lab) for lab in train_labels), V.kwargs_json(kwargs))
st.subheader("Segmentation")
clf_name = CLASSIFIER_NAMES[values["classifier"]]
st.caption(f"Classifier: **{clf_name}**, {values['trees']} trees, depth {values['depth'] or 'unlimited'}. "
           f"Features: {', '.join(f for f in FAMILIES if values[f])} "
           f"({kwargs['features'].n_features(3 if rgb.ndim == 3 else 1)} per pixel).")

run_key = f"{PAGE}:_last_run"
last = st.session_state.get(run_key)
current = inputs
if not values["live"]:
    if st.button("Segment", icon=":material/play_arrow:", type="primary", key=f"{PAGE}:segment"):
        last = None
    elif last is not None and last["inputs"].images[0] == key:  # frozen: the last result, as it was
        inputs, train_images, train_labels = last["inputs"], last["images"], last["labels"]
stale = inputs != current
slot, seg = st.empty(), None
if last is not None and last.get("shown") is not None:
    display.show(last["shown"], container=slot, caption="(the last result, while the new one computes)")
try:
    layout = T.layout_of(train_images)  # colour if any image is: every image's features in that layout
    # the last run trained on these very inputs: its model and prediction are cached, no features are needed (the
    # shared feature cache may have dropped them for another image's: two 1 MP photos do not fit it together)
    needed = () if last is not None and last["inputs"] == inputs else zip(train_images, keys)
    for image_, k in needed:
        if not V.features_ready(image_, kwargs["features"], layout):
            est = V.estimate_seconds(image_, kwargs["features"])
            bar = st.progress(0.0, text=f"Computing the features of {k} ({image_.shape[1]}×{image_.shape[0]}): "
                              f"about {est:.0f} s on this server (once per image).")
            V.features_of(image_, V.spec_json(kwargs["features"]), layout)
            bar.empty()
    n_px = int(sum((lab > 0).sum() for lab in train_labels))
    n_fit = min(n_px, values["max_pixels"] or n_px)
    if n_fit > 100_000 and not values["depth"]:
        st.caption(f":material/hourglass_top: The tutorial's forest grows {values['trees']} unlimited trees on "
                   f"{n_fit:,} pixels: minutes on a small server. *Training pixels at most* = 20 000 refits in ~1 s.")
    with st.spinner(f"Training the {values['classifier']} classifier on {n_fit:,} scribbled pixels, then "
                    f"predicting {h * w:,} pixels…"):
        seg = V.fit(inputs, train_images, train_labels, classes)
        proba, pred, unc = V.predict(inputs, seg, train_images[0])
except ValueError as err:
    slot.info(f"To segment: {P.escape_md(err, 300)}", icon=":material/draw:")
if seg is not None:
    pred = np.where(train_labels[0] > 0, train_labels[0], pred)  # scribbled pixels keep their class (the tutorial's)
    hints = state.images[key].hints if key in state.images else []
    if last is not None and last["inputs"] != inputs and last.get("region") is not None:
        hints.append(last["region"])  # new strokes since that hint: never suggest the same window twice
    region = T.suggest_region(proba, labels=train_labels[0], exclude=hints[-3:])  # tuned on benchmarks.loop
    st.session_state[run_key] = last = {"inputs": inputs, "images": train_images, "labels": train_labels,
                                        "region": region, "pred": pred, "seg": seg}


@st.fragment
def result_view() -> None:
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    c1.segmented_control("Show", ["overlay", "average", "labels"], key=ps.key("view"), persist_state="session",
                         format_func={"overlay": "Overlay", "average": "Average colour", "labels": "Class colours"}.get)
    ps.slider("opacity", "Overlay opacity", container=c2, disabled=ps.value("view") != "overlay")
    ps.toggle("hint", "Show where to scribble next (the most uncertain window)")
    shown = V.render(train_images[0], pred, classes, ps.value("view"), ps.value("opacity"),
                     region if ps.value("hint") else None)
    last["shown"] = shown
    display.show(shown, container=slot, caption="Every pixel in its class's colour" + (
        "; the white box is the most uncertain window — one stroke there teaches the model most." if ps.value("hint")
        else "."))
    frac = np.bincount(pred.ravel(), minlength=len(classes) + 1)[1: len(classes) + 1] / pred.size
    st.markdown(V.swatches(classes, [f"{f:.0%}" for f in frac]), unsafe_allow_html=True)


if seg is not None:
    if stale:
        st.caption("Frozen: strokes or settings changed since this result. Press **Segment** to update.")
    result_view()
    st.caption(f"Trained on {seg.n_images} image(s), {len(seg.y_train):,} scribbled pixels. With the Tutorial preset: "
               f"{TUTORIAL_AGREEMENT}.")
    tab_imp, tab_check, tab_apply, tab_files = st.tabs(["Which features matter", "Check strokes", "Apply to an image",
                                                        "Model file"], key=f"{PAGE}:tabs", on_change="rerun")
    if tab_imp.open:  # permutation importance (classifiers without impurity importance) re-predicts
        with tab_imp:
            method = "impurity" if values["classifier"] in ("forest", "improved") else "permutation"
            try:
                imp = T.feature_importance(seg, method=method)
                st.bar_chart(imp, x="family", y="importance", horizontal=True, height=220)
                st.caption("The forest's impurity importance (mean decrease in impurity, summed per feature family; "
                           "computed while training): which kind of feature the trees split on most.")
            except ValueError as err:
                st.info(P.escape_md(err, 200))
    with tab_check:
        if check.any():
            score = T.heldout_accuracy(pred, check, [c.name for c in classes])
            st.metric("Accuracy on check strokes", f"{score.accuracy:.1%}", help=f"{score.n_pixels:,} pixels")
            st.dataframe(score.per_class, hide_index=True)
        else:
            st.info("Switch on **Check strokes** and draw a few strokes in the right class: they never train the "
                    "model and are scored here.", icon=":material/target:")
    if tab_apply.open:  # applying the model to another image is not cheap: only while its tab is open
        with tab_apply:
            V.apply_tab(seg, inputs, classes, current=img.name, page=PAGE)
    with tab_files:
        d1, d2, d3 = st.columns(3)
        share.download_png("Labels (PNG)", pred.astype(np.uint8), "segmentation_labels.png", key=f"{PAGE}:dl_labels",
                           container=d1)
        share.download_png("Scribbles (PNG)", train.astype(np.uint8), "scribbles.png", key=f"{PAGE}:dl_scribbles",
                           container=d2)
        share.download_bytes("Model file (.zip)", lambda: T.save_segmenter(seg), "segmenter.zip", "application/zip",
                             key=f"{PAGE}:dl_model", container=d3)
        st.caption("The model file holds the features of the scribbled pixels, the classes and the settings — no "
                   "code: loading it retrains the classifier (about a second). A file of another feature version is "
                   "refused with what to do.")

script_values = V.script_values(values, classes, state.strokes(key, shape), entry, shape)
code = reproduce.fill(PAGE, script_values, image=reproduce.image_lines(
    "upload" if img.is_upload else img.name, shape=img.original_shape, working_size=images.working_size()))
share.footer(ps, code=code, filename=f"{PAGE}.py", agreement=reproduce.agreement(PAGE),
             note="Strokes on other images do not travel in the link.")
