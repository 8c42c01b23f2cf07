"""Corners & ORB: Harris corner response and peaks, ORB keypoints with scale and orientation."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from core import keypoints as K
from core import reproduce
from ui import cache, display, images, share
from ui import params as P

PAGE = "keypoints"
HARRIS, ORB, FOOTER = f"{PAGE}:harris", f"{PAGE}:orb", f"{PAGE}:footer"  # fragment keys
ORB_RATE = f"{PAGE}:orb_seconds_per_mp"  # session: last measured ORB seconds per megapixel (for the estimate)

ps = P.ParamSet(K.SCHEMA)
PRESETS = {
    "Tutorial + exercise": K.TUTORIAL,
    "Today's corner_peaks": dict(min_distance=1, threshold_rel=0.0),
    "ORB defaults": dict(n_keypoints=500, fast_threshold=0.08, fast_n=9, downscale=1.2, n_scales=8,
                                  harris_k=0.04),
}
PRESET_HELP = {
    "Tutorial + exercise": "On the camera-man: corner_peaks(corner_harris(camera)) with corner_peaks' defaults of the "
                                        "tutorial's time (min_distance 10, threshold_rel 0.1), and the exercise: "
                                        "ORB of the camera-man, 400 keypoints, fast_threshold 0.02.",
    "Today's corner_peaks": "scikit-image 0.26's defaults: min_distance 1, threshold_rel None — every "
                                      "local maximum of the response, thousands on the camera-man.",
    "ORB defaults": "ORB() as scikit-image ships it: 500 keypoints, fast_threshold 0.08.",
}


def rerun(*keys: str):
    """``on_change`` for a stage's widget: rerun that stage and the footer (link, script, downloads) only."""
    return {"on_change": st.rerun, "args": ([*keys, FOOTER],)}


# --------------------------------------------------------------------------- cached stages
@cache.cache_data(max_entries=8, show_spinner=False)
def harris_stage(image: np.ndarray, params: K.HarrisParams):
    """Response, corners, compute seconds (the response is keyed by its own settings only)."""
    response, seconds, at = response_stage(image, params.method, params.k, params.eps, params.sigma)
    corners = K.harris_corners(image, response=response, **params.kwargs())
    return response, corners, seconds, at


@cache.cache_data(max_entries=8, show_spinner=False)
def response_stage(image: np.ndarray, method: str, k: float, eps: float, sigma: float):
    start = time.perf_counter()
    response = K.harris_response(image, method=method, k=k, eps=eps, sigma=sigma)
    return response, time.perf_counter() - start, time.time()


@cache.cache_data(max_entries=8, show_spinner=False)
def orb_stage(image: np.ndarray, params: K.ORBParams):
    start = time.perf_counter()
    feats = K.orb_features(image, **params.kwargs())
    return feats, time.perf_counter() - start, time.time()


@cache.cache_data(max_entries=16, show_spinner=False)
def corners_picture(image: np.ndarray, params: K.HarrisParams) -> np.ndarray:
    """Keyed by the settings, not by the corners array (an empty one cannot be digested)."""
    return K.draw_corners(image, harris_stage(image, params)[1])


@cache.cache_data(max_entries=8, show_spinner=False)
def orb_picture(image: np.ndarray, params: K.ORBParams) -> np.ndarray:
    return K.draw_keypoints(image, orb_stage(image, params)[0])


def time_metric(container, label: str, since: float, wall: float, computed: float, at: float) -> None:
    """This rerun's time; a result computed before ``since`` (wall clock) came from the cache and says so."""
    cached = at < since
    container.metric(label, f"{wall * 1000:.0f} ms", delta="cached" if cached else "computed now", delta_color="off",
                     help=f"This change took {wall * 1000:.0f} ms; computing the result took {computed * 1000:.0f} ms "
                          "(the first time: it is cached since).")


def colour_chip(rgb) -> str:
    return f"<span style='color: rgb{tuple(rgb)}'>■</span>"


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
ps.preset_buttons(PRESETS, help=PRESET_HELP)
H, W = img.image.shape[:2]
STEM = img.name.rsplit(".", 1)[0] if img.is_upload else img.name  # file names without a double extension


@st.fragment(key=HARRIS)
def harris_section() -> None:
    st.subheader("1 · Harris corners")
    c1, c2, c3 = st.columns(3)
    method = ps.radio("method", "Corner measure (method)", container=c1, help=K.SCHEMA.fields["method"].help,
                      **rerun(HARRIS))
    if method == "k":
        ps.slider("k", "k (sensitivity)", container=c1, help=K.SCHEMA.fields["k"].help, **rerun(HARRIS))
    else:
        ps.log_slider("eps", "eps", container=c1, fmt=lambda v: f"{v:.0e}", help=K.SCHEMA.fields["eps"].help,
                      **rerun(HARRIS))
    ps.slider("sigma", "sigma (window, px)", container=c2, help=K.SCHEMA.fields["sigma"].help, **rerun(HARRIS))
    ps.slider("min_distance", "min_distance (px)", container=c3, help=K.SCHEMA.fields["min_distance"].help,
              **rerun(HARRIS))
    ps.slider("threshold_rel", "threshold_rel", container=c3, help=K.SCHEMA.fields["threshold_rel"].help
              + " The tutorial's era used 0.1 (scikit-image < 0.18); 0.26's default is None (= 0).", **rerun(HARRIS))
    params = K.HarrisParams.from_values(ps.values())
    try:
        since, start = time.time(), time.perf_counter()
        with st.spinner(f"Computing the Harris response of {W}×{H} px…"):
            response, corners, seconds, at = harris_stage(img.image, params)
        wall = time.perf_counter() - start
    except ValueError as err:
        st.error(str(err))
        return
    left, right = st.columns([3, 2], gap="medium")
    right.metric("Corners", f"{len(corners):,}")
    right.metric("Strongest response", f"{response.max():.3g}")
    time_metric(right, "Harris time", since, wall, seconds, at)
    show = ps.radio("show", "Show", container=right, horizontal=False, help=K.SCHEMA.fields["show"].help, **rerun(HARRIS))
    if show == "image":
        display.show(corners_picture(img.image, params), container=left,
                     caption=f"{img.name} ({W}×{H} px): red circles mark the {len(corners):,} corners "
                             f"`corner_peaks` keeps (min_distance {params.min_distance}, threshold_rel "
                             f"{params.threshold_rel:g}).")
        right.caption("With today's defaults (min_distance 1, threshold_rel 0) every faint local maximum counts too: "
                      "try the second preset.")
    else:
        display.show(K.response_image(response), container=left,
                     caption=f"The Harris measure of {img.name} ({W}×{H} px).")
        right.caption("**Red** where the image changes in every direction (corners), **blue** where it changes in "
                      "one direction only (edges), white in flat regions; colours saturate at the 99.5th percentile "
                      "of |response|.")
    if len(corners) == 0:
        right.info("No corner passes the threshold: lower threshold_rel or min_distance, or pick a textured image.")


@st.fragment(key=ORB)
def orb_section() -> None:
    st.subheader("2 · ORB keypoints")
    o1, o2, o3 = st.columns(3)
    ps.slider("n_keypoints", "n_keypoints", container=o1, help=K.SCHEMA.fields["n_keypoints"].help, **rerun(ORB))
    ps.slider("fast_threshold", "fast_threshold", container=o1, help=K.SCHEMA.fields["fast_threshold"].help,
              **rerun(ORB))
    ps.slider("downscale", "downscale (pyramid factor)", container=o2, help=K.SCHEMA.fields["downscale"].help,
              **rerun(ORB))
    ps.slider("n_scales", "n_scales (pyramid levels)", container=o2, help=K.SCHEMA.fields["n_scales"].help,
              **rerun(ORB))
    ps.slider("fast_n", "fast_n", container=o3, help=K.SCHEMA.fields["fast_n"].help, **rerun(ORB))
    ps.slider("harris_k", "harris_k", container=o3, help=K.SCHEMA.fields["harris_k"].help, **rerun(ORB))
    params = K.ORBParams.from_values(ps.values())
    estimate = st.session_state.get(ORB_RATE, 2.5) * H * W / 1e6
    try:
        since, start = time.time(), time.perf_counter()
        with st.spinner(f"Detecting up to {params.n_keypoints} ORB keypoints on {params.n_scales} pyramid levels "
                        f"of {W}×{H} px (FAST, Harris ranking, orientation, rBRIEF) — about {estimate:.1f} s…"):
            feats, seconds, at = orb_stage(img.image, params)
            picture = orb_picture(img.image, params)
        wall = time.perf_counter() - start
    except ValueError as err:
        st.error(str(err))
        return
    if at >= since:
        st.session_state[ORB_RATE] = seconds / max(H * W / 1e6, 1e-3)
    levels = np.unique(feats.scales)
    left, right = st.columns([3, 2], gap="medium")
    right.metric("ORB keypoints", f"{len(feats):,}", help=f"At most n_keypoints = {params.n_keypoints}.")
    right.metric("Pyramid levels used", f"{len(levels)} of {params.n_scales}")
    time_metric(right, "ORB time", since, wall, seconds, at)
    display.show(picture, container=left, caption=f"{img.name} ({W}×{H} px): the {len(feats):,} ORB keypoints.")
    legend = "  \n".join(f"{colour_chip(K.SCALE_COLOURS[i % len(K.SCALE_COLOURS)])} scale {s:.2f}: "
                         f"{int((feats.scales == s).sum())} keypoints" for i, s in enumerate(levels))
    right.caption("Each keypoint is a circle whose radius grows with the pyramid **scale** it was found at, and a "
                  "tick along its **orientation** — the direction of the patch's intensity centroid, which makes "
                  "the descriptor rotation-invariant.")
    right.caption(legend, unsafe_allow_html=True)
    with right.expander("Descriptors: what gets matched", icon=":material/barcode:"):
        n_show = min(40, len(feats))
        display.show(feats.descriptors[:n_show].astype(np.uint8) * 255,
                     caption=f"The 256-bit rBRIEF descriptors of the {n_show} strongest keypoints (one row each, "
                             "white = 1). Two keypoints match when few bits differ (Hamming distance).")


@st.fragment(key=FOOTER)
def footer() -> None:
    values = ps.values()
    try:
        response, corners, *_ = harris_stage(img.image, K.HarrisParams.from_values(values))
    except ValueError:
        corners = None
    if corners is not None:
        try:
            feats = orb_stage(img.image, K.ORBParams.from_values(values))[0]
        except ValueError:
            feats = None
        st.markdown("**Downloads**")
        d1, d2 = st.columns(2)
        share.download_csv("Corners and keypoints (CSV)", K.features_table(corners, response, feats),
                           f"{STEM}_keypoints.csv", container=d1, key=f"{PAGE}:dl_table")
        share.download_png("Harris response (PNG)", K.response_image(response), f"{STEM}_harris_response.png",
                           container=d2, key=f"{PAGE}:dl_response")
    code = reproduce.fill(PAGE, values, image=reproduce.image_lines(
        values["image"], shape=img.original_shape, working_size=images.working_size()))
    share.footer(ps, code=code, filename=f"keypoints_{STEM}.py",
                 agreement=reproduce.agreement(PAGE))


harris_section()
orb_section()
footer()
