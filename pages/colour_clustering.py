"""Colour k-means: pixels are samples, their Lab colour the features; plus the iris example."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import plotly.express as px
import sklearn.cluster  # noqa: F401 - imported up front so the time metric shows compute, not the import
import streamlit as st
from skimage.segmentation import mark_boundaries

from core import clustering as C
from core.images import to_rgb
from core.recipes import colour_clustering as recipe
from ui import cache, images, share
from ui import params as P

PAGE = "colour_clustering"

ps = P.ParamSet(
    PAGE,
    [
        P.Choice("color_space", ["lab", "rgb"], "lab", labels={"lab": "Lab", "rgb": "RGB"}),
        P.Multi("channels", ["L", "a", "b"], ["a", "b"], allow_empty=True),
        P.Int("k", 2, 2, 12),
        P.Int("seed", 0, 0, 999),
        P.Choice("view", ["average", "boundaries", "labels"], "average",
                 labels={"average": "Average colours", "boundaries": "Boundaries", "labels": "Cluster map"}),
        P.Int("iris_k", 3, 1, 10),
    ],
    image="coffee",
)

PRESETS = {
    "Tutorial: k=2 on a, b": dict(color_space="lab", channels=["a", "b"], k=2, image="coffee"),
    "Tutorial: k=4 on L, a, b": dict(color_space="lab", channels=["L", "a", "b"], k=4, image="coffee"),
    "Exercise: k=3 on a, b": dict(color_space="lab", channels=["a", "b"], k=3, image="coffee"),
    "Exercise: k=3 on L, a, b": dict(color_space="lab", channels=["L", "a", "b"], k=3, image="coffee"),
}
PRESET_HELP = {
    "Tutorial: k=2 on a, b": "The tutorial's first cell: Lab colour space, only the colour channels "
                                      "a and b, k = 2.",
    "Tutorial: k=4 on L, a, b": "The tutorial's chapel-floor cell: all three Lab channels, k = 4.",
    "Exercise: k=3 on a, b": "The exercise: 3 clusters using only the colour channels — "
                                         "light and shadow of one hue fall together.",
    "Exercise: k=3 on L, a, b": "The same 3 clusters with lightness L added, to compare: now bright and dark "
                          "regions separate even when their hue is the same.",
}


# --------------------------------------------------------------------------- cached stages
@cache.cache_data(max_entries=16)
def fit_colours(image: np.ndarray, k: int, channels: tuple, space: str, seed: int):
    start = time.perf_counter()
    res = C.color_kmeans_fit(image, k, channels=channels, color_space=space, random_state=seed)
    return res, time.perf_counter() - start


@cache.cache_data(max_entries=16)
def views(image: np.ndarray, labels: np.ndarray):
    rgb = to_rgb(image)
    average = C.average_colors(rgb, labels)
    bounds = (mark_boundaries(rgb, labels, color=(1, 1, 0)) * 255).astype(np.uint8)
    palette = C.cluster_palette(rgb, labels)
    return average, bounds, palette


@cache.cache_data(max_entries=12)
def iris(k: int):
    return C.iris_kmeans(k)


def cluster_map(labels: np.ndarray) -> np.ndarray:
    """Each cluster in a distinct flat colour (Plotly's qualitative palette), for the 'cluster map' view."""
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in px.colors.qualitative.Plotly], np.uint8)
    return rgb[labels % len(rgb)]


# --------------------------------------------------------------------------- page
ps.restore()
st.title(":material/palette: Colour k-means")
st.caption(
    "How do we carry Otsu's idea — split the pixels into groups by their value — to colour images? Treat every "
    "pixel as a **sample** whose **features** are its colour, and let **k-means** find *k* groups whose members "
    "are closest to their group's mean colour. RGB mixes colour with light intensity, so the tutorial converts "
    "to **Lab** and clusters only the colour channels **a** (green–red) and **b** (blue–yellow): shadows and "
    "highlights of one material then fall in the same cluster. The tutorial's chapel-floor photo is not bundled "
    "offline; the *coffee* cup, with its few well-separated colours, stands in."
)

tab_image, tab_iris = st.tabs([":material/image: Pixels of an image", ":material/local_florist: Iris (the tutorial's first k-means)"])

img = images.image_input(ps)
rgb = to_rgb(img.image)

with tab_image:
    ps.preset_buttons(PRESETS, help=PRESET_HELP)
    c1, c2, c3, c4 = st.columns([1, 1.4, 1.4, 1])
    space = ps.radio("color_space", "Colour space", container=c1,
                     help="Lab separates lightness (L) from colour (a, b); RGB mixes them.")
    channels = ps.multiselect("channels", "Lab channels used as features", container=c2,
                              disabled=space == "rgb",
                              help="The tutorial uses a and b only (colour without lightness). "
                                   "Ignored for RGB, which uses R, G and B.")
    k = ps.slider("k", "Clusters k", container=c3, help="Number of colour groups.")
    seed = ps.number("seed", "Random seed", container=c4,
                     help="Seeds the pixel sample and k-means' initialisation.")

    result = None
    try:
        with st.spinner("Clustering pixel colours…"):
            result, seconds = fit_colours(img.image, int(k), tuple(channels), space, int(seed))
    except ValueError as err:
        st.error(str(err))

    if result is not None:
        labels = result.labels
        average, bounds, palette = views(img.image, labels)
        view = ps.segmented("view", "Show")
        shown = {"average": average, "boundaries": bounds, "labels": cluster_map(labels)}[view]
        left, right = st.columns(2)
        left.image(rgb, caption=f"Original — {img.name}", width="stretch")
        captions = {
            "average": "Every pixel painted with the mean colour of its cluster: the image in k colours.",
            "boundaries": "Cluster boundaries in yellow on the image (the tutorial's contour figure).",
            "labels": "Each cluster in an arbitrary flat colour, to tell clusters of similar mean colour apart.",
        }
        right.image(shown, caption=captions[view], width="stretch")

        m1, m2, m3, m4 = st.columns(4)
        m1.metric("Clusters", f"{len(palette)}")
        m2.metric("Features", ", ".join(result.channels))
        m3.metric("Fitted on", f"{result.n_fit:,} px", help="k-means is fitted on a random sample of pixels, "
                  "then predicts every pixel: as good an optimum as a fit on all pixels, many times faster.")
        m4.metric("Time", f"{seconds * 1000:.0f} ms", help="Colour conversion + fit + prediction, when computed.")

        st.subheader("Palette")
        names = [f"{h} (cluster {c})" for h, c in zip(palette["hex"], palette["cluster"], strict=True)]
        fig = px.bar(
            palette.assign(name=names), x="share", y="name", orientation="h", color="name",
            color_discrete_sequence=list(palette["hex"]), text=palette["share"].map(lambda s: f"{s:.1%}"),
            labels={"share": "share of the pixels", "name": ""},
        )
        fig.update_layout(showlegend=False, height=80 + 36 * len(palette), margin=dict(l=10, r=10, t=10, b=10),
                          xaxis_tickformat=".0%")
        fig.update_yaxes(categoryorder="array", categoryarray=names[::-1])  # largest share on top
        st.plotly_chart(fig, width="stretch", key=f"{PAGE}:palette_chart")
        st.caption(
            "Each bar is one cluster, in its mean colour, sized by its share of the pixels. "
            f"Inertia (sum of squared distances to the centres, over all pixels): {result.inertia:,.0f}."
        )

        d1, d2, d3 = st.columns(3)
        share.download_png("Average-colour image (PNG)", average, f"{img.name}_kmeans{k}_average.png",
                           container=d1, key=f"{PAGE}:dl_average")
        share.download_png("Cluster labels (PNG)", labels, f"{img.name}_kmeans{k}_labels.png",
                           container=d2, key=f"{PAGE}:dl_labels")
        share.download_csv("Palette (CSV)", palette, f"{img.name}_kmeans{k}_palette.csv",
                           container=d3, key=f"{PAGE}:dl_palette")

with tab_iris:
    st.caption(
        "The tutorial meets k-means on scikit-learn's iris data: 150 flowers, 4 measurements each. The model "
        "never sees the species; it only groups flowers by distance in measurement space. Rotate the 3-D view: "
        "setosa stands apart, versicolor and virginica overlap."
    )
    ik = ps.slider("iris_k", "Clusters k (iris)", help="The tutorial uses 3, the number of species.")
    res = iris(int(ik))
    frame = res.frame.assign(cluster=res.frame["cluster"].astype(str))
    fig = px.scatter_3d(
        frame, x="petal width (cm)", y="sepal length (cm)", z="petal length (cm)", color="cluster",
        symbol="species", category_orders={"cluster": [str(i) for i in range(ik)]}, height=560,
        color_discrete_sequence=px.colors.qualitative.D3,
    )
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
    st.caption(
        "Axes as in the tutorial's figure: petal width, sepal length, petal length. Colour = cluster, "
        "marker = true species."
    )

try:
    code = recipe.script({**ps.values(), "working_size": images.working_size()})
except ValueError:  # e.g. no channel chosen: nothing to reproduce
    code = None
share.footer(ps, code=code, filename=f"colour_kmeans_{img.name}.py")
