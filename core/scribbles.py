"""Scribbles: the canvas adapter and stroke tokens under their former module name.

The code lives in :mod:`core.canvas` (Fabric.js JSON → marks → labels), :mod:`core.canvas_objects`
(marks → Fabric objects, rectangle presets) and :mod:`core.strokes` (share-link tokens); this
module re-exports their public names so existing imports keep working.
"""

from __future__ import annotations

from core._canvas_base import FILLED, OUTLINE, POLYLINE_BUTT, POLYLINE_ROUND, Primitive, normalize_color
from core.canvas import objects_to_primitives, rasterize_primitives, strokes_to_labels
from core.canvas_objects import primitives_to_objects, rects_to_drawing
from core.strokes import decode_strokes, encode_strokes

__all__ = [
    "FILLED",
    "OUTLINE",
    "POLYLINE_BUTT",
    "POLYLINE_ROUND",
    "Primitive",
    "decode_strokes",
    "encode_strokes",
    "normalize_color",
    "objects_to_primitives",
    "primitives_to_objects",
    "rasterize_primitives",
    "rects_to_drawing",
    "strokes_to_labels",
]
