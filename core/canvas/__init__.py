"""The drawable canvas, read and written once for every page (digits, trainable segmentation).

* :mod:`core.canvas.fabric` — Fabric.js canvas JSON → :class:`Primitive` marks in image coordinates
  (origin, scale, rotation and flips handled there and nowhere else) → label images;
* :mod:`core.canvas.objects` — marks → Fabric objects (presets drawn back onto the canvas);
* :mod:`core.canvas.tokens` — marks ↔ the compact token a share link carries.

Typical use::

    marks = objects_to_primitives(canvas_json["objects"], class_of_color, scale=image_width / canvas_width)
    labels = rasterize_primitives(marks, image.shape[:2])      # (H, W), 0 = unlabelled
"""

from core.canvas._base import FILLED, OUTLINE, POLYLINE_BUTT, POLYLINE_ROUND, Primitive, normalize_color
from core.canvas._raster import check_drawable
from core.canvas.fabric import (
    MAX_COORD,
    MAX_OBJECTS,
    MAX_POINTS,
    MAX_STROKE_WIDTH,
    MAX_WORK,
    objects_to_primitives,
    rasterize_primitives,
    strokes_to_labels,
)
from core.canvas.objects import primitives_to_objects, rects_to_drawing
from core.canvas.tokens import (
    MAX_TOKEN_CHARS,
    MAX_TOKEN_POINTS,
    MAX_WIDTH,
    decode_primitives,
    decode_strokes,
    encode_primitives,
    encode_strokes,
)

__all__ = [
    "FILLED", "MAX_COORD", "MAX_OBJECTS", "MAX_POINTS", "MAX_STROKE_WIDTH", "MAX_TOKEN_CHARS", "MAX_TOKEN_POINTS",
    "MAX_WIDTH", "MAX_WORK", "OUTLINE", "POLYLINE_BUTT", "POLYLINE_ROUND", "Primitive", "check_drawable", "decode_primitives",
    "decode_strokes", "encode_primitives", "encode_strokes", "normalize_color", "objects_to_primitives",
    "primitives_to_objects", "rasterize_primitives", "rects_to_drawing", "strokes_to_labels",
]
