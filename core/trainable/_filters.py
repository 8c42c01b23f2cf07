"""Per-pixel filter stages for trainable segmentation (the building blocks of
:class:`core.trainable.features.FeatureSpec`).

Everything here works on float32 images in [0, 1] and returns ``(H, W, F)`` float32 stacks; the
Gaussian smoothing is done by FFT with reflect padding (one batched transform per sigma), so
large windows cost the same as small ones.

* :func:`_prepare` — any image (gray, RGB, RGBA; any dtype) → float32 in [0, 1], checked; RGB whose
  three channels are equal (a gray photo stored as RGB) becomes gray;
* :func:`_normalize` — divisive contrast normalisation ((g − local mean) / (local std + 0.02));
* :func:`_gabor_energy` — smoothed log Gabor energy per frequency × orientation, its orientation
  mean and anisotropy (low frequencies on a block-averaged pyramid level);
* :func:`_local_stats` — local mean and standard deviation at several scales;
* :func:`_edge_texture` — smoothed gradient magnitude and structure-tensor coherence / eigenvalues;
* :func:`_lab` — CIE Lab, raw and smoothed;
* :func:`_palette` — local histograms of 15 fixed colours;
* :func:`_lbp_histograms` — local histograms of rotation-invariant local binary patterns.
"""
from __future__ import annotations

import numpy as np
import scipy.fft as sfft

from core.gabor import gabor_bank

__all__: list[str] = []


def _is_gray_rgb(image) -> bool:
    """Whether ``image`` is (H, W, 3|4) with its three colour channels equal (a gray photo stored as RGB)."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[-1] not in (3, 4):
        return False
    return bool(np.array_equal(image[..., 0], image[..., 1]) and np.array_equal(image[..., 1], image[..., 2]))


def _prepare(image):
    """Any image → float32 in [0, 1], (H, W) or (H, W, 3); RGB(A) whose channels are all equal becomes (H, W)."""
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 4:
        image = image[..., :3]
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if _is_gray_rgb(image):  # a gray photo stored as RGB: gray (lbp features, no empty colour ones)
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] != 3):
        raise ValueError(f"expected a (H, W) gray or (H, W, 3) RGB image, got shape {image.shape}")
    if min(image.shape[:2]) < 8:
        raise ValueError(f"image is {image.shape[1]}×{image.shape[0]} pixels; it needs at least 8 "
                         "pixels on each side")
    if image.dtype == bool:
        image = image.astype(np.float32)
    elif image.dtype.kind in "ui":
        image = image.astype(np.float32) / np.float32(np.iinfo(image.dtype).max)
    else:
        image = image.astype(np.float32)
        if not np.all(np.isfinite(image)):
            raise ValueError("image contains NaN or infinite values; replace them first")
        lo, hi = float(image.min()), float(image.max())
        if lo < 0 or hi > 1:  # floats outside [0, 1]: min–max rescale (as_float would pass them through)
            image = (image - lo) / (hi - lo) if hi > lo else np.zeros_like(image)
    return image


def _gray(img):
    if img.ndim == 2:
        return img
    return (img @ np.array([0.2125, 0.7154, 0.0721], dtype=np.float32)).astype(np.float32)


def _thetas(n):
    n = int(n)
    if n < 1:
        raise ValueError("n_orientations must be ≥ 1")
    return tuple(np.pi * np.arange(n) / n)


def _fast_pad(h, w, pad):
    """Padding after the image so each padded side is a multiple of 64 (fast FFT sizes).

    Returns ((pad_bottom, pad_right), padded_shape); ``pad`` pixels go before.
    """
    nh, nw = -(-(h + 2 * pad) // 64) * 64, -(-(w + 2 * pad) // 64) * 64
    return (nh - h - pad, nw - w - pad), (nh, nw)


def _gauss_stack_fft(stack, sigmas):
    """Gaussian-smooth each channel of (H, W, F) with its own sigma, by FFT (reflect padding).

    Channels sharing a sigma are padded and transformed together (one batched FFT).
    """
    h, w, f = stack.shape
    out = np.empty(stack.shape, dtype=np.float32)
    sigmas = [float(x) for x in sigmas]
    for s in sorted(set(sigmas)):
        idx = [i for i, x in enumerate(sigmas) if x == s]
        chans = np.moveaxis(stack[..., idx], -1, 0).astype(np.float32)
        if s <= 0:
            out[..., idx] = np.moveaxis(chans, 0, -1)
            continue
        pad = min(int(np.ceil(3 * s)), 3 * max(h, w))
        (ph, pw), shape = _fast_pad(h, w, pad)
        padded = np.pad(chans, ((0, 0), (pad, ph), (pad, pw)), mode="symmetric")
        fy = sfft.fftfreq(shape[0]).astype(np.float32)[:, None]
        fx = sfft.rfftfreq(shape[1]).astype(np.float32)[None, :]
        transfer = np.exp(np.float32(-2 * np.pi ** 2 * s * s) * (fy ** 2 + fx ** 2))
        spec = sfft.rfft2(padded, axes=(1, 2), workers=-1)
        spec *= transfer
        res = sfft.irfft2(spec, s=shape, axes=(1, 2), workers=-1)[:, pad:pad + h, pad:pad + w]
        out[..., idx] = np.moveaxis(res, 0, -1)
    return out


def _normalize(gray, sigma):
    """Divisive normalisation: (g − local mean) / (local std + 0.02), Gaussian window ``sigma``.

    Makes texture features independent of local brightness and contrast (0 = off).
    """
    if not sigma:
        return gray
    st = _local_stats(gray, (float(sigma),))
    return ((gray - st[..., 0]) / (st[..., 1] + np.float32(0.02))).astype(np.float32)


MAXD = 4


def _pyramid_factor(frequency, pyramid):
    """Downsampling factor for a frequency: the largest power of 2 (≤ 4) keeping f·d ≤ 0.25."""
    if not pyramid:
        return 1
    d = 1
    while d < MAXD and frequency * d * 2 <= 0.25:
        d *= 2
    return d


def _block_mean(g, d):
    """Mean over d×d blocks (the image is edge-padded to a multiple of d)."""
    if d == 1:
        return g
    h, w = g.shape
    hh, ww = -(-h // d) * d, -(-w // d) * d
    gp = np.pad(g, ((0, hh - h), (0, ww - w)), mode="edge")
    return gp.reshape(hh // d, d, ww // d, d).mean(axis=(1, 3), dtype=np.float32)


def _upsample(stack, d, shape):
    """Bilinear upsampling of (h', w', F) block means by d (pixel centres aligned), cropped to ``shape``."""
    if d == 1:
        return stack

    def weights(n_in, n_out):
        x = np.clip((np.arange(n_out) + 0.5) / d - 0.5, 0, n_in - 1)
        i0 = np.floor(x).astype(np.intp)
        return i0, np.minimum(i0 + 1, n_in - 1), (x - i0).astype(np.float32)

    r0, r1, wr = weights(stack.shape[0], shape[0])
    c0, c1, wc = weights(stack.shape[1], shape[1])
    rows = stack[r0] * (1 - wr)[:, None, None] + stack[r1] * wr[:, None, None]
    out = rows[:, c0] * (1 - wc)[None, :, None] + rows[:, c1] * wc[None, :, None]
    return np.ascontiguousarray(out, dtype=np.float32)


def _gabor_energy(gray, frequencies, n_orientations, bandwidth, smoothing, normalize=0.0, max_window=None,
                  pyramid=True):
    """Texture energy: log Gabor magnitude per frequency × orientation and its orientation
    mean, smoothed over ``smoothing / frequency`` pixels, plus per-frequency anisotropy
    (max over orientations / mean).

    With ``pyramid``, a low frequency f is computed on the image block-averaged by d (f·d ≤ 0.25,
    d ≤ 4) with frequency f·d, smoothed there and upsampled: the same energy, heavily smoothed
    anyway, for a fraction of the cost.
    """
    thetas = _thetas(n_orientations)
    freqs = [float(f) for f in np.atleast_1d(frequencies)]
    n_t, n_f = len(thetas), len(freqs)
    g = _normalize(gray, normalize)
    h, w = g.shape
    cap = float(max_window) if max_window else np.inf
    mags = np.empty((h, w, n_f * n_t), np.float32)
    means = np.empty((h, w, n_f), np.float32)
    groups = {}
    for i, f in enumerate(freqs):
        groups.setdefault(_pyramid_factor(f, pyramid), []).append(i)
    for d, idx in sorted(groups.items()):
        gd = _block_mean(g, d)
        if min(gd.shape) < 8:  # too small to downsample: work at full resolution
            d, gd = 1, g
        fs = [freqs[i] * d for i in idx]
        mag = gabor_bank(gd, fs, thetas, bandwidth=bandwidth)
        np.log1p(mag * np.float32(10), out=mag)
        mean_t = mag.reshape(mag.shape[:2] + (len(fs), n_t)).mean(axis=-1)
        stack = np.concatenate([mag, mean_t], axis=-1)
        if smoothing > 0:
            sig = [min(smoothing / freqs[i], cap) / d for i in idx]
            stack = _gauss_stack_fft(stack, [s for s in sig for _ in thetas] + sig)
        stack = _upsample(stack, d, (h, w))
        for j, i in enumerate(idx):
            mags[..., i * n_t:(i + 1) * n_t] = stack[..., j * n_t:(j + 1) * n_t]
            means[..., i] = stack[..., len(fs) * n_t + j]
    per = mags.reshape(h, w, n_f, n_t)
    aniso = per.max(axis=-1) / (per.mean(axis=-1) + np.float32(1e-6))
    return np.concatenate([mags, means, aniso], axis=-1)


def _local_stats(gray, sigmas):
    """Local mean and standard deviation at each Gaussian scale: (H, W, 2 * len(sigmas))."""
    stack = np.repeat(gray[..., None], 2 * len(sigmas), axis=-1)
    stack[..., len(sigmas):] = gray[..., None] ** 2
    sm = _gauss_stack_fft(stack, list(sigmas) * 2)
    mean = sm[..., :len(sigmas)]
    std = np.sqrt(np.maximum(sm[..., len(sigmas):] - mean ** 2, 0))
    return np.concatenate([mean, std], axis=-1)


def _gauss_grad_mag_fft(g, sigmas):
    """Gradient magnitude of the Gaussian-smoothed image at each sigma, by FFT (reflect padding)."""
    h, w = g.shape
    pad = min(int(np.ceil(3 * max(sigmas))), 3 * max(h, w))
    (ph, pw), _ = _fast_pad(h, w, pad)
    padded = np.pad(g, ((pad, ph), (pad, pw)), mode="symmetric")
    spec = sfft.rfft2(padded, workers=-1)
    fy = sfft.fftfreq(padded.shape[0])[:, None]
    fx = sfft.rfftfreq(padded.shape[1])[None, :]
    out = np.empty((h, w, len(sigmas)), np.float32)
    for i, s in enumerate(sigmas):
        gs = spec * np.exp(-2 * np.pi ** 2 * s * s * (fy ** 2 + fx ** 2))
        gy = sfft.irfft2(gs * (2j * np.pi * fy), s=padded.shape, workers=-1)[pad:pad + h, pad:pad + w]
        gx = sfft.irfft2(gs * (2j * np.pi * fx), s=padded.shape, workers=-1)[pad:pad + h, pad:pad + w]
        out[..., i] = np.hypot(gy, gx)
    return out


def _edge_texture(g, window=8.0):
    """Smoothed gradient magnitude (σ = 1, 2, 4) and structure-tensor coherence / eigenvalues (σ = 2)."""
    from skimage.feature import structure_tensor, structure_tensor_eigenvalues
    gm = _gauss_grad_mag_fft(g, (1.0, 2.0, 4.0))
    a = structure_tensor(g, sigma=2.0, order="rc")
    ev = structure_tensor_eigenvalues(a)
    coh = (ev[0] - ev[1]) / (ev[0] + ev[1] + 1e-9)
    stack = np.concatenate([gm, coh[..., None], np.moveaxis(ev, 0, -1)], axis=-1).astype(np.float32)
    return _gauss_stack_fft(stack, [window] * stack.shape[-1])


def _lab(img, sigmas):
    if img.ndim == 2:
        base = img[..., None] * np.float32(100)
    else:
        from skimage.color import rgb2lab
        base = rgb2lab(img).astype(np.float32)
    c = base.shape[-1]
    stack = np.concatenate([base] * len(sigmas), axis=-1)
    return _gauss_stack_fft(stack, [s for s in sigmas for _ in range(c)])


#: The fixed colour codebook of :func:`_palette` (CIE Lab): lightness 20, 50, 80 × neutral and four
#: hues at chroma 30. Fixed, not fitted per image, so features mean the same on every image.
PALETTE_LAB = np.array([(lightness, a, b) for lightness in (20.0, 50.0, 80.0)
                        for a, b in ((0.0, 0.0), (30.0, 0.0), (0.0, 30.0), (-30.0, 0.0), (0.0, -30.0))], dtype=np.float32)
_PALETTE_TAU = 100.0  # softness of the assignment (squared Lab distance)


def _palette(img, sigmas):
    """Local colour histograms: soft assignment of every pixel to :data:`PALETTE_LAB`
    (weights ∝ exp(−Δ²/100), Δ the Lab distance), averaged over Gaussian windows.

    Returns (H, W, 15 · len(sigmas)) float32: for each sigma, the 15 colours' local shares.
    """
    from skimage.color import rgb2lab
    h, w = img.shape[:2]
    lab = rgb2lab(img).astype(np.float32).reshape(-1, 1, 3)
    d = ((lab - PALETTE_LAB[None]) ** 2).sum(-1)
    d -= d.min(axis=1, keepdims=True)
    share = np.exp(d * np.float32(-1 / _PALETTE_TAU))
    share /= share.sum(axis=1, keepdims=True)
    share = share.reshape(h, w, len(PALETTE_LAB))
    k = len(PALETTE_LAB)
    stack = np.concatenate([share] * len(sigmas), axis=-1)
    return _gauss_stack_fft(stack, [float(s) for s in sigmas for _ in range(k)])


#: Radii (px) of the 8-neighbour local binary patterns of :func:`_lbp_histograms`.
LBP_RADII = (1, 2)
LBP_POINTS = 8


def _lbp_histograms(gray, sigma):
    """Local texture histograms: each pixel's uniform rotation-invariant LBP code (P = 8 neighbours at
    radius 1 and 2 px; ``skimage.feature.local_binary_pattern(..., method="uniform")``, codes
    0 … 9: 9 = not uniform), one-hot, averaged over a Gaussian window of ``sigma`` px.

    Returns (H, W, 10 · len(LBP_RADII)) float32: for each radius, the 10 codes' local shares.
    LBP codes depend on the order of gray levels only, so the histograms ignore brightness and contrast.
    """
    from skimage.feature import local_binary_pattern
    g8 = np.round(np.clip(gray, 0, 1) * 255).astype(np.uint8)
    k = LBP_POINTS + 2
    out = np.empty(gray.shape + (k * len(LBP_RADII),), np.float32)
    rows, cols = np.indices(gray.shape, sparse=True)
    for i, radius in enumerate(LBP_RADII):  # one radius at a time: a 10-channel working set
        codes = local_binary_pattern(g8, LBP_POINTS, radius, method="uniform").astype(np.intp)
        onehot = np.zeros(gray.shape + (k,), np.float32)
        onehot[rows, cols, codes] = 1.0
        out[..., i * k:(i + 1) * k] = _gauss_stack_fft(onehot, [float(sigma)] * k)
    return out
