"""Corners & ORB: Harris corner response and peaks, ORB keypoints with scale and orientation."""

from __future__ import annotations

import time

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from core import keypoints as K
from core.images import to_rgb
from core.recipes import keypoints as recipe
from ui import cache, images, share
from ui import params as P

PAGE = "keypoints"

ps = P.ParamSet(
    PAGE,
    [
        # Harris (skimage's defaults = the tutorial's cell)
        P.Choice("method", list(K.HARRIS_METHODS), "k", labels={"k": "k: det − k·trace²", "eps": "eps: Noble"}),
        P.Float("k", 0.05, 0.0, 0.25, step=0.01),
        P.LogFloat("eps", 1e-6, 1e-9, 1e-2),
        P.Float("sigma", 1.0, 0.5, 6.0, step=0.1),
        P.Int("min_distance", 10, 1, 40),
        P.Float("threshold_rel", 0.1, 0.0, 0.5, step=0.005, format="%.3f"),
        # ORB (the tutorial's exercise: 400 keypoints, fast_threshold 0.02)
        P.Int("n_keypoints", 400, 10, 3000, step=10),
        P.Float("fast_threshold", 0.02, 0.005, 0.3, step=0.005, format="%.3f"),
        P.Int("fast_n", 9, 6, 16),
        P.Float("downscale", 1.2, 1.05, 2.0, step=0.05),
        P.Int("n_scales", 8, 1, 12),
        P.Float("harris_k", 0.04, 0.0, 0.2, step=0.01),
        P.Choice("show", ["image", "response"], "image", labels={"image": "On the image", "response": "Response heat map"}),
    ],
    image="camera",
)

# The tutorial's cell calls corner_peaks() with the defaults of its time (scikit-image < 0.18):
# min_distance=10, threshold_rel=0.1. Today's defaults are min_distance=1, threshold_rel=None.
HARRIS_DEFAULTS = dict(method="k", k=0.05, eps=1e-6, sigma=1.0, min_distance=10, threshold_rel=0.1)
ORB_EXERCISE = dict(n_keypoints=400, fast_threshold=0.02, fast_n=9, downscale=1.2, n_scales=8, harris_k=0.04)
PRESETS = {
    "Tutorial + exercise (camera-man)": dict(image="camera", **HARRIS_DEFAULTS, **ORB_EXERCISE),
    "corner_peaks: today's defaults": dict(min_distance=1, threshold_rel=0.0),
    "ORB: skimage defaults": dict(n_keypoints=500, fast_threshold=0.08, fast_n=9, downscale=1.2, n_scales=8,
                                  harris_k=0.04),
}
PRESET_HELP = {
    "Tutorial + exercise (camera-man)": "corner_peaks(corner_harris(camera)) with the defaults of the "
                                        "tutorial's time (min_distance 10, threshold_rel 0.1), and the exercise: "
                                        "ORB of the camera-man, 400 keypoints, fast_threshold 0.02.",
    "corner_peaks: today's defaults": "scikit-image ≥ 0.18 defaults: min_distance 1, no threshold — every local "
                                      "maximum of the response, thousands on the camera-man.",
    "ORB: skimage defaults": "ORB() as scikit-image ships it: 500 keypoints, fast_threshold 0.08.",
}
SCALE_COLOURS = px.colors.qualitative.Plotly


@cache.cache_data(max_entries=8)
def harris_stage(image: np.ndarray, method: str, k: float, eps: float, sigma: float):
    start = time.perf_counter()
    response = K.harris_response(image, method=method, k=k, eps=eps, sigma=sigma)
    return response, time.perf_counter() - start


@cache.cache_data(max_entries=16)
def peaks_stage(image: np.ndarray, method: str, k: float, eps: float, sigma: float, min_distance: int,
                threshold_rel: float):
    """Keyed by the response's parameters, not by the (H, W) float64 response itself (no re-hash per rerun)."""
    response, _ = harris_stage(image, method, k, eps, sigma)
    return K.harris_corners(image, response=response, min_distance=min_distance, threshold_rel=threshold_rel)


@cache.cache_data(max_entries=8)
def orb_stage(image: np.ndarray, params: tuple):
    start = time.perf_counter()
    feats = K.orb_features(image, **dict(params))
    return feats, time.perf_counter() - start


def base_figure(rgb: np.ndarray) -> go.Figure:
    fig = px.imshow(rgb, binary_string=True)
    h, w = rgb.shape[:2]
    fig.update_layout(margin=dict(l=0, r=0, t=0, b=0), height=min(620, max(320, int(560 * h / max(w, 1)))),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0))
    fig.update_xaxes(showticklabels=False, range=[-0.5, w - 0.5])
    fig.update_yaxes(showticklabels=False, range=[h - 0.5, -0.5])
    return fig


def response_figure(response: np.ndarray, corners: np.ndarray) -> go.Figure:
    """Signed heat map: red = corner (positive), blue = edge (negative), clipped at the 99.5th percentile."""
    lim = float(np.percentile(np.abs(response), 99.5)) or 1.0
    fig = px.imshow(response, color_continuous_scale="RdBu_r", zmin=-lim, zmax=lim, aspect="equal")
    fig.add_trace(go.Scattergl(x=corners[:, 1], y=corners[:, 0], mode="markers", name="corners",
                               marker=dict(size=5, color="rgba(0,0,0,0)", line=dict(width=1, color="black"))))
    h, w = response.shape
    fig.update_layout(margin=dict(l=0, r=0, t=0, b=0), height=min(620, max(320, int(560 * h / max(w, 1)))),
                      coloraxis_colorbar=dict(title="response", thickness=12))
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    return fig


# --------------------------------------------------------------------------- page
ps.restore()
st.title(":material/location_on: Corners & ORB keypoints")
st.caption(
    "**Mid-level features** describe small, distinctive patches instead of single pixels. The **Harris** "
    "detector looks at how the image changes when a small window moves: along an edge it changes in one "
    "direction only, at a **corner** in all directions. `corner_harris` turns the local structure tensor into "
    "a corner strength, and `corner_peaks` keeps its local maxima. **ORB** (Oriented FAST and Rotated BRIEF) "
    "finds FAST corners on an image pyramid (so at several **scales**), ranks them by Harris strength, gives "
    "each an **orientation**, and describes it by 256 binary intensity comparisons — the descriptors the "
    "Panorama page matches between images."
)

img = images.image_input(ps, gray_note="Corners are computed on the gray version of the image.")
rgb = to_rgb(img.image)
ps.preset_buttons(PRESETS, help=PRESET_HELP)

# ---------------------------------------------------------------- 1. Harris
st.subheader("1 · Harris corners")
c1, c2, c3 = st.columns(3)
method = ps.radio("method", "Corner measure (method)", container=c1,
                  help="k: det(A) − k·trace(A)²; eps: 2·det(A) / (trace(A) + eps).")
if method == "k":
    ps.slider("k", "k (sensitivity)", container=c1, help="Smaller k also fires on strong edges; 0.04–0.06 is usual.")
else:
    ps.log_slider("eps", "eps", container=c1, fmt=lambda v: f"{v:.0e}", help="Avoids division by zero.")
ps.slider("sigma", "sigma (window, px)", container=c2,
          help="Standard deviation of the Gaussian window that averages the gradients.")
ps.slider("min_distance", "min_distance (px)", container=c3,
          help="Corners closer than this are thinned to the strongest; also the excluded border.")
ps.slider("threshold_rel", "threshold_rel", container=c3,
          help="Keep corners above this fraction of the strongest response (0 = every local maximum, "
               "today's default; the tutorial's era used 0.1).")
values = ps.values()
hp = recipe.harris_params(values)

corners = response = None
try:
    with st.spinner("Computing the Harris response…"):
        response, h_seconds = harris_stage(img.image, hp["method"], hp["k"], hp["eps"], hp["sigma"])
        corners = peaks_stage(img.image, hp["method"], hp["k"], hp["eps"], hp["sigma"], hp["min_distance"],
                              hp["threshold_rel"])
except ValueError as err:
    st.error(str(err))

if corners is not None:
    m1, m2, m3 = st.columns(3)
    m1.metric("Corners", f"{len(corners):,}")
    m2.metric("Strongest response", f"{response.max():.3g}")
    m3.metric("Response time", f"{h_seconds * 1000:.0f} ms", help="corner_harris, when computed (then cached).")
    show = ps.segmented("show", "Show", help="The corners on the image, or the corner measure itself.")
    if show == "image":
        fig = base_figure(rgb)
        fig.add_trace(go.Scattergl(x=corners[:, 1], y=corners[:, 0], mode="markers", name=f"{len(corners)} corners",
                                   marker=dict(size=7, symbol="circle-open", color="#ff3b30", line=dict(width=2))))
        st.plotly_chart(fig, width="stretch", key=f"{PAGE}:harris_fig")
        st.caption("Red circles: `corner_peaks` of the Harris response, as in the tutorial's plot — corners "
                   "of the tripod, the coat and the buildings. With threshold_rel 0 and min_distance 1 (today's "
                   "defaults) every faint local maximum counts too.")
    else:
        st.plotly_chart(response_figure(response, corners), width="stretch", key=f"{PAGE}:response_fig")
        st.caption("The Harris measure: **red** where the image changes in every direction (corners), **blue** "
                   "where it changes in one direction only (edges), white in flat regions. Colours are clipped "
                   "at the 99.5th percentile of |response|; circles mark the detected corners.")
    if len(corners) == 0:
        st.info("No corner passes the threshold: lower threshold_rel or min_distance, or pick a textured image.")

# ---------------------------------------------------------------- 2. ORB
st.subheader("2 · ORB keypoints")
o1, o2, o3 = st.columns(3)
ps.slider("n_keypoints", "n_keypoints", container=o1, help="Keep at most this many (strongest Harris response).")
ps.slider("fast_threshold", "fast_threshold", container=o1,
          help="FAST: a circle pixel counts as brighter/darker when it differs by this much (intensities 0…1). "
               "Lower finds more keypoints in low-contrast images.")
ps.slider("downscale", "downscale (pyramid factor)", container=o2, help="Size ratio between pyramid levels.")
ps.slider("n_scales", "n_scales (pyramid levels)", container=o2, help="Keypoints are searched at this many scales.")
ps.slider("fast_n", "fast_n", container=o3, help="How many of the 16 circle pixels must be contiguous (FAST-n).")
ps.slider("harris_k", "harris_k", container=o3, help="k of the Harris measure used to rank FAST corners.")
values = ps.values()
op = recipe.orb_params(values)

feats = None
try:
    with st.spinner("Detecting ORB keypoints on the image pyramid…"):
        feats, o_seconds = orb_stage(img.image, tuple(sorted(op.items())))
except ValueError as err:
    st.error(str(err))

if feats is not None:
    levels = np.unique(feats.scales)
    m1, m2, m3 = st.columns(3)
    m1.metric("ORB keypoints", f"{len(feats):,}", help=f"At most n_keypoints = {op['n_keypoints']}.")
    m2.metric("Pyramid levels used", f"{len(levels)} of {op['n_scales']}")
    m3.metric("ORB time", f"{o_seconds * 1000:.0f} ms", help="detect_and_extract, when computed (then cached).")
    fig = base_figure(rgb)
    base = max(3.0, min(rgb.shape[:2]) / 120)
    for index, scale in enumerate(levels):
        sel = feats.scales == scale
        cx, cy, tx, ty = K.keypoint_glyphs(feats.keypoints[sel], feats.scales[sel], feats.orientations[sel],
                                           base_radius=base)
        colour = SCALE_COLOURS[index % len(SCALE_COLOURS)]
        fig.add_trace(go.Scatter(x=np.concatenate([cx, tx]), y=np.concatenate([cy, ty]), mode="lines",
                                   line=dict(width=1.5, color=colour), hoverinfo="skip",
                                   name=f"scale {scale:.2f} ({int(sel.sum())})"))
    st.plotly_chart(fig, width="stretch", key=f"{PAGE}:orb_fig")
    st.caption("Each ORB keypoint is a circle whose radius grows with the pyramid **scale** it was found at "
               "(one colour per level; click the legend to hide levels) and a tick along its **orientation** — "
               "the direction of the patch's intensity centroid, which makes the descriptor rotation-invariant. "
               "This is the tutorial's exercise: the ORB keypoints of the camera-man.")
    with st.expander("Descriptors: what gets matched", icon=":material/barcode:"):
        n_show = min(40, len(feats))
        st.image((feats.descriptors[:n_show].astype(np.uint8) * 255), width="stretch", clamp=True,
                 caption=f"The 256-bit rBRIEF descriptors of the {n_show} strongest keypoints (one row each, "
                         "white = 1). Two keypoints match when few bits differ (Hamming distance).")

# ---------------------------------------------------------------- downloads & footer
if corners is not None:
    st.markdown("**Downloads**")
    d1, d2 = st.columns(2)
    table = K.features_table(corners, response, feats)
    share.download_csv("Corners and keypoints (CSV)", table, f"{img.name}_keypoints.csv", container=d1,
                       key=f"{PAGE}:dl_table")
    lim = float(np.abs(response).max()) or 1.0
    heat = np.clip(0.5 + 0.5 * response / lim, 0, 1)
    share.download_png("Harris response (PNG, 0.5 = zero)", heat, f"{img.name}_harris_response.png",
                       container=d2, key=f"{PAGE}:dl_response")

share.footer(ps, code=recipe.script({**values, "working_size": images.working_size()}),
             filename=f"keypoints_{img.name}.py")
