"""Shared pieces of the canvas adapter: the :class:`Primitive` mark, CSS colours, scales.

Private to :mod:`core.canvas`, :mod:`core.canvas.objects` and :mod:`core.canvas.tokens`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

_NAMED = {
    "black": (0, 0, 0),
    "white": (255, 255, 255),
    "red": (255, 0, 0),
    "green": (0, 128, 0),
    "lime": (0, 255, 0),
    "blue": (0, 0, 255),
    "yellow": (255, 255, 0),
    "cyan": (0, 255, 255),
    "magenta": (255, 0, 255),
    "orange": (255, 165, 0),
    "purple": (128, 0, 128),
    "gray": (128, 128, 128),
    "grey": (128, 128, 128),
}
#: Kinds of primitive (also their code in share tokens).
POLYLINE_ROUND, POLYLINE_BUTT, OUTLINE, FILLED = 0, 1, 2, 3


# --------------------------------------------------------------------------- colours
def _parse_color(color) -> tuple[tuple[int, int, int], float] | None:
    """Parse a CSS colour to ``((r, g, b), alpha)``; ``None`` for no/transparent colour."""
    if color is None:
        return None
    if isinstance(color, (tuple, list)) and len(color) in (3, 4):
        try:  # a canvas JSON from a link may hold anything: None, text, inf, nan
            rgb = tuple(min(255, max(0, int(round(float(v))))) for v in color[:3])
            alpha = float(color[3]) if len(color) == 4 else 1.0
        except (TypeError, ValueError, OverflowError):
            return None
        return rgb, alpha
    text = str(color).strip().lower()
    if text in ("", "none", "transparent"):
        return None
    if text in _NAMED:
        return _NAMED[text], 1.0
    if text.startswith("#"):
        hexa = text[1:]
        if len(hexa) in (3, 4):
            hexa = "".join(ch * 2 for ch in hexa)
        if len(hexa) not in (6, 8) or not re.fullmatch(r"[0-9a-f]+", hexa):
            return None
        rgb = tuple(int(hexa[i : i + 2], 16) for i in (0, 2, 4))
        alpha = int(hexa[6:8], 16) / 255 if len(hexa) == 8 else 1.0
        return rgb, alpha
    match = re.fullmatch(r"rgba?\(([^)]*)\)", text)
    if match:
        parts = [p for p in re.split(r"[,\s/]+", match.group(1)) if p]
        if len(parts) not in (3, 4):
            return None
        try:
            rgb = tuple(
                int(round(float(p[:-1]) * 2.55)) if p.endswith("%") else int(round(float(p)))
                for p in parts[:3]
            )
            alpha = 1.0
            if len(parts) == 4:
                alpha = float(parts[3][:-1]) / 100 if parts[3].endswith("%") else float(parts[3])
        except ValueError:
            return None
        return tuple(min(255, max(0, v)) for v in rgb), alpha
    return None


def normalize_color(color) -> str | None:
    """Return a CSS colour as ``"#rrggbb"`` (alpha dropped), or ``None`` if it is none/transparent.

    Parameters
    ----------
    color : str or tuple
        ``"#rgb"``, ``"#rrggbb"``, ``"#rrggbbaa"``, ``"rgb(r, g, b)"``, ``"rgba(r, g, b, a)"``,
        a few CSS names, or an ``(r, g, b[, a])`` tuple of 0–255 values.

    Returns
    -------
    hex : str or None
    """
    parsed = _parse_color(color)
    if parsed is None or parsed[1] <= 0:
        return None
    r, g, b = parsed[0]
    return f"#{r:02x}{g:02x}{b:02x}"


def _code_lookup(class_of_color: Mapping) -> dict[str, int]:
    lookup: dict[str, int] = {}
    for color, code in class_of_color.items():
        key = normalize_color(color)
        if key is None:
            raise ValueError(f"Class colour {color!r} is not a CSS colour; use e.g. '#1f77b4'.")
        code = int(code)
        if not 1 <= code <= 255:
            raise ValueError(f"Class numbers must be 1…255 (0 means unlabelled); got {code} for {color!r}.")
        lookup[key] = code
    return lookup


@dataclass(frozen=True)
class Primitive:
    """One drawn mark in image coordinates.

    Attributes
    ----------
    code : int
        The class number it paints (1…255).
    kind : int
        ``0`` open polyline with round caps (freehand), ``1`` open polyline with butt caps
        (straight line), ``2`` closed outline, ``3`` filled closed shape (its outline included).
    width : float
        Stroke width in image pixels.
    points : ndarray of float, shape (N, 2)
        Vertices as ``(x, y)`` in continuous image coordinates.
    """

    code: int
    kind: int
    width: float
    points: np.ndarray


def _scale_pair(scale) -> np.ndarray:
    if np.ndim(scale) == 0:
        pair = np.array([float(scale), float(scale)])
    else:
        sy, sx = (float(v) for v in scale)
        pair = np.array([sx, sy])
    if not np.all(np.isfinite(pair)) or np.any(pair <= 0):
        raise ValueError(f"scale must be > 0 (image pixels per canvas pixel); got {scale!r}.")
    return pair  # (sx, sy)
