"""Object clustering: label objects, measure them with regionprops, scale the features, k-means."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import streamlit as st

from core import objects as O
from core.recipes import objects as recipe
from ui import cache, images, share
from ui import params as P

PAGE = "objects"
FEATURES = list(O.PROPERTIES)
TUTORIAL_FEATURES = ["area", "perimeter2_over_area", "solidity"]
_LABEL_UPLOAD = f"{PAGE}:label_upload"  # session key: the decoded label/mask upload
_LABEL_ERROR = f"{PAGE}:label_upload_error"

ps = P.ParamSet(
    PAGE,
    [
        P.Choice("source", ["blobs", "image", "upload"], "blobs",
                 labels={"blobs": "Generated blobs", "image": "Thresholded image", "upload": "Uploaded mask / labels"}),
        P.Int("length", 1024, 128, 2048, step=64),
        P.Float("blob_size", 0.05, 0.01, 0.2, step=0.01),
        P.Float("volume", 0.2, 0.05, 0.6, step=0.05),
        P.Int("seed", 0, 0, 9999),
        P.Choice("objects", ["bright", "dark"], "bright",
                 labels={"bright": "bright objects", "dark": "dark objects"}),
        P.Choice("upload_as", ["auto", "mask", "labels"], "auto",
                 labels={"auto": "auto", "mask": "binary mask", "labels": "label image"}),
        P.Choice("connectivity", [1, 2], 2, labels={1: "1 (sides)", 2: "2 (sides + corners)"}),
        P.Bool("exclude_border", False),
        P.Int("max_size", 0, 0, 5000),
        P.Multi("features", FEATURES, TUTORIAL_FEATURES, allow_empty=True),
        P.Choice("scaling", list(O.SCALINGS), "none",
                 labels={"none": "none", "area_max": "area ÷ max", "max": "all ÷ max", "standard": "standard",
                         "robust": "robust"}),
        P.Int("k", 2, 1, 10),
        P.Choice("x", FEATURES, "area", labels=O.PROPERTY_LABELS),
        P.Choice("y", FEATURES, "perimeter2_over_area", labels=O.PROPERTY_LABELS),
        P.Int("highlight", 0, 0, 1_000_000),
    ],
    image="coins",
)

PRESETS = {
    "① Raw features": dict(features=TUTORIAL_FEATURES, scaling="none", k=2, x="area", y="perimeter2_over_area"),
    "② Area ÷ max": dict(features=TUTORIAL_FEATURES, scaling="area_max", k=2, x="area", y="perimeter2_over_area"),
    "③ Standardised": dict(features=TUTORIAL_FEATURES, scaling="standard", k=2, x="area", y="perimeter2_over_area"),
    "④ Exercise: eccentricity": dict(features=["eccentricity", "perimeter2_over_area", "solidity"],
                                     scaling="standard", k=2, x="eccentricity", y="perimeter2_over_area"),
}
PRESET_HELP = {
    "① Raw features": "The tutorial's first try: area, perimeter²/area and solidity as measured. The area "
                      "(hundreds to thousands of pixels) dominates the distances, so k-means splits by size.",
    "② Area ÷ max": "The tutorial's second step: divide the area by its maximum so it no longer dominates "
                    "(perimeter²/area, at least 4π ≈ 12.6, then weighs most).",
    "③ Standardised": "The tutorial's third step: StandardScaler — every feature gets zero mean and unit variance.",
    "④ Exercise: eccentricity": "The exercise: replace the area by the eccentricity, so the clusters separate compact "
                                "from convoluted particles regardless of their size.",
}


# --------------------------------------------------------------------------- cached stages
@cache.cache_data(max_entries=8)
def blobs_mask(length: int, blob_size: float, volume: float, seed: int) -> np.ndarray:
    return O.make_blobs(length, blob_size, volume, seed)


@cache.cache_data(max_entries=8)
def image_mask(image: np.ndarray, objects: str) -> np.ndarray:
    return O.threshold_mask(image, objects=objects)


@cache.cache_data(max_entries=8)
def upload_labels(image: np.ndarray, kind: str, objects: str) -> tuple[np.ndarray, str]:
    return O.labels_from_image(image, kind=kind, objects=objects)


@cache.cache_data(max_entries=8)
def label_summary(labels: np.ndarray) -> tuple[int, int, list[int]]:
    """Number of objects, largest id and missing ids of an uploaded label image (once, not per rerun)."""
    ids = np.unique(labels)
    ids = ids[ids > 0]
    return len(ids), int(ids.max()) if len(ids) else 0, O.label_gaps(labels)


@cache.cache_data(max_entries=8)
def make_labels(mask_or_labels: np.ndarray, is_labels: bool, connectivity: int, exclude_border: bool,
                max_size: int) -> np.ndarray:
    if is_labels:
        return O.clean_labels(mask_or_labels, exclude_border=exclude_border, max_size=max_size)
    return O.label_objects(mask_or_labels, connectivity=connectivity, exclude_border=exclude_border,
                           max_size=max_size)


@cache.cache_data(max_entries=8)
def measure(labels: np.ndarray) -> pd.DataFrame:
    """Every property, once per label image: changing k, scaling or features never re-measures."""
    return O.measure_objects(labels, O.PROPERTIES)


@cache.cache_data(max_entries=16)
def cluster(table: pd.DataFrame, features: tuple, k: int, scaling: str) -> np.ndarray:
    return O.cluster_objects(table, list(features), k, scaling=scaling)


@cache.cache_data(max_entries=8)
def colour_labels(labels: np.ndarray) -> np.ndarray:
    return O.color_labels(labels)


# --------------------------------------------------------------------------- callbacks
def _on_label_upload() -> None:
    file = st.session_state.get(f"{PAGE}:label_uploader")
    st.session_state.pop(_LABEL_ERROR, None)
    if file is None:
        return
    try:
        image = O.read_label_file(file.getvalue())
    except ValueError as err:
        st.session_state[_LABEL_ERROR] = f"**{file.name}**: {err}"
        return
    st.session_state[_LABEL_UPLOAD] = {"name": file.name, "image": image}
    ps.set("source", "upload")
    ps.set("highlight", 0)


def _on_table_select() -> None:
    ids = st.session_state.get(f"{PAGE}:table_ids")
    try:
        rows = list(st.session_state[f"{PAGE}:table"]["selection"]["rows"])
    except (KeyError, TypeError):
        rows = []
    if rows and ids is not None and rows[0] < len(ids):
        ps.set("highlight", int(ids[rows[0]]))
    else:
        ps.set("highlight", 0)


def _point_label(point: dict) -> int | None:
    """The object label carried in a plotly point's customdata (a list, a dict or a scalar)."""
    data = point.get("customdata")
    if isinstance(data, dict):
        data = data.get("0", next(iter(data.values()), None))
    elif isinstance(data, (list, tuple)):
        data = data[0] if data else None
    try:
        return int(data)
    except (TypeError, ValueError):
        return None


def _on_scatter_select() -> None:
    state = st.session_state.get(f"{PAGE}:scatter")
    try:
        points = list(state["selection"]["points"])
    except (KeyError, TypeError):
        points = []
    label = _point_label(points[0]) if points else None
    if label is not None and 0 < label <= ps.fields["highlight"].max:
        ps.set("highlight", label)


# --------------------------------------------------------------------------- page
st.title("Object clustering")
st.caption(
    "Here the samples are **objects**, not pixels. The binary image is split into connected objects "
    "(`measure.label`), each object is measured (`measure.regionprops_table`: area, perimeter, solidity, "
    "eccentricity …), and k-means groups the objects on a few of those measurements — big convoluted "
    "particles versus small round ones. k-means uses Euclidean distances, so a feature measured in thousands "
    "of pixels (the area) drowns the ones between 0 and 1 unless the features are **scaled**: walk the "
    "tutorial's steps with the presets."
)
ps.restore()
ps.preset_buttons(PRESETS, help=PRESET_HELP)

# ---- sidebar: the objects
with st.sidebar:
    st.subheader("Objects")
    source = ps.radio("source", "Objects from", horizontal=False)
notes: list[str] = []
upload = st.session_state.get(_LABEL_UPLOAD)
input_image = None  # what the "Input" column shows
mask_or_labels = None
is_labels = False
input_caption = ""
values_extra: dict = {}
error: str | None = None

if source == "upload" and upload is None:
    with st.sidebar:
        st.info("No mask or label image uploaded yet (an upload cannot travel in a link): "
                "showing the generated blobs until you upload one below.")

with st.sidebar:
    if source == "image":
        img = images.image_input(ps, label="Image to threshold")
        ps.radio("objects", "Objects are", help="Otsu's threshold splits the gray levels in two; "
                 "choose which side holds the objects.")
    if source == "upload":
        st.file_uploader(
            "Binary mask or label image", type=["png", "tif", "tiff", "bmp", "gif", "jpg", "jpeg", "webp"],
            key=f"{PAGE}:label_uploader", on_change=_on_label_upload,
            help="A black-and-white mask (objects bright) or a label image: 0 = background, each object its "
                 "own gray value (8- or 16-bit PNG/TIFF) or its own colour. Ids with gaps are kept.",
        )
        if st.session_state.get(_LABEL_ERROR):
            st.error(st.session_state[_LABEL_ERROR], icon="🚫")
        ps.radio("upload_as", "Read the file as", help="auto: two gray levels = a mask, more = a label image.")
        ps.radio("objects", "Mask objects are")
    if source == "blobs" or (source == "upload" and upload is None):
        ps.slider("length", "Side length (px)", help="binary_blobs(length=…); the tutorial uses 1024.")
        ps.slider("blob_size", "Blob size fraction", help="Typical blob size as a fraction of the side.")
        ps.slider("volume", "Volume fraction", help="Fraction of the pixels that are foreground.")
        ps.number("seed", "Seed (rng)", help="Same seed, same blobs. The tutorial's call had no seed.")
    st.subheader("Labelling")
    ps.radio("connectivity", "Connectivity", help="Do pixels touching only by a corner belong to the same object?")
    ps.toggle("exclude_border", "Remove objects touching the border",
              help="Cut objects are measured wrongly (part of their area is outside the image).")
    ps.number("max_size", "Remove objects ≤ (px)", help="remove_small_objects(max_size=…): 0 keeps everything.")

v = ps.values()
try:
    if v["source"] == "image":
        input_image = img.image
        mask_or_labels = image_mask(img.image, v["objects"])
        input_caption = f"{img.name}: Otsu threshold keeps the {v['objects']} pixels ({mask_or_labels.mean():.0%})."
        values_extra["working_size"] = images.working_size()
    elif v["source"] == "upload" and upload is not None:
        mask_or_labels, kind = upload_labels(upload["image"], v["upload_as"], v["objects"])
        is_labels = kind == "labels"
        values_extra["upload_kind"] = kind
        input_image = upload["image"] if upload["image"].dtype == np.uint8 else None
        if is_labels:
            n_ids, max_id, gaps = label_summary(mask_or_labels)
            input_caption = f"{upload['name']}: read as a label image with {n_ids} objects."
            if gaps:
                shown = ", ".join(map(str, gaps[:8])) + (" …" if len(gaps) > 8 else "")
                notes.append(
                    f"The label image has gaps in its ids ({len(gaps)} missing between 1 and {max_id}: "
                    f"{shown}). The ids are kept as they are, so the table's `label` column matches the pixel "
                    "values of your file."
                )
            if n_ids > 5000:
                notes.append(f"{n_ids} distinct values: is this really a label image? If it is a photo or a "
                             "JPEG mask, read it as a **binary mask** instead.")
        else:
            input_caption = f"{upload['name']}: read as a binary mask ({mask_or_labels.mean():.0%} foreground)."
    else:
        mask_or_labels = blobs_mask(v["length"], v["blob_size"], v["volume"], v["seed"])
        input_caption = (f"binary_blobs(length={v['length']}, blob_size_fraction={v['blob_size']:g}, "
                         f"volume_fraction={v['volume']:g}, rng={v['seed']})")
    if input_image is None:
        input_image = (mask_or_labels > 0).astype(np.uint8) * 255
    with st.spinner("Labelling and measuring the objects…"):
        labels = make_labels(mask_or_labels, is_labels, v["connectivity"], v["exclude_border"], v["max_size"])
        table = measure(labels)
except ValueError as err:
    error = str(err)
    labels = table = None

for note in notes:
    st.info(note)

clusters = None
cluster_error = None
if table is not None:
    # ---- clustering controls
    c1, c2, c3 = st.columns([4, 3, 1.3])
    ps.multiselect("features", "Features to cluster on", container=c1,
                   format_func=lambda f: O.PROPERTY_LABELS[f],
                   help="Each object is a point in the space of these features.")
    ps.radio("scaling", "Scaling", container=c2,
                 help="none: as measured · area ÷ max: the tutorial's second step, only the area divided by its "
                      "maximum · all ÷ max: every feature divided by its own maximum · standard: zero mean, unit "
                      "variance · robust: median 0, interquartile range 1.")
    ps.number("k", "Clusters (k)", container=c3)
    v = ps.values()
    try:
        clusters = cluster(table, tuple(v["features"]), v["k"], v["scaling"])
    except ValueError as err:
        cluster_error = str(err)

    n_objects = len(table)
    st.session_state[f"{PAGE}:table_ids"] = table["label"].to_numpy()
    highlight = int(v["highlight"])
    if highlight and highlight not in set(table["label"].tolist()):
        st.caption(f"Object {highlight} is not in this image (any more): nothing highlighted.")
        highlight = 0

    # ---- images
    col_in, col_lab, col_cl = st.columns(3)
    with col_in:
        st.markdown("**Input**")
        st.image(input_image, width="stretch")
        st.caption(input_caption)
    with col_lab:
        st.markdown(f"**{n_objects} labelled object{'s' if n_objects != 1 else ''}**")
        lab_rgb = colour_labels(labels)
        if highlight:
            lab_rgb = O.highlight_object(lab_rgb, labels, highlight)
        st.image(lab_rgb, width="stretch")
        st.caption("One colour per object (colours repeat). "
                   + (f"Object **{highlight}** is outlined in yellow." if highlight else
                      "Select a row of the table or a point of the scatter to outline an object."))
    with col_cl:
        if clusters is not None:
            painted = O.paint_clusters(labels, table, clusters)
            painted_rgb = O.color_clusters(painted)
            st.markdown(f"**Objects coloured by cluster (k = {v['k']})**")
            st.image(O.highlight_object(painted_rgb, labels, highlight) if highlight else painted_rgb,
                     width="stretch")
            sizes = np.bincount(clusters, minlength=v["k"])
            st.caption(
                "Cluster " + ", ".join(f"{c}: {n} objects" for c, n in enumerate(sizes))
                + f" — clustered on {', '.join(v['features'])} with **{ps.fields['scaling'].label(v['scaling'])}** scaling."
            )
        else:
            st.markdown("**Objects coloured by cluster**")
            st.error(cluster_error)

    # ---- scatter + per-cluster summary
    shown = table.copy()
    if clusters is not None:
        shown.insert(1, "cluster", clusters)
    left, right = st.columns([3, 2])
    with left:
        a, b = st.columns(2)
        ps.select("x", "Scatter x", container=a)
        ps.select("y", "Scatter y", container=b)
        v = ps.values()
        plot = shown.copy()
        color = None
        if clusters is not None:
            plot["cluster"] = plot["cluster"].astype(str)
            color = "cluster"
        fig = px.scatter(
            plot, x=v["x"], y=v["y"], color=color, custom_data=["label"],
            hover_data={"label": True, v["x"]: ":.3g", v["y"]: ":.3g"},
            color_discrete_map={str(c): O.PALETTE[c % len(O.PALETTE)] for c in range(10)},
            category_orders={"cluster": [str(c) for c in range(10)]},
            labels={f: O.PROPERTY_LABELS[f] for f in FEATURES},
        )
        if highlight:
            row = table.index[table["label"] == highlight][0]
            fig.add_scatter(x=[table.at[row, v["x"]]], y=[table.at[row, v["y"]]], mode="markers",
                            marker=dict(size=16, color="rgba(0,0,0,0)", line=dict(color="#FFD400", width=3)),
                            name=f"object {highlight}", hoverinfo="skip")
        fig.update_layout(height=420, margin=dict(l=10, r=10, t=30, b=10), legend_title_text="cluster")
        st.plotly_chart(fig, key=f"{PAGE}:scatter", on_select=_on_scatter_select, selection_mode="points")
        st.caption("Each point is an object, coloured by its cluster; hover shows its label and values, a click "
                   "outlines it in the images. The axes are the **unscaled** measurements.")
    with right:
        st.markdown("**Clusters: size and mean of each feature**")
        if clusters is not None:
            summary = O.cluster_summary(table, clusters, v["features"])
            summary["share"] = 100 * summary["share"]
            summary = summary.rename(columns={"share": "share (%)", **O.PROPERTY_LABELS}).T
            summary.columns = [f"cluster {c}" for c in summary.columns]
            st.dataframe(summary.style.format("{:.4g}"), width="stretch")
            st.caption("Means are in the measured units, whatever the scaling used for clustering.")
        else:
            st.caption("No clusters: " + (cluster_error or ""))

    # ---- the table
    t1, t2 = st.columns([4, 1])
    t1.markdown("**Property table** — one row per object (click a column header to sort, a row to outline it)")
    ps.number("highlight", "Outline object (label, 0 = none)", container=t2)
    st.dataframe(
        shown, key=f"{PAGE}:table", on_select=_on_table_select, selection_mode="single-row", hide_index=True,
        height=320, column_config={f: st.column_config.NumberColumn(format="%.4g") for f in FEATURES
                                   if f not in ("area", "euler_number")},
    )
    d1, d2, d3, d4 = st.columns(4)
    share.download_csv("Table (CSV)", shown, "objects.csv", container=d1)
    share.download_png("Labels (PNG)", labels, "labels.png", container=d2)
    if clusters is not None:
        share.download_png("Cluster ids (PNG)", painted, "clusters.png", container=d3)
        share.download_png("Clusters, colour (PNG)", painted_rgb, "clusters_colour.png", container=d4)
    st.caption("The label image is 8-bit when there are at most 255 objects, else 16-bit; in the cluster ids "
               "image, 0 is the background and cluster c is c + 1.")
else:
    st.error(error)

values = {**ps.values(), **values_extra}
note = None
if v["source"] == "upload":
    note = "Your uploaded mask / label image cannot travel in a link: the link opens the generated blobs."
share.footer(ps, code=recipe.script(values), filename="objects.py", note=note)
