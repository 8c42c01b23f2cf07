"""Stroke tokens: canvas strokes as a compact, URL-safe text for share links.

:func:`encode_strokes` stores each mark in *image* coordinates (so a token does not depend on
the canvas size): its polyline simplified (Douglas–Peucker), quantised to half a pixel,
delta-coded, zlib-compressed and base64url-encoded. :func:`decode_strokes` reads it back
into Fabric.js objects for a canvas.

A token comes from a link anyone can edit, so decoding is bounded: at most
:data:`MAX_TOKEN_CHARS` characters, :data:`MAX_DECODED_BYTES` inflated bytes (checked while
inflating, never after), :data:`MAX_TOKEN_POINTS` points, and brush widths clamped to
:data:`MAX_WIDTH` image pixels. Anything else is a :class:`ValueError` that says to redraw.
"""

from __future__ import annotations

import base64
import binascii
import struct
import zlib
from collections.abc import Mapping

import numpy as np

from core.canvas._base import Primitive
from core.canvas._raster import _simplify, check_drawable
from core.canvas.fabric import objects_to_primitives
from core.canvas.objects import primitives_to_objects

__all__ = ["MAX_TOKEN_CHARS", "MAX_TOKEN_POINTS", "MAX_WIDTH", "decode_primitives", "decode_strokes",
           "encode_primitives", "encode_strokes"]

_TOKEN_VERSION = 1
#: Longest token read (characters).
MAX_TOKEN_CHARS = 200_000
#: Most points a token may hold (all marks together).
MAX_TOKEN_POINTS = 100_000
#: Most bytes a token may inflate to (header 3 + 6 per mark + 4 per point, with room).
MAX_DECODED_BYTES = 3 + 4 * MAX_TOKEN_POINTS + 6 * 20_000
#: Widest brush a token may carry (image pixels); wider ones are clamped to it.
MAX_WIDTH = 512.0
#: Coordinates are clamped to ± this many image pixels (keeps every delta in 16 bits).
_MAX_XY = 8000.0
_MAX_RUN = 65_535  # points of one mark in the format; longer marks are split
_BAD = "The strokes in this link cannot be read (the link is cut or altered); draw them again."


def encode_primitives(primitives, *, tolerance: float = 0.5) -> str:
    """Encode :class:`~core.canvas.Primitive` marks (image coordinates) as a token.

    Parameters
    ----------
    primitives : iterable of Primitive
    tolerance : float
        Simplification tolerance in image pixels.

    Returns
    -------
    token : str
        ``""`` when there is nothing to encode.

    Raises
    ------
    ValueError
        If the marks hold more than :data:`MAX_TOKEN_POINTS` points after simplification.
    """
    chunks, count, total = [], 0, 0
    for prim in primitives:
        pts = _simplify(np.clip(np.asarray(prim.points, dtype=float).reshape(-1, 2), -_MAX_XY, _MAX_XY), tolerance)
        if not len(pts):
            continue
        width = int(round(min(max(float(prim.width), 0.0), MAX_WIDTH) * 2))
        # a mark longer than the format's run is split into runs sharing their end points
        for start in range(0, max(1, len(pts) - 1), _MAX_RUN - 1):
            q = np.round(pts[start:start + _MAX_RUN] * 2).astype(np.int64)
            total += len(q)
            if total > MAX_TOKEN_POINTS:
                raise ValueError(f"The strokes hold more than {MAX_TOKEN_POINTS:,} points, too many for a link; "
                                 "clear some strokes or download the scribbles instead.")
            chunks.append(struct.pack("<BBHH", int(prim.code), int(prim.kind), width, len(q)))
            chunks.append(np.concatenate([q[:1], np.diff(q, axis=0)]).astype("<i2").tobytes())
            count += 1
    if not count:
        return ""
    if count > 65_535:
        raise ValueError("Too many strokes for a link (more than 65 535); clear some strokes.")
    raw = struct.pack("<BH", _TOKEN_VERSION, count) + b"".join(chunks)
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")


def encode_strokes(objects, class_of_color: Mapping, scale=1.0, *, tolerance: float = 0.5) -> str:
    """Encode canvas strokes as a compact URL-safe token (for share links).

    Parameters
    ----------
    objects : list of dict or dict
        Fabric objects or canvas JSON, as for :func:`core.canvas.strokes_to_labels`.
    class_of_color : mapping
        CSS colour → class number 1…255 (the number is stored, not the colour).
    scale : float or (float, float)
        Image pixels per canvas pixel.
    tolerance : float
        Simplification tolerance in image pixels.

    Returns
    -------
    token : str
        ``""`` when there is nothing to encode.
    """
    return encode_primitives(objects_to_primitives(objects, class_of_color, scale), tolerance=tolerance)


def _inflate(token: str) -> bytes:
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
        raise ValueError(_BAD)
    try:
        packed = base64.urlsafe_b64decode((token + "=" * (-len(token) % 4)).encode("ascii"))
    except (binascii.Error, UnicodeError, ValueError):
        raise ValueError(_BAD) from None
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(packed, MAX_DECODED_BYTES)
    except zlib.error:
        raise ValueError(_BAD) from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise ValueError(_BAD)  # larger than any token this app writes, or cut
    return raw


def decode_primitives(token: str, shape=None) -> list[Primitive]:
    """Decode a token into :class:`~core.canvas.Primitive` marks (image coordinates).

    Parameters
    ----------
    token : str
    shape : tuple, optional
        ``(H, W)`` of the image the marks will be drawn on: marks too costly to draw there are refused here,
        where they enter (:func:`~core.canvas.check_drawable`).

    Raises
    ------
    ValueError
        If the token is corrupt, too large, of another version (the message says to redraw), or its marks are
        too costly to draw at ``shape``.
    """
    if not token:
        return []
    raw = _inflate(token)
    if len(raw) < 3:
        raise ValueError(_BAD)
    version, count = struct.unpack_from("<BH", raw, 0)
    if version != _TOKEN_VERSION:
        raise ValueError(f"These strokes were saved by another version (v{version}); draw them again.")
    offset, total, prims = 3, 0, []
    for _ in range(count):
        if offset + 6 > len(raw):
            raise ValueError(_BAD)
        code, kind, width, n = struct.unpack_from("<BBHH", raw, offset)
        offset += 6
        total += n
        if kind not in (0, 1, 2, 3) or code < 1 or n < 1 or offset + 4 * n > len(raw) or total > MAX_TOKEN_POINTS:
            raise ValueError(_BAD)
        q = np.frombuffer(raw, dtype="<i2", count=2 * n, offset=offset).reshape(n, 2).astype(np.int64)
        offset += 4 * n
        prims.append(Primitive(code, kind, min(width / 2.0, MAX_WIDTH), np.cumsum(q, axis=0) / 2.0))
    if offset != len(raw):
        raise ValueError(_BAD)
    if shape is not None:
        check_drawable(prims, shape)
    return prims


def decode_strokes(token: str, color_of_class: Mapping, scale=1.0, *, fill_alpha: float = 0.3) -> list[dict]:
    """Decode a token from :func:`encode_strokes` into Fabric objects for a canvas.

    Parameters
    ----------
    token : str
        The token (``""`` gives no objects).
    color_of_class : mapping
        Class number → CSS colour of the target page; marks of unknown classes are dropped.
    scale : float or (float, float)
        Image pixels per canvas pixel of the target canvas.
    fill_alpha : float
        Opacity of the fill of filled shapes.

    Returns
    -------
    objects : list of dict

    Raises
    ------
    ValueError
        If the token is corrupt, too large, or of another version (the message says to redraw).
    """
    return primitives_to_objects(decode_primitives(token), color_of_class, scale, fill_alpha=fill_alpha)
