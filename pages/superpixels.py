"""Superpixels: SLIC, Felzenszwalb, quickshift, compact watershed; then merge them by colour."""

from __future__ import annotations

import time

import numpy as np
import sklearn.cluster  # noqa: F401 - imported up front so the time metric shows compute, not the import
import streamlit as st
from skimage.segmentation import mark_boundaries

from core import superpixels as S
from core.clustering import average_colors
from core.images import to_rgb
from core.recipes import superpixels as recipe
from ui import cache, images, share
from ui import params as P

PAGE = "superpixels"
METHOD_LABELS = S.METHOD_NAMES
MERGE_LABELS = {"none": "None", "kmeans": "k-means on mean colours", "rag": "Region graph (RAG) cut"}

ps = P.ParamSet(
    PAGE,
    [
        P.Choice("method", list(S.METHODS), "slic", labels=METHOD_LABELS),
        # SLIC
        P.Int("n_segments", 200, 10, 2000),
        P.LogFloat("compactness", 20.0, 0.1, 100.0),
        P.Float("sigma", 0.0, 0.0, 5.0, step=0.1),
        P.Bool("slic_zero", False),
        # Felzenszwalb
        P.LogFloat("scale", 100.0, 1.0, 1000.0),
        P.Float("fz_sigma", 0.8, 0.0, 5.0, step=0.1),
        P.Int("min_size", 20, 0, 1000, step=5),
        # quickshift
        P.Float("kernel_size", 3.0, 1.0, 10.0, step=0.5),
        P.Float("max_dist", 6.0, 1.0, 50.0, step=1.0),
        P.Float("ratio", 0.5, 0.0, 1.0, step=0.05),
        # compact watershed
        P.Int("markers", 250, 10, 2000, step=10),
        P.LogFloat("ws_compactness", 0.001, 1e-5, 1.0),
        # second stage
        P.Choice("merge", ["none", "kmeans", "rag"], "kmeans", labels=MERGE_LABELS),
        P.Int("k", 5, 2, 20),
        P.Multi("channels", ["L", "a", "b"], ["a", "b"], allow_empty=True),
        P.Float("threshold", 29.0, 1.0, 150.0, step=1.0),
        P.Bool("compare", False),
    ],
    image="coffee",
)

PRESETS = {
    "Tutorial: SLIC → k-means": dict(
        image="coffee", method="slic", n_segments=200, compactness=20.0, sigma=0.0, slic_zero=False,
        merge="kmeans", k=5, channels=["a", "b"], compare=False),
    "Tutorial: Felzenszwalb": dict(
        image="coffee", method="felzenszwalb", scale=100.0, fz_sigma=0.8, min_size=20, merge="none",
        compare=False),
    "Exercise: astronaut": dict(
        image="astronaut", method="slic", n_segments=500, compactness=20.0, sigma=0.0, slic_zero=False,
        merge="kmeans", k=8, channels=["a", "b"], compare=False),
    "Gallery: all four": dict(
        image="astronaut", compare=True, n_segments=250, compactness=10.0, sigma=1.0, scale=100.0, fz_sigma=0.5,
        min_size=50, kernel_size=3.0, max_dist=6.0, ratio=0.5, markers=250, ws_compactness=0.001),
}
PRESET_HELP = {
    "Tutorial: SLIC → k-means": "The tutorial's cells on coffee: slic(n_segments=200, compactness=20), then "
                                       "k-means with 5 clusters on the a, b channels of the superpixel colours.",
    "Tutorial: Felzenszwalb": "The tutorial's last cells: felzenszwalb(scale=100), shown in mean colours.",
    "Exercise: astronaut": "The tutorial's exercise on the astronaut: SLIC 500 / compactness 20, then k-means 8.",
    "Gallery: all four": "scikit-image's gallery comparison of the four algorithms "
                                            "(its parameters) on the astronaut.",
}


# --------------------------------------------------------------------------- cached stages
@cache.cache_data(max_entries=12)
def first_stage(image: np.ndarray, method: str, params: tuple):
    """Superpixels, their average-colour image, count and compute time (cached by image digest + params)."""
    start = time.perf_counter()
    segments = S.segment(image, method, **dict(params))
    seconds = time.perf_counter() - start
    rgb = to_rgb(image)
    return segments, average_colors(rgb, segments), S.segment_count(segments), seconds


@cache.cache_data(max_entries=24)
def second_stage(image: np.ndarray, segments: np.ndarray, merge: str, k: int, channels: tuple, threshold: float):
    start = time.perf_counter()
    if merge == "kmeans":
        labels = S.merge_kmeans(image, segments, k, channels=channels)
    else:
        labels = S.merge_rag(image, segments, threshold)
    seconds = time.perf_counter() - start
    rgb = to_rgb(image)
    return labels, average_colors(rgb, labels), S.segment_count(labels), seconds


@cache.cache_data(max_entries=24)
def boundaries(image: np.ndarray, labels: np.ndarray, colour: tuple = (1, 1, 0)) -> np.ndarray:
    return (mark_boundaries(to_rgb(image), labels, color=colour) * 255).astype(np.uint8)


def method_controls(method: str, container) -> None:
    with container:
        if method == "slic":
            a, b = st.columns(2)
            ps.slider("n_segments", "n_segments (about how many superpixels)", container=a,
                      help="SLIC places this many cluster centres on a grid.")
            ps.log_slider("compactness", "compactness", container=b,
                          help="Weight of space against colour: high = square, grid-like; low = hugs edges.")
            a, b = st.columns(2)
            ps.slider("sigma", "sigma (pre-smoothing)", container=a, help="Gaussian blur before clustering, px.")
            ps.toggle("slic_zero", "SLIC-zero (adaptive compactness)", container=b)
        elif method == "felzenszwalb":
            a, b, c = st.columns(3)
            ps.log_slider("scale", "scale", container=a, help="Higher = larger segments.")
            ps.slider("fz_sigma", "sigma", container=b, help="Gaussian pre-smoothing, px.")
            ps.slider("min_size", "min_size (px)", container=c, help="Smaller segments are merged away.")
        elif method == "quickshift":
            a, b, c = st.columns(3)
            ps.slider("kernel_size", "kernel_size", container=a, help="Width of the density kernel, px.")
            ps.slider("max_dist", "max_dist", container=b, help="Cut-off distance between merged modes.")
            ps.slider("ratio", "ratio", container=c, help="0…1: weight of colour against space.")
        else:
            a, b = st.columns(2)
            ps.slider("markers", "markers (seed count)", container=a, help="Seeds on a grid.")
            ps.log_slider("ws_compactness", "compactness", container=b,
                          fmt=lambda v: f"{v:.0e}" if v < 0.01 else f"{v:g}",
                          help="0 = classic watershed; higher = more regular regions.")


def params_of(method: str) -> tuple:
    return tuple(sorted(recipe.segment_params({**ps.values(), "method": method}).items()))


# --------------------------------------------------------------------------- page
ps.restore()
st.title(":material/grid_view: Superpixels")
st.caption(
    "Colour k-means ignores *where* a pixel is, yet neighbouring pixels usually belong to the same object. "
    "**Superpixel** algorithms group pixels by colour **and** position: **SLIC** runs k-means on (x, y, L, a, b) "
    "in local windows, its *compactness* weighing space against colour; **Felzenszwalb**, **quickshift** and "
    "**compact watershed** are other ways to over-segment. Then, as the tutorial does, a **second clustering** "
    "joins superpixels of the same kind — k-means on their mean colours, or cutting a region adjacency graph."
)

img = images.image_input(ps)
ps.preset_buttons(PRESETS, help=PRESET_HELP)

st.subheader("1 · Superpixels")
top_l, top_r = st.columns([1, 3])
method = ps.select("method", "Method", container=top_l)
ps.toggle("compare", "Compare all four", container=top_l,
          help="scikit-image's gallery comparison: every method with its current settings.")
method_controls(method, top_r)

values = ps.values()
stage1 = None
try:
    with st.spinner(f"Computing {METHOD_LABELS[method]} superpixels…"):
        stage1 = first_stage(img.image, method, params_of(method))
except ValueError as err:
    st.error(str(err))

if stage1 is not None:
    segments, average, count, seconds = stage1
    m1, m2, m3 = st.columns(3)
    m1.metric("Superpixels", f"{count:,}")
    m2.metric("Compute time", f"{seconds * 1000:.0f} ms", help="First stage only, when it was computed "
              "(cached afterwards: second-stage sliders do not recompute it).")
    m3.metric("Mean size", f"{segments.size / max(count, 1):,.0f} px")
    left, right = st.columns(2)
    left.image(boundaries(img.image, segments), width="stretch",
               caption=f"{METHOD_LABELS[method]}: superpixel boundaries (mark_boundaries) on the image.")
    right.image(average, width="stretch",
                caption="Each superpixel painted with its mean colour (label2rgb kind='avg', by bincount).")
    if count == 1:
        st.info("Only one superpixel: the image may be a single colour. Try another image or smaller scale.")

if ps.value("compare"):
    st.markdown("**All four methods** (each with its current settings)")
    cols = st.columns(4)
    for col, name in zip(cols, S.METHODS, strict=True):
        try:
            with st.spinner(f"{METHOD_LABELS[name]}…"):
                segs, _, n, secs = first_stage(img.image, name, params_of(name))
            col.image(boundaries(img.image, segs), width="stretch")
            col.caption(f"**{METHOD_LABELS[name]}**: {n:,} segments, {secs * 1000:.0f} ms")
        except ValueError as err:
            col.error(f"{METHOD_LABELS[name]}: {err}")
    st.caption("Change the method above to tune its parameters; the comparison follows.")

st.subheader("2 · Join the superpixels")
s_l, s_r = st.columns([1, 3])
merge = ps.radio("merge", "Second stage", container=s_l, horizontal=False)
merged = None
if merge == "kmeans":
    a, b = s_r.columns(2)
    k = ps.slider("k", "Clusters k", container=a, help="The tutorial uses 5 (spices) and asks for 8 (astronaut).")
    channels = ps.multiselect("channels", "Lab channels of the mean colours", container=b,
                              help="a, b = colour only (the tutorial); add L to separate light from dark.")
    s_r.caption("k-means on one sample per superpixel (its mean colour, weighted by its size): the same "
                "objective as the tutorial's k-means over every pixel of the average-colour image, "
                "for a few hundred samples instead of every pixel.")
elif merge == "rag":
    ps.slider("threshold", "Colour distance threshold", container=s_r,
              help="Neighbouring superpixels whose mean RGB colours (0…255) differ by less than this merge.")
    s_r.caption("skimage.graph.rag_mean_color + cut_threshold: neighbours joined by an edge weighing the "
                "distance between their mean colours; edges above the threshold are cut.")
else:
    s_r.caption("No second stage: the superpixels are the result.")

if stage1 is not None and merge != "none":
    try:
        merged = second_stage(img.image, segments, merge, int(values["k"]), tuple(values["channels"]),
                              float(values["threshold"]))
    except ValueError as err:
        st.error(str(err))

if merged is not None:
    labels, merged_avg, n_regions, secs2 = merged
    m1, m2 = st.columns(2)
    m1.metric("Regions after merging", f"{n_regions:,}")
    m2.metric("Second-stage time", f"{secs2 * 1000:.0f} ms", help="Superpixels reused from the cache.")
    left, right = st.columns(2)
    left.image(boundaries(img.image, labels), width="stretch", caption="Merged regions' boundaries on the image.")
    right.image(merged_avg, width="stretch",
                caption="Each merged region in its mean colour: superpixels of the same kind joined.")

if stage1 is not None:
    st.markdown("**Downloads**")
    d1, d2, d3 = st.columns(3)
    share.download_png("Superpixel labels (PNG)", segments, f"{img.name}_{method}_labels.png", container=d1,
                       key=f"{PAGE}:dl_segments")
    share.download_png("Average-colour image (PNG)", average, f"{img.name}_{method}_average.png", container=d2,
                       key=f"{PAGE}:dl_average")
    if merged is not None:
        share.download_png("Merged labels (PNG)", merged[0], f"{img.name}_{method}_{merge}_labels.png",
                           container=d3, key=f"{PAGE}:dl_merged")
    st.caption("Label PNGs are 8-bit when there are at most 256 labels, 16-bit otherwise.")

try:
    code = recipe.script({**values, "working_size": images.working_size()})
except ValueError:  # e.g. no channel chosen for k-means: nothing to reproduce
    code = None
share.footer(ps, code=code, filename=f"superpixels_{img.name}.py")
