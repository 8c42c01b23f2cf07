"""Gabor filters — one technique: kernels, texture responses (by FFT), a bank; schema and batch outputs.

Stages, each cacheable: :func:`power_responses` (the tutorial's ``power`` of an
image for the page's two kernels) and :func:`bank_responses` (the magnitudes of a
frequency × orientation bank). :data:`SCHEMA` declares every parameter of the
page once; :func:`response_kwargs` and :func:`bank_kwargs` translate the page's
values (degrees, frequency names) into the stages' keyword arguments.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from core.gabor.display import gray_u8, kernel_gallery, kernel_u8, tile
from core.gabor.filters import (
    CORRECTED_TUTORIAL_FREQUENCIES,
    MAX_FREQUENCY,
    TUTORIAL_FREQUENCIES,
    gabor_bank,
    gabor_filter,
    gabor_kernel,
    normalized_power,
    power_responses,
)
from core.images import to_gray
from core.schema import Choice, Float, Int, Multi, Schema

__all__ = [
    "BANK_FREQUENCIES", "CORRECTED_TUTORIAL_FREQUENCIES", "MAX_FREQUENCY", "PRESETS", "SCHEMA", "TEXTURES",
    "TUTORIAL_FREQUENCIES", "bank_kwargs", "bank_responses", "batch_outputs", "gabor_bank", "gabor_filter",
    "gabor_kernel", "gray_u8", "kernel_gallery", "kernel_u8", "normalized_power", "power_responses",
    "response_kwargs", "tile",
]

#: The tutorial's textures. Its third, ``data.load('rough-wall.png')``, is no longer shipped with scikit-image;
#: ``data.gravel()`` stands in for it (a rough, isotropic gray texture).
TEXTURES = ("brick", "grass", "gravel")
TEXTURE_NAMES = {"brick": "brick", "grass": "grass", "gravel": "gravel (the tutorial's rough-wall)"}
BANK_FREQUENCIES = ["0.025", "0.05", "0.1", "0.2", "0.4"]
MODES = {"wrap": "wrap (tutorial)", "reflect": "reflect (mirror)"}

SCHEMA = Schema("gabor", [
    Float("frequency", 0.1, 0.02, 1.0, step=0.01, help="The first kernel's frequency, cycles/pixel (0.5 = "
          "Nyquist: finer waves alias)."),
    Float("frequency2", 0.4, 0.02, 1.0, step=0.01, help="The second kernel's frequency (the tutorial's second row)."),
    Int("theta", 0, 0, 180, step=15, help="Orientation, degrees: 0 = the wave varies along x (vertical stripes)."),
    Float("bandwidth", 1.0, 0.3, 3.0, step=0.1, help="Octaves of frequency the filter passes; larger = smaller "
          "window."),
    Choice("mode", list(MODES), "wrap", labels=MODES, help="How images are extended beyond their border."),
    Int("shrink", 3, 1, 4, help="Keep every n-th pixel of each image first (the tutorial: 3)."),
    Multi("bank_freqs", BANK_FREQUENCIES, ["0.05", "0.1", "0.2", "0.4"], allow_empty=True,
          help="The bank's frequencies, cycles/pixel."),
    Int("bank_orient", 4, 1, 8, help="The bank's orientations, evenly spaced over 180°."),
], image="astronaut")

PRESETS: dict[str, dict[str, Any]] = {
    "Tutorial (0.1 and 0.4)": {**SCHEMA.defaults(), "image": "astronaut"},
    "Bricks: coarse, 90°": {**SCHEMA.defaults(), "image": "brick", "frequency": 0.05, "frequency2": 0.1,
                            "theta": 90, "shrink": 2},
    "Grass blades: 0.3, 45°": {**SCHEMA.defaults(), "image": "grass", "frequency": 0.3, "frequency2": 0.15,
                               "theta": 45, "bandwidth": 1.5, "shrink": 1},
    "Aliasing: 0.8 vs 0.2": {**SCHEMA.defaults(), "image": "astronaut", "frequency": 0.8, "frequency2": 0.2},
}
PRESET_HELP = {
    "Tutorial (0.1 and 0.4)": "The tutorial's cell: gabor_kernel at 0.1 and 0.4, θ = 0, images shrunk by 3, "
                              "wrap-around boundaries.",
    "Bricks: coarse, 90°": "A low frequency matched to the brick rows.",
    "Grass blades: 0.3, 45°": "A fine diagonal filter, narrower in frequency (bandwidth 1.5).",
    "Aliasing: 0.8 vs 0.2": "0.8 cycles/pixel cannot be sampled: it shows up as 1 − 0.8 = 0.2.",
}


def response_kwargs(values: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of :func:`power_responses` (``theta`` in radians) from page values."""
    return {"frequencies": (float(values["frequency"]), float(values["frequency2"])),
            "theta": float(np.deg2rad(values["theta"])), "bandwidth": float(values["bandwidth"]),
            "mode": values["mode"], "shrink": int(values["shrink"])}


def bank_kwargs(values: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of :func:`bank_responses` from page values."""
    return {"frequencies": tuple(float(f) for f in values["bank_freqs"]),
            "n_orientations": int(values["bank_orient"]), "bandwidth": float(values["bandwidth"]),
            "shrink": int(values["shrink"])}


def bank_responses(image: np.ndarray, frequencies, n_orientations: int = 4, *, bandwidth: float = 1.0,
                   shrink: int = 1) -> np.ndarray:
    """Magnitudes of a bank: every frequency × ``n_orientations`` angles over 180°, on the shrunk gray image.

    Equal to ``np.hypot(*skimage.filters.gabor(gray[::shrink, ::shrink], f, theta=t, bandwidth=bandwidth))``
    (boundary ``reflect``) for each kernel, computed by one FFT of the image.

    Returns
    -------
    responses : ndarray of float32, shape ``(ceil(H / shrink), ceil(W / shrink), len(frequencies) · n_orientations)``
        Channel ``i_f · n_orientations + i_t``.
    """
    thetas = tuple(np.pi * np.arange(int(n_orientations)) / int(n_orientations))
    return gabor_bank(to_gray(image)[::int(shrink), ::int(shrink)], frequencies, thetas, bandwidth=bandwidth)


def batch_outputs(image: np.ndarray, values: dict[str, Any], *, textures: dict[str, np.ndarray] | None = None
                  ) -> dict[str, object]:
    """What the page shows for one image, by file stem (see DEVELOPING "Batch outputs").

    Parameters
    ----------
    image : ndarray, ``(H, W)`` or ``(H, W, 3)``, any dtype
    values : dict
        ``SCHEMA.parse(...)``'s result (``image`` is ignored).
    textures : dict, optional
        The comparison textures (default: the bundled brick, grass and gravel).

    Returns
    -------
    outputs : dict
        ``kernel_1`` / ``kernel_2`` (real parts, uint8), ``response_1`` / ``response_2`` (the image's
        responses scaled to their own range, uint8), ``bank_<i>`` (uint8) and ``means`` (a table of
        the mean response of each texture and the image to each kernel), ``summary``.
    """
    from core.images import load_sample

    kw = response_kwargs(values)
    textures = textures if textures is not None else {name: load_sample(name) for name in TEXTURES}
    powers = {name: power_responses(t, **kw) for name, t in textures.items()}
    mine = power_responses(image, **kw)
    out: dict[str, object] = {}
    rows = []
    for i, f in enumerate(kw["frequencies"]):
        kernel = gabor_kernel(f, kw["theta"], bandwidth=kw["bandwidth"], allow_alias=True)
        out[f"kernel_{i + 1}"] = kernel_u8(kernel.real)
        out[f"response_{i + 1}"] = gray_u8(mine[i])
        rows.append({"frequency": f, **{n: float(p[i].mean()) for n, p in powers.items()},
                     "image": float(mine[i].mean())})
    if values["bank_freqs"]:
        bank = bank_responses(image, **bank_kwargs(values))
        for i in range(bank.shape[-1]):
            out[f"bank_{i + 1:02d}"] = gray_u8(bank[..., i])
    out["means"] = pd.DataFrame(rows)
    out["summary"] = {"response_1_mean": round(float(mine[0].mean()), 4),
                      "response_2_mean": round(float(mine[1].mean()), 4),
                      "bank_features": len(values["bank_freqs"]) * int(values["bank_orient"])}
    return out
