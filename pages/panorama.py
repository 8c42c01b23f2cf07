"""Panorama stitching: ORB keypoints → matches → RANSAC → warp and blend, every step visible."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from core import panorama as PN
from core.images import ImageError, fit_working_size, image_digest, read_image, to_rgb
from core.keypoints import orb_features
from core.recipes import panorama as recipe
from ui import cache, images, share
from ui import params as P

PAGE = "panorama"
SOURCES = {"demo": "Demo views (known truth)", "stereo": "Stereo motorcycle", "upload": "Your photos"}
MODEL_LABELS = {"projective": "Projective (homography)", "affine": "Affine", "similarity": "Similarity",
                "euclidean": "Euclidean (rigid)"}
BLEND_LABELS = {"feather": "Feathered", "seam": "Minimum-cost seam", "average": "Plain average"}
MAX_LINES = 400  # match lines drawn per kind (inliers / outliers)

ps = P.ParamSet(
    PAGE,
    [
        P.Choice("source", list(SOURCES), "demo", labels=SOURCES),
        P.Choice("photo", list(recipe.PHOTOS), "china"),
        P.Int("n_views", 3, 2, 3),
        P.Int("view_seed", 0, 0, 999),
        P.Int("n_keypoints", 2000, 100, 5000, step=100),
        P.Float("fast_threshold", 0.04, 0.005, 0.3, step=0.005, format="%.3f"),
        P.Int("n_scales", 3, 1, 8),
        P.Float("downscale", 1.2, 1.05, 2.0, step=0.05),
        P.Bool("cross_check", True),
        P.Float("max_ratio", 0.8, 0.5, 1.0, step=0.05),
        P.Choice("model", list(PN.MODELS), "projective", labels=MODEL_LABELS),
        P.Float("residual_threshold", 2.0, 0.5, 10.0, step=0.5),
        P.Int("max_trials", 1000, 50, 5000, step=50),
        P.Int("seed", 0, 0, 999),
        P.Bool("refine", True),
        P.Choice("blend", list(PN.BLENDS), "feather", labels=BLEND_LABELS),
    ],
)

TUTORIAL = dict(n_keypoints=800, fast_threshold=0.05, n_scales=8, downscale=1.2, cross_check=True, max_ratio=1.0,
                model="projective", residual_threshold=1.0, max_trials=300, refine=False, blend="seam")
IMPROVED = dict(n_keypoints=2000, fast_threshold=0.04, n_scales=3, downscale=1.2, cross_check=True, max_ratio=0.8,
                model="projective", residual_threshold=2.0, max_trials=1000, refine=True, blend="feather")
PRESETS = {"Tutorial pipeline": TUTORIAL, "Improved (default)": IMPROVED,
           "Stereo pair": dict(IMPROVED, source="stereo", n_scales=4)}
PRESET_HELP = {
    "Tutorial pipeline": "scikit-image's stitching tutorial: ORB(800, fast_threshold=0.05), cross-checked matches, "
                         "RANSAC(ProjectiveTransform, residual_threshold=1, max_trials=300), minimum-cost seam.",
    "Improved (default)": "2000 keypoints on 3 pyramid levels, ratio test 0.8, RANSAC at 2 px, then a least-squares "
                          "refit on the inliers weighted by keypoint scale: sub-pixel on the demo pairs.",
    "Stereo pair": "scikit-image's stereo_motorcycle pair with the improved settings.",
}


# --------------------------------------------------------------------------- cached stages
@cache.cache_data(max_entries=4)
def demo_stage(photo: str, n_views: int, seed: int):
    return PN.demo_views(images.sample(photo), n_views=n_views, seed=seed, overlap=0.6)


@cache.cache_data(max_entries=2)
def stereo_stage(size: int):
    from skimage import data

    left, right, _ = data.stereo_motorcycle()
    return [fit_working_size(left, size), fit_working_size(right, size)]


@cache.cache_data(max_entries=16)
def features_stage(image: np.ndarray, params: tuple):
    return orb_features(image, **dict(params))


@cache.cache_data(max_entries=16)
def register_stage(_f_moving, _f_fixed, digests: tuple, orb: tuple, params: tuple):
    """One pair's registration (keyed by the images' digests and the ORB settings, not the features)."""
    start = time.perf_counter()
    reg = PN.register_features(_f_moving, _f_fixed, **dict(params))
    return reg, time.perf_counter() - start


@cache.cache_data(max_entries=16)
def match_stage(_f_moving, _f_fixed, digests: tuple, orb: tuple, cross_check: bool, max_ratio: float):
    """One pair's matches, for the figure when its registration failed (a registration carries its own)."""
    return PN.match_features(_f_moving.descriptors, _f_fixed.descriptors, cross_check=cross_check,
                             max_ratio=max_ratio)


@cache.cache_data(max_entries=6)
def stitch_stage(_views: tuple, _feats: tuple, digests: tuple, orb: tuple, params: tuple, blend: str):
    start = time.perf_counter()
    pano = PN.stitch(list(_views), features=list(_feats), blend=blend, **dict(params))
    return pano, time.perf_counter() - start


DECODED = f"{PAGE}:decoded"  # session key: the decoded uploads {"images", "names", "errors"}


def on_upload() -> None:
    """Decode the uploaded files once (not on every rerun); keep them in this session only."""
    images_, names, errors = [], [], []
    for f in st.session_state.get(f"{PAGE}:uploads") or []:
        try:
            image = to_rgb(read_image(f.getvalue()))
        except ImageError as err:
            errors.append(f"**{f.name}**: {err}")
            continue
        image = fit_working_size(image, recipe.MAX_SIDE)  # the largest size the page uses: no resize per rerun
        image.setflags(write=False)
        images_.append(image)
        names.append(f.name)
    st.session_state[DECODED] = {"images": images_, "names": names, "errors": errors}


# --------------------------------------------------------------------------- figures
def _layout(fig: go.Figure, h: int, w: int, height: int) -> go.Figure:
    fig.update_layout(margin=dict(l=0, r=0, t=0, b=0), height=height,
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0))
    fig.update_xaxes(showticklabels=False, range=[-0.5, w - 0.5])
    fig.update_yaxes(showticklabels=False, range=[h - 0.5, -0.5])
    return fig


def keypoints_figure(view: np.ndarray, feats) -> go.Figure:
    fig = px.imshow(view, binary_string=True)
    fig.add_trace(go.Scattergl(x=feats.keypoints[:, 1], y=feats.keypoints[:, 0], mode="markers", name="keypoints",
                               marker=dict(size=4, color="#ffcc00", line=dict(width=0.5, color="black"))))
    h, w = view.shape[:2]
    return _layout(fig, h, w, 260)


def matches_figure(moving: np.ndarray, fixed: np.ndarray, reg: PN.Registration | None, matches: np.ndarray,
                   kp_moving: np.ndarray, kp_fixed: np.ndarray) -> go.Figure:
    """The two images side by side, each match a line: green inliers, red outliers (a random subset if many)."""
    h = max(moving.shape[0], fixed.shape[0])
    gap = 10
    canvas = np.full((h, moving.shape[1] + gap + fixed.shape[1], 3), 255, np.uint8)
    canvas[: moving.shape[0], : moving.shape[1]] = moving
    canvas[: fixed.shape[0], moving.shape[1] + gap:] = fixed
    dx = moving.shape[1] + gap
    fig = px.imshow(canvas, binary_string=True)
    inliers = reg.inliers if reg is not None else np.zeros(len(matches), bool)
    rng = np.random.default_rng(0)
    for mask, colour, name in ((~inliers, "#ff3b30", "outliers"), (inliers, "#34c759", "inliers")):
        idx = np.flatnonzero(mask)
        if len(idx) == 0:
            continue
        shown = np.sort(rng.choice(idx, MAX_LINES, replace=False)) if len(idx) > MAX_LINES else idx
        a = kp_moving[matches[shown, 0]]
        b = kp_fixed[matches[shown, 1]]
        nan = np.full(len(shown), np.nan)
        x = np.column_stack([a[:, 1], b[:, 1] + dx, nan]).ravel()
        y = np.column_stack([a[:, 0], b[:, 0], nan]).ravel()
        label = f"{name}: {len(idx)}" + (f" ({MAX_LINES} drawn)" if len(idx) > MAX_LINES else "")
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", line=dict(width=1, color=colour), name=label,
                                 hoverinfo="skip", opacity=0.8))
    return _layout(fig, h, canvas.shape[1], 340)


# --------------------------------------------------------------------------- page
ps.restore()
st.title(":material/panorama: Panorama stitching")
st.caption(
    "**Image registration** finds the transform that lays one photo over another; **stitching** then pastes them "
    "into one panorama. The tutorial's longer example does it with mid-level features: **ORB keypoints** in each "
    "view, **matched** by their binary descriptors, a **RANSAC** fit that keeps only the matches agreeing on one "
    "transform (a homography, for a camera turning about its centre), then every view **warped** into the middle "
    "view's plane and **blended**. Each step below is tunable; the demo views have a known truth, so you can "
    "see how many pixels off the recovered transform is."
)

ps.preset_buttons(PRESETS, help=PRESET_HELP)
def working_size_sidebar() -> None:
    """The shared working-size setting, for the inputs that follow it (stereo pair, uploads)."""
    with st.sidebar:
        images.working_size_control()
        st.caption(f"The panorama works at {recipe.MAX_SIDE} px at most.")


source = ps.segmented("source", "Input")
views, names, truth = [], [], None
if source == "demo":
    a, b, c = st.columns(3)
    photo = ps.select("photo", "Photo to cut views from", container=a)
    ps.slider("n_views", "Views", container=b)
    ps.number("view_seed", "Random seed of the views", container=c,
              help="Each seed gives other random rotations (±6°), scalings (±6 %) and perspective tilts.")
    demo = demo_stage(photo, int(ps.value("n_views")), int(ps.value("view_seed")))
    views, names, truth = list(demo.views), [f"view {k + 1}" for k in range(len(demo.views))], demo
    st.caption(f"{len(views)} views of {views[0].shape[1]}×{views[0].shape[0]} px cut from the {photo!r} sample, "
               "each overlapping its neighbour by about 60 %, with known transforms (the ground truth).")
elif source == "stereo":
    working_size_sidebar()
    views = stereo_stage(min(recipe.MAX_SIDE, images.working_size()))
    names = ["left camera", "right camera"]
    st.caption("scikit-image's `stereo_motorcycle` pair: two cameras side by side. Near and far objects shift by "
               "different amounts (parallax), so no single homography fits everything — expect a few ghosts.")
else:
    working_size_sidebar()
    st.file_uploader("2–3 overlapping photos, left to right", accept_multiple_files=True,
                     type=["png", "jpg", "jpeg", "tif", "tiff", "bmp", "webp"], key=f"{PAGE}:uploads",
                     on_change=on_upload,
                     help="Photos of one scene taken by turning the camera, overlapping by a third or more. "
                          "They stay in this session's memory only.")
    decoded = st.session_state.get(DECODED) or {"images": [], "names": [], "errors": []}
    size = min(recipe.MAX_SIDE, images.working_size())
    views = [fit_working_size(im, size) for im in decoded["images"]]
    names = list(decoded["names"])
    for message in decoded["errors"]:
        st.error(message, icon=":material/block:")
    if len(views) > 3:
        st.warning(f"{len(views)} photos uploaded: using the first 3.")
        views, names = views[:3], names[:3]
    if not views:
        st.info("Upload 2–3 overlapping photos of the same scene (or pick the demo views). Uploaded photos cannot "
                "travel in a share link.", icon=":material/upload:")

# ---------------------------------------------------------------- 1. keypoints
st.subheader("1 · ORB keypoints in every view")
k1, k2, k3, k4 = st.columns(4)
ps.slider("n_keypoints", "n_keypoints", container=k1, help="Keep at most this many keypoints per view.")
ps.slider("fast_threshold", "fast_threshold", container=k2, help="Lower = more (weaker) FAST corners.")
ps.slider("n_scales", "n_scales", container=k3,
          help="Pyramid levels. Few levels localise better; more levels match across bigger zoom changes.")
ps.slider("downscale", "downscale", container=k4, help="Size ratio between pyramid levels.")
orb_p = recipe.orb_params(ps.values())
feats, digests = [], tuple(image_digest(v) for v in views)
feature_error = None
if views:
    cols = st.columns(len(views))
    with st.spinner("Detecting ORB keypoints…"):
        for k, (col, view) in enumerate(zip(cols, views, strict=True)):
            try:
                f = features_stage(view, tuple(sorted(orb_p.items())))
            except ValueError as err:
                feature_error = f"{names[k]}: {err}"
                col.image(view, width=min(260, view.shape[1]), caption=f"{names[k]}: no keypoints")
                continue
            feats.append(f)
            col.plotly_chart(keypoints_figure(view, f), width="stretch", key=f"{PAGE}:kp{k}")
            col.caption(f"**{names[k]}** · {view.shape[1]}×{view.shape[0]} px · {len(f):,} keypoints")
    if feature_error:
        st.error(feature_error)
features_ok = views and len(feats) == len(views) and feature_error is None

# ---------------------------------------------------------------- 2 & 3. matches and RANSAC
st.subheader("2 · Matches and 3 · RANSAC")
m1, m2, m3, m4 = st.columns(4)
ps.toggle("cross_check", "Cross-check", container=m1, help="Keep a match only if each keypoint is the other's nearest.")
ps.slider("max_ratio", "max_ratio (ratio test)", container=m1,
          help="Keep a match only if its distance is below this fraction of the second-best (1 = off).")
ps.select("model", "Model", container=m2,
          help="Projective: 8 degrees of freedom (camera rotation); affine 6; similarity 4; Euclidean 3.")
ps.toggle("refine", "Least-squares refit on inliers", container=m2,
          help="After RANSAC, refit on all inliers, weighting fine-scale keypoints more (sub-pixel accuracy).")
ps.slider("residual_threshold", "residual_threshold (px)", container=m3,
          help="A match is an inlier when the model maps it within this distance.")
ps.slider("max_trials", "max_trials", container=m4, help="RANSAC samples at most this many minimal sets.")
ps.number("seed", "RANSAC seed", container=m4, help="Fixed seed: the same settings give the same result.")
reg_p = recipe.register_params(ps.values())

n = len(views)
anchor = n // 2
registrations: dict = {}
if features_ok and n >= 2:
    try:
        PN.check_sizes([v.shape for v in views])
    except ValueError as err:
        st.error(str(err), icon=":material/error:")
        features_ok = False
if features_ok and n >= 2:
    for i in range(n):
        if i == anchor:
            continue
        try:
            with st.spinner(f"Registering {names[i]} onto {names[anchor]}…"):
                reg, seconds = register_stage(feats[i], feats[anchor], (digests[i], digests[anchor]),
                                              tuple(sorted(orb_p.items())), tuple(sorted(reg_p.items())))
            registrations[i] = reg
        except ValueError as err:
            reg, seconds = None, None
            st.error(f"**{names[i]} → {names[anchor]}**: {err}", icon=":material/error:")
        matches = reg.matches if reg is not None else match_stage(
            feats[i], feats[anchor], (digests[i], digests[anchor]), tuple(sorted(orb_p.items())),
            reg_p["cross_check"], reg_p["max_ratio"])
        st.plotly_chart(matches_figure(views[i], views[anchor], reg, matches, feats[i].keypoints,
                                       feats[anchor].keypoints), width="stretch", key=f"{PAGE}:matches{i}")
        cols = st.columns(4)
        cols[0].metric("Matches", f"{len(matches):,}")
        cols[1].metric("Inliers", f"{reg.n_inliers:,}" if reg else "—",
                       help="Matches within residual_threshold of the fitted model.")
        cols[2].metric("Inlier RMS", f"{reg.rms:.2f} px" if reg else "—")
        if truth is not None and reg is not None:
            err = PN.corner_error(reg.matrix, truth.true_matrix(i, anchor), views[i].shape)
            cols[3].metric("Ground-truth error", f"{err:.2f} px",
                           help="Mean distance between where the view's 4 corners land with the recovered "
                                "transform and with the true one. Corners outside the overlap are extrapolated.")
        elif reg is not None:
            cols[3].metric("Fit time", f"{seconds * 1000:.0f} ms")
        st.caption(f"**{names[i]}** (left) matched to **{names[anchor]}** (right, the anchor): **green** lines "
                   "are RANSAC inliers, **red** lines outliers — matches between patches that merely look alike.")
elif n == 1:
    st.error(str(PN.RegistrationError(
        "A panorama needs at least 2 overlapping images; got 1. Add another photo of the same scene that overlaps "
        "this one by a third or more.")))

# ---------------------------------------------------------------- 4. warp and blend
st.subheader("4 · Warp and blend")
ps.radio("blend", "Blending", help="Plain average shows ghosts and edges; feathering fades each view out towards "
                                   "its border; the minimum-cost seam cuts along the path where views agree best.")
blend = ps.value("blend")
pano = None
if features_ok and n >= 2:
    try:
        with st.spinner("Warping and blending…"):
            pano, seconds = stitch_stage(tuple(views), tuple(feats), digests, tuple(sorted(orb_p.items())),
                                         tuple(sorted(reg_p.items())), blend)
    except ValueError as err:
        st.error(f"Stitching failed: {err}", icon=":material/error:")
if pano is not None:
    q1, q2, q3 = st.columns(3)
    q1.metric("Panorama", f"{pano.image.shape[1]}×{pano.image.shape[0]} px")
    q2.metric("Covered", f"{pano.coverage.mean():.0%}", help="Share of the canvas some view covers.")
    q3.metric("Stitch time", f"{seconds:.2f} s", help="Registration of all views plus warping and blending, "
              "when computed (then cached); ORB keypoints come from step 1's cache.")
    st.image(pano.image, width="stretch",
             caption=f"{BLEND_LABELS[blend]} panorama of {n} views in the plane of {names[anchor]} "
                     f"({pano.image.shape[1]}×{pano.image.shape[0]} px, {seconds:.2f} s to register and compose). "
                     "Black: no view covers it.")
    d1, d2 = st.columns(2)
    share.download_png("Download the panorama (PNG)", pano.image, f"panorama_{source}.png", container=d1,
                       key=f"{PAGE}:dl_pano")
    table = pd.DataFrame([{"image": names[k], **{f"h{r}{c}": pano.matrices[k][r, c] for r in range(3)
                                                 for c in range(3)}} for k in range(n)])
    share.download_csv("Transforms, image → panorama (CSV)", table, f"panorama_{source}_matrices.csv",
                       container=d2, key=f"{PAGE}:dl_matrices")
elif views and not features_ok:
    st.info("Nothing to stitch yet: every view needs keypoints and similar sizes (see the messages above).")
elif features_ok and n >= 2:
    st.info("What to try: more keypoints or a lower fast_threshold (more matches), a higher max_ratio, a larger "
            "residual_threshold, or a simpler model (affine / similarity) for nearly flat scenes.")

values = ps.values()
code = recipe.script({**values, "working_size": images.working_size()})
share.footer(ps, code=code, filename=f"panorama_{source}.py",
             note="Uploaded photos cannot travel in a link." if source == "upload" else None)
