"""Per-pixel features for trainable segmentation, declared by families: :class:`FeatureSpec`.

A :class:`FeatureSpec` is a plain, savable description of a feature function — one flag per
family, in the manner of :func:`skimage.feature.multiscale_basic_features` — and is itself the
function: ``spec(image)`` gives an ``(H, W, F)`` float32 array. Families:

``gabor``
    The tutorial's ``_compute_features``: Gabor magnitude at 5 frequencies × θ ∈ {0, π/2},
    per colour channel. ``frequencies="tutorial"`` uses its ``np.logspace(-3, 1, 5, base=2)``
    (1/8 … 2 cycles/px: the two above 0.5 alias to lower frequencies); ``"corrected"`` the
    same five octaves ending at the Nyquist limit (1/32 … 1/2).
``texture``
    On the image divided by its local contrast: log Gabor energy at 4 frequencies × 4
    orientations, each smoothed over a window proportional to its wavelength, its orientation
    mean and anisotropy, and the local mean / spread at 2, 4, 8 px.
``edges``
    Smoothed gradient magnitude (σ = 1, 2, 4 px) and structure-tensor coherence / eigenvalues.
``intensity``
    Local mean brightness at scales 2 … ``sigma_max`` px and its spread at ``sigma_max``.
``color``
    CIE Lab a, b raw and smoothed at 4 px and ``sigma_max`` px (RGB images only).
``palette``
    Local colour histograms: each pixel's soft share of 15 fixed Lab colours, averaged over a
    Gaussian window of σ = ``sigma_max`` (RGB images only): what a region is made of, e.g.
    "orange, white and black" for a photo of an astronaut.
``lbp``
    Local texture histograms: the shares of the 10 uniform rotation-invariant local binary
    pattern codes (8 neighbours at 1 and 2 px) over a Gaussian window of σ = ``sigma_max`` / 2
    (gray images only: the texture counterpart of ``palette``).

An RGB(A) image whose three colour channels are all equal (a gray photo stored as RGB) is a gray image
here (:func:`n_channels`): it gets ``lbp`` and no ``color`` / ``palette``; ``spec(image, channels=3)``
computes the colour layout all the same (what a model trained on colour images needs).

:data:`FEATURES_VERSION` numbers the definitions: a saved model records it, and a model
file of another version is refused (its features would mean something else).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np

from core._validation import check_choice, check_float, constraint_error
from core.gabor import CORRECTED_TUTORIAL_FREQUENCIES, TUTORIAL_FREQUENCIES, gabor_bank
from core.trainable._filters import (
    LBP_POINTS,
    LBP_RADII,
    PALETTE_LAB,
    _edge_texture,
    _gabor_energy,
    _gray,
    _is_gray_rgb,
    _lab,
    _lbp_histograms,
    _local_stats,
    _normalize,
    _palette,
    _prepare,
)

__all__ = ["FAMILIES", "FEATURES_VERSION", "FREQUENCY_SETS", "FeatureSpec", "feature_bytes", "layout_of", "n_channels"]

#: Version of the feature definitions below; bump it whenever a family's output changes.
FEATURES_VERSION = 2
#: family → one-line description (for the page's help)
FAMILIES = {
    "gabor": "the tutorial's Gabor bank: magnitude at 5 frequencies × 2 orientations, per channel",
    "texture": "Gabor texture energy at 4 scales × 4 orientations on the contrast-normalised image",
    "edges": "gradient magnitude and structure-tensor coherence",
    "intensity": "local mean brightness and spread at several scales",
    "color": "Lab colour (a, b), raw and smoothed",
    "palette": "local colour histograms: shares of 15 fixed colours over a window of σ = sigma_max",
    "lbp": "local texture histograms: shares of 10 rotation-invariant LBP codes at 1 and 2 px over σ = sigma_max / 2",
}
#: Gabor frequency sets of the ``gabor`` family (cycles per pixel)
FREQUENCY_SETS = {"tutorial": TUTORIAL_FREQUENCIES, "corrected": CORRECTED_TUTORIAL_FREQUENCIES}
_TEXTURE_FREQUENCIES = (0.05, 0.1, 0.2, 0.4)
_TEXTURE_ORIENTATIONS = 4
_TUTORIAL_THETAS = (0.0, np.pi / 2)
_NORMALIZE = 16.0  # window of the divisive contrast normalisation (px)


def n_channels(image) -> int:
    """1 for a gray image, 3 for RGB / RGBA (the colour channels the features see).

    An RGB(A) image whose three colour channels are all equal (a gray photo stored as RGB) counts as
    gray: its features are a gray image's (``lbp``, no ``color`` / ``palette``).
    """
    image = np.asarray(image)
    return 3 if image.ndim == 3 and image.shape[-1] >= 3 and not _is_gray_rgb(image) else 1


def layout_of(images) -> int:
    """The channels of the feature layout one model trained on ``images`` uses: 3 if any is a colour image (gray
    ones, e.g. a gray photo stored as RGB, are then computed as RGB with equal channels), else 1.
    """
    kinds = {n_channels(image) for image in images if image is not None}
    return max(kinds) if kinds else 3


@dataclass(frozen=True)
class FeatureSpec:
    """Which feature families to compute, and their few settings.

    Parameters
    ----------
    gabor, texture, edges, intensity, color, palette, lbp : bool
        One flag per family (see the module docstring); at least one must be on. ``palette`` and
        ``lbp`` are off by default here (model files saved before they existed keep their
        features); the page's "improved" preset turns them on.
    frequencies : {"corrected", "tutorial"}
        Frequency set of the ``gabor`` family.
    sigma_max : float
        Largest smoothing scale in pixels (``intensity`` and ``color``), 4 … 64.

    Examples
    --------
    >>> spec = FeatureSpec(gabor=True, texture=False, edges=False, intensity=False, color=False,
    ...                    frequencies="tutorial")          # the tutorial's _compute_features
    >>> spec(np.zeros((32, 32, 3), np.uint8)).shape
    (32, 32, 30)
    """

    gabor: bool = False
    texture: bool = True
    edges: bool = True
    intensity: bool = True
    color: bool = True
    palette: bool = False
    lbp: bool = False
    frequencies: str = "corrected"
    sigma_max: float = 16.0

    def __post_init__(self):
        for name in FAMILIES:
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise constraint_error(name, "a boolean", getattr(self, name))
        if not any(getattr(self, name) for name in FAMILIES):
            raise ValueError("Choose at least one feature family (gabor, texture, edges, intensity, color, palette or lbp).")
        check_choice("frequencies", self.frequencies, list(FREQUENCY_SETS))
        object.__setattr__(self, "sigma_max", check_float("sigma_max", self.sigma_max, 4.0, 64.0))

    # ------------------------------------------------------------------ description
    def to_dict(self) -> dict:
        """Plain JSON-able settings (``FeatureSpec(**d)`` rebuilds it)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data) -> FeatureSpec:
        """A spec from :meth:`to_dict`'s output, every field checked (unknown keys refused)."""
        if not isinstance(data, dict):
            raise ValueError("The feature settings must be a JSON object.")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"Unknown feature setting(s) {unknown[:5]}; known: {sorted(known)}.")
        return cls(**data)

    def _scales(self):
        scales, s = [], 2.0
        while s < self.sigma_max:
            scales.append(s)
            s *= 2
        return tuple(scales) + (float(self.sigma_max),)

    def layout(self, channels: int = 3) -> list[tuple[str, str]]:
        """``(family, feature name)`` of every feature, in output order, for ``channels`` (1 or 3)."""
        out = []
        if self.gabor:
            chans = ["R", "G", "B"] if channels == 3 else ["I"]
            out += [("gabor", f"gabor_{c}_f{f:.3g}_{d}deg") for c in chans for f in FREQUENCY_SETS[self.frequencies]
                    for d in (0, 90)]
        if self.texture:
            degs = [round(180 * k / _TEXTURE_ORIENTATIONS) for k in range(_TEXTURE_ORIENTATIONS)]
            out += [("texture", f"energy_f{f:g}_{d}deg") for f in _TEXTURE_FREQUENCIES for d in degs]
            out += [("texture", f"energy_f{f:g}_mean") for f in _TEXTURE_FREQUENCIES]
            out += [("texture", f"anisotropy_f{f:g}") for f in _TEXTURE_FREQUENCIES]
            out += [("texture", f"norm_{stat}_s{s}") for stat in ("mean", "std") for s in (2, 4, 8)]
        if self.edges:
            out += [("edges", n) for n in ("gradient_s1", "gradient_s2", "gradient_s4", "coherence",
                                           "tensor_l1", "tensor_l2")]
        if self.intensity:
            out += [("intensity", f"mean_s{s:g}") for s in self._scales()] + [("intensity", f"std_s{self.sigma_max:g}")]
        if self.color and channels == 3:
            out += [("color", n) for n in ("a", "b", "a_s4", "b_s4", f"a_s{self.sigma_max:g}", f"b_s{self.sigma_max:g}")]
        if self.palette and channels == 3:
            out += [("palette", f"share_L{lab[0]:g}a{lab[1]:.0f}b{lab[2]:.0f}_s{s:g}") for s in [self.sigma_max]
                    for lab in PALETTE_LAB]
        if self.lbp and channels == 1:
            out += [("lbp", f"lbp_r{r}_{'other' if c == LBP_POINTS + 1 else c}_s{self.sigma_max / 2:g}")
                    for r in LBP_RADII for c in range(LBP_POINTS + 2)]
        return out

    def names(self, channels: int = 3) -> list[str]:
        """Feature names, in output order."""
        return [name for _, name in self.layout(channels)]

    def families(self, channels: int = 3) -> list[str]:
        """Family of every feature, in output order."""
        return [family for family, _ in self.layout(channels)]

    def n_features(self, channels: int = 3) -> int:
        """F, the number of features per pixel, for a gray (1) or RGB (3) image."""
        return len(self.layout(channels))

    def margin(self) -> int:
        """Pixels of context a feature needs on each side to equal its value on the whole image."""
        reach = [24.0]  # edges (σ ≤ 4 and an 8 px window) and texture's normalisation
        if self.gabor:
            f = min(FREQUENCY_SETS[self.frequencies])
            reach.append(3 * 0.56 / f * 1.0 + 1)  # the Gabor envelope: 3 σ, σ ≈ 0.56 / f at 1 octave
        if self.texture:
            reach.append(3 * 3.0 / min(_TEXTURE_FREQUENCIES) + 3 * 0.56 / min(_TEXTURE_FREQUENCIES))
        if self.intensity or self.color:
            reach.append(3 * self.sigma_max)
        if self.palette:
            reach.append(3 * self.sigma_max)
        if self.lbp:
            reach.append(3 * self.sigma_max / 2 + max(LBP_RADII) + 1)
        return int(np.ceil(max(reach)))

    # ------------------------------------------------------------------ computing
    def __call__(self, image, *, channels: int | None = None) -> np.ndarray:
        """The features of every pixel.

        Parameters
        ----------
        image : (H, W) gray or (H, W, 3|4) RGB(A) array, any dtype, at least 8 px per side
            Integers are scaled by their dtype's maximum; floats outside [0, 1] are rescaled. An RGB
            image whose three channels are all equal is a gray image (:func:`n_channels`).
        channels : {None, 1, 3}
            The layout to compute: default ``n_channels(image)``; 3 computes a gray image's features
            as an RGB image with equal channels would have had them (a model trained on colour), 1 a
            colour image's on its luminance (a model trained on gray).

        Returns
        -------
        features : (H, W, F) float32, C-contiguous; F = ``self.n_features(channels or n_channels(image))``
        """
        img = _prepare(image)
        if channels is not None:
            channels = check_choice("channels", channels, [1, 3])
            if channels == 3 and img.ndim == 2:
                img = np.repeat(img[..., None], 3, axis=-1)
            elif channels == 1 and img.ndim == 3:
                img = _gray(img)
        gray = _gray(img)
        parts = []
        if self.gabor:
            chans = [img] if img.ndim == 2 else [img[..., c] for c in range(3)]
            freqs = FREQUENCY_SETS[self.frequencies]
            parts += [gabor_bank(c, freqs, _TUTORIAL_THETAS, allow_alias=True) for c in chans]
        if self.texture or self.edges:
            norm = _normalize(gray, _NORMALIZE)
        if self.texture:
            parts.append(_gabor_energy(norm, _TEXTURE_FREQUENCIES, _TEXTURE_ORIENTATIONS, 1.0, 3.0))
            parts.append(_local_stats(norm, (2.0, 4.0, 8.0)))
        if self.edges:
            parts.append(_edge_texture(norm))
        if self.intensity:
            scales = self._scales()
            stats = _local_stats(gray, scales)
            parts.append(np.concatenate([stats[..., :len(scales)], stats[..., -1:]], axis=-1))
        if self.color and img.ndim == 3:
            parts.append(_lab(img, (0.0, 4.0, float(self.sigma_max)))[..., [1, 2, 4, 5, 7, 8]])
        if self.palette and img.ndim == 3:
            parts.append(_palette(img, (float(self.sigma_max),)))
        if self.lbp and img.ndim == 2:
            parts.append(_lbp_histograms(gray, float(self.sigma_max) / 2))
        if not parts:  # only families of the other kind of image (e.g. lbp alone on a colour image)
            return np.zeros(img.shape[:2] + (0,), np.float32)
        return np.ascontiguousarray(np.concatenate(parts, axis=-1), dtype=np.float32)


def feature_bytes(shape, spec: FeatureSpec | None = None, *, channels: int | None = None, **spec_fields) -> int:
    """Bytes a feature computation holds at its peak: the array plus its transient copies.

    Parameters
    ----------
    shape : tuple
        ``(H, W)`` or ``(H, W, C)`` of the image (C ≥ 3 means colour).
    spec : FeatureSpec, optional
        Default: ``FeatureSpec(**spec_fields)``.
    channels : int, optional
        1 or 3; default from ``shape``.

    Returns
    -------
    n : int
        An estimate (measured within ±30 % at 0.25–4 MP): ``H·W·4·(F + transient)``, where the
        transient is the largest family's working set (FFT buffers, padded copies).
    """
    spec = spec if spec is not None else FeatureSpec(**spec_fields)
    h, w = int(shape[0]), int(shape[1])
    if channels is None:
        channels = 3 if len(shape) == 3 and shape[-1] >= 3 else 1
    transient = 12.0
    if spec.gabor:
        transient = max(transient, 6.0 + 4.0 * 2 * len(FREQUENCY_SETS[spec.frequencies]) / 2)
    if spec.texture:
        transient = max(transient, 40.0)
    if spec.lbp and channels == 1:
        transient = max(transient, 40.0)  # one radius's 10 codes, padded and transformed
    return int(h * w * 4 * (spec.n_features(channels) + transient))
