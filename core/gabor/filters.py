"""Gabor kernels and Gabor filtering by FFT.

Direct convolution with low-frequency Gabor kernels is slow (a kernel at 0.03
cycles/pixel is ~200 px wide). Here the image is padded once, transformed once
with a single-precision FFT, and every kernel of a bank is applied by a product
in the Fourier domain. The result equals ``skimage.filters.gabor`` (direct
convolution with ``scipy.ndimage.convolve``) to about 1e-6.
"""
from __future__ import annotations

import numpy as np
import scipy.fft as sfft
from skimage.filters import gabor_kernel as _sk_gabor_kernel

from core._validation import check_choice, check_float, check_int, constraint_error
from core.images import to_gray

__all__ = [
    "MAX_FREQUENCY",
    "TUTORIAL_FREQUENCIES",
    "CORRECTED_TUTORIAL_FREQUENCIES",
    "gabor_kernel",
    "gabor_filter",
    "gabor_bank",
    "normalized_power",
    "power_responses",
]

#: Nyquist limit: above 0.5 cycles/pixel a sampled sinusoid aliases to a lower frequency.
MAX_FREQUENCY = 0.5
#: The tutorial's frequencies, ``np.logspace(-3, 1, num=5, base=2)``: 0.125 … 2 (two of them alias).
TUTORIAL_FREQUENCIES = tuple(float(f) for f in np.logspace(-3, 1, num=5, base=2))
#: The same five octaves shifted down to end at the Nyquist limit: 1/32 … 1/2.
CORRECTED_TUTORIAL_FREQUENCIES = tuple(float(f) for f in np.logspace(-5, -1, num=5, base=2))

_PAD_MODES = {"reflect": "symmetric", "mirror": "reflect", "wrap": "wrap",
              "nearest": "edge", "constant": "constant"}


def _check_frequency(frequency, allow_alias=False):
    frequency = check_float("frequency", frequency, 0, lo_open=True)
    if frequency > MAX_FREQUENCY and not allow_alias:
        raise constraint_error("frequency", "≤ 0.5 cycles/pixel, the Nyquist limit (a finer wave aliases to a "
                               "lower frequency; pass allow_alias=True to reproduce old code)", frequency)
    return frequency


def gabor_kernel(frequency, theta=0.0, *, bandwidth=1.0, sigma_x=None, sigma_y=None,
                 n_stds=3, offset=0.0, allow_alias=False, dtype=np.complex64):
    """Complex Gabor kernel (a Gaussian envelope times a complex sinusoid).

    Parameters
    ----------
    frequency : float
        Spatial frequency of the harmonic, in cycles per pixel, in (0, 0.5].
    theta : float
        Orientation in radians (0 = the wave varies along x, i.e. vertical stripes).
    bandwidth : float
        Bandwidth in octaves; sets the Gaussian's width when ``sigma_x``/``sigma_y`` are None.
        Larger bandwidth = smaller kernel.
    sigma_x, sigma_y : float, optional
        Explicit standard deviations of the envelope, in pixels.
    n_stds : float
        The kernel extends ``n_stds`` standard deviations in each direction.
    offset : float
        Phase offset of the harmonic, radians.
    allow_alias : bool
        Accept frequencies above 0.5 (they alias); only to reproduce old code.
    dtype : numpy dtype
        ``complex64`` (default) or ``complex128``.

    Returns
    -------
    kernel : (2n+1, 2m+1) complex ndarray
        Same values as :func:`skimage.filters.gabor_kernel`.
    """
    frequency = _check_frequency(frequency, allow_alias)
    bandwidth = check_float("bandwidth", bandwidth, 0, lo_open=True)
    k = _sk_gabor_kernel(frequency, theta=float(theta), bandwidth=float(bandwidth), sigma_x=sigma_x,
                         sigma_y=sigma_y, n_stds=n_stds, offset=offset, dtype=np.complex128)
    return k.astype(dtype)


def _as_gray_float(image):
    image = np.asarray(image)
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[-1] in (3, 4))):
        raise ValueError(f"expected a 2-D grayscale or (H, W, 3) RGB image, got shape {image.shape}; "
                         "pass one channel or an RGB image")
    image = to_gray(image)  # float64; integers scaled by their dtype range
    if not np.all(np.isfinite(image)):
        raise ValueError("image contains NaN or infinite values; replace them (e.g. np.nan_to_num) first")
    return image


class _FFTBank:
    """Pads and transforms one image once; applies any number of kernels."""

    def __init__(self, image, max_half, mode="reflect", dtype=np.float32, cval=0.0):
        mode = check_choice("mode", mode, list(_PAD_MODES))
        self.h, self.w = image.shape
        self.p = int(max_half)
        pad_kw = {"constant_values": cval} if mode == "constant" else {}
        # np.pad cannot pad more than the image size in 'symmetric' etc. repeatedly in one go
        # for huge kernels; it handles it by repeating, which matches ndimage for reflect modes.
        padded = np.pad(image, self.p, mode=_PAD_MODES[mode], **pad_kw)
        self.shape = tuple(sfft.next_fast_len(s) for s in padded.shape)
        self.cdtype = np.complex64 if np.dtype(dtype) == np.float32 else np.complex128
        self.spectrum = sfft.fft2(padded.astype(dtype), s=self.shape, workers=-1)

    def apply(self, kernel):
        """Complex response (H, W) of the image to one kernel."""
        kh, kw = kernel.shape
        ch, cw = kh // 2, kw // 2
        if ch > self.p or cw > self.p:
            raise ValueError("kernel larger than the padding; build the bank with all its kernels")
        big = np.zeros(self.shape, dtype=self.cdtype)
        big[:kh, :kw] = kernel
        # put the kernel's centre at index (0, 0) so the result is not shifted
        big = np.roll(big, (-ch, -cw), axis=(0, 1))
        out = sfft.ifft2(sfft.fft2(big, workers=-1, overwrite_x=True) * self.spectrum,
                         workers=-1, overwrite_x=True)
        return out[self.p:self.p + self.h, self.p:self.p + self.w]


def gabor_filter(image, frequency, theta=0.0, *, bandwidth=1.0, sigma_x=None, sigma_y=None,
                 n_stds=3, offset=0.0, mode="reflect", cval=0.0, allow_alias=False,
                 dtype=np.float32):
    """Real and imaginary Gabor responses, computed by FFT.

    Drop-in for :func:`skimage.filters.gabor` (same parameters and boundary modes),
    but fast for low frequencies.

    Parameters
    ----------
    image : (H, W) array, any dtype; or (H, W, 3) RGB (converted to gray)
    frequency, theta, bandwidth, sigma_x, sigma_y, n_stds, offset
        As in :func:`gabor_kernel`.
    mode : {'reflect', 'mirror', 'wrap', 'nearest', 'constant'}
        Boundary handling, with the meaning of ``scipy.ndimage.convolve``.
    cval : float
        Value outside the image for ``mode='constant'``.
    dtype : {np.float32, np.float64}
        Working precision.

    Returns
    -------
    real, imag : (H, W) float arrays of ``dtype``
    """
    img = _as_gray_float(image)
    k = gabor_kernel(frequency, theta, bandwidth=bandwidth, sigma_x=sigma_x, sigma_y=sigma_y,
                     n_stds=n_stds, offset=offset, allow_alias=allow_alias,
                     dtype=np.complex64 if np.dtype(dtype) == np.float32 else np.complex128)
    bank = _FFTBank(img, max(k.shape) // 2, mode=mode, dtype=dtype, cval=cval)
    r = bank.apply(k)
    return np.ascontiguousarray(r.real, dtype=dtype), np.ascontiguousarray(r.imag, dtype=dtype)


def gabor_bank(image, frequencies, thetas, *, bandwidth=1.0, n_stds=3, mode="reflect",
               output="magnitude", allow_alias=False, dtype=np.float32):
    """Responses of a bank of Gabor filters (every frequency × every orientation), by one FFT.

    Parameters
    ----------
    image : (H, W) array, any dtype; or (H, W, 3) RGB (converted to gray)
    frequencies : sequence of float
        Cycles per pixel, each in (0, 0.5].
    thetas : sequence of float
        Orientations in radians.
    bandwidth : float
        Bandwidth in octaves (same for every filter).
    n_stds : float
        Kernel extent in standard deviations.
    mode : str
        Boundary mode (see :func:`gabor_filter`).
    output : {'magnitude', 'complex'}
        ``'magnitude'`` gives ``|real + i imag|``; ``'complex'`` the complex response.
    dtype : {np.float32, np.float64}

    Returns
    -------
    responses : (H, W, len(frequencies) * len(thetas)) array
        Channel ``i_f * len(thetas) + i_t`` is frequency ``i_f`` at orientation ``i_t``
        (the tutorial's order). C-contiguous.
    """
    img = _as_gray_float(image)
    frequencies = [_check_frequency(f, allow_alias) for f in np.atleast_1d(frequencies)]
    thetas = [float(t) for t in np.atleast_1d(thetas)]
    if not frequencies or not thetas:
        raise ValueError("give at least one frequency and one orientation")
    output = check_choice("output", output, ["magnitude", "complex"])
    cdt = np.complex64 if np.dtype(dtype) == np.float32 else np.complex128
    kernels = [gabor_kernel(f, t, bandwidth=bandwidth, n_stds=n_stds, allow_alias=allow_alias, dtype=cdt)
               for f in frequencies for t in thetas]
    half = max(max(k.shape) // 2 for k in kernels)
    bank = _FFTBank(img, half, mode=mode, dtype=dtype)
    out = np.empty(img.shape + (len(kernels),), dtype=cdt if output == "complex" else dtype)
    for i, k in enumerate(kernels):
        r = bank.apply(k)
        out[..., i] = r if output == "complex" else np.abs(r)
    return out


def normalized_power(image, kernel, *, mode="wrap"):
    """The tutorial's ``power``: Gabor magnitude of the standardised image.

    The image is normalised to zero mean and unit variance ("for better comparison"),
    then ``sqrt(conv(real)**2 + conv(imag)**2)`` with ``mode='wrap'`` as in the tutorial,
    computed by FFT.

    Parameters
    ----------
    image : (H, W) array, any dtype; or RGB (converted to gray)
    kernel : (h, w) complex array, e.g. from :func:`gabor_kernel`
    mode : str
        Boundary mode (the tutorial uses ``'wrap'``).

    Returns
    -------
    power : (H, W) float32
    """
    img = _as_gray_float(image)
    std = img.std()
    if std == 0:
        raise ValueError("the image is constant, so it cannot be normalised; choose an image with texture")
    img = (img - img.mean()) / std
    kernel = np.asarray(kernel)
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D, got shape {kernel.shape}")
    bank = _FFTBank(img, max(kernel.shape) // 2, mode=mode, dtype=np.float32)
    return np.abs(bank.apply(kernel.astype(np.complex64))).astype(np.float32)


def power_responses(image, frequencies, theta=0.0, *, bandwidth=1.0, mode="wrap", shrink=1,
                    allow_alias=True):
    """The tutorial's panel for one image: :func:`normalized_power` for several kernels.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) array, any dtype
        Colour is converted to gray (``rgb2gray``).
    frequencies : sequence of float
        One kernel per frequency (cycles/pixel); above 0.5 they alias (allowed here, to show it).
    theta : float
        Orientation in radians.
    bandwidth : float
        Octaves.
    mode : {'wrap', 'reflect'}
        Boundary handling (the tutorial uses 'wrap').
    shrink : int
        Keep every ``shrink``-th pixel first (the tutorial uses 3).

    Returns
    -------
    powers : (len(frequencies), ceil(H / shrink), ceil(W / shrink)) float32
    """
    shrink = check_int("shrink", shrink, 1)
    g = to_gray(image)[::shrink, ::shrink]
    if min(g.shape) < 4:
        raise ValueError(f"after shrinking by {shrink} the image is only {g.shape[1]}×{g.shape[0]} px; "
                         "use a smaller shrink factor")
    return np.stack([normalized_power(g, gabor_kernel(f, theta, bandwidth=bandwidth, allow_alias=allow_alias),
                                      mode=mode) for f in frequencies])
