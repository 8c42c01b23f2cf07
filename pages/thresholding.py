"""Thresholding: Otsu and six other automatic global thresholds, multi-Otsu, and a manual comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from core import thresholding as T
from core.recipes import thresholding as recipe
from ui import cache, share
from ui import params as P
from ui.images import image_input, working_size

METHOD_LABELS = {
    "otsu": "Otsu",
    "li": "Li (minimum cross-entropy)",
    "yen": "Yen (maximum correlation)",
    "triangle": "Triangle",
    "isodata": "Isodata (Ridler–Calvard)",
    "mean": "Mean gray level",
    "minimum": "Minimum (valley between two peaks)",
    "multiotsu": "Multi-Otsu (several classes)",
}
METHOD_HELP = {
    "otsu": "Maximises the variance between the two classes of pixels: k-means with k=2 on gray levels.",
    "li": "Minimises the cross-entropy between the image and its two-level version (iterative).",
    "yen": "Maximises the entropic correlation of the two classes.",
    "triangle": "Draws a line from the histogram's peak to its far end; the threshold is the farthest histogram point "
    "from it. Suits one big peak with a long tail.",
    "isodata": "Iterates: the threshold is the mean of the two class means.",
    "mean": "The mean gray level. Crude, but a fine baseline.",
    "minimum": "Smooths the histogram until it has two peaks, takes the valley between them. Fails without two peaks.",
    "multiotsu": "Otsu's criterion with several thresholds: splits the pixels into 2–5 classes.",
}

ps = P.ParamSet(
    "thresholding",
    [
        P.Choice("method", [*T.METHODS, "multiotsu"], "otsu", labels=METHOD_LABELS),
        P.Int("classes", 3, 2, T.MAX_CLASSES),
        P.Int("manual", 128, 0, 255),
        P.Bool("log_counts", False),
    ],
    image="camera",
)
ps.restore()

st.title("Thresholding")
st.caption(
    "Binarisation is the simplest segmentation: every pixel brighter than a threshold is foreground. Here a "
    "**sample is a pixel** and its single **feature is its gray level**, so choosing the threshold is clustering "
    "the histogram into two groups. Otsu's method picks the threshold that maximises the variance *between* "
    "the two groups (equivalently, minimises it within them); other methods use other criteria. This is the "
    "tutorial's section *Thresholding and vector quantization*: `filters.threshold_otsu(camera)`, its histogram "
    "and the contour it draws."
)
ps.preset_buttons(
    {
        "Tutorial (Otsu)": {"method": "otsu", "image": "camera", "manual": 128},
        "Multi-Otsu, 3 classes": {"method": "multiotsu", "classes": 3, "image": "camera"},
        "Coins with Li": {"method": "li", "image": "coins", "manual": 100},
        "Moon: triangle": {"method": "triangle", "image": "moon", "manual": 120},
    },
    help={
        "Tutorial (Otsu)": "The tutorial's cells: threshold_otsu on the cameraman.",
        "Multi-Otsu, 3 classes": "Two thresholds: dark, mid and bright pixels.",
        "Coins with Li": "Bright coins on a dark ground, with Li's cross-entropy method.",
        "Moon: triangle": "A low-contrast image with one dominant peak.",
    },
)

img = image_input(
    ps,
    gray_note="This page works on gray levels: colour images are converted with `rgb2gray` "
    "(0.2125 R + 0.7154 G + 0.0721 B) and scaled to 0…255.",
)


@cache.cache_data(max_entries=8)
def _gray(image: np.ndarray) -> np.ndarray:
    return T.gray_ubyte(image)


@cache.cache_data(max_entries=16)
def _analyse(gray: np.ndarray, method: str, classes: int) -> dict:
    result = T.threshold_image(gray, method, classes=classes)
    return {
        "thresholds": result.thresholds,
        "labels": result.labels,
        "overlay": T.threshold_overlay(gray, result.labels),
    }


@cache.cache_data(max_entries=8)
def _histogram(gray: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    hist = T.histogram(gray)
    try:
        variance = T.otsu_variance(gray)
    except ValueError:
        variance = None
    return hist, variance


@cache.cache_data(max_entries=8)
def _all_methods(gray: np.ndarray) -> pd.DataFrame:
    rows = []
    for method in T.METHODS:
        try:
            t = T.auto_threshold(gray, method)
            rows.append({"method": METHOD_LABELS[method], "threshold": round(t, 2),
                         "foreground %": round(100 * float(np.mean(gray > t)), 1)})
        except ValueError as err:
            rows.append({"method": METHOD_LABELS[method], "threshold": None, "foreground %": None,
                         "note": str(err).split(".")[0]})
    return pd.DataFrame(rows)


gray = _gray(img.image)
if img.image.ndim == 3:
    st.info(
        f"**{img.name}** is a colour image: it is converted to gray (`rgb2gray`, then 0…255) before "
        "thresholding. Otsu's idea for colour pixels is k-means — see the Colour k-means page.",
        icon=":material/palette:",
    )

controls = st.columns([2, 1, 2])
method = ps.select("method", "Method", container=controls[0], help=METHOD_HELP[ps.value("method")])
classes = ps.slider(
    "classes", "Classes", container=controls[1], disabled=method != "multiotsu",
    help="Number of classes for multi-Otsu: classes − 1 thresholds. The search grows fast with it: "
    "5 classes takes a few seconds.",
)
manual = ps.slider(
    "manual", "Manual threshold (0…255)", container=controls[2],
    help="Your own threshold, to compare with the automatic one: its line is drawn on the histogram.",
)
st.caption(f"**{METHOD_LABELS[method]}** — {METHOD_HELP[method]}")

values = {**ps.values(), "working_size": working_size()}
error = None
try:
    with st.spinner("Thresholding…"):
        res = _analyse(gray, method, int(classes))
except ValueError as err:
    error = str(err)
    res = None

hist, variance = _histogram(gray)

if error:
    st.error(error, icon=":material/error:")
else:
    thresholds = res["thresholds"]
    labels = res["labels"]
    shown = ", ".join(f"{t:.4g}" for t in thresholds)
    fg = float(np.mean(labels > 0))

    left, right = st.columns([1, 1.25])
    with left:
        st.subheader("Contour on the image")
        st.image(res["overlay"], width="stretch")
        if method == "multiotsu":
            st.caption(f"Yellow: the boundaries between the {classes} classes (thresholds {shown}).")
        else:
            st.caption(
                f"Yellow: the contour at the threshold **{shown}** — the tutorial's "
                "`axes[0].contour(camera, [val], colors='y')`."
            )
    with right:
        st.subheader("Histogram")
        log_counts = ps.toggle("log_counts", "Log scale for the pixel counts",
                               help="Helps when one gray level (e.g. pure black) holds far more pixels than the rest.")
        show_variance = method == "otsu" and variance is not None
        fig = make_subplots(specs=[[{"secondary_y": show_variance}]])
        fig.add_trace(
            go.Bar(x=hist["intensity"], y=hist["count"], name="pixels", marker_color="#7f8c9d",
                   marker_line_width=0),
            secondary_y=False,
        )
        if show_variance:
            fig.add_trace(
                go.Scatter(x=variance["threshold"], y=variance["variance"], name="between-class variance",
                           line={"color": "#d62728", "width": 2}),
                secondary_y=True,
            )
            fig.update_yaxes(title_text="between-class variance", secondary_y=True, showgrid=False, rangemode="tozero")
        for i, t in enumerate(thresholds):
            fig.add_vline(x=float(t), line_dash="dash", line_color="#1f77b4", line_width=2,
                          annotation_text=f"{METHOD_LABELS[method].split(' (')[0]} {t:.4g}" if i == 0 else f"{t:.4g}",
                          annotation_position="top left" if i % 2 == 0 else "top right", annotation_y=1.06)
        fig.add_vline(x=int(manual), line_dash="dot", line_color="#ff7f0e", line_width=2,
                      annotation_text=f"manual {int(manual)}", annotation_position="bottom right")
        fig.update_layout(height=400, margin={"l": 10, "r": 10, "t": 40, "b": 10}, bargap=0,
                          legend={"orientation": "h", "y": -0.18}, xaxis_title="gray level")
        fig.update_yaxes(title_text="pixels (log scale)" if log_counts else "pixels", secondary_y=False,
                         type="log" if log_counts else "linear")
        st.plotly_chart(fig, width="stretch", key="thresholding:hist")
        if show_variance:
            best = variance["threshold"].iloc[int(np.argmax(variance["variance"]))]
            st.caption(
                f"Red: Otsu's between-class variance w₀·w₁·(m₀ − m₁)² for every candidate threshold. "
                f"Its maximum, at **{best:.4g}**, is Otsu's threshold. Dashed blue: the automatic threshold; "
                "dotted orange: yours."
            )
        else:
            st.caption("Dashed blue: the automatic threshold(s); dotted orange: your manual threshold.")

    st.subheader("Automatic vs manual")
    manual_mask = gray > int(manual)
    a, b, c = st.columns(3)
    with a:
        if method == "multiotsu":
            shades = np.round(labels.astype(np.float64) * 255 / max(int(classes) - 1, 1)).astype(np.uint8)
            st.image(shades, width="stretch", clamp=True)
            shares = np.bincount(labels.ravel(), minlength=int(classes)) / labels.size
            st.caption(
                f"Multi-Otsu classes, dark to bright (thresholds {shown}); pixel shares: "
                + ", ".join(f"{100 * s:.1f}%" for s in shares) + "."
            )
        else:
            st.image(labels * np.uint8(255), width="stretch")
            st.caption(f"Automatic ({METHOD_LABELS[method].split(' (')[0]}, threshold {shown}): "
                       f"white = brighter, {100 * fg:.1f}% of the pixels.")
    differ_mask = manual_mask != (labels > 0)
    with b:
        st.image(manual_mask.astype(np.uint8) * 255, width="stretch")
        st.caption(f"Manual threshold {int(manual)}: {100 * manual_mask.mean():.1f}% of the pixels above it.")
    with c:
        diff = np.stack([gray // 2] * 3, axis=-1)
        diff[differ_mask & manual_mask] = (255, 127, 14)  # only the manual threshold keeps them
        diff[differ_mask & ~manual_mask] = (31, 119, 180)  # only the automatic one keeps them
        st.image(diff, width="stretch")
        st.caption(
            f"Where they differ: {100 * float(differ_mask.mean()):.1f}% of the pixels — orange: above the manual "
            "threshold only; blue: above the automatic one only"
            + (" (its first threshold)." if method == "multiotsu" else ".")
        )

    with st.expander("All seven methods on this image", expanded=False):
        table = _all_methods(gray)
        st.dataframe(table, hide_index=True, width="stretch")
        st.caption("Each method's threshold (gray levels 0…255) and the share of pixels above it.")
        share.download_csv("Download the table (CSV)", table, f"thresholds_{img.name}.csv",
                           key="thresholding:dl_methods")

    d1, d2, d3 = st.columns(3)
    share.download_png("Download the result (PNG)",
                       labels * np.uint8(255) if method != "multiotsu" else labels,
                       f"threshold_{method}_{img.name}.png", key="thresholding:dl_result", container=d1)
    share.download_png("Download the contour image (PNG)", res["overlay"], f"contour_{method}_{img.name}.png",
                       key="thresholding:dl_overlay", container=d2)
    share.download_csv("Download the histogram (CSV)", hist, f"histogram_{img.name}.csv",
                       key="thresholding:dl_hist", container=d3)
    if method == "multiotsu":
        st.caption("The multi-Otsu PNG holds the class numbers 0…classes−1 (a label image: it looks black).")

share.footer(ps, code=recipe.script(values), filename=f"thresholding_{method}.py")
