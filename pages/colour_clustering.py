"""Colour k-means: pixels are samples, their Lab colour the features; plus the iris example."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.express as px
import sklearn.cluster  # noqa: F401 - imported up front so the time metric shows compute, not the import
import streamlit as st

from core import clustering as C
from core import reproduce
from core.images import to_rgb
from ui import cache, display, images, share
from ui import params as P
from ui.params import escape_md

PAGE = "colour_clustering"
ps = P.ParamSet(C.SCHEMA)


# --------------------------------------------------------------------------- cached stages
@cache.cache_data(max_entries=16)
def fit_stage(image: np.ndarray, kwargs: tuple):
    """Stage 1: colour conversion, k-means, labels — with its compute time and when it was computed."""
    start = time.perf_counter()
    result = C.color_kmeans_fit(image, **dict(kwargs))
    return result, time.perf_counter() - start, time.time()


@cache.cache_data(max_entries=16)
def views_stage(image: cache.Keyed, labels: cache.Keyed) -> dict:
    """Stage 2: average colours, boundaries, cluster map, palette (+ "digest": the inputs' key, for display)."""
    return {**C.cluster_views(image.array, labels.array), "digest": f"{image.digest}:{labels.digest}"}


@cache.cache_data(max_entries=16, show_spinner=False)
def palette_figure(palette: pd.DataFrame) -> dict:
    """The palette's bar chart (a figure dict), built once per palette: a display change reuses it."""
    labels = [f"{h} (cluster {c})" for h, c in zip(palette["hex"], palette["cluster"], strict=True)]
    fig = display.express(px.bar, palette.assign(name=labels), x="share", y="name", orientation="h", color="name",
                          color_discrete_sequence=list(palette["hex"]), text=palette["share"].map(lambda s: f"{s:.1%}"),
                          labels={"share": "share of the pixels", "name": ""})
    fig.update_layout(showlegend=False, height=80 + 30 * len(palette), margin=dict(l=10, r=10, t=10, b=10),
                      xaxis_tickformat=".0%")
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1])
    return display.figure_spec(fig)


@cache.cache_data(max_entries=12)
def iris(k: int):
    return C.iris_kmeans(k)


def fitted(image: np.ndarray, values: dict):
    """Stage 1 through the cache; ``seconds`` is None when the result came from the cache (no stale times)."""
    asked = time.time()
    result, seconds, computed_at = fit_stage(image, tuple(sorted(C.kmeans_kwargs(values).items())))
    return result, (seconds if computed_at >= asked else None), seconds


def compact(n: int) -> str:
    return f"{n:,}" if n < 100_000 else f"{n / 1000:,.0f}k"


def duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.1f} s"


def agreement(a: np.ndarray, b: np.ndarray) -> float:
    """Share of pixels in the same cluster, after matching cluster numbers (Hungarian)."""
    from scipy.optimize import linear_sum_assignment

    n = int(max(a.max(), b.max())) + 1
    table = np.bincount(a.ravel() * n + b.ravel(), minlength=n * n).reshape(n, n)
    rows, cols = linear_sum_assignment(-table)
    return float(table[rows, cols].sum() / a.size)


# --------------------------------------------------------------------------- page
ps.restore()
st.title(":material/palette: Colour k-means")
st.caption(
    "How do we carry Otsu's idea — split the pixels into groups by their value — to colour images? Treat every "
    "pixel as a **sample** whose **features** are its colour, and let **k-means** find *k* groups whose members "
    "are closest to their group's mean colour. RGB mixes colour with light intensity, so the tutorial converts "
    "to **Lab** and clusters only the colour channels **a** (green–red) and **b** (blue–yellow): shadows and "
    "highlights of one material then fall in the same cluster."
)

img = images.image_input(ps)
rgb = to_rgb(img.image)
name = escape_md(img.name)
stem = Path(img.name).stem if img.is_upload else img.name
height, width = img.image.shape[:2]

tab_image, tab_iris = st.tabs([":material/image: Pixels of an image",
                               ":material/local_florist: Iris (the tutorial's first k-means)"])

with tab_image:
    upload = ps.value("image") == "upload"
    presets = {label: ({k: v for k, v in p.items() if k != "image"} if upload and label in C.EXERCISES else p)
               for label, p in C.PRESETS.items()}
    items = list(presets.items())
    for half in (items[:2], items[2:]):  # two per row: the labels stay readable at 1024 px
        ps.preset_buttons(dict(half), help=C.PRESET_HELP)
    c1, c2, c3 = st.columns([1, 1.5, 1.5])
    space = ps.radio("color_space", "Colour space", container=c1, help=C.SCHEMA.fields["color_space"].help)
    ps.multiselect("channels", "Lab channels (features)", container=c2, disabled=space == "rgb",
                   help=C.SCHEMA.fields["channels"].help)
    ps.slider("k", "Clusters k", container=c3, help=C.SCHEMA.fields["k"].help)
    c4, c5 = st.columns([2.5, 1.5])
    ps.radio("fit", "Fit k-means on", container=c4, help=C.SCHEMA.fields["fit"].help)
    ps.number("seed", "Random seed", container=c5, help=C.SCHEMA.fields["seed"].help)

    values = ps.values()
    result = None
    try:
        slow = values["fit"] == "all" and width * height * values["k"] > 2_000_000
        hint = " — k-means on every pixel takes seconds here; a 10,000-pixel sample is faster" if slow else ""
        with st.spinner(f"Clustering the colours of {width}×{height} pixels{hint}…"):
            result, fresh, seconds = fitted(img.image, values)
    except ValueError as err:
        st.error(str(err), icon=":material/error:")

    if result is not None:
        m1, m2, m3, m4 = st.columns(4)
        m1.metric("Clusters", f"{len(np.unique(result.labels))}")
        m2.metric("Features", ", ".join(result.channels))
        m3.metric("Fitted on", compact(result.n_fit) + " px",
                  help=f"{result.n_fit:,} pixels: every pixel (the tutorial's fit) or a random sample.")
        if fresh is not None:
            m4.metric("Time", duration(fresh), help="Colour conversion + k-means + labels, just now.")
        else:
            m4.metric("Time", "cached", delta=f"took {duration(seconds)}", delta_color="off",
                      help="This result was already computed (by you or another session): nothing to redo.")

        @st.fragment
        def shown_view(views: dict) -> None:
            """The Show control and the two pictures: a change of view reruns only this (not the palette)."""
            view = ps.segmented("view", "Show", help=C.SCHEMA.fields["view"].help)
            left, right = st.columns(2)
            display.show(cache.Keyed(rgb, f"{img.digest}:rgb"), caption=f"Original: {name} ({width}×{height})",
                         container=left)
            captions = {
                "average": f"{name}: every pixel painted with the mean colour of its cluster — the image in "
                           f"{len(views['palette'])} colours.",
                "boundaries": f"{name}: cluster boundaries in yellow (the tutorial's mark_boundaries figure).",
                "labels": f"{name}: each cluster in an arbitrary flat colour, to tell similar means apart.",
            }
            display.show(cache.Keyed(views[view], f"{views['digest']}:{view}"), caption=captions[view], container=right)
            ps.publish()

        @st.fragment
        def show_views(result, image_k: cache.Keyed, labels_k: cache.Keyed) -> None:
            views = views_stage(image_k, labels_k)
            shown_view(views)
            palette = views["palette"]
            display.plotly_chart(palette_figure(palette), width="stretch", key=f"{PAGE}:palette_chart")
            st.caption(f"Each bar is one cluster of {name}, in its mean colour, sized by its share of the pixels. "
                       f"Inertia (sum of squared distances to the centres, over all pixels): {result.inertia:,.0f}.")
            d1, d2, d3 = st.columns(3)
            base = f"{stem}_kmeans{result.centers.shape[0]}"
            share.download_png("Average-colour image (PNG)", views["average"], f"{base}_average.png",
                               container=d1, key=f"{PAGE}:dl_average")
            share.download_png("Cluster labels (PNG)", result.labels, f"{base}_labels.png", container=d2,
                               key=f"{PAGE}:dl_labels")
            share.download_csv("Palette (CSV)", palette, f"{base}_palette.csv", container=d3,
                               key=f"{PAGE}:dl_palette")

        show_views(result, cache.Keyed(img.image, img.digest), cache.Keyed(result.labels))
        if img.name == "spices" and values["channels"] == ["a", "b"] and values["color_space"] == "lab":
            st.info("Pixel k-means is **noisy on texture**: it ignores where a pixel is, so the relief and shade of "
                    "each heap of spice fall into several clusters and the boundaries fray. The tutorial's answer "
                    "is to cluster **superpixels** instead.", icon=":material/grain:")
            st.page_link("pages/superpixels.py", label="Superpixels, then k-means", icon=":material/grid_view:")

        with st.expander("Compare the two fits (the tutorial's and the sample)", icon=":material/compare:"):
            other = {**values, "fit": "sample" if values["fit"] == "all" else "all"}
            if st.toggle("Compute the other fit", key=f"{PAGE}:compare"):
                with st.spinner("Fitting the other way…"):
                    other_result, _, other_seconds = fitted(img.image, other)
                e1, e2, e3 = st.columns(3)
                e1.metric(f"Inertia, {C.FIT_LABELS[values['fit']].lower()}", f"{result.inertia:,.0f}")
                e2.metric(f"Inertia, {C.FIT_LABELS[other['fit']].lower()}", f"{other_result.inertia:,.0f}")
                e3.metric("Pixels in the same cluster", f"{agreement(result.labels, other_result.labels):.2%}")
                st.caption(f"Compute times: {duration(seconds)} here, {duration(other_seconds)} the other way. A lower "
                           "inertia is a better k-means optimum; the tutorial's single run may stop at a worse one.")

with tab_iris:
    @st.fragment
    def iris_tab() -> None:
        st.caption("The tutorial meets k-means on scikit-learn's iris data: 150 flowers, 4 measurements each. The "
                   "model never sees the species; it only groups flowers by distance in measurement space. Rotate "
                   "the 3-D view: setosa stands apart, versicolor and virginica overlap.")
        ik = ps.slider("iris_k", "Clusters k (iris)", help=C.SCHEMA.fields["iris_k"].help)
        res = iris(int(ik))
        frame = res.frame.assign(cluster=res.frame["cluster"].astype(str))
        fig = px.scatter_3d(frame, x="petal width (cm)", y="sepal length (cm)", z="petal length (cm)",
                            color="cluster", symbol="species", category_orders={"cluster": [str(i) for i in range(ik)]},
                            height=520, color_discrete_sequence=px.colors.qualitative.D3)
        fig.update_traces(marker=dict(size=4))
        fig.update_layout(margin=dict(l=0, r=0, t=10, b=0), legend=dict(itemsizing="constant"),
                          scene_camera=dict(eye=dict(x=-1.8, y=1.55, z=1.15)))
        a, b = st.columns([5, 3])
        a.plotly_chart(fig, width="stretch", key=f"{PAGE}:iris_chart")
        b.metric("Adjusted Rand index", f"{res.ari:.3f}",
                 help="Agreement between clusters and species: 1 = identical grouping, about 0 = chance.")
        b.caption("Flowers per cluster and species:")
        b.dataframe(pd.crosstab(res.frame["cluster"], res.frame["species"]), width="stretch")
        share.download_csv("Iris with clusters (CSV)", res.frame, f"iris_kmeans{ik}.csv", container=b,
                           key=f"{PAGE}:dl_iris")
        st.caption("Axes as in the tutorial's figure: petal width, sepal length, petal length. Colour = cluster, "
                   "marker = true species.")
        ps.publish()

    iris_tab()

values = ps.values()
code = None
if values["channels"] or values["color_space"] == "rgb":
    lines = reproduce.image_lines("upload" if img.is_upload else img.name, shape=img.original_shape,
                                  working_size=images.working_size())
    code = reproduce.fill(PAGE, values, image=lines)
share.footer(ps, code=code, filename=f"colour_kmeans_{stem}.py", agreement=reproduce.agreement(PAGE))
