"""Digits (SVC): a sample is a whole 8×8 image; train an SVC, study its mistakes, draw your own digit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from core import digits as D
from core.recipes import digits as recipe
from ui import cache, share
from ui import params as P

ps = P.ParamSet(
    "digits",
    [
        P.LogFloat("gamma", 0.001, 1e-4, 1e-1),
        P.LogFloat("C", 100.0, 0.1, 1000.0),
        P.Float("test_size", 0.25, 0.1, 0.5, step=0.05),
        P.Int("seed", 0, 0, 99),
    ],
)
ps.restore()

st.title("Digits (SVC)")
st.caption(
    "The tutorial's first example: here a **sample is a whole image**. Each of the 1797 handwritten digits is an "
    "8×8 image whose 64 pixel values (0…16) are its **features**; a support vector classifier (`SVC` with an RBF "
    "kernel) learns from labelled digits where the boundaries between the ten classes lie, then predicts digits it "
    "has never seen. `gamma` sets how far one training digit's influence reaches; `C` how hard the fit tries not to "
    "misclassify training digits. Draw your own digit at the bottom and see what the model makes of it."
)
PRESETS = {
    "Tutorial (γ=0.001, C=100)": {"gamma": 0.001, "C": 100.0, "test_size": 0.25, "seed": 0},
    "γ too large (0.1)": {"gamma": 0.1, "C": 100.0},
    "Too smooth (γ=0.0001, C=0.1)": {"gamma": 0.0001, "C": 0.1},
}
ps.preset_buttons(
    PRESETS,
    help={
        "Tutorial (γ=0.001, C=100)": "The tutorial's svm.SVC(gamma=0.001, C=100.), a quarter of the digits held out.",
        "γ too large (0.1)": "Each training digit only influences its own tiny neighbourhood: the model memorises "
        "the training set and fails on new digits (overfitting).",
        "Too smooth (γ=0.0001, C=0.1)": "A wide kernel and a weak penalty: boundaries too simple (underfitting).",
    },
)


@cache.cache_resource(max_entries=6)
def _train(gamma: float, C: float, test_size: float, seed: int) -> D.DigitsResult:
    return D.train_digits(gamma, C, test_size=test_size, random_state=seed)


@cache.cache_data(max_entries=6)
def _check(gamma: float, C: float) -> pd.DataFrame:
    return D.tutorial_check(gamma, C)


def _big(image8: np.ndarray, scale: int = 8) -> np.ndarray:
    """An 8×8 (0…16) digit as a crisp uint8 image, white ink on black like the tutorial's gray colormap."""
    image = np.asarray(image8, dtype=np.float64).reshape(8, 8) if np.size(image8) == 64 else np.asarray(image8)
    top = 16.0 if image.shape == (8, 8) else max(float(image.max()), 1.0)
    small = np.clip(np.round(image * 255 / top), 0, 255).astype(np.uint8)
    big = np.kron(small, np.ones((scale, scale), dtype=np.uint8))
    return np.pad(big, scale // 2)  # a black margin, so ink on the border shows against a white page


digits = D.load_digits()

# ------------------------------------------------------------------ the dataset
st.subheader("1 · The dataset")
st.caption(
    f"`datasets.load_digits()`: `digits.data` has shape **{digits.data.shape}** — {digits.data.shape[0]} samples × "
    f"{digits.data.shape[1]} features — and `digits.images` **{digits.images.shape}**: the same values as 8×8 images "
    "(`digits.data[0].reshape((8, 8)) == digits.images[0]`). Each value counts the inked pixels in a 4×4 block of "
    "a 32×32 bitmap, so it lies in 0…16. `digits.target` holds the true digit. The first 20 samples:"
)
grid = st.columns(10)
for i in range(20):
    grid[i % 10].image(_big(digits.images[i]), caption=f"target {digits.target[i]}", width="stretch")

# ------------------------------------------------------------------ the classifier
st.subheader("2 · Train an SVC and test it on held-out digits")
controls = st.columns(4)
gamma = ps.log_slider("gamma", "gamma", container=controls[0], fmt=lambda v: f"{v:g}",
                      help="Small: each digit influences far away, smooth boundaries. Large: only its own "
                      "neighbourhood, the model memorises the training set.")
C = ps.log_slider("C", "C (penalty)", container=controls[1], fmt=lambda v: f"{v:g}",
                  help="Large: misclassified training digits cost a lot, tight fit. Small: a smoother, more "
                  "tolerant boundary.")
test_size = ps.slider("test_size", "Held-out fraction", container=controls[2],
                      help="The share of digits kept aside to test the model (never seen in training).")
seed = ps.slider("seed", "Split seed", container=controls[3],
                 help="random_state of train_test_split: which digits are held out.")

try:
    with st.spinner("Training the SVC…"):
        result = _train(float(gamma), float(C), float(test_size), int(seed))
except ValueError as err:
    st.error(str(err), icon=":material/error:")
    result = None

if result is not None:
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Held-out accuracy", f"{result.accuracy:.2%}")
    m2.metric("Training digits", f"{result.n_train}")
    m3.metric("Held-out digits", f"{result.y_test.size}")
    m4.metric("Support vectors", f"{int(result.model.n_support_.sum())}",
              help="Training digits that define the boundaries. Nearly all of them: the model memorised the set.")
    errors = result.errors()
    left, right = st.columns([1, 1.2])
    with left:
        st.markdown("**Confusion matrix** of the held-out digits")
        fig = px.imshow(
            result.confusion, text_auto=True, color_continuous_scale="Blues",
            labels={"x": "predicted", "y": "true", "color": "digits"},
            x=[str(i) for i in range(10)], y=[str(i) for i in range(10)],
        )
        fig.update_layout(height=400, margin={"l": 10, "r": 10, "t": 10, "b": 10}, coloraxis_showscale=False)
        fig.update_xaxes(dtick=1, side="bottom")
        fig.update_yaxes(dtick=1)
        st.plotly_chart(fig, width="stretch", key="digits:confusion")
        st.caption("Row: the true digit; column: the prediction. The diagonal counts correct predictions; "
                   "every number off it is a mistake.")
    with right:
        st.markdown(f"**Misclassified held-out digits: {len(errors)}** of {result.y_test.size}")
        shown = errors.head(24)
        if len(shown):
            cols = st.columns(6)
            for j, row in enumerate(shown.itertuples()):
                cols[j % 6].image(_big(digits.images[row.index]), width="stretch",
                                  caption=f"{row.true} → {row.predicted}")
            st.caption("Caption: true → predicted. Many are ambiguous even to a person."
                       + (f" Showing the first 24 of {len(errors)}." if len(errors) > 24 else ""))
        else:
            st.success("Every held-out digit is predicted right.")
        share.download_csv("Download the mistakes (CSV)", errors, "digits_errors.csv", key="digits:dl_errors")

    with st.expander("The tutorial's own check: train on all but the last 10 digits, predict the last 2",
                     expanded=False):
        check = _check(float(gamma), float(C))
        cols = st.columns(4)
        for j, row in enumerate(check.itertuples()):
            cols[j].image(_big(digits.images[row.index]), width="stretch",
                          caption=f"digits.images[{row.index - len(digits.target)}]: predicted {row.predicted}")
        st.code(
            f"clf = svm.SVC(gamma={gamma:g}, C={C:g})\nclf.fit(digits.data[:-10], digits.target[:-10])\n"
            f"clf.predict(digits.data[-2:])  # → {check['predicted'].tolist()} (true {check['true'].tolist()})",
            language="python",
        )

# ------------------------------------------------------------------ draw a digit
st.subheader("3 · Draw a digit")
st.caption(
    "Draw one digit, large, in the box. Your strokes are read from the canvas's JSON (no image is sent), "
    "rasterised, cropped to their bounding box, scaled to fill a 32×32 bitmap (a thin or thick pen is brought to "
    "the dataset's stroke width), and each 4×4 block's inked pixels are counted: the 8×8 values 0…16 the dataset "
    "was made of. The trained model then predicts it."
)
digit = None
c_canvas, c_right = st.columns([1, 1.1])
with c_canvas:
    from streamlit_drawable_canvas import st_canvas

    st.markdown("&nbsp;")  # room for the canvas toolbar, which floats above the canvas
    canvas = st_canvas(
        stroke_width=22, stroke_color="#000000", background_color="#ffffff",
        height=D.CANVAS_SIZE, width=D.CANVAS_SIZE, drawing_mode="freedraw",
        update_streamlit=True, key="digits:canvas",
    )
    st.caption("Undo or reset with the canvas toolbar to start again.")
strokes = [o for o in ((canvas.json_data or {}).get("objects") or []) if str(o.get("type", "")).lower() == "path"]
if not strokes:
    c_right.info("The canvas is empty: draw a digit (0–9) to see the prediction.", icon=":material/edit:")
else:
    try:
        rgba = D.rasterize_strokes(canvas.json_data, (D.CANVAS_SIZE, D.CANVAS_SIZE))
        bitmap = D.drawing_to_bitmap(rgba)
        digit = D.bitmap_to_digit(bitmap)
    except ValueError as err:
        c_right.error(str(err), icon=":material/error:")
    else:
        with c_right:
            left_img = np.pad(np.kron(bitmap.astype(np.uint8) * 255, np.ones((4, 4), np.uint8)), 8)
            right_img = _big(digit, 16)
            pair = np.full((144, 144 * 2 + 16), 255, dtype=np.uint8)
            pair[:, :144] = left_img
            pair[:, 160:] = right_img
            seen, verdict = st.columns([2, 1])
            seen.image(pair, width="stretch",
                       caption="What the model sees: your digit as a 32×32 bitmap (left), then its 8×8 block "
                       "counts, 0…16 (right).")
            if result is not None:
                scores = D.digit_scores(result.model, digit)
                predicted = int(scores.loc[scores["predicted"], "digit"].iloc[0])
                ranked = scores.sort_values("score", ascending=False)
                verdict.metric("Prediction", str(predicted),
                               delta=f"runner-up: {int(ranked['digit'].iloc[1])}", delta_color="off")
                bar = go.Figure(go.Bar(
                    x=scores["digit"].astype(str), y=scores["score"],
                    marker_color=["#d62728" if p else "#7f8c9d" for p in scores["predicted"]],
                ))
                bar.update_layout(height=200, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                                  xaxis_title="digit", yaxis_title="decision score", xaxis={"dtick": 1})
                st.plotly_chart(bar, width="stretch", key="digits:scores")
                st.caption(
                    "Per-class scores are the SVC's **decision function** (one-vs-rest shape): the number of "
                    "one-vs-one duels the class won plus a confidence term in (−⅓, ⅓). They are not probabilities "
                    "(`SVC(probability=True)` is deprecated in scikit-learn 1.9); the highest wins."
                )
            share.download_csv("Download the 8×8 values (CSV)", pd.DataFrame(digit.reshape(8, 8).astype(int)),
                               "my_digit.csv", key="digits:dl_digit")

values = ps.values()
note = None
if digit is not None:
    values = {**values, "digit": [int(v) for v in digit]}
    note = "Your drawing does not travel in the link (its 8×8 values are in the Python script)."
share.footer(ps, code=recipe.script(values), filename="digits_svc.py", note=note)
