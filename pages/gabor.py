"""Gabor filters: kernels, texture responses (computed by FFT) and a small filter bank."""

from __future__ import annotations

import time

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core import gabor as G
from core.images import to_gray
from core.recipes import gabor as recipe
from ui import cache, share
from ui import params as P
from ui.images import image_input, working_size

TEXTURES = ("brick", "grass", "gravel")
BANK_FREQS = ["0.025", "0.05", "0.1", "0.2", "0.4"]
MODES = {"wrap": "wrap (tutorial)", "reflect": "reflect (mirror)"}

ps = P.ParamSet(
    "gabor",
    [
        P.Float("frequency", 0.1, 0.02, 1.0, step=0.01),
        P.Float("frequency2", 0.4, 0.02, 1.0, step=0.01),
        P.Int("theta", 0, 0, 180, step=15),
        P.Float("bandwidth", 1.0, 0.3, 3.0, step=0.1),
        P.Choice("mode", list(MODES), "wrap", labels=MODES),
        P.Int("shrink", 3, 1, 4),
        P.Multi("bank_freqs", BANK_FREQS, ["0.05", "0.1", "0.2", "0.4"], allow_empty=True),
        P.Int("bank_orient", 4, 1, 8),
    ],
    image="astronaut",
)
ps.restore()

st.title("Gabor filters")
st.caption(
    "A **Gabor filter** is a Gaussian window times a sinusoid: it responds where the image has stripes of its "
    "*frequency* (cycles per pixel) running across its *orientation*, inside a window whose size is set by the "
    "*bandwidth* (in octaves; larger bandwidth → smaller window). The magnitude of the complex response — "
    "the texture's local **energy** at that frequency and orientation — is a per-pixel feature: a bank of them "
    "at several scales and angles describes texture, which is what the tutorial feeds to a random forest for "
    "trainable segmentation. As in the tutorial (*Increasing the number of low-level features*), the responses "
    "of brick, grass and gravel are compared with the contrast normalised per filter. Everything here is "
    "computed by FFT: one transform of the image serves every kernel, instead of a slow direct convolution."
)
ps.preset_buttons(
    {
        "Tutorial (0.1 and 0.4)": dict(frequency=0.1, frequency2=0.4, theta=0, bandwidth=1.0, mode="wrap",
                                       shrink=3),
        "Bricks: coarse, 90°": dict(frequency=0.05, frequency2=0.1, theta=90, bandwidth=1.0, shrink=2),
        "Grass blades: 0.3, 45°": dict(frequency=0.3, frequency2=0.15, theta=45, bandwidth=1.5, shrink=1),
        "Aliasing: 0.8 vs 0.2": dict(frequency=0.8, frequency2=0.2, theta=0, bandwidth=1.0, shrink=3),
    },
    help={
        "Tutorial (0.1 and 0.4)": "The tutorial's cell: frequencies 0.1 and 0.4, θ = 0, images shrunk by 3, "
        "wrap-around boundaries.",
        "Bricks: coarse, 90°": "A low frequency matched to the brick rows.",
        "Grass blades: 0.3, 45°": "A fine diagonal filter, narrower in frequency (bandwidth 1.5).",
        "Aliasing: 0.8 vs 0.2": "0.8 cycles/pixel cannot be sampled: it shows up as 1 − 0.8 = 0.2.",
    },
)
img = image_input(ps, gray_note="Gabor filters work on gray levels: colour images are converted with `rgb2gray`.")

c1, c2, c3 = st.columns(3)
ps.slider("frequency", "Frequency (cycles/pixel)", container=c1,
          help="0.5 is the Nyquist limit: a finer wave cannot be represented by pixels and aliases.")
ps.slider("theta", "Orientation θ (degrees)", container=c2,
          help="θ = 0: the wave varies along x, so the filter responds to vertical stripes.")
ps.slider("bandwidth", "Bandwidth (octaves)", container=c3,
          help="The frequency range the filter passes; it sets the Gaussian window (σ ∝ 1 / (frequency·…)).")
c4, c5, c6 = st.columns(3)
ps.slider("frequency2", "Second filter's frequency (comparison row)", container=c4)
ps.radio("mode", "Boundary", container=c5, help="How the image is extended beyond its border.")
ps.slider("shrink", "Shrink images by (tutorial: 3)", container=c6,
          help="Keep every n-th pixel of each image, as the tutorial does to make it faster.")
v = ps.values()
for name in ("frequency", "frequency2"):
    if v[name] > G.MAX_FREQUENCY:
        st.warning(
            f"**{v[name]:g} cycles/pixel is above the Nyquist limit of 0.5**: a wave that fine cannot be sampled by "
            f"pixels, so the kernel really is a wave of {1 - v[name]:g} cycles/pixel (aliasing). The tutorial's "
            "bank used 1 and 2 cycles/pixel; the trainable-segmentation page uses its frequencies corrected to ≤ 0.5.",
            icon="⚠️",
        )
theta = np.deg2rad(v["theta"])


@cache.cache_data(max_entries=16)
def kernel_parts(frequency: float, theta: float, bandwidth: float) -> np.ndarray:
    return G.gabor_kernel(frequency, theta, bandwidth=bandwidth, allow_alias=True)


@cache.cache_data(max_entries=24)
def responses(image: np.ndarray, freqs: tuple, theta: float, bandwidth: float, mode: str, shrink: int):
    start = time.perf_counter()
    out = G.power_responses(image, freqs, theta, bandwidth=bandwidth, mode=mode, shrink=shrink)
    return out, time.perf_counter() - start


@cache.cache_data(max_entries=8)
def bank(image: np.ndarray, freqs: tuple, n_orient: int, bandwidth: float, shrink: int):
    g = to_gray(image)[::shrink, ::shrink]
    thetas = tuple(np.pi * np.arange(n_orient) / n_orient)
    start = time.perf_counter()
    out = G.gabor_bank(g, freqs, thetas, bandwidth=bandwidth)
    return out, time.perf_counter() - start


def gray_u8(a: np.ndarray, vmin: float | None = None, vmax: float | None = None) -> np.ndarray:
    """Scale to 0…255 with the given range (default: the array's own)."""
    vmin = float(a.min()) if vmin is None else vmin
    vmax = float(a.max()) if vmax is None else vmax
    return (np.clip((a - vmin) / ((vmax - vmin) or 1.0), 0, 1) * 255).astype(np.uint8)


def kernel_u8(k: np.ndarray, size: int = 160) -> np.ndarray:
    """A kernel part as a gray image, 0 = mid-gray, upscaled with nearest neighbours for display."""
    m = float(np.abs(k).max()) or 1.0
    u = ((k / m) * 127.5 + 127.5).clip(0, 255).astype(np.uint8)
    rep = max(1, size // max(k.shape))
    return np.repeat(np.repeat(u, rep, axis=0), rep, axis=1)


def tile(images: list[np.ndarray], cols: int, gap: int = 4) -> np.ndarray:
    """Same-size uint8 gray images in a grid with white gaps."""
    h, w = images[0].shape
    rows = -(-len(images) // cols)
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), 255, np.uint8)
    for i, a in enumerate(images):
        r, c = divmod(i, cols)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = a
    return out


try:
    k1 = kernel_parts(v["frequency"], theta, v["bandwidth"])
    k2 = kernel_parts(v["frequency2"], theta, v["bandwidth"])
except ValueError as err:
    st.error(str(err))
    st.stop()

# ---- 1. the kernel
st.subheader("The kernel")
a, b, c = st.columns([1, 1, 1.4])
a.image(kernel_u8(k1.real), caption=f"Real part ({k1.shape[1]}×{k1.shape[0]} px)", width="stretch")
b.image(kernel_u8(k1.imag), caption="Imaginary part", width="stretch")
# profile through the centre, along the wave direction
half = k1.shape[0] // 2
t = np.arange(-half, half + 1)
ys = np.clip(np.round(half + t * np.sin(theta)).astype(int), 0, k1.shape[0] - 1)
xs = np.clip(np.round(k1.shape[1] // 2 + t * np.cos(theta)).astype(int), 0, k1.shape[1] - 1)
fig = go.Figure()
fig.add_scatter(x=t, y=k1.real[ys, xs], name="real", mode="lines")
fig.add_scatter(x=t, y=k1.imag[ys, xs], name="imaginary", mode="lines")
fig.add_scatter(x=t, y=np.abs(k1)[ys, xs], name="envelope |k|", mode="lines", line=dict(dash="dot"))
fig.update_layout(height=260, margin=dict(l=10, r=10, t=30, b=10), title="Profile across the stripes",
                  xaxis_title="pixels from the centre", legend=dict(orientation="h", y=-0.35))
c.plotly_chart(fig, width="stretch", key="gabor:profile")
st.caption(
    f"The real part is the even (cosine) wave, the imaginary part the odd (sine) one, both under a Gaussian "
    f"window of {k1.shape[0]} px: one period is {1 / v['frequency']:.1f} px"
    + (" — shorter than 2 px, hence aliasing." if v["frequency"] > 0.5 else ".")
    + " Their combined response |real + i·imag| does not depend on where the stripes start (phase): that is "
    "the texture energy."
)

# ---- 2. responses
st.subheader("Responses: brick, grass, gravel and your image")
freqs = (float(v["frequency"]), float(v["frequency2"]))
with st.spinner("Filtering by FFT…"):
    panels, seconds = {}, 0.0
    try:
        for name in TEXTURES:
            panels[name], s = responses(cache.sample(name), freqs, theta, v["bandwidth"], v["mode"], v["shrink"])
            seconds += s
        panels[img.name], s = responses(img.image, freqs, theta, v["bandwidth"], v["mode"], v["shrink"])
        seconds += s
    except ValueError as err:
        st.error(str(err))
        st.stop()
names = list(panels)
for row, (f, k) in enumerate(zip(freqs, (k1, k2), strict=True)):
    powers = [panels[n][row] for n in names]
    vmin, vmax = min(p.min() for p in powers), max(p.max() for p in powers)
    cols = st.columns([0.8] + [1] * len(names))
    cols[0].image(kernel_u8(k.real, 120), caption=f"frequency {f:g}", width="stretch")
    for col, n, p in zip(cols[1:], names, powers, strict=True):
        col.image(gray_u8(p, vmin, vmax), caption=f"{n}: mean {p.mean():.2f}", width="stretch")
st.caption(
    f"Magnitude of each image's response (images normalised to zero mean and unit variance, as in the "
    f"tutorial), one gray scale per row so the textures can be compared: bright = much energy at that "
    f"frequency and orientation. {len(names) * 2} responses computed by FFT in {seconds * 1000:.0f} ms "
    f"(boundary: {v['mode']}; images shrunk by {v['shrink']})."
)
mine = panels[img.name]
d1, d2 = st.columns(2)
share.download_png("Your image's response to filter 1 (PNG)", gray_u8(mine[0]), "gabor_response_1.png",
                   key="gabor:dl1", container=d1)
share.download_npy("Both responses of your image (.npy, float32)", mine, "gabor_responses.npy",
                   key="gabor:dl_npy", container=d2)

# ---- 3. a small bank
st.subheader("A small filter bank")
b1, b2 = st.columns(2)
ps.multiselect("bank_freqs", "Frequencies", container=b1)
ps.slider("bank_orient", "Orientations (evenly spaced over 180°)", container=b2)
v = ps.values()
bank_f = tuple(float(x) for x in v["bank_freqs"])
n_or = int(v["bank_orient"])
if not bank_f:
    st.info("Choose at least one frequency for the bank.")
else:
    # every kernel at the same pixel scale, centred on a mid-gray square: their true relative sizes
    kernels = [kernel_u8(kernel_parts(f, np.pi * j / n_or, v["bandwidth"]).real, 1)
               for f in bank_f for j in range(n_or)]
    side = max(max(k.shape) for k in kernels)
    boxed = []
    for k in kernels:
        box = np.full((side, side), 128, np.uint8)
        r0, c0 = (side - k.shape[0]) // 2, (side - k.shape[1]) // 2
        box[r0:r0 + k.shape[0], c0:c0 + k.shape[1]] = k
        boxed.append(box)
    gallery = tile(boxed, n_or, gap=max(2, side // 20))
    rep = max(1, 400 // gallery.shape[1])
    kernels = np.repeat(np.repeat(gallery, rep, axis=0), rep, axis=1)
    with st.spinner("Filtering your image with the bank…"):
        resp, bank_s = bank(img.image, bank_f, n_or, v["bandwidth"], v["shrink"])
    thumbs = [gray_u8(resp[..., i]) for i in range(resp.shape[-1])]
    left, right = st.columns(2)
    left.image(kernels, width="stretch",
               caption=f"Real parts: one row per frequency ({', '.join(f'{f:g}' for f in bank_f)}), one column per "
               f"orientation (0° … {180 - 180 // n_or}°), all at the same scale: low frequencies need large kernels.")
    right.image(tile(thumbs, n_or), width="stretch",
                caption="Your image's response magnitudes, same layout, each scaled to its own range.")
    st.caption(f"{len(bank_f)} frequencies × {n_or} orientations = **{resp.shape[-1]} features per pixel**, "
               f"from one FFT of the image and one per kernel, in {bank_s * 1000:.0f} ms. The trainable-"
               "segmentation page smooths such magnitudes into texture energy and lets a random forest learn "
               "which of them tell your classes apart.")
    share.download_npy("Bank responses (.npy, H×W×F float32)", resp, "gabor_bank.npy", key="gabor:dl_bank")

# ---- share and reproduce
share.footer(ps, code=recipe.script({**ps.values(), "working_size": working_size()}), filename="gabor.py")
