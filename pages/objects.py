"""Object clustering: label objects, measure them with regionprops, scale the features, k-means."""

from __future__ import annotations

import threading
import time

import numpy as np
import streamlit as st

from core import objects as O
from core import reproduce
from ui import cache, display, images, share
from ui import params as P

PAGE = "objects"
_LABEL_UPLOAD = f"{PAGE}:label_upload"  # session key: the decoded label/mask upload
_LABEL_ERROR = f"{PAGE}:label_upload_error"
CLUSTERING = f"{PAGE}:clustering"  # the fragment key: an outline chosen in the table or the scatter reruns it
NUMBER = st.column_config.NumberColumn(format="%.4g")  # tables of measurements: 4 significant digits
ps = P.ParamSet(O.SCHEMA)


_COMPUTED = threading.local()  # set when a cached stage really runs (a cache hit skips its body)


def _timed(fn, *args, **kwargs):
    _COMPUTED.flag, start = True, time.perf_counter()
    return fn(*args, **kwargs), time.perf_counter() - start


@cache.cache_data(max_entries=8)
def source_stage(key: dict, image: np.ndarray | None):
    return _timed(O.source_objects, key, image)


@cache.cache_data(max_entries=8)
def labels_stage(array: np.ndarray, is_labels: bool, connectivity: int, exclude_border: bool, max_size: int):
    return _timed(O.make_labels, array, is_labels, connectivity=connectivity, exclude_border=exclude_border,
                  max_size=max_size)


@cache.cache_data(max_entries=8)
def measure_stage(labels: np.ndarray, file_ids):
    """Every property, once per label image: changing k, scaling or features never re-measures."""
    return _timed(lambda: O.with_file_ids(O.measure_objects(labels, O.PROPERTIES), file_ids))


@cache.cache_data(max_entries=16)
def scaled_stage(table: cache.Keyed, features: tuple, scaling: str) -> np.ndarray:
    return O.feature_matrix(table.array, list(features), scaling)


@cache.cache_data(max_entries=16)
def cluster_stage(X: np.ndarray, k: int):
    return _timed(O.fit_clusters, X, k)


@cache.cache_data(max_entries=16)  # shown labels in a colour per object, or per cluster (with a digest: shown unhashed)
def pictures(shown: cache.Keyed, table: cache.Keyed | None = None, clusters: np.ndarray | None = None) -> cache.Keyed:
    if clusters is None:  # once per label image: k, scaling and features do not change it
        return cache.Keyed(O.color_labels(shown.array), f"{shown.digest}:colours")
    return cache.Keyed(O.color_clusters(O.paint_clusters(shown.array, table.array, clusters)))


def scatter(plot, x: str, y: str, clustered: bool, scaling: str | None, point: tuple | None) -> dict:
    """The scatter's Vega-Lite spec (axes named with ``scaling`` when scaled), the ``point`` (id, x, y) ringed."""
    titles = {f: f"{f} ({scaling} scaling)" if scaling else O.PROPERTY_LABELS[f] for f in O.PROPERTIES}
    colors = {str(c): O.PALETTE[c % len(O.PALETTE)] for c in sorted(set(plot["cluster"].astype(int)))} \
        if clustered else None
    return display.scatter_spec(plot, x, y, titles=titles, color="cluster" if clustered else None, colors=colors,
                                outline=point[1:] if point else None)


def run(stage, *args):  # a cached stage's (result, seconds of its computation, True when it came from the cache)
    _COMPUTED.flag = False
    result, seconds = stage(*args)
    return result, seconds, not _COMPUTED.flag


def took(what: str, seconds: float, cached: bool) -> str:  # never stale: a cached result says so
    return f"{what} {seconds:.2f} s" + (" (cached)" if cached else "")


def _on_label_upload() -> None:
    file = st.session_state.get(f"{PAGE}:label_uploader")
    st.session_state.pop(_LABEL_ERROR, None)
    if file is None:
        return
    try:
        image = O.read_label_file(file.getvalue())
    except ValueError as err:
        st.session_state[_LABEL_ERROR] = f"**{P.escape_md(file.name)}**: {P.escape_md(err, 300)}"
        return
    st.session_state[_LABEL_UPLOAD] = {"name": file.name, "image": image}
    ps.set("source", "upload")
    ps.set("highlight", 0)


def _on_table_select() -> None:
    ids = st.session_state.get(f"{PAGE}:table_ids")
    rows = ((st.session_state.get(f"{PAGE}:table") or {}).get("selection") or {}).get("rows") or []
    ps.set("highlight", int(ids[rows[0]]) if rows and ids is not None and rows[0] < len(ids) else 0)
    st.rerun(CLUSTERING)  # the pictures outline it too


def _on_scatter_select() -> None:
    points = ((st.session_state.get(f"{PAGE}:scatter") or {}).get("selection") or {}).get("pick") or []
    data = points[0].get("label") if points and isinstance(points[0], dict) else None
    if isinstance(data, int | float) and 0 < int(data) <= O.MAX_OBJECTS:
        ps.set("highlight", int(data))
    st.rerun(CLUSTERING)  # the pictures outline it too


def footer(v: dict, src: O.Source | None, img) -> None:
    lines = O.script_image_lines(v, ("upload" if img.is_upload else img.name) if img else None,
                                 shape=img.original_shape if img else None, working_size=images.working_size())
    share.footer(ps, code=reproduce.fill(PAGE, O.script_values(v, src), image=lines), filename="objects.py",
                 agreement=reproduce.agreement(PAGE), note="Your uploaded mask / label image cannot travel in a link: "
                 "the link opens the generated blobs." if v["source"] == "upload" else None)


st.title("Object clustering")
st.caption("Here the samples are **objects**, not pixels. The binary image is split into connected objects (`measure.label`),"
    " each object is measured (`measure.regionprops`: area, perimeter, solidity, eccentricity …), and k-means groups "
    "the objects on a few of those measurements — big convoluted particles versus small round ones. k-means uses "
    "Euclidean distances, so a feature measured in thousands of pixels (the area) drowns the ones between 0 and 1 "
    "unless the features are **scaled**: walk the tutorial's steps with the presets (each one opens the tutorial's own"
    " blobs).")
ps.restore()
ps.preset_buttons(O.PRESETS, help=O.PRESET_HELP)

upload, img = st.session_state.get(_LABEL_UPLOAD), None
with st.sidebar:
    st.subheader("Objects")
    source = ps.radio("source", "Objects from", horizontal=False, help=ps.fields["source"].help)
    if source == "upload" and upload is None:
        st.info("No mask or label image uploaded yet (an upload cannot travel in a link): "
                "showing the generated blobs until you upload one below.")
    if source == "image":
        img = images.image_input(ps, label="Image to threshold")
        ps.radio("objects", "Objects are", help=ps.fields["objects"].help)
    if source == "upload":
        st.file_uploader("Binary mask or label image", type=["png", "tif", "tiff", "bmp", "gif", "jpg", "jpeg", "webp"],
                         key=f"{PAGE}:label_uploader", on_change=_on_label_upload,
                         help="A mask (objects bright on black) or a label image: 0 = background, each object its "
                              "own gray value (8/16/32-bit PNG or TIFF) or colour.")
        if st.session_state.get(_LABEL_ERROR):
            st.error(st.session_state[_LABEL_ERROR], icon=":material/block:")
        ps.radio("upload_as", "Read the file as", help=ps.fields["upload_as"].help)
        st.caption("An uploaded file is used as it is: never Otsu-thresholded, never inverted. If your objects "
                   "are dark on white, invert the file first.")
    if source == "blobs" or (source == "upload" and upload is None):
        ps.slider("length", "Side length (px)", help=ps.fields["length"].help)
        ps.slider("blob_size", "Blob size fraction", help=ps.fields["blob_size"].help)
        ps.slider("volume", "Volume fraction", help=ps.fields["volume"].help)
        ps.number("seed", "Seed (rng)", help=ps.fields["seed"].help)
    st.subheader("Labelling")
    ps.radio("connectivity", "Connectivity", help=ps.fields["connectivity"].help)
    ps.toggle("exclude_border", "Remove objects touching the border", help=ps.fields["exclude_border"].help)
    ps.number("max_size", "Remove objects ≤ (px)", help=ps.fields["max_size"].help)

v = ps.values()
if v["source"] == "upload" and upload is None:
    v = {**v, "source": "blobs"}
key = {n: v[n] for n in O.SOURCE_KEYS[v["source"]]}  # what stage 1 depends on: its cache key
image = {"blobs": None, "image": img.image if img else None}.get(v["source"], upload and upload["image"])
src = labels = table = None
try:
    with st.spinner("Labelling and measuring the objects…"):
        src, t_src, c_src = run(source_stage, key, image)
        labels, t_lab, c_lab = run(labels_stage, src.array, src.kind == "labels", v["connectivity"],
                                   v["exclude_border"], v["max_size"])
        table, t_meas, c_meas = run(measure_stage, labels, src.file_ids)
except ValueError as err:
    st.error(P.escape_md(err, 400))

if src is None or table is None:
    footer(v, src, img)
    st.stop()

shown_input = {"blobs": src.array, "threshold": img.image if img else None}.get(src.kind, image)
input_caption = O.describe_source(src, v, name=P.escape_md(img.name if img else upload["name"] if upload else ""))
st.caption(" · ".join([took("Objects:", t_src, c_src), took("labelling:", t_lab, c_lab),
                       took(f"measuring {len(table)} objects:", t_meas, c_meas)]))


@st.fragment(key=CLUSTERING)
def clustering(labels_k: cache.Keyed, table_k: cache.Keyed, input_k: cache.Keyed, caption: str, src, img, source):
    """Stage 3 (scaled features → clusters) and every view of the result: reruns alone when its widgets move (labels,
    table, input with digests made once per full run; pictures painted at the size shown, full size on download)."""
    labels, table = labels_k.array, table_k.array
    ps.multiselect("features", "Features to cluster on", format_func=lambda f: O.PROPERTY_LABELS[f],
                   help=ps.fields["features"].help)
    c2, c3 = st.columns([5, 1])
    ps.radio("scaling", "Scaling", container=c2, help=ps.fields["scaling"].help)
    ps.number("k", "Clusters (k)", container=c3, help=ps.fields["k"].help)
    w = {**ps.values(), "source": source}
    step = next((name for name, p in O.PRESETS.items()
                 if all(w[n] == x for n, x in p.items() if n not in ("x", "y", "highlight", "scaled_axes"))), None)
    if step:
        st.caption(f"**{step}** — {O.PRESET_HELP[step]}")
    clusters = cluster_error = X = None
    try:
        X = scaled_stage(table_k, tuple(w["features"]), w["scaling"])
        with st.spinner("k-means on the objects…"):
            clusters, t_cl, c_cl = run(cluster_stage, X, w["k"])
    except ValueError as err:
        cluster_error = P.escape_md(err, 400)
    st.session_state[f"{PAGE}:table_ids"] = table["label"].to_numpy()
    highlight = int(w["highlight"])
    if highlight and highlight not in set(table["label"].tolist()):
        st.caption(f"Object {highlight} is not in this image (any more): nothing highlighted.")
        highlight = 0
    col_in, col_lab, col_cl = st.columns(3)
    col_in.markdown("**Input**")
    display.show(input_k, container=col_in, max_side=640)  # a third of the page: 640 px is plenty
    col_in.caption(caption)
    col_lab.markdown(f"**{len(table)} labelled object{'s' if len(table) != 1 else ''}** — {O.size_text(labels)}")
    shown = display.shown_labels(labels_k, 640)

    def outlined(rgb: cache.Keyed):  # a picture at the size shown, the chosen object outlined
        return O.highlight_object(rgb.array, shown.array, highlight) if highlight else rgb
    display.show(outlined(pictures(shown)), container=col_lab, max_side=640)
    col_lab.caption("One colour per object (colours repeat). "
                    + (f"Object **{highlight}** is outlined in yellow." if highlight else
                       "Select a row of the table or a point of the scatter to outline an object."))
    if clusters is not None:
        col_cl.markdown(f"**Objects coloured by cluster (k = {w['k']})**")
        display.show(outlined(pictures(shown, table_k, clusters)), container=col_cl, max_side=640)
        sizes = np.bincount(clusters, minlength=w["k"])
        col_cl.caption("Cluster " + ", ".join(f"{c}: {s} objects" for c, s in enumerate(sizes))
                       + f" — clustered on {', '.join(w['features'])} with "
                         f"**{ps.fields['scaling'].label(w['scaling'])}** scaling; "
                       + took("k-means:", t_cl, c_cl) + ".")
    else:
        col_cl.markdown("**Objects coloured by cluster**")
        col_cl.error(cluster_error)
    views(labels, table_k, X, clusters, cluster_error, w, highlight, src, img)


@cache.cache_data(max_entries=16)  # the property table with its cluster column, the summary (a column per cluster)
def tables(table: cache.Keyed, clusters: np.ndarray | None, features: tuple) -> tuple:
    t = table.array
    if clusters is None:
        return t, None
    summary = O.cluster_summary(t, clusters, list(features)).assign(share=lambda d: 100 * d["share"])
    summary = summary.rename(columns={"share": "share (%)", **O.PROPERTY_LABELS}).T.rename(columns="cluster {}".format)
    return t.assign(cluster=clusters)[[*t.columns[:1], "cluster", *t.columns[1:]]], summary


@st.fragment
def views(labels, table_k, X, clusters, cluster_error, w: dict, highlight: int, src, img) -> None:
    """The scatter, tables, downloads and footer: the scatter's axes rerun only this; an outline, all of clustering."""
    table = table_k.array
    shown, summary = tables(table_k, clusters, tuple(w["features"]))
    a, b, c = st.columns([5, 5, 3])  # the scatter, then the per-cluster table (stacked: readable at 1024 px)
    ps.select("x", "Scatter x", container=a, help=ps.fields["x"].help)
    ps.select("y", "Scatter y", container=b, help=ps.fields["y"].help)
    ps.toggle("scaled_axes", "Scaled", container=c, help=ps.fields["scaled_axes"].help)
    w = {**w, **{n: ps.value(n) for n in ("x", "y", "scaled_axes")}}
    plot = shown.assign(cluster=shown["cluster"].astype(str)) if clusters is not None else shown
    scaled = w["scaled_axes"] and clusters is not None and {w["x"], w["y"]} <= set(w["features"])
    if scaled:  # the very numbers k-means clustered
        plot = plot.assign(**{f: X[:, i] for i, f in enumerate(w["features"])})
    row = table.index[table["label"] == highlight][0] if highlight else None
    point = (highlight, plot.at[row, w["x"]], plot.at[row, w["y"]]) if highlight else None  # outlined in the scatter
    st.vega_lite_chart(scatter(plot, w["x"], w["y"], clusters is not None, w["scaling"] if scaled else None, point),
                       key=f"{PAGE}:scatter", on_select=_on_scatter_select, selection_mode="pick", width="stretch")
    st.caption("Each point is an object, coloured by its cluster; hover shows its label and values, a click "
               "outlines it in the pictures. The axes are "
               + ("the **scaled** features k-means sees." if scaled else "the **unscaled** measurements."
                  + (" (Scaled axes need two clustered features.)" if w["scaled_axes"] else "")))
    st.markdown("**Clusters: size and mean of each feature**")
    if clusters is not None:
        st.dataframe(summary, width="content", column_config=dict.fromkeys(summary.columns, NUMBER))
        st.caption("Means are in the measured units, whatever the scaling used for clustering.")
    else:
        st.caption("No clusters: " + (cluster_error or ""))

    t1, t2 = st.columns([3, 1])
    t1.markdown("**Property table** — one row per object (click a column header to sort, a row to outline it)")
    ps.number("highlight", "Outline object (0 = none)", container=t2, help=ps.fields["highlight"].help,
              on_change=st.rerun, args=(CLUSTERING,))
    st.dataframe(shown, key=f"{PAGE}:table", on_select=_on_table_select, selection_mode="single-row", hide_index=True,
                 height=320, column_config={f: NUMBER for f in O.PROPERTIES if f not in ("area", "euler_number")})
    d1, d2, d3, d4 = st.columns(4)
    share.download_csv("Table (CSV)", shown, "objects_table.csv", container=d1)
    share.download_png("Labels (PNG)", labels, "objects_labels.png", container=d2)
    if clusters is not None:  # full size, painted on click
        def painted(): return O.paint_clusters(labels, table, clusters)
        share.download_png("Cluster ids (PNG)", painted, "objects_cluster_ids.png", container=d3)
        share.download_png("Clusters (PNG)", lambda: O.color_clusters(painted()), "objects_clusters.png", container=d4)
    st.caption(f"The label image is {'8' if labels.max() <= 255 else '16'}-bit (8-bit up to 255 objects, 16-bit up "
               f"to the page's cap of {O.MAX_OBJECTS:,}); in the cluster ids image 0 is the background and "
               "cluster c is c + 1.")
    footer(w, src, img)


clustering(cache.Keyed(labels), cache.keyed_table(table), cache.Keyed(shown_input), input_caption, src, img, v["source"])
