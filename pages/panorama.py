"""Panorama stitching: ORB keypoints → matches → RANSAC → warp and blend, every stage visible."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from core import keypoints as K
from core import panorama as PN
from core import reproduce
from core.images import ImageError, fit_working_size, read_image, to_rgb
from ui import cache, display, images, share
from ui import params as P

PAGE = "panorama"
KP, MT, WP, FT = (f"{PAGE}:{s}" for s in ("keypoints", "matches", "warp", "footer"))  # fragment keys
UPLOADS, SEEN, DECODED = f"{PAGE}:uploads", f"{PAGE}:seen", f"{PAGE}:decoded"
ORB_RATE = f"{PAGE}:orb_seconds_per_mp"
ps = P.ParamSet(PN.SCHEMA)


def rerun(*keys: str):
    """``on_change`` for a stage's widget: rerun that stage, the later ones and the footer only."""
    return {"on_change": st.rerun, "args": ([*keys, FT],)}


def help_of(name: str) -> str:
    return PN.SCHEMA.fields[name].help


@cache.cache_data(max_entries=4, show_spinner=False)
def demo_stage(photo: str, n_views: int, seed: int) -> PN.DemoViews:
    return PN.demo_views(images.sample(photo), n_views=n_views, seed=seed)


@cache.cache_data(max_entries=4, show_spinner=False)
def samples_stage(source: str, size: int) -> list:
    if source == "stereo":
        from skimage import data

        left, right, _ = data.stereo_motorcycle()
        return [fit_working_size(left, size), fit_working_size(right, size)]
    return [fit_working_size(images.sample(name), size) for name in PN.ARCHES]


@cache.cache_data(max_entries=16, show_spinner=False)
def features_stage(image: np.ndarray, orb: K.ORBParams):
    start = time.perf_counter()
    return K.orb_features(image, **orb.kwargs()), time.perf_counter() - start, time.time()


@cache.cache_data(max_entries=16, show_spinner=False)
def register_stage(moving: np.ndarray, fixed: np.ndarray, orb: K.ORBParams, params: PN.RegistrationParams):
    start, (fm, *_), (ff, *_) = time.perf_counter(), features_stage(moving, orb), features_stage(fixed, orb)
    return PN.register_features(fm, ff, params), time.perf_counter() - start, time.time()


@cache.cache_data(max_entries=16, show_spinner=False)
def matches_picture(moving: np.ndarray, fixed: np.ndarray, orb: K.ORBParams, params: PN.RegistrationParams):
    """Matches drawn (green inliers, red outliers); the matches alone when the registration failed."""
    fm, ff = features_stage(moving, orb)[0], features_stage(fixed, orb)[0]
    try:
        reg = register_stage(moving, fixed, orb, params)[0]
        matches, inliers = reg.matches, reg.inliers
    except PN.RegistrationError:
        matches = PN.match_features(fm.descriptors, ff.descriptors, cross_check=params.cross_check,
                                    max_ratio=params.max_ratio)
        inliers = None
    return PN.draw_matches(moving, fixed, fm.keypoints, ff.keypoints, matches, inliers), len(matches)


def stitch_stage(views: tuple, orb: K.ORBParams, params: PN.RegistrationParams, blend: str):
    """The panorama from the registrations step 3 shows (each view onto the anchor), then warp and blend."""
    anchor = len(views) // 2
    regs = {i: register_stage(v, views[anchor], orb, params)[0] for i, v in enumerate(views) if i != anchor}
    return compose_stage(views, tuple(regs[i].matrix for i in sorted(regs)), blend, regs)


@cache.cache_data(max_entries=6, show_spinner=False)
def compose_stage(views: tuple, matrices: tuple, blend: str, _regs: dict):
    """Warp + blend keyed on the transforms (``_regs``: not hashed): RANSAC settings giving the same ones reuse it."""
    start = time.perf_counter()
    pano = PN.stitch(list(views), registrations=_regs, blend=blend)
    return pano, time.perf_counter() - start, time.time()


@cache.cache_data(max_entries=16, show_spinner=False)
def keypoints_picture(image: np.ndarray, orb: K.ORBParams) -> np.ndarray:
    return K.draw_keypoints(image, features_stage(image, orb)[0])


def on_upload() -> None:  # use the files the person dropped last (decode only those), and say what is used
    files = list(st.session_state.get(UPLOADS) or [])
    used, note = PN.pick_uploads(st.session_state.get(SEEN, []), [(f.file_id, f.name) for f in files])
    st.session_state[SEEN] = [f.file_id for f in files]
    decoded = {"images": [], "names": [], "errors": [], "note": note if files else ""}
    for f in (files[k] for k in used):
        try:
            decoded["images"].append(to_rgb(read_image(f.getvalue(), max_side=PN.MAX_SIDE)))
            decoded["names"].append(f.name)
        except ImageError as err:
            decoded["errors"].append(f"**{P.escape_md(f.name)}**: {err}")
    st.session_state[DECODED] = decoded


def time_metric(container, label: str, since: float, wall: float, computed: float, at: float) -> None:
    """This rerun's time; a result computed before ``since`` (wall clock) came from the cache and says so."""
    container.metric(label, f"{wall:.2f} s", delta="cached" if at < since else "computed now",
                     delta_color="off", help=f"Computing it took {computed:.2f} s (the first time: cached since).")


ps.restore()
st.title(":material/panorama: Panorama stitching")
st.caption(
    "**Image registration** finds the transform that lays one photo over another; **stitching** then pastes them "
    "into one panorama. The tutorial's longer example does it with mid-level features: **ORB keypoints** in each "
    "photo, **matched** by their binary descriptors, a **RANSAC** fit that keeps only the matches agreeing on one "
    "transform (a homography, for a camera turning about its centre), then every photo **warped** into the middle "
    "one's plane and **blended**. The page opens on the tutorial's own photos and pipeline."
)
for row in (list(PN.PRESETS)[:3], list(PN.PRESETS)[3:]):
    ps.preset_buttons({name: PN.PRESETS[name] for name in row}, help=PN.PRESET_HELP)
st.info(PN.TRUTH_NOTE, icon=":material/tips_and_updates:")
images.working_size_control(st.sidebar)
size = min(PN.MAX_SIDE, images.working_size())
source = ps.segmented("source", "Input", help=help_of("source"))
views, names, shapes, truth = [], [], [], None
if source == "demo":
    a, b, c = st.columns(3)
    photo = ps.select("photo", "Photo to cut views from", container=a, help=help_of("photo"))
    ps.slider("n_views", "Views", container=b, help=help_of("n_views"))
    ps.number("view_seed", "Random seed of the views", container=c, help=help_of("view_seed"))
    truth = demo_stage(photo, int(ps.value("n_views")), int(ps.value("view_seed")))
    views, names = list(truth.views), [f"view {k + 1}" for k in range(len(truth.views))]
    st.caption(f"{len(views)} views of {views[0].shape[1]}×{views[0].shape[0]} px cut from the {photo!r} sample, "
               f"each overlapping its neighbour by about {PN.OVERLAP:.0%}, with known transforms (the ground truth).")
elif source in ("arches", "stereo"):
    views = samples_stage(source, size)
    names = ["left camera", "right camera"] if source == "stereo" else [f"Arches {k + 1}" for k in range(3)]
    shapes = [(500, 741, 3)] * 2 if source == "stereo" else [images.sample(n).shape for n in PN.ARCHES]
    st.caption(f"{PN.SOURCE_NOTES[source]} ({views[0].shape[1]}×{views[0].shape[0]} px each).")
else:
    st.file_uploader("2–3 overlapping photos, left to right", accept_multiple_files=True, key=UPLOADS, help="Photos "
                     "taken by turning the camera, overlapping by a third or more; the page uses the ones you dropped "
                     "last (3 at most). They stay in this session's memory only.", on_change=on_upload,
                     type=["png", "jpg", "jpeg", "tif", "tiff", "bmp", "webp"])
    decoded = st.session_state.get(DECODED) or {"images": [], "names": [], "errors": []}
    views = [fit_working_size(im, size) for im in decoded["images"]]
    names, shapes = list(decoded["names"]), [im.shape for im in decoded["images"]]
    for message in decoded["errors"]:
        st.error(message, icon=":material/block:")
    st.caption(P.escape_md(decoded.get("note", ""), 400))
    if not views:
        st.info("Upload 2–3 overlapping photos of the same scene (or pick another input). Uploaded photos cannot "
                "travel in a share link.", icon=":material/upload:")
views, N, ANCHOR = tuple(views), len(views), len(views) // 2


def ready() -> bool:  # every view has keypoints and the sizes are compatible (messages are shown by step 1)
    if N < 2:
        return False
    try:
        PN.check_sizes([v.shape for v in views])
        orb = PN.orb_params(ps.values())
        for v in views:
            features_stage(v, orb)
    except ValueError:
        return False
    return True


@st.fragment(key=KP)
def keypoints_section() -> None:
    st.subheader("1 · ORB keypoints in every image")
    k1, k2, k3, k4 = st.columns(4)
    ps.slider("n_keypoints", "n_keypoints", container=k1, help=help_of("n_keypoints"), **rerun(KP, MT, WP))
    ps.slider("fast_threshold", "fast_threshold", container=k2, help=help_of("fast_threshold"), **rerun(KP, MT, WP))
    ps.slider("n_scales", "n_scales", container=k3, help=help_of("n_scales"), **rerun(KP, MT, WP))
    ps.slider("downscale", "downscale", container=k4, help=help_of("downscale"), **rerun(KP, MT, WP))
    if not views:
        return
    orb = PN.orb_params(ps.values())
    megapixels = sum(v.shape[0] * v.shape[1] for v in views) / 1e6
    estimate = st.session_state.get(ORB_RATE, 2.0) * megapixels
    bar = st.progress(0.0, text=f"ORB on {N} images ({megapixels:.2f} MP in all) — about {estimate:.1f} s when not "
                                "cached…")
    since, start, computed, latest, cols = time.time(), time.perf_counter(), 0.0, 0.0, st.columns(N)
    for k, (col, view) in enumerate(zip(cols, views, strict=True)):
        bar.progress(k / N, text=f"ORB keypoints of {names[k]} ({view.shape[1]}×{view.shape[0]} px), "
                                 f"image {k + 1} of {N}: pyramid, FAST, Harris ranking, rBRIEF…")
        try:
            feats, seconds, at = features_stage(view, orb)
        except ValueError as err:
            col.error(f"{names[k]}: {err}")
            continue
        computed, latest = computed + seconds, max(latest, at)
        display.show(keypoints_picture(view, orb), container=col, max_side=500,
                     caption=f"{names[k]} · {view.shape[1]}×{view.shape[0]} px · {len(feats):,} keypoints")
    bar.empty()
    if latest >= since:  # computed now: the next estimate uses this machine's speed
        st.session_state[ORB_RATE] = computed / max(megapixels, 1e-3)
    time_metric(st, "ORB time", since, time.perf_counter() - start, computed, latest)
    try:
        if N < 2:
            PN.stitch(views)  # says why one image is not enough
        PN.check_sizes([v.shape for v in views])
    except ValueError as err:
        st.error(str(err), icon=":material/error:")


@st.fragment(key=MT)
def matches_section() -> None:
    st.subheader("2 · Matches and 3 · RANSAC")
    m1, m2, m3 = st.columns(3)
    ps.toggle("cross_check", "Cross-check", container=m1, help=help_of("cross_check"), **rerun(MT, WP))
    ps.slider("max_ratio", "max_ratio (ratio test)", container=m1, help=help_of("max_ratio"), **rerun(MT, WP))
    ps.select("model", "Model", container=m2, help=help_of("model"), **rerun(MT, WP))
    ps.toggle("refine", "Refit on the inliers", container=m2, help=help_of("refine"), **rerun(MT, WP))
    ps.slider("residual_threshold", "residual_threshold (px)", container=m3, help=help_of("residual_threshold"),
              **rerun(MT, WP))
    ps.slider("max_trials", "max_trials", container=m3, help=help_of("max_trials"), **rerun(MT, WP))
    ps.number("seed", "RANSAC seed", container=m2, help=help_of("seed"), **rerun(MT, WP))
    if not ready():
        return
    values = ps.values()
    orb, params = PN.orb_params(values), PN.RegistrationParams.from_values(values)
    pairs = [k for k in range(N) if k != ANCHOR]
    for i, column in zip(pairs, st.columns(len(pairs), gap="medium"), strict=True):
        since, start, reg, seconds, at = time.time(), time.perf_counter(), None, None, None
        try:
            with column, st.spinner(f"Matching {names[i]} to {names[ANCHOR]}, fitting a {params.model} transform…"):
                reg, seconds, at = register_stage(views[i], views[ANCHOR], orb, params)
        except ValueError as err:
            column.error(f"**{names[i]} → {names[ANCHOR]}**: {err}", icon=":material/error:")
        picture, n_matches = matches_picture(views[i], views[ANCHOR], orb, params)
        wall = time.perf_counter() - start
        display.show(picture, container=column, caption=f"{names[i]} (left) matched to {names[ANCHOR]} (right, the "
                     "anchor): green = RANSAC inliers, red = outliers, matches between patches that merely look "
                     "alike (400 of each drawn at most).")
        cols = column.columns(2)
        cols[0].metric("Matches", f"{n_matches:,}")
        cols[1].metric("Inliers", f"{reg.n_inliers:,}" if reg else "—", help="Matches within residual_threshold.")
        cols[0].metric("Inlier RMS", f"{reg.rms:.2f} px" if reg else "—")
        if truth is not None and reg is not None:
            err = PN.corner_error(reg.matrix, truth.true_matrix(i, ANCHOR), views[i].shape)
            cols[1].metric("Ground-truth error", f"{err:.2f} px",
                           help="Mean distance between where the view's 4 corners land with the recovered transform "
                                "and with the true one (corners outside the overlap are extrapolated).")
        elif reg is not None:
            time_metric(cols[1], "Fit time", since, wall, seconds, at)


@st.fragment(key=WP)
def warp_section() -> None:
    st.subheader("4 · Warp and blend")
    blend = ps.radio("blend", "Blending", help=help_of("blend"), **rerun(WP))
    if not ready():
        st.info("Nothing to stitch yet: every image needs keypoints and similar sizes (see the messages above).")
        return
    values = ps.values()
    since, start = time.time(), time.perf_counter()
    try:
        with st.spinner(f"Warping {N} images into the plane of {names[ANCHOR]} and blending ({blend})…"):
            pano, seconds, at = stitch_stage(views, PN.orb_params(values), PN.RegistrationParams.from_values(values),
                                         blend)
    except ValueError as err:
        st.error(f"Stitching failed: {err}", icon=":material/error:")
        st.info("What to try: more keypoints or a lower fast_threshold (more matches), a higher max_ratio, a larger "
                "residual_threshold, or a simpler model (affine / similarity) for nearly flat scenes.")
        return
    h, w = pano.image.shape[:2]
    left, right = st.columns([3, 1] if w > 1.6 * h else [3, 2], gap="medium")
    display.show(pano.image, container=left, caption=f"{PN.SCHEMA.fields['blend'].label(blend)} panorama of "
                 f"{', '.join(names)} in the plane of {names[ANCHOR]} ({w}×{h} px). Black: no image covers it.")
    right.metric("Panorama", f"{w}×{h} px")
    right.metric("Covered", f"{pano.coverage.mean():.0%}", help="Share of the canvas some image covers.")
    time_metric(right, "Warp + blend time", since, time.perf_counter() - start, seconds, at)
    share.download_png("Panorama (PNG)", pano.image, f"panorama_{source}.png", container=right, key=f"{PAGE}:dl_pano")
    share.download_csv("Transforms, image → panorama (CSV)", PN.transforms_table(pano, names),
                       f"panorama_{source}_transforms.csv", container=right, key=f"{PAGE}:dl_matrices")
    for k, view in enumerate(views if source == "demo" else ()):
        share.download_png(f"Download the views: view {k + 1} (PNG)", view, f"demo_view{k + 1}.png",
                           container=right, key=f"{PAGE}:dl_view{k}")


@st.fragment(key=FT)
def footer() -> None:
    values = ps.values()
    lines = PN.script_images(values, shapes=shapes, names=names, working_size=images.working_size())
    share.footer(ps, code=reproduce.fill(PAGE, values, image=lines), filename=f"panorama_{source}.py",
                 agreement=reproduce.agreement(PAGE),
                 note="Uploaded photos cannot travel in a link." if source == "upload" else None)


keypoints_section()
matches_section()
warp_section()
footer()
