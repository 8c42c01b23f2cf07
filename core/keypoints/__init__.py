"""Mid-level features: Harris corners and ORB keypoints.

The tutorial's "Using mid-level features" section: ``feature.corner_harris``
followed by ``feature.corner_peaks`` on the camera-man, and the exercise
"represent the ORB keypoints of the camera-man". Everything here takes a gray
or colour image of any dtype (converted with :func:`core.images.to_gray`) and
returns plain arrays or dataclasses. Coordinates are ``(row, col)``, as
scikit-image's feature detectors return them.

Stages (each cacheable, image first): :func:`harris_response` →
:func:`harris_corners`; :func:`orb_features`. :data:`SCHEMA` declares the
Keypoints page's parameters once; :class:`HarrisParams` and :class:`ORBParams`
carry them to the stages; :func:`batch_outputs` returns what the page shows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np

from core.keypoints.detect import HARRIS_METHODS, ORBFeatures, harris_corners, harris_response, orb_features
from core.keypoints.draw import (
    CORNER_COLOUR,
    SCALE_COLOURS,
    draw_corners,
    draw_keypoints,
    keypoint_glyphs,
    response_image,
)
from core.schema import Choice, Float, Int, LogFloat, Schema

__all__ = [
    "CORNER_COLOUR",
    "HARRIS_METHODS",
    "SCALE_COLOURS",
    "SCHEMA",
    "TUTORIAL",
    "HarrisParams",
    "ORBFeatures",
    "ORBParams",
    "batch_outputs",
    "draw_corners",
    "draw_keypoints",
    "features_table",
    "harris_corners",
    "harris_response",
    "keypoint_glyphs",
    "orb_features",
    "response_image",
]

#: The Keypoints page's parameters. Defaults = the tutorial's cell and its ORB exercise: the cell calls
#: ``corner_peaks`` with the defaults of its time, ``min_distance=10, threshold_rel=0.1`` (scikit-image 0.18
#: changed ``threshold_rel``'s default to None; 0.26 has ``min_distance=1, threshold_rel=None``), and the
#: exercise is ``ORB(n_keypoints=400, fast_threshold=0.02)``.
SCHEMA = Schema("keypoints", [
    Choice("method", list(HARRIS_METHODS), "k", labels={"k": "k: det − k·trace²", "eps": "eps: Noble"},
           help="Corner measure: k = det(A) − k·trace(A)²; eps = 2·det(A) / (trace(A) + eps)."),
    Float("k", 0.05, 0.0, 0.25, step=0.01, help="Sensitivity of the k measure; smaller k also fires on strong edges."),
    LogFloat("eps", 1e-6, 1e-9, 1e-2, help="Normalisation of the eps measure (avoids division by zero)."),
    Float("sigma", 1.0, 0.5, 6.0, step=0.1, help="Standard deviation (px) of the Gaussian window of the gradients."),
    Int("min_distance", 10, 1, 40, help="Corners closer than this (px) are thinned to the strongest; also the "
                                        "excluded border."),
    Float("threshold_rel", 0.1, 0.0, 0.5, step=0.005, format="%.3f",
          help="Keep corners above this fraction of the strongest response (0 = every local maximum)."),
    Int("n_keypoints", 400, 10, 3000, step=10, help="ORB keeps at most this many keypoints (strongest Harris)."),
    Float("fast_threshold", 0.02, 0.005, 0.3, step=0.005, format="%.3f",
          help="FAST: a circle pixel counts as brighter/darker when it differs by this much (intensities 0…1)."),
    Int("fast_n", 9, 6, 16, help="How many of FAST's 16 circle pixels must be contiguous."),
    Float("downscale", 1.2, 1.05, 2.0, step=0.05, help="Size ratio between ORB's pyramid levels."),
    Int("n_scales", 8, 1, 12, help="ORB searches keypoints on this many pyramid levels."),
    Float("harris_k", 0.04, 0.0, 0.2, step=0.01, help="k of the Harris measure ORB ranks FAST corners by."),
    Choice("show", ["image", "response"], "image", labels={"image": "On the image", "response": "Response heat map"},
           help="Show the corners on the image, or the Harris measure itself."),
], image="camera")

#: The tutorial's cell (corner_peaks with the defaults of its time) and its ORB exercise, on the camera-man.
TUTORIAL = dict(image="camera", method="k", k=0.05, eps=1e-6, sigma=1.0, min_distance=10, threshold_rel=0.1,
                n_keypoints=400, fast_threshold=0.02, fast_n=9, downscale=1.2, n_scales=8, harris_k=0.04)


@dataclass(frozen=True)
class HarrisParams:
    """Settings of :func:`harris_corners` (see there); ``from_values`` reads them from page values."""

    method: str = "k"
    k: float = 0.05
    eps: float = 1e-6
    sigma: float = 1.0
    min_distance: int = 10
    threshold_rel: float = 0.1

    @classmethod
    def from_values(cls, values: dict) -> HarrisParams:
        return cls(**{f.name: values[f.name] for f in fields(cls)})

    def response_kwargs(self) -> dict:
        """The keywords of :func:`harris_response`."""
        return {"method": self.method, "k": self.k, "eps": self.eps, "sigma": self.sigma}

    def kwargs(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ORBParams:
    """Settings of :func:`orb_features` (scikit-image's defaults); ``from_values`` reads them from page values."""

    n_keypoints: int = 500
    fast_threshold: float = 0.08
    fast_n: int = 9
    downscale: float = 1.2
    n_scales: int = 8
    harris_k: float = 0.04

    @classmethod
    def from_values(cls, values: dict) -> ORBParams:
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.name in values})

    def kwargs(self) -> dict:
        return asdict(self)


def features_table(corners: np.ndarray, response: np.ndarray, orb: ORBFeatures | None = None):
    """One table of Harris corners and ORB keypoints (what the Keypoints page downloads).

    Parameters
    ----------
    corners : (N, 2) int array
        Harris corners ``(row, col)``.
    response : (H, W) array
        The Harris response (gives each corner's strength).
    orb : ORBFeatures, optional
        ORB keypoints to append.

    Returns
    -------
    table : pandas.DataFrame
        Columns ``detector`` ("harris" / "orb"), ``row``, ``col``, ``scale``,
        ``orientation`` (radians, NaN for Harris), ``response``.
    """
    import pandas as pd

    corners = np.asarray(corners).reshape(-1, 2)
    harris = pd.DataFrame({
        "detector": "harris",
        "row": corners[:, 0].astype(np.float64),
        "col": corners[:, 1].astype(np.float64),
        "scale": 1.0,
        "orientation": np.nan,
        "response": np.asarray(response)[corners[:, 0], corners[:, 1]].astype(np.float64),
    })
    if orb is None:
        return harris
    keypoints = pd.DataFrame({
        "detector": "orb",
        "row": orb.keypoints[:, 0],
        "col": orb.keypoints[:, 1],
        "scale": orb.scales,
        "orientation": orb.orientations,
        "response": orb.responses,
    })
    return pd.concat([harris, keypoints], ignore_index=True)


def batch_outputs(image: np.ndarray, values: dict) -> dict[str, object]:
    """What the Keypoints page shows for one image (used by ``python -m imlab run``).

    Parameters
    ----------
    image : ndarray
        Gray or colour image of any dtype.
    values : dict
        ``SCHEMA.parse(...)``'s result (``image`` and ``show`` are ignored).

    Returns
    -------
    outputs : dict
        ``keypoints`` (DataFrame: :func:`features_table`), ``corners`` and ``orb`` (RGB uint8 overlays:
        :func:`draw_corners`, :func:`draw_keypoints`), ``response`` (RGB uint8: :func:`response_image`) and
        ``summary`` (corner and keypoint counts, strongest response, pyramid levels used).
    """
    harris = HarrisParams.from_values(values)
    response = harris_response(image, **harris.response_kwargs())
    corners = harris_corners(image, response=response, **harris.kwargs())
    try:
        orb = orb_features(image, **ORBParams.from_values(values).kwargs())
    except ValueError as err:  # a flat image: Harris still has its (empty) answer
        orb, orb_error = None, str(err)
    else:
        orb_error = ""
    out: dict[str, object] = {
        "keypoints": features_table(corners, response, orb),
        "corners": draw_corners(image, corners),
        "response": response_image(response),
        "summary": {"corners": len(corners), "strongest_response": float(response.max()),
                    "orb_keypoints": len(orb) if orb is not None else 0,
                    "pyramid_levels": len(np.unique(orb.scales)) if orb is not None else 0,
                    "orb_error": orb_error},
    }
    if orb is not None:
        out["orb"] = draw_keypoints(image, orb)
    return out
