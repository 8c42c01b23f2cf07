"""Digits (SVC): a sample is a whole 8×8 image; train an SVC, study its mistakes, draw your own digit."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from core import digits as D
from core import reproduce
from ui import cache, display, share
from ui import params as P

PAGE = "digits"
ps = P.ParamSet(D.SCHEMA)
ps.restore()
DRAWN = f"{PAGE}:drawn"  # session key: the last drawn digit's 64 values (for the script)


@cache.cache_resource(max_entries=6)
def train(gamma: float, C: float, test_size: float, seed: int):
    start = time.perf_counter()
    result = D.train_digits(gamma, C, test_size=test_size, random_state=seed)
    return result, time.perf_counter() - start, time.time()


@cache.cache_data(max_entries=6)
def check(gamma: float, C: float) -> pd.DataFrame:
    return D.tutorial_check(gamma, C)


def big(values: np.ndarray, scale: int = 8) -> np.ndarray:
    """8×8 values 0…16 as a crisp uint8 image, white ink on black like the tutorial's gray colormap."""
    small = np.clip(np.round(np.asarray(values, dtype=np.float64).reshape(8, 8) * 255 / 16), 0, 255).astype(np.uint8)
    return np.pad(np.kron(small, np.ones((scale, scale), dtype=np.uint8)), scale // 2)


def strip(images: list) -> np.ndarray:
    return np.hstack([big(im) for im in images])


def script(values: dict, digit) -> str:
    return reproduce.fill(PAGE, {**values, "digit": None if digit is None else [int(v) for v in digit]})


st.title(":material/pin: Digits (SVC)")
st.caption(
    "The tutorial's first example: here a **sample is a whole image**. Each of the 1797 handwritten digits is an "
    "8×8 image whose 64 pixel values (0…16) are its **features**; a support vector classifier (`SVC` with an RBF "
    "kernel) learns from labelled digits where the boundaries between the ten classes lie, then predicts digits it "
    "has never seen. Draw your own digit at the bottom and see what the model makes of it."
)
ps.preset_buttons(D.PRESETS, help=D.PRESET_HELP)
digits = D.load_digits()

# ------------------------------------------------------------------ the dataset
st.subheader("1 · The dataset")
st.caption(
    f"`datasets.load_digits()`: `digits.data` has shape **{digits.data.shape}** — {digits.data.shape[0]} samples × "
    f"{digits.data.shape[1]} features — and `digits.images` **{digits.images.shape}**: the same values as 8×8 images "
    "(`digits.data[0].reshape((8, 8)) == digits.images[0]`). Each value counts the inked pixels in a 4×4 block of "
    "a 32×32 bitmap, so it lies in 0…16. `digits.target` holds the true digit."
)
for row in range(2):
    part = slice(10 * row, 10 * row + 10)
    display.show(strip(list(digits.images[part])),
                 caption=f"digits.images[{part.start}:{part.stop}] — targets {' '.join(map(str, digits.target[part]))}")

# ------------------------------------------------------------------ the classifier
st.subheader("2 · Train an SVC and test it on held-out digits")
controls = st.columns(4)
gamma = ps.log_slider("gamma", "gamma", container=controls[0], help=D.SCHEMA.fields["gamma"].help)
C = ps.log_slider("C", "C (penalty)", container=controls[1], help=D.SCHEMA.fields["C"].help)
test_size = ps.slider("test_size", "Held-out fraction", container=controls[2], help=D.SCHEMA.fields["test_size"].help)
seed = ps.slider("seed", "Split seed", container=controls[3], help=D.SCHEMA.fields["seed"].help)
values = ps.values()

result = None
try:
    asked = time.time()
    with st.spinner("Training the SVC…"):
        result, seconds, computed_at = train(float(gamma), float(C), float(test_size), int(seed))
except ValueError as err:
    st.error(str(err), icon=":material/error:")

if result is not None:
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Held-out accuracy", f"{result.accuracy:.2%}")
    m2.metric("Held-out digits", f"{result.y_test.size}",
              help=f"Kept aside for the test; the SVC is trained on the other {result.n_train} of 1797.")
    m3.metric("Support vectors", f"{int(result.model.n_support_.sum())}",
              help="Training digits that define the boundaries. Nearly all of them: the model memorised the set.")
    if computed_at >= asked:
        m4.metric("Training time", f"{seconds * 1000:.0f} ms", help="Fit + held-out predictions, just now.")
    else:
        m4.metric("Training time", "cached", delta=f"trained in {seconds * 1000:.0f} ms", delta_color="off",
                  help="This model was already trained (by you or another session).")
    errors = result.errors()
    left, right = st.columns([1, 1.2])
    with left:
        st.markdown("**Confusion matrix** of the held-out digits")
        fig = px.imshow(result.confusion, text_auto=True, color_continuous_scale="Blues",
                        labels={"x": "predicted", "y": "true", "color": "digits"},
                        x=[str(i) for i in range(10)], y=[str(i) for i in range(10)])
        fig.update_layout(height=380, margin={"l": 10, "r": 10, "t": 10, "b": 10}, coloraxis_showscale=False)
        fig.update_xaxes(dtick=1, side="bottom")
        fig.update_yaxes(dtick=1)
        st.plotly_chart(fig, width="stretch", key=f"{PAGE}:confusion")
        st.caption("Row: the true digit; column: the prediction. Every number off the diagonal is a mistake.")
    with right:
        st.markdown(f"**Misclassified held-out digits: {len(errors)}** of {result.y_test.size}")
        shown = errors.head(24)
        if len(shown):
            for start in range(0, len(shown), 8):
                part = shown.iloc[start:start + 8]
                display.show(strip([digits.images[i] for i in part["index"]]), width=64 * len(part),
                             caption="true → predicted: " + "  ".join(f"{t}→{p}" for t, p in
                                                                      zip(part["true"], part["predicted"], strict=True)))
            st.caption("Many are ambiguous even to a person."
                       + (f" Showing the first 24 of {len(errors)}." if len(errors) > 24 else ""))
        else:
            st.success("Every held-out digit is predicted right.")
        share.download_csv("Download the mistakes (CSV)", errors, "digits_mistakes.csv", key=f"{PAGE}:dl_errors")

    with st.expander("The tutorial's own check: train on all but the last 10 digits, predict the last 2"):
        table = check(float(gamma), float(C))
        display.show(strip([digits.images[i] for i in table["index"]]), width=160,
                     caption=f"digits.images[-2:]: predicted {table['predicted'].tolist()}")
        st.code(f"clf = svm.SVC(gamma={gamma:g}, C={C:g})\nclf.fit(digits.data[:-10], digits.target[:-10])\n"
                f"clf.predict(digits.data[-2:])  # → {table['predicted'].tolist()} (true {table['true'].tolist()})",
                language="python")

# ------------------------------------------------------------------ draw a digit
st.subheader("3 · Draw a digit")
st.caption(
    "Draw one digit, large, in the box. Your strokes are read from the canvas's JSON (the same adapter as the "
    "trainable-segmentation page), cropped to their bounding box and fitted the way the dataset's digits were: "
    "the full height of a 32×32 bitmap, at most 20 pixels wide and centred (no digit of the dataset touches the "
    "outer columns), the pen brought to the dataset's stroke width; then each 4×4 block's inked pixels are "
    "counted — the 8×8 values 0…16 the model reads."
)


@st.fragment
def draw(result) -> None:
    from streamlit_drawable_canvas import st_canvas

    c_canvas, c_right = st.columns([1.12, 1])  # ≥ 290 px for the 280-px canvas at 1024×768
    with c_canvas:
        st.markdown("&nbsp;")  # room for the canvas toolbar, which floats above the canvas
        canvas = st_canvas(stroke_width=22, stroke_color=D.INK, background_color="#ffffff",
                           height=D.CANVAS_SIZE, width=D.CANVAS_SIZE, drawing_mode="freedraw",
                           update_streamlit=True, key=f"{PAGE}:canvas")
        st.caption("Undo or reset with the canvas toolbar to start again.")
    objects = [o for o in ((canvas.json_data or {}).get("objects") or []) if str(o.get("type", "")).lower() == "path"]
    if not objects:
        st.session_state[DRAWN] = None
        c_right.info("The canvas is empty: draw a digit (0–9) to see the prediction.", icon=":material/edit:")
        return
    try:
        bitmap = D.drawing_to_bitmap(D.rasterize_strokes(canvas.json_data, (D.CANVAS_SIZE, D.CANVAS_SIZE)))
    except ValueError as err:
        c_right.error(str(err), icon=":material/error:")
        return
    digit = D.bitmap_to_digit(bitmap)
    st.session_state[DRAWN] = [int(v) for v in digit]
    with c_right:
        seen = np.full((144, 304), 255, dtype=np.uint8)
        seen[:, :144] = np.pad(np.kron(bitmap.astype(np.uint8) * 255, np.ones((4, 4), np.uint8)), 8)
        seen[:, 160:] = big(digit, 16)
        display.show(seen, caption="What the model sees: your digit as a 32×32 bitmap (left), then its 8×8 "
                                   "block counts, 0…16 (right).")
        if result is None:
            return
        scores = D.digit_scores(result.model, digit)
        top, runner = scores.iloc[0], scores.iloc[1]
        v1, v2 = st.columns(2)
        v1.metric("Prediction", str(top["digit"]), delta=f"runner-up: {runner['digit']}", delta_color="off")
        v2.metric("Margin", f"{top['score'] - runner['score']:.3f}",
                  help="Score of the prediction minus the runner-up's: small = a close call.")
        by_digit = scores.sort_values("digit")
        bar = go.Figure(go.Bar(x=by_digit["digit"].astype(str), y=by_digit["score"],
                               marker_color=["#d62728" if p else "#7f8c9d" for p in by_digit["predicted"]]))
        bar.update_layout(height=190, margin={"l": 10, "r": 10, "t": 10, "b": 10}, xaxis_title="digit",
                          yaxis_title="decision score", xaxis={"dtick": 1})
        st.plotly_chart(bar, width="stretch", key=f"{PAGE}:scores")
        st.caption("Scores are the SVC's **decision function** (one-vs-rest shape): one-vs-one duels won plus a "
                   "confidence term in (−⅓, ⅓) — not probabilities. The prediction is the highest score, in red.")
        d1, d2 = st.columns(2)
        share.download_csv("The 8×8 values (CSV)", pd.DataFrame(digit.reshape(8, 8).astype(int)), "my_digit.csv",
                           container=d1, key=f"{PAGE}:dl_digit")
        share.download_bytes("The script with your digit (.py)", script(values, digit).encode(), "digits_svc.py",
                             "text/x-python", container=d2, key=f"{PAGE}:dl_script_digit")


draw(result)
drawn = st.session_state.get(DRAWN)
note = "Your drawing does not travel in the link (its 8×8 values are in the Python script)." if drawn else None
share.footer(ps, code=script(values, drawn), filename="digits_svc.py", note=note, agreement=reproduce.agreement(PAGE))
