"""Decoding uploads into uint8 arrays with a bounded memory cost (used by :func:`core.images.read_image`).

The decoded file is held once, in Pillow's own mode (1–4 bytes per pixel), and everything else is done in
bands of rows: mode conversions, compositing transparency on white, rescaling 16-bit / float data to 0…255.
No full-size float copy is ever made. With ``max_side`` a JPEG is decoded directly at a reduced scale
(``Image.draft``: the DCT is evaluated at 1/2, 1/4 or 1/8), and every image is fitted to ``max_side`` before the
EXIF orientation is applied (on the small result). Peak memory for a 40 MP upload: see
``tests/core/test_decode_memory.py``.
"""

from __future__ import annotations

import io
import math
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

__all__ = ["MAX_PIXELS", "MIN_SIDE", "ImageError", "composite_on_white", "decode"]

#: Decoded images with more pixels than this are refused (decompression bombs).
MAX_PIXELS = 40_000_000
#: Images with a side shorter than this are refused.
MIN_SIDE = 8
#: Rows converted at a time (a band of a 10 000 px wide float image is ~20 MB).
BAND_ROWS = 256

_FORMATS = ("PNG", "JPEG", "TIFF", "BMP", "GIF", "WEBP")
_NUMERIC_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I", "F")


class ImageError(ValueError):
    """An uploaded file cannot be used as an image; the message says why and what to do."""


def composite_on_white(rgba: np.ndarray) -> np.ndarray:
    """Composite an RGBA uint8 image on a white background → RGB uint8 (exact rounding, in bands)."""
    rgba = np.asarray(rgba)
    out = np.empty(rgba.shape[:-1] + (3,), np.uint8)
    for r0 in range(0, rgba.shape[0], BAND_ROWS):
        band = rgba[r0:r0 + BAND_ROWS]
        alpha = band[..., 3:4].astype(np.uint32)
        # round(rgb·a/255 + 255·(1 − a/255)) in integers: no ties can occur, so this is exact
        out[r0:r0 + BAND_ROWS] = (band[..., :3] * alpha + 255 * (255 - alpha) + 127) // 255
    return out


def _bands(pil: Image.Image):
    """(first row, last row + 1, the band as an image) over the image's rows."""
    width, height = pil.size
    for r0 in range(0, height, BAND_ROWS):
        r1 = min(height, r0 + BAND_ROWS)
        yield r0, r1, pil.crop((0, r0, width, r1))


def _numeric_range(pil: Image.Image) -> tuple[float, float, bool, bool]:
    """(finite min, finite max, any non-finite value, all values whole) of a numeric-mode image, by bands."""
    lo, hi, nonfinite, whole = math.inf, -math.inf, False, True
    for _r0, _r1, band in _bands(pil):
        a = np.asarray(band)
        if a.dtype.kind == "f":
            finite = np.isfinite(a)
            if not finite.all():
                nonfinite = True
                a = a[finite]
            if whole and a.size and not np.array_equal(a, np.round(a)):
                whole = False
        if a.size:
            lo, hi = min(lo, float(a.min())), max(hi, float(a.max()))
    if nonfinite or lo > hi:  # non-finite values count as 0, as numpy.nan_to_num would make them
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    return lo, hi, nonfinite, whole


def _rescaled(pil: Image.Image) -> np.ndarray:
    """A 16-bit / int / float image mapped linearly onto 0…255 (uint8), by bands."""
    lo, hi, _nonfinite, whole = _numeric_range(pil)
    width, height = pil.size
    out = np.zeros((height, width), np.uint8)
    if hi <= lo:
        return out
    if lo >= 0 and hi <= 1.0:
        lo, hi = 0.0, 1.0
    elif lo >= 0 and hi <= 255 and whole:
        lo, hi = 0.0, 255.0
    elif lo >= 0 and hi <= 65535:
        lo = 0.0
    scale = 255.0 / (hi - lo)
    for r0, r1, band in _bands(pil):
        a = np.nan_to_num(np.asarray(band).astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
        out[r0:r1] = np.round((a - lo) * scale)
    return out


def _raw_integers(pil: Image.Image) -> np.ndarray | None:
    """A 16/32-bit integer gray image's raw values as int32, or None if some value is negative."""
    width, height = pil.size
    out = np.empty((height, width), np.int32)
    for r0, r1, band in _bands(pil):
        a = np.asarray(band)
        if a.size and a.min() < 0:
            return None
        out[r0:r1] = a
    return out


def _palette_is_gray(pil: Image.Image) -> bool:
    """Whether every palette entry the image uses is gray (checked on the palette, not the pixels)."""
    palette = pil.getpalette("RGB") or []
    used = pil.getcolors(256) or []
    for _count, index in used:
        r, g, b = palette[3 * index:3 * index + 3] if 3 * index + 3 <= len(palette) else (index,) * 3
        if not r == g == b:
            return False
    return True


def _to_uint8(pil: Image.Image, keep_integers: bool) -> np.ndarray:
    """The loaded image as uint8 RGB / gray (int32 raw values for integer label files with ``keep_integers``)."""
    mode = pil.mode
    width, height = pil.size
    if mode in _NUMERIC_MODES:
        if keep_integers and mode != "F":
            raw = _raw_integers(pil)
            if raw is not None:
                return raw
        return _rescaled(pil)
    if mode in ("1", "L"):
        target, channels, gray = "L", 1, False
    elif mode == "RGB":
        target, channels, gray = "RGB", 3, False
    elif mode == "P":
        transparent = "transparency" in pil.info or (pil.palette is not None and pil.palette.mode == "RGBA")
        target, channels, gray = ("RGBA" if transparent else "RGB"), 3, _palette_is_gray(pil)
    elif mode in ("LA", "La", "PA", "RGBA", "RGBa"):
        target, channels, gray = "RGBA", 3, False
    else:  # CMYK, YCbCr, LAB, HSV, ...
        target, channels, gray = "RGB", 3, False
    out = np.empty((height, width) if channels == 1 else (height, width, 3), np.uint8)
    for r0, r1, band in _bands(pil):
        a = np.asarray(band if band.mode == target else band.convert(target))
        out[r0:r1] = composite_on_white(a) if target == "RGBA" else a
    if gray:  # a gray palette stays gray
        return np.ascontiguousarray(out[..., 0])
    return out


# EXIF orientation → the numpy operation that shows the image upright (as PIL.ImageOps.exif_transpose does)
_ORIENT = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: np.swapaxes(a, 0, 1),
    6: lambda a: np.rot90(a, -1),
    7: lambda a: np.swapaxes(a[::-1, ::-1], 0, 1),
    8: lambda a: np.rot90(a, 1),
}


def _orientation(pil: Image.Image) -> int:
    try:
        return int(pil.getexif().get(0x0112, 1))
    except Exception:
        return 1


def _open(data: bytes, max_pixels: int, max_side: int | None) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        pil = Image.open(io.BytesIO(data), formats=_FORMATS)
        width, height = pil.size
        if width * height > max_pixels:
            raise ImageError(
                f"The image is too large: {width}×{height} = {width * height / 1e6:.0f} megapixels "
                f"(the limit is {max_pixels / 1e6:.0f}). Downscale it before uploading."
            )
        if min(width, height) < MIN_SIDE:
            raise ImageError(
                f"The image is too small: {width}×{height} pixels. "
                f"Use an image at least {MIN_SIDE}×{MIN_SIDE} pixels."
            )
        pil.seek(0)
        if max_side is not None and pil.format == "JPEG" and max(width, height) > max_side:
            f = max_side / max(width, height)  # decode at the smallest DCT scale that still covers max_side
            pil.draft(pil.mode, (math.ceil(width * f), math.ceil(height * f)))
        pil.load()
    return pil


def decode(data: bytes, *, max_pixels: int = MAX_PIXELS, keep_integers: bool = False,
           max_side: int | None = None) -> np.ndarray:
    """See :func:`core.images.read_image`."""
    from core.images import fit_working_size

    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ImageError("Expected the file's bytes.")
    if len(data) == 0:
        raise ImageError("The file is empty (0 bytes). Choose an image file such as a PNG or JPEG.")
    try:
        pil = _open(bytes(data), max_pixels, max_side)
    except ImageError:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageError(
            "The image is too large to open safely (it declares more pixels than allowed). "
            "Downscale it before uploading."
        ) from None
    except UnidentifiedImageError:
        raise ImageError(
            "This file is not an image that can be read. Upload a PNG, JPEG, TIFF, BMP, GIF or WebP file."
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as err:
        raise ImageError(
            f"The image file is damaged or truncated and cannot be decoded ({err}). "
            "Export it again, or try another file."
        ) from None
    except Exception as err:
        raise ImageError(f"The image could not be decoded ({type(err).__name__}). Try another file.") from None
    try:
        orientation = _orientation(pil)
        image = _to_uint8(pil, keep_integers)
        pil.close()
        del pil
        if max_side is not None and image.dtype == np.uint8:
            image = fit_working_size(image, max_side)
        if orientation in _ORIENT:
            image = _ORIENT[orientation](image)
        return np.ascontiguousarray(image)
    except ImageError:
        raise
    except Exception as err:
        raise ImageError(f"The image could not be converted ({err}). Try saving it as a PNG.") from None
