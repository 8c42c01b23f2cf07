"""Thresholding: Otsu and six other automatic global thresholds, multi-Otsu, and a manual comparison."""

from __future__ import annotations

import time

import numpy as np
import skimage.filters  # noqa: F401 - imported up front so the time shown is compute, not the import
import streamlit as st

from core import reproduce
from core import thresholding as T
from ui import cache, share
from ui.display import show
from ui.images import image_input, working_size
from ui.params import ParamSet

PAGE = "thresholding"
LABELS = T.METHOD_LABELS
ps = ParamSet(T.SCHEMA)


def short(method: str) -> str:
    return LABELS[method].split(" (")[0]


@cache.cache_data(max_entries=8)
def _gray(image: np.ndarray) -> np.ndarray:
    return T.gray_ubyte(image)


@cache.cache_data(max_entries=16)
def _analyse(gray: np.ndarray, method: str, classes: int) -> dict:
    start = time.perf_counter()
    result = T.threshold_image(gray, method, classes=classes)
    return {"thresholds": result.thresholds, "labels": result.labels,
            "overlay": T.threshold_overlay(gray, result.labels), "seconds": time.perf_counter() - start}


@cache.cache_data(max_entries=8, show_spinner=False)
def _histogram(gray: cache.Keyed):
    gray = gray.array
    try:
        variance = T.otsu_variance(gray)
    except ValueError:
        variance = None
    return T.histogram(gray), variance


@cache.cache_data(max_entries=8)
def _all_methods(gray: np.ndarray):
    table = T.all_methods(gray)
    table["method"] = table["method"].map(LABELS)
    return table


@cache.cache_data(max_entries=16, show_spinner=False)
def _manual(gray: cache.Keyed, labels: cache.Keyed, manual: int):
    return T.manual_comparison(gray.array, labels.array, manual)


@cache.cache_data(max_entries=16, show_spinner=False)
def _histogram_chart(gray: cache.Keyed, method: str, thresholds: tuple, log_counts: bool) -> dict:
    """The histogram as a Vega-Lite spec (built once per histogram, thresholds and axis): bars, Otsu's variance
    on its own axis, the method's dashed lines; the manual line is the ``manual`` dataset :func:`_with_manual`
    fills on every rerun, so moving it sends new data to an unchanged chart (Vega updates it in place)."""
    hist, variance = _histogram(gray)
    counts = hist[hist["count"] > 0] if log_counts else hist  # a log axis has no 0
    y_title = "pixels (log scale)" if log_counts else "pixels"
    x = {"field": "lo", "type": "quantitative", "title": "gray level", "scale": {"domain": [
        float(hist["intensity"].min()) - 0.5, float(hist["intensity"].max()) + 0.5], "nice": False}}
    y = {"field": "count", "type": "quantitative", "title": y_title, "scale": {"type": "log", "domainMin": 1} if log_counts else {"type": "linear", "domainMin": 0}}
    layers = [{"data": {"name": "hist"}, "mark": {"type": "area", "interpolate": "step", "color": "#7f8c9d"},
               "params": [{"name": "zoom", "select": {"type": "interval", "encodings": ["x"]}, "bind": "scales"}],
               "encoding": {"x": {**x, "field": "intensity"}, "y": y,
                            **({"y2": {"datum": 1}} if log_counts else {})}},  # a log axis starts at 1 pixel
              {"data": {"name": "hist"}, "mark": {"type": "bar", "opacity": 0},  # one hover target per gray level
               "transform": [{"calculate": "datum.intensity - 0.5", "as": "lo"},
                             {"calculate": "datum.intensity + 0.5", "as": "hi"}],
               "encoding": {"x": x, "x2": {"field": "hi"}, "y": y,
                            "tooltip": [{"field": "intensity", "title": "gray level", "format": ".4g"},
                                        {"field": "count", "title": "pixels", "format": ","}]}}]
    datasets = {"hist": counts[["intensity", "count"]], "thresholds": [
        {"x": float(t), "label": f"{short(method)} {t:.4g}" if i == 0 else f"{t:.4g}", "row": i % 2}
        for i, t in enumerate(thresholds)], "manual": [{"x": 0.0, "label": "manual 0"}]}
    rules = {"layer": [
        {"data": {"name": "thresholds"}, "mark": {"type": "rule", "color": "#1f77b4", "strokeDash": [6, 4],
                                                  "size": 2}, "encoding": {"x": {"field": "x", "type": "quantitative"}}},
        {"data": {"name": "thresholds"}, "mark": {"type": "text", "dx": 3, "align": "left", "baseline": "top",
                                                  "color": "#1f77b4"},
         "encoding": {"x": {"field": "x", "type": "quantitative"}, "text": {"field": "label"},
                      "y": {"field": "row", "type": "quantitative", "scale": {"domain": [0, 18], "range": [2, 200]},
                            "axis": None}}},
        {"data": {"name": "manual"}, "mark": {"type": "rule", "color": "#ff7f0e", "strokeDash": [2, 3], "size": 2},
         "encoding": {"x": {"field": "x", "type": "quantitative"}}},
        {"data": {"name": "manual"}, "mark": {"type": "text", "y": {"expr": "height - 8"}, "dx": 3, "align": "left",
                                              "color": "#ff7f0e"},
         "encoding": {"x": {"field": "x", "type": "quantitative"}, "text": {"field": "label"}}}]}
    counts_layer = {"layer": layers}
    if method == "otsu" and variance is not None:
        datasets["variance"] = variance
        counts_layer = {"layer": [counts_layer, {"data": {"name": "variance"}, "mark": {"type": "line", "color": "#d62728", "strokeWidth": 2},
                       "encoding": {"x": {"field": "threshold", "type": "quantitative"},
                                    "y": {"field": "variance", "type": "quantitative", "title": "between-class variance",
                                          "axis": {"orient": "right", "grid": False}, "scale": {"zero": True}},
                                    "tooltip": [{"field": "threshold", "format": ".4g"},
                                                {"field": "variance", "title": "between-class variance",
                                                 "format": ".4g"}]}}], "resolve": {"scale": {"y": "independent"}}}
    return {"height": 400, "datasets": datasets, "layer": [counts_layer, rules],
            "resolve": {"scale": {"y": "independent"}}}


def _with_manual(spec: dict, manual: int) -> dict:
    """``spec`` with the manual line's dataset at ``manual``: the chart itself is unchanged."""
    return {**spec, "datasets": {**spec["datasets"], "manual": [{"x": float(manual), "label": f"manual {manual}"}]}}


st.title(":material/contrast: Thresholding")
st.caption(
    "Binarisation is the simplest segmentation: every pixel brighter than a threshold is foreground. Here a "
    "**sample is a pixel** and its single **feature is its gray level**, so choosing the threshold is clustering "
    "the histogram into two groups. Otsu's method picks the threshold that maximises the variance *between* the "
    "two groups (equivalently, minimises it within them); other methods use other criteria. This is the "
    "tutorial's section *Thresholding and vector quantization*: `filters.threshold_otsu(camera)`, its histogram "
    "and the contour it draws."
)
for row in (list(T.PRESETS)[:2], list(T.PRESETS)[2:]):  # two per row: whole labels at 1024 px
    ps.preset_buttons({n: T.PRESETS[n] for n in row}, help=T.PRESET_HELP)
img = image_input(ps, gray_note="This page works on gray levels: colour images are converted with `rgb2gray` "
                  "(0.2125 R + 0.7154 G + 0.0721 B) and scaled to 0…255.")
stem = share.stem(img.name)  # no extension, safe characters: download names and captions
gray = _gray(img.image)
h, w = gray.shape
if img.image.ndim == 3:
    st.info(f"**{stem}** is a colour image: it is converted to gray (`rgb2gray`, then 0…255) before thresholding. "
            "Otsu's idea for colour pixels is k-means — see the Colour k-means page.", icon=":material/palette:")

controls = st.columns([2, 1, 2])
method = ps.select("method", "Method", container=controls[0], help=T.METHOD_HELP[ps.value("method")])
classes = ps.slider("classes", "Classes", container=controls[1], disabled=method != "multiotsu",
                    help=T.SCHEMA.fields["classes"].help + " Its search grows fast: 5 classes take about "
                    f"{T.MULTIOTSU_SECONDS[5]:.0f} s.")
estimate = T.estimate_seconds(method, classes)
note = f"**{LABELS[method]}** — {T.METHOD_HELP[method]}"
if estimate > 1:
    note += (f" With {classes} classes multi-Otsu tries every set of {classes - 1} thresholds among 256 gray levels: "
             f"**about {estimate:.0f} s**, whatever the image size (then cached).")
controls[2].caption(note)

res, error = None, None
try:
    what = f"{LABELS[method]} on {stem} ({w}×{h})" + (f", {classes} classes" if method == "multiotsu" else "")
    with st.spinner(f"Thresholding: {what}" + (f" — about {estimate:.0f} s…" if estimate > 1 else "…"),
                    show_time=estimate > 1):
        start = time.perf_counter()
        res = _analyse(gray, method, int(classes))
        cached = time.perf_counter() - start < 0.5 * res["seconds"]
except ValueError as err:
    error = str(err)

with st.expander(f"All seven methods on {stem}", expanded=False):
    table = _all_methods(gray)
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption("Each method's threshold (gray levels 0…255) and the share of pixels above it.")
    share.download_csv("Download the table (CSV)", table, f"{stem}_thresholds.csv", key=f"{PAGE}:dl_methods")


@st.fragment
def results(res: dict | None, error: str | None, gray_k: cache.Keyed, labels_k: cache.Keyed | None) -> None:
    """The histogram, the manual comparison, the downloads and the footer: their widgets rerun this only.

    ``gray_k`` / ``labels_k``: the first stage's arrays with their digests, computed once per full run."""
    if error:
        st.error(error, icon=":material/error:")
    else:
        thresholds, labels = res["thresholds"], res["labels"]
        shown = ", ".join(f"{t:.4g}" for t in thresholds)
        if img.name == "camera" and method == "otsu":
            full = "" if gray.shape == (512, 512) else " (102 at its full 512×512)"
            st.info(f"Otsu gives **{thresholds[0]:g}** on this cameraman{full} where the "
                    "tutorial's figure shows ≈ 87: scikit-image "
                    "replaced `data.camera()` in version 0.18 (copyright: the new photo is CC0, scikit-image issue "
                    "#3927), so the histogram, and its threshold, changed with the picture.", icon=":material/info:")
        left, right = st.columns([1, 1.25])
        with left:
            st.subheader("Contour on the image")
            show(cache.Keyed(res["overlay"], f"{gray_k.digest}:{labels_k.digest}:overlay"))  # no re-hashing
            time_note = f"{res['seconds'] * 1000:,.0f} ms" + ("; reused from the cache now" if cached else "")
            if method == "multiotsu":
                st.caption(f"Yellow: the boundaries between the {classes} classes of {stem} (thresholds {shown}; "
                           f"computed in {time_note}).")
            else:
                st.caption(f"Yellow: the contour of {stem} at the threshold **{shown}** (computed in {time_note}); "
                           "the tutorial draws it with matplotlib's `contour(image, [val], colors='y')`.")
        with right:
            st.subheader("Histogram")
            log_counts = ps.toggle("log_counts", "Log scale for the pixel counts", help=T.SCHEMA.fields[
                "log_counts"].help + " Helps when one gray level holds far more pixels than the rest.")
            hist, variance = _histogram(gray_k)
            show_variance = method == "otsu" and variance is not None
            spec = _histogram_chart(gray_k, method, tuple(float(t) for t in thresholds), bool(log_counts))
            st.vega_lite_chart(_with_manual(spec, int(ps.value("manual"))), width="stretch")
            if show_variance:
                best = variance["threshold"].iloc[int(np.argmax(variance["variance"]))]
                st.caption(f"Red: Otsu's between-class variance w₀·w₁·(m₀ − m₁)² for every candidate threshold of "
                           f"{stem}. Its maximum, at **{best:.4g}**, is Otsu's threshold. Dashed blue: the automatic "
                           "threshold; dotted orange: yours.")
            else:
                st.caption("Dashed blue: the automatic threshold(s); dotted orange: your manual threshold.")

        st.subheader("Automatic vs manual")
        manual = ps.slider("manual", "Manual threshold (0…255)", help=T.SCHEMA.fields["manual"].help)
        mask, diff, differs = _manual(gray_k, labels_k, int(manual))
        a, b, c = st.columns(3)
        if method == "multiotsu":
            show(cache.Keyed(T.class_shades(labels, classes), f"{labels_k.digest}:shades{classes}"), container=a)
            shares = np.bincount(labels.ravel(), minlength=int(classes)) / labels.size
            a.caption(f"Multi-Otsu classes of {stem}, dark to bright (thresholds {shown}); pixel shares: "
                      + ", ".join(f"{100 * s:.1f}%" for s in shares) + ".")
        else:
            show(cache.Keyed(labels * np.uint8(255), f"{labels_k.digest}:x255"), container=a)
            a.caption(f"Automatic ({short(method)}, threshold {shown}): white = brighter, "
                      f"{100 * float(np.mean(labels > 0)):.1f}% of the pixels.")
        show(mask.view(np.uint8) * np.uint8(255), container=b)
        b.caption(f"Manual threshold {int(manual)}: {100 * mask.mean():.1f}% of the pixels above it.")
        show(diff, container=c)
        c.caption(f"Where they differ: {100 * differs:.1f}% of the pixels — orange: above the manual threshold only; "
                  "blue: above the automatic one only" + (" (its first threshold)." if method == "multiotsu" else "."))

        d1, d2, d3 = st.columns(3)
        share.download_png("Result (PNG)", labels * np.uint8(255) if method != "multiotsu" else labels,
                           f"{stem}_{method}.png", key=f"{PAGE}:dl_result", container=d1)
        share.download_png("Contour image (PNG)", res["overlay"], f"{stem}_{method}_contour.png",
                           key=f"{PAGE}:dl_overlay", container=d2)
        share.download_csv("Histogram (CSV)", hist, f"{stem}_histogram.csv", key=f"{PAGE}:dl_hist",
                           container=d3)
        if method == "multiotsu":
            st.caption("The multi-Otsu PNG holds the class numbers 0…classes−1 (a label image: it looks black).")
    code = reproduce.fill(PAGE, ps.values(), image=reproduce.image_lines(
        "upload" if img.is_upload else img.name, shape=img.original_shape, working_size=working_size()))
    share.footer(ps, code=code, filename=f"thresholding_{stem}.py", agreement=reproduce.agreement(PAGE))


results(res, error, cache.Keyed(gray), cache.Keyed(res["labels"]) if res else None)
