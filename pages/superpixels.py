"""Superpixels: SLIC, Felzenszwalb, quickshift, compact watershed; then merge them by colour."""

from __future__ import annotations

import time

import numpy as np
import sklearn.cluster  # noqa: F401 - imported up front so the time metric shows compute, not the import
import streamlit as st
from skimage.segmentation import mark_boundaries

from core import reproduce
from core import superpixels as S
from core.clustering import average_colors
from core.images import to_rgb
from ui import cache, images, share
from ui.display import show, shown_image, shown_labels
from ui.params import ParamSet

PAGE = "superpixels"
NAMES = S.METHOD_NAMES
SHOWN = 720  # the longest side of the second stage's two pictures (about half a wide page)
SLOW_SECONDS = 4.0  # a first stage estimated longer than this asks before it runs
_DONE: set = set()  # (digest, method, params) computed in this process: no need to ask again

ps = ParamSet(S.SCHEMA)


def helped(name: str) -> str:
    return S.SCHEMA.fields[name].help


# --------------------------------------------------------------------------- cached stages
@cache.cache_data(max_entries=12)
def first_stage(image: np.ndarray, method: str, params: tuple):
    """Superpixels, their average-colour image, count and compute seconds (cached by image digest + params)."""
    start = time.perf_counter()
    rgb = to_rgb(image)
    segments = S.segment(rgb, method, **dict(params))
    return segments, average_colors(rgb, segments), S.segment_count(segments), time.perf_counter() - start


@cache.cache_data(max_entries=24)
def second_stage(image_k: cache.Keyed, segments: cache.Keyed, how: str, k: int, channels: tuple, threshold: float):
    """The merged labels, their average-colour and boundary images (each with its digest: shown and passed on
    without re-hashing), cluster and region counts, compute seconds. Inputs keyed by their stored digests."""
    start = time.perf_counter()
    image = image_k.array
    labels = S.merge(image, segments.array, how, k=k, channels=channels, threshold=threshold)
    if labels.size and labels.min() >= 0:  # the smallest integer type: 8× fewer bytes kept in the cache for k-means
        labels = labels.astype(np.min_scalar_type(int(labels.max())))
    count, regions = S.segment_count(labels), S.connected_regions(labels)
    seconds = time.perf_counter() - start  # the merge's time (not the drawing)
    labels = cache.Keyed(labels)  # both pictures drawn at the size shown (fewer pixels)
    small, small_labels = shown_image(image_k, SHOWN).array, shown_labels(labels, SHOWN).array
    average = average_colors(to_rgb(small), small_labels)  # each region's mean over the pixels shown
    return labels, cache.Keyed(average), count, regions, boundaries(image_k, labels), seconds


@cache.cache_data(max_entries=24)
def boundaries(image: cache.Keyed, labels: cache.Keyed, side: int = SHOWN) -> cache.Keyed:
    """mark_boundaries drawn at the size shown (``side`` px), so its lines are 1 px wide there; with its digest."""
    small, small_labels = shown_image(image, side).array, shown_labels(labels, side).array
    return cache.Keyed((mark_boundaries(to_rgb(small), small_labels, color=(1, 1, 0)) * 255).astype(np.uint8))


@cache.cache_data(max_entries=8)
def tutorial_check(image: cache.Keyed, segments: cache.Keyed, labels: cache.Keyed, k: int, channels: tuple):
    start = time.perf_counter()
    image, segments, labels = image.array, segments.array, labels.array
    theirs = S.tutorial_kmeans(image, segments, k, channels=channels)
    return (S.kmeans_objective(image, segments, labels, channels=channels),
            S.kmeans_objective(image, segments, theirs, channels=channels), S.label_agreement(labels, theirs),
            time.perf_counter() - start)


def timed(func, *args):
    """``func(*args)`` (a cached stage whose last item is its compute seconds), that time as text, and whether
    this call was served from the cache."""
    start = time.perf_counter()
    out = func(*args)
    cached = time.perf_counter() - start < 0.5 * out[-1]
    seconds = out[-1]
    return out, (f"{seconds:.1f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"), cached


def time_metric(container, label: str, shown: str, cached: bool, help: str) -> None:
    container.metric(label, shown, delta="cached: reused" if cached else "computed now", delta_color="off",
                     delta_arrow="off", help=help)


def params_of(method: str) -> tuple:
    return tuple(sorted(S.segment_kwargs(ps.values(), method).items()))


def method_controls(method: str, container) -> None:
    with container:
        if method == "slic":
            a, b = st.columns(2)
            ps.slider("n_segments", "n_segments (about how many)", container=a, help=helped("n_segments"))
            ps.log_slider("compactness", "compactness", container=b, help=helped("compactness"))
            c, d = st.columns(2)
            ps.slider("sigma", "sigma (pre-smoothing, px)", container=c, help=helped("sigma"))
            ps.toggle("slic_zero", "SLIC-zero", container=d, help=helped("slic_zero"))
        elif method == "felzenszwalb":
            a, b, c = st.columns(3)
            ps.log_slider("scale", "scale", container=a, help=helped("scale"))
            ps.slider("fz_sigma", "sigma", container=b, help=helped("fz_sigma"))
            ps.slider("min_size", "min_size (px)", container=c, help=helped("min_size"))
        elif method == "quickshift":
            a, b, c = st.columns(3)
            ps.slider("kernel_size", "kernel_size", container=a, help=helped("kernel_size"))
            ps.slider("max_dist", "max_dist", container=b, help=helped("max_dist"))
            ps.slider("ratio", "ratio", container=c, help=helped("ratio"))
        else:
            a, b = st.columns(2)
            ps.slider("markers", "markers (seed count)", container=a, help=helped("markers"))
            ps.log_slider("ws_compactness", "compactness", container=b, help=helped("ws_compactness"),
                          fmt=lambda v: f"{v:.0e}" if v < 0.01 else f"{v:g}")


def slow_guard(image: np.ndarray, digest: str, method: str, params: tuple, where: str = "main") -> bool:
    """True when the first stage may run now; else a word with the estimate and a smaller-size offer."""
    seconds = S.estimate_seconds(method, image.shape, **dict(params))
    key = (digest, method, params)
    if seconds <= SLOW_SECONDS or key in _DONE or st.session_state.get(f"{PAGE}:run_slow") == key:
        return True
    h, w = image.shape[:2]
    smaller = [s for s in images.WORKING_SIZES if s < max(h, w)
               and S.estimate_seconds(method, (h * s / max(h, w), w * s / max(h, w)), **dict(params)) <= SLOW_SECONDS]
    st.warning(f"**{NAMES[method]} at {w}×{h}** takes about **{seconds:.0f} s** on this server (it grows with "
               "the pixel count" + (" and kernel_size²" if method == "quickshift" else "") + "). Run it at this "
               "size, or work on a smaller copy first?", icon=":material/hourglass_top:")
    a, b = st.columns(2)
    a.button(f"Run it (≈ {seconds:.0f} s)", key=f"{PAGE}:run_slow_button:{where}", icon=":material/play_arrow:",
             on_click=lambda: st.session_state.__setitem__(f"{PAGE}:run_slow", key))
    if smaller:
        size = smaller[-1]
        b.button(f"Work at {size} px (≈ {seconds * (size / max(h, w)) ** 2:.1f} s)", key=f"{PAGE}:smaller:{where}",
                 icon=":material/photo_size_select_small:",
                 on_click=lambda: st.session_state.__setitem__("working_size", size))
    return False


# --------------------------------------------------------------------------- page
st.title(":material/grid_view: Superpixels")
st.caption(
    "Colour k-means ignores *where* a pixel is, yet neighbouring pixels usually belong to the same object. "
    "**Superpixel** algorithms group pixels by colour **and** position: **SLIC** runs k-means on (x, y, L, a, b) "
    "in local windows, its *compactness* weighing space against colour; **Felzenszwalb**, **quickshift** and "
    "**compact watershed** are other ways to over-segment. Then, as the tutorial does, a **second clustering** "
    "joins superpixels of the same kind — k-means on their mean colours, or cutting a region adjacency graph."
)
img = images.image_input(ps)
stem = share.stem(img.name)  # no extension, safe characters: download names and captions
names = list(S.PRESETS)
for row in (names[:2], names[2:]):  # two per row: the labels stay whole at 1024 px
    ps.preset_buttons({n: S.PRESETS[n] for n in row}, help=S.PRESET_HELP)

st.subheader("1 · Superpixels")
top_l, top_r = st.columns([2, 1], vertical_alignment="bottom")
method = ps.select("method", "Method", container=top_l, help=helped("method"))
ps.toggle("compare", "Compare all four", container=top_r, help=helped("compare"))
method_controls(method, st.container())

h, w = img.image.shape[:2]
stage1 = None
if slow_guard(img.image, img.digest, method, params_of(method)):
    try:
        estimate = S.estimate_seconds(method, img.image.shape, **dict(params_of(method)))
        with st.spinner(f"{NAMES[method]} superpixels of {stem} at {w}×{h} (about {max(estimate, 0.1):.1f} s)…",
                        show_time=True):
            stage1, stage1_time, stage1_cached = timed(first_stage, img.image, method, params_of(method))
        _DONE.add((img.digest, method, params_of(method)))
    except ValueError as err:
        st.error(str(err))

if stage1 is not None:
    segments, average, count, _ = stage1
    m1, m2, m3 = st.columns(3)
    m1.metric("Superpixels", f"{count:,}")
    time_metric(m2, "Compute time", stage1_time, stage1_cached, help="The first stage's compute time, when it was "
                "computed; 'cached: reused' = taken from the cache now. Second-stage widgets never recompute it.")
    m3.metric("Mean size", f"{segments.size / max(count, 1):,.0f} px")
    left, right = st.columns(2)
    show(boundaries(cache.Keyed(img.image, img.digest), cache.Keyed(segments)), container=left, photo=True,
         caption=f"{NAMES[method]} on {stem}: superpixel boundaries (mark_boundaries).")
    show(average, container=right, max_side=SHOWN,
         caption=f"{stem}: each superpixel in its mean colour (label2rgb kind='avg').")
    if count == 1:
        st.info("Only one superpixel: the image may be a single colour. Try another image or smaller scale.")
    d1, d2 = st.columns(2)
    share.download_png("Superpixel labels (PNG)", segments, f"{stem}_{method}_labels.png", container=d1,
                       key=f"{PAGE}:dl_segments")
    share.download_png("Average-colour image (PNG)", average, f"{stem}_{method}_average.png", container=d2,
                       key=f"{PAGE}:dl_average")

if ps.value("compare"):
    st.markdown(f"**All four methods on {stem}** (each with its current settings: scikit-image's gallery)")
    cols = st.columns(4)
    for col, name in zip(cols, S.METHODS, strict=True):
        with col:
            ready = slow_guard(img.image, img.digest, name, params_of(name), where="gallery")
        if not ready:
            continue
        try:
            with st.spinner(f"{NAMES[name]}…", show_time=True):
                (segs, _, n, _), spent, hit = timed(first_stage, img.image, name, params_of(name))
            _DONE.add((img.digest, name, params_of(name)))
            show(boundaries(cache.Keyed(img.image, img.digest), cache.Keyed(segs), 600), container=col, photo=True)
            col.caption(f"**{NAMES[name]}**: {n:,} segments, {spent}" + (" (cached)" if hit else ""))
        except ValueError as err:
            col.error(f"{NAMES[name]}: {err}")
    st.caption("Change the method above to tune its parameters; the comparison follows.")


@st.fragment
def tutorial_compare(image_k: cache.Keyed, segments_k: cache.Keyed, labels_k: cache.Keyed, k: int,
                     channels) -> None:
    """The tutorial's own k-means, on demand: its toggle reruns only this (it is in no link)."""
    if not st.toggle("Compare with the tutorial's own k-means (one run over every pixel; slow at 1 MP)",
                     key=f"{PAGE}:tutorial_check"):
        return
    h, w = image_k.array.shape[:2]
    with st.spinner(f"k-means over all {h * w:,} pixels, as the tutorial does…", show_time=True):
        ours, theirs, agree, _ = tutorial_check(image_k, segments_k, labels_k, k, channels)
    a, b, c = st.columns(3)
    a.metric("Objective, this page", f"{ours:,.2f}", help="Mean squared Lab distance to the cluster mean.")
    b.metric("Objective, tutorial's run", f"{theirs:,.2f}")
    c.metric("Pixels in agreement", f"{100 * agree:.1f} %")
    st.caption("Both minimise the same k-means objective (lower is better). The tutorial runs k-means "
               "once (scikit-learn's default, one k-means++ start) over every pixel; this page keeps the "
               "best of 10 starts on one weighted sample per superpixel, so it usually reaches a lower "
               "optimum. Where they disagree, the objectives say which clustering fits better.")


@st.fragment
def stage_two(image_k: cache.Keyed, segments_k: cache.Keyed | None) -> None:
    """The second stage, the downloads and the footer: its widgets rerun this fragment only.

    ``image_k`` / ``segments_k``: the image and the first stage's superpixels with their digests (computed
    once per full run, not on every move of k)."""
    segments = segments_k.array if segments_k is not None else None
    values = ps.values()
    st.subheader("2 · Join the superpixels")
    s_l, s_r = st.columns([1, 3])
    how = ps.radio("merge", "Second stage", container=s_l, horizontal=False, help=helped("merge"))
    if how == "kmeans":
        a, b = s_r.columns(2)
        ps.slider("k", "Clusters k", container=a, help=helped("k"))
        ps.multiselect("channels", "Lab channels of the mean colours", container=b, help=helped("channels"))
        s_r.caption("k-means on one sample per superpixel (its mean colour, weighted by its size): the same "
                    "objective as the tutorial's k-means over every pixel of the average-colour image, for a few "
                    "hundred samples instead of every pixel.")
    elif how == "rag":
        ps.slider("threshold", "Colour distance threshold", container=s_r, help=helped("threshold"))
        s_r.caption("skimage.graph.rag_mean_color + cut_threshold: neighbours joined by an edge weighing the "
                    "distance between their mean colours; edges above the threshold are cut.")
    else:
        s_r.caption("No second stage: the superpixels are the result.")
    values = ps.values()
    merged = None
    if segments is not None and how != "none":
        try:
            kw = S.merge_kwargs(values)
            merged, spent, hit = timed(second_stage, image_k, segments_k, how, kw["k"], kw["channels"],
                                       kw["threshold"])
        except ValueError as err:
            st.error(str(err))
    if merged is not None:
        labels_k, merged_avg, n_clusters, n_regions, merged_edges, _ = merged
        labels = labels_k.array
        m1, m2, m3 = st.columns(3)
        m1.metric("Clusters after merging", f"{n_clusters:,}", help="Distinct labels: one per k-means cluster "
                  "(a cluster may be many separate pieces) or per RAG region.")
        m2.metric("Connected regions", f"{n_regions:,}", help="8-connected pieces of the merged label image.")
        time_metric(m3, "Second-stage time", spent, hit, help="The merge's compute time, when it was computed "
                    "(superpixels reused from the first stage).")
        left, right = st.columns(2)
        show(merged_edges, container=left, caption=f"{stem}: the merged regions' boundaries.", photo=True)
        show(merged_avg, container=right, caption=f"{stem}: each merged region in its mean colour.", max_side=SHOWN)
        share.download_png("Merged labels (PNG)", labels, f"{stem}_{method}_{how}_labels.png",
                           key=f"{PAGE}:dl_merged")
        if how == "kmeans":
            tutorial_compare(image_k, segments_k, labels_k, kw["k"], kw["channels"])
    st.caption("Label PNGs are 8-bit when there are at most 256 labels, 16-bit otherwise.")
    code = reproduce.fill(PAGE, values, image=reproduce.image_lines(
        img.name if not img.is_upload else "upload", shape=img.original_shape, working_size=images.working_size()))
    share.footer(ps, code=code, filename=f"superpixels_{stem}.py", agreement=reproduce.agreement(PAGE))


stage_two(cache.Keyed(img.image, img.digest), cache.Keyed(stage1[0]) if stage1 is not None else None)
