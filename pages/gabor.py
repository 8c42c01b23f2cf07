"""Gabor filters: kernels, texture responses (computed by FFT) and a small filter bank."""

from __future__ import annotations

import time

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core import gabor as G
from core import reproduce
from ui import cache, share
from ui.display import show
from ui.images import image_input, working_size
from ui.params import ParamSet

PAGE = "gabor"
YOURS = "yours"  # the key of the chosen image's responses (its name may be a texture's)
ps = ParamSet(G.SCHEMA)


def helped(name: str) -> str:
    return G.SCHEMA.fields[name].help


@cache.cache_data(max_entries=64, show_spinner=False)  # a few ms each: no spinner thread per kernel
def kernel_of(frequency: float, theta: float, bandwidth: float) -> np.ndarray:
    return G.gabor_kernel(frequency, theta, bandwidth=bandwidth, allow_alias=True)


@cache.cache_data(max_entries=24)
def responses(image: np.ndarray, freqs: tuple, theta: float, bandwidth: float, mode: str, shrink: int):
    start = time.perf_counter()
    out = G.power_responses(image, freqs, theta, bandwidth=bandwidth, mode=mode, shrink=shrink)
    return out, time.perf_counter() - start


@cache.cache_data(max_entries=8)
def bank(image: cache.Keyed, freqs: tuple, n_orientations: int, bandwidth: float, shrink: int):
    """The bank's responses and their pictures (kernels, magnitudes: tiled once, with digests), compute seconds."""
    start = time.perf_counter()
    out = G.bank_responses(image.array, freqs, n_orientations, bandwidth=bandwidth, shrink=shrink)
    seconds = time.perf_counter() - start
    kernels = G.kernel_gallery([kernel_of(f, np.pi * j / n_orientations, bandwidth) for f in freqs
                                for j in range(n_orientations)], n_orientations)
    magnitudes = G.tile([G.gray_u8(out[..., i]) for i in range(out.shape[-1])], n_orientations)
    return (out, cache.Keyed(kernels), cache.Keyed(magnitudes)), seconds


def timed(func, *args):
    """``func(*args)`` (a cached stage returning (result, compute seconds)), its seconds and whether it was cached."""
    start = time.perf_counter()
    out, seconds = func(*args)
    return out, seconds, time.perf_counter() - start < 0.5 * seconds


st.title(":material/texture: Gabor filters")
st.caption(
    "A **Gabor filter** is a Gaussian window times a sinusoid: it responds where the image has stripes of its "
    "*frequency* (cycles per pixel) running across its *orientation*, inside a window whose size is set by the "
    "*bandwidth* (in octaves; larger bandwidth → smaller window). The magnitude of the complex response — the "
    "texture's local **energy** at that frequency and orientation — is a per-pixel feature: a bank of them at "
    "several scales and angles describes texture, which is what the tutorial feeds to a random forest for "
    "trainable segmentation. As in the tutorial (*Increasing the number of low-level features*), brick, grass and a "
    "rough wall are compared with the contrast normalised per filter; **gravel stands in for the tutorial's "
    "rough-wall**, which scikit-image no longer ships. Everything here is computed by FFT: one transform of the "
    "image serves every kernel, instead of a slow direct convolution."
)
for row in (list(G.PRESETS)[:2], list(G.PRESETS)[2:]):  # two per row: whole labels at 1024 px
    ps.preset_buttons({n: G.PRESETS[n] for n in row}, help=G.PRESET_HELP)
img = image_input(ps, gray_note="Gabor filters work on gray levels: colour images are converted with `rgb2gray`.")
stem = share.stem(img.name)  # no extension, safe characters: download names and captions

c1, c2, c3 = st.columns(3)
ps.slider("frequency", "Frequency (cycles/pixel)", container=c1, help=helped("frequency"))
ps.slider("theta", "Orientation θ (degrees)", container=c2, help=helped("theta"))
ps.slider("bandwidth", "Bandwidth (octaves)", container=c3, help=helped("bandwidth"))
c4, c5, c6 = st.columns(3)
ps.slider("frequency2", "Second filter's frequency (comparison row)", container=c4, help=helped("frequency2"))
ps.radio("mode", "Boundary", container=c5, help=helped("mode"))
ps.slider("shrink", "Shrink images by (tutorial: 3)", container=c6, help=helped("shrink"))
v = ps.values()
kw = G.response_kwargs(v)
for f in kw["frequencies"]:
    if f > G.MAX_FREQUENCY:
        st.warning(f"**{f:g} cycles/pixel is above the Nyquist limit of 0.5**: a wave that fine cannot be sampled by "
                   f"pixels, so the kernel really is a wave of {1 - f:g} cycles/pixel (aliasing). The tutorial's bank "
                   "used 1 and 2 cycles/pixel; the trainable-segmentation page uses its frequencies corrected to ≤ 0.5.",
                   icon=":material/warning:")
theta = kw["theta"]
try:
    kernels = [kernel_of(f, theta, kw["bandwidth"]) for f in kw["frequencies"]]
except ValueError as err:
    st.error(str(err))
    st.stop()
k1 = kernels[0]

# ---- 1. the kernel
st.subheader("The kernel")
a, b, c = st.columns([1, 1, 1.4])
show(G.kernel_u8(k1.real), container=a, caption=f"Real part ({k1.shape[1]}×{k1.shape[0]} px)")
show(G.kernel_u8(k1.imag), container=b, caption="Imaginary part")
half = k1.shape[0] // 2  # a profile through the centre, along the wave direction
t = np.arange(-half, half + 1)
ys = np.clip(np.round(half + t * np.sin(theta)).astype(int), 0, k1.shape[0] - 1)
xs = np.clip(np.round(k1.shape[1] // 2 + t * np.cos(theta)).astype(int), 0, k1.shape[1] - 1)
fig = go.Figure()
fig.add_scatter(x=t, y=k1.real[ys, xs], name="real", mode="lines")
fig.add_scatter(x=t, y=k1.imag[ys, xs], name="imaginary", mode="lines")
fig.add_scatter(x=t, y=np.abs(k1)[ys, xs], name="envelope |k|", mode="lines", line=dict(dash="dot"))
fig.update_layout(height=260, margin=dict(l=10, r=10, t=30, b=10), title="Profile across the stripes",
                  xaxis_title="pixels from the centre", legend=dict(orientation="h", y=-0.35))
c.plotly_chart(fig, width="stretch", key=f"{PAGE}:profile")
st.caption(
    f"The real part is the even (cosine) wave, the imaginary part the odd (sine) one, both under a Gaussian window of "
    f"{k1.shape[1]}×{k1.shape[0]} px: one period is {1 / v['frequency']:.1f} px"
    + (" — shorter than 2 px, hence aliasing." if v["frequency"] > 0.5 else ".")
    + " Their combined response |real + i·imag| does not depend on where the stripes start (phase): that is the "
    "texture energy."
)

# ---- 2. responses: the tutorial's figure, plus your image
st.subheader(f"Responses: brick, grass, gravel and {stem}")
args = (kw["frequencies"], theta, kw["bandwidth"], kw["mode"], kw["shrink"])
panels, seconds, all_cached = {}, 0.0, True
with st.spinner("Filtering by FFT…"):
    try:
        for name in G.TEXTURES:
            panels[name], s, hit = timed(responses, cache.sample(name), *args)
            seconds, all_cached = seconds + s, all_cached and hit
        panels[YOURS], s, hit = timed(responses, img.image, *args)
        seconds, all_cached = seconds + s, all_cached and hit
    except ValueError as err:
        st.error(str(err))
        st.stop()
names = list(panels)
weights = [0.8] + [1] * len(names)
cols = st.columns(weights)  # the figure's top row: the images themselves, shrunk as they are filtered
cols[0].caption("the images")
for col, name in zip(cols[1:], names, strict=True):
    source = cache.sample(name) if name != YOURS else img.image
    step = kw["shrink"]
    show(np.asarray(source)[::step, ::step], container=col, max_side=400,
         caption=G.TEXTURE_NAMES.get(name, f"{stem} (yours)"))
for row, (f, k) in enumerate(zip(kw["frequencies"], kernels, strict=True)):
    powers = [panels[n][row] for n in names]
    vmin = min(p.min() for p in powers[:len(G.TEXTURES)])
    vmax = max(p.max() for p in powers[:len(G.TEXTURES)])
    cols = st.columns(weights)
    show(G.kernel_u8(k.real, 120), container=cols[0], caption=f"frequency {f:g}")
    for i, (col, p) in enumerate(zip(cols[1:], powers, strict=True)):
        shown = G.gray_u8(p, vmin, vmax) if i < len(G.TEXTURES) else G.gray_u8(p)
        show(shown, container=col, max_side=400, caption=f"mean {p.mean():.2f}")
timing = f"{seconds * 1000:,.0f} ms" + (" when computed (cached now)" if all_cached else "")
st.caption(
    "Top row: the images, shrunk by the chosen factor. Below, one row per kernel: the magnitude of each image's "
    "response (images normalised to zero mean and unit variance, as in the tutorial). The three textures share one "
    f"gray scale per row, as in the tutorial's figure; {stem} has its own. Bright = much energy at that frequency and "
    f"orientation. {len(names) * 2} responses computed by FFT in {timing} (boundary: {kw['mode']}; images shrunk "
    f"by {kw['shrink']})."
)
mine = panels[YOURS]
d1, d2 = st.columns(2)
share.download_png("Response to filter 1 (PNG)", G.gray_u8(mine[0]), f"{stem}_gabor_{kw['frequencies'][0]:g}.png",
                   key=f"{PAGE}:dl1", container=d1)
share.download_npy("Both responses (.npy, float32)", mine, f"{stem}_gabor_responses.npy",
                   key=f"{PAGE}:dl_npy", container=d2)


# ---- 3. a small bank (its widgets rerun this fragment only)
@st.fragment
def bank_section() -> None:
    st.subheader("A small filter bank")
    b1, b2 = st.columns(2)
    ps.multiselect("bank_freqs", "Frequencies", container=b1, help=helped("bank_freqs"))
    ps.slider("bank_orient", "Orientations (evenly spaced over 180°)", container=b2, help=helped("bank_orient"))
    values = ps.values()
    bk = G.bank_kwargs(values)
    if not bk["frequencies"]:
        st.info("Choose at least one frequency for the bank.")
    else:
        n_or = bk["n_orientations"]
        with st.spinner(f"Filtering {stem} with {len(bk['frequencies']) * n_or} kernels…"):
            (resp, gallery, tiles), spent, hit = timed(bank, cache.Keyed(img.image, img.digest), bk["frequencies"],
                                                       n_or, bk["bandwidth"], bk["shrink"])
        left, right = st.columns(2)
        show(gallery, container=left, caption=f"Real parts: one row per frequency "
             f"({', '.join(f'{f:g}' for f in bk['frequencies'])}), one column per orientation (0° … "
             f"{180 - 180 // n_or}°), all at the same scale: low frequencies need large kernels.")
        show(tiles, container=right,
             caption=f"{stem}'s response magnitudes, same layout, each scaled to its own range.")
        st.caption(f"{len(bk['frequencies'])} frequencies × {n_or} orientations = **{resp.shape[-1]} features per "
                   f"pixel**, from one FFT of the image and one per kernel, in {spent * 1000:,.0f} ms"
                   + (" when computed (cached now)" if hit else "") + ". The trainable-segmentation page smooths such "
                   "magnitudes into texture energy and lets a random forest learn which of them tell your classes "
                   "apart.")
        share.download_npy("Bank responses (.npy, H×W×F float32)", resp, f"{stem}_gabor_bank.npy",
                           key=f"{PAGE}:dl_bank")
    code = reproduce.fill(PAGE, values, image=reproduce.image_lines(
        "upload" if img.is_upload else img.name, shape=img.original_shape, working_size=working_size()))
    share.footer(ps, code=code, filename=f"gabor_{stem}.py", agreement=reproduce.agreement(PAGE))


bank_section()
