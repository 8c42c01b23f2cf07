"""Image intake: bundled samples, safe decoding of uploads, working size.

Every function takes and returns plain numpy arrays. Images are uint8 RGB
``(H, W, 3)`` or uint8 gray ``(H, W)`` unless stated otherwise.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
from PIL import Image

from core._decode import MAX_PIXELS, MIN_SIDE, ImageError, composite_on_white, decode

__all__ = [
    "SAMPLES",
    "SAMPLE_FILES",
    "ImageError",
    "MAX_PIXELS",
    "MIN_SIDE",
    "as_float",
    "check_image",
    "compact_labels",
    "fit_working_size",
    "image_digest",
    "load_sample",
    "png_label_problem",
    "read_image",
    "sample_source",
    "to_gray",
    "to_png_bytes",
    "to_rgb",
]

#: Bundled sample images (all load offline): name → one-line description (size as width×height).
SAMPLES: dict[str, str] = {
    "astronaut": "Astronaut Eileen Collins: a colour portrait with flag, suit and sky (512×512).",
    "camera": "The cameraman: the classic gray test image, a dark figure on a bright sky (512×512).",
    "coffee": "A cup of coffee on a saucer: few, well-separated colours (600×400).",
    "chelsea": "Chelsea the cat: fur texture and soft colour gradients (451×300).",
    "coins": "Greek coins on a dark background: gray objects to threshold and count (384×303).",
    "moon": "The lunar surface: low-contrast gray texture (512×512).",
    "brick": "A brick wall: a regular gray texture (512×512).",
    "grass": "Grass: a fine, oriented gray texture (512×512).",
    "gravel": "Gravel: a blobby, isotropic gray texture (512×512).",
    "immunohistochemistry": "Stained tissue (IHC): brown and blue nuclei on a pale ground (512×512).",
    "retina": "A human retina (fundus photo): vessels on an orange disc (1411×1411).",
    "china": "scikit-learn's Summer Palace photo: roofs, trees and sky (640×427).",
    "flower": "scikit-learn's flower photo: a red blossom among green leaves (640×427).",
    # the tutorial's own photos (samples/, credits in samples/CREDITS.md)
    "round_pill": "The tutorial's round pill (NLM): a pill on a plain ground, k-means on a, b (869×885).",
    "chapel_floor": "The tutorial's chapel floor tiles: colour k-means on L, a, b (376×277).",
    "spices": "The tutorial's spices (Riyaad Minty, CC BY 2.0): many colours and textures (1024×683).",
    "bells_beach": "The tutorial's Bells Beach (Wikimedia Commons, CC BY-SA): sky, sea, sand (1280×960).",
    "arches_1": "Arches National Park, view 1 of 3 (© 2014 Joshua D. Warner, CC BY 4.0) (477×720).",
    "arches_2": "Arches National Park, view 2 of 3 (© 2014 Joshua D. Warner, CC BY 4.0) (477×720).",
    "arches_3": "Arches National Park, view 3 of 3 (© 2014 Joshua D. Warner, CC BY 4.0) (477×720).",
}

#: Samples shipped as files in ``samples/`` (the tutorial's own photos): name → file name.
SAMPLE_FILES: dict[str, str] = {
    "round_pill": "round_pill.jpg",
    "chapel_floor": "chapel_floor.png",
    "spices": "spices.jpg",
    "bells_beach": "Bells-Beach.jpg",
    "arches_1": "JDW_0302.jpg",
    "arches_2": "JDW_0303.jpg",
    "arches_3": "JDW_0304.jpg",
}
#: The folder of :data:`SAMPLE_FILES`.
SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"
#: Samples that come from scikit-learn (``sklearn.datasets.load_sample_image``), not ``skimage.data``.
SKLEARN_SAMPLES = ("china", "flower")


def sample_source(name: str) -> tuple[str, str]:
    """Where a bundled sample comes from: ``("skimage", "coffee")``, ``("sklearn", "china.jpg")``
    or ``("file", "Bells-Beach.jpg")`` (a file in the project's ``samples/`` folder).
    """
    if name in SAMPLE_FILES:
        return "file", SAMPLE_FILES[name]
    if name in SKLEARN_SAMPLES:
        return "sklearn", f"{name}.jpg"
    if name in SAMPLES:
        return "skimage", name
    raise ValueError(f"Unknown sample {name!r}; choose one of: {', '.join(SAMPLES)}.")


def load_sample(name: str) -> np.ndarray:
    """Load a bundled sample image.

    Parameters
    ----------
    name : str
        A key of :data:`SAMPLES`.

    Returns
    -------
    image : ndarray of uint8
        ``(H, W, 3)`` RGB or ``(H, W)`` gray, at its original size.
    """
    if name not in SAMPLES:
        raise ValueError(f"Unknown sample {name!r}; choose one of: {', '.join(SAMPLES)}.")
    if name in SAMPLE_FILES:
        with Image.open(SAMPLES_DIR / SAMPLE_FILES[name]) as pil:
            image = np.asarray(pil.convert("RGBA") if pil.mode in ("P", "PA", "LA", "RGBA") else pil.convert("RGB"))
    elif name in SKLEARN_SAMPLES:
        from sklearn.datasets import load_sample_image

        image = load_sample_image(f"{name}.jpg")
    else:
        from skimage import data

        image = getattr(data, name)()
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 4:
        image = _composite_on_white(image)
    return np.ascontiguousarray(image.astype(np.uint8, copy=False))


def read_image(data: bytes, *, max_pixels: int = MAX_PIXELS, keep_integers: bool = False,
               max_side: int | None = None) -> np.ndarray:
    """Decode an uploaded file into a uint8 RGB or gray array.

    EXIF orientation is applied, transparency is composited on white, palette,
    CMYK, LA, 16-bit and float modes are converted (16-bit and float rescaled to
    the full 0…255 range), and only the first frame of an animation is kept.
    The decoded file is held once in its own mode and converted in bands of
    rows, so a 40 MP upload costs well under 800 MB while decoding.

    Parameters
    ----------
    data : bytes
        The file's content (kept in memory; nothing is written to disk).
    max_pixels : int, optional
        Refuse images with more pixels than this (decompression bombs).
    keep_integers : bool, optional
        Return 16-bit and 32-bit integer gray files (label images) with their
        raw, non-negative values as int32 instead of rescaling them to 0…255
        (which would merge label ids).
    max_side : int, optional
        Fit the result to this longest side (as :func:`fit_working_size`);
        JPEGs are then decoded directly at a reduced scale. Not applied to
        the int32 result of ``keep_integers``.

    Returns
    -------
    image : ndarray of uint8
        ``(H, W, 3)`` RGB or ``(H, W)`` gray; int32 ``(H, W)`` for 16/32-bit
        integer files when ``keep_integers`` is true.

    Raises
    ------
    ImageError
        With a message a person can act on: empty, not an image, truncated,
        too large, too small.
    """
    return decode(data, max_pixels=max_pixels, keep_integers=keep_integers, max_side=max_side)


_composite_on_white = composite_on_white


def fit_working_size(image: np.ndarray, max_side: int = 1024) -> np.ndarray:
    """Downscale an image so that its longest side is at most ``max_side``.

    Parameters
    ----------
    image : ndarray
        ``(H, W)`` or ``(H, W, C)`` image of any dtype.
    max_side : int, optional
        Longest side of the result, in pixels.

    Returns
    -------
    image : ndarray
        The same array when it already fits, else an anti-aliased downscaled
        copy with the same dtype and number of channels.
    """
    if max_side < MIN_SIDE:
        raise ValueError(f"max_side must be at least {MIN_SIDE} pixels; got {max_side}.")
    image = np.asarray(image)
    height, width = image.shape[:2]
    longest = max(height, width)
    if longest <= max_side:
        return image
    factor = max_side / longest
    # keep the short side usable (≥ MIN_SIDE px) even for very elongated images
    new_size = (max(min(width, MIN_SIDE), round(width * factor)), max(min(height, MIN_SIDE), round(height * factor)))
    if image.dtype == np.uint8 and image.ndim in (2, 3) and (image.ndim == 2 or image.shape[2] in (3, 4)):
        pil = Image.fromarray(image)
        return np.asarray(pil.resize(new_size, Image.Resampling.LANCZOS, reducing_gap=3.0))
    from skimage.transform import resize

    out = resize(image, (new_size[1], new_size[0]) + image.shape[2:], anti_aliasing=True, preserve_range=True)
    return out.astype(image.dtype)


def as_float(image: np.ndarray) -> np.ndarray:
    """Return the image as float64 in [0, 1].

    Unsigned integers are divided by their dtype's maximum (uint8 255 → 1.0),
    signed integers are mapped from their dtype's range ``[min, max]`` onto
    ``[0, 1]``, booleans become 0.0 / 1.0, and floats are clipped to ``[0, 1]``
    (NaN stays NaN; :func:`check_image` refuses it).
    """
    image = np.asarray(image)
    if image.dtype == bool:
        return image.astype(np.float64)
    if image.dtype.kind == "f":
        return np.clip(image.astype(np.float64, copy=False), 0.0, 1.0)
    if image.dtype.kind == "u":
        return image.astype(np.float64) / np.iinfo(image.dtype).max
    if image.dtype.kind == "i":
        info = np.iinfo(image.dtype)
        return (image.astype(np.float64) - info.min) / (float(info.max) - info.min)
    raise ValueError(f"Expected a numeric image; got dtype {image.dtype}.")


def to_gray(image: np.ndarray) -> np.ndarray:
    """Return a float64 ``(H, W)`` gray image in [0, 1] from gray, RGB or RGBA input.

    Values go through :func:`as_float` first; colour is weighted as
    ``skimage.color.rgb2gray`` does (0.2125 R + 0.7154 G + 0.0721 B); RGBA is
    composited on white (``rgba2rgb``).
    """
    from skimage.color import rgb2gray, rgba2rgb

    image = np.asarray(image)
    if image.ndim == 2:
        return as_float(image)
    if image.ndim == 3 and image.shape[-1] == 4:
        image = rgba2rgb(as_float(image))
    if image.ndim == 3 and image.shape[-1] == 3:
        return rgb2gray(as_float(image))
    if image.ndim == 3 and image.shape[-1] == 1:
        return as_float(image[..., 0])
    raise ValueError(f"Expected a gray (H, W) or colour (H, W, 3) image; got shape {image.shape}.")


def to_rgb(image: np.ndarray) -> np.ndarray:
    """Return a uint8 ``(H, W, 3)`` RGB image from gray, RGB or RGBA input of any dtype."""
    from skimage.util import img_as_ubyte

    image = np.asarray(image)
    if image.ndim == 3 and image.shape[-1] == 4:
        image = _composite_on_white(to_uint8(image))
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f"Expected a gray (H, W) or colour (H, W, 3) image; got shape {image.shape}.")
    if image.dtype == np.uint8:
        return np.ascontiguousarray(image)
    if image.dtype.kind == "f":
        return img_as_ubyte(np.clip(image, 0, 1))
    return img_as_ubyte(image)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Return the image as uint8, scaling by the dtype's range (floats: [0, 1])."""
    from skimage.util import img_as_ubyte

    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image
    if image.dtype.kind == "f":
        return img_as_ubyte(np.clip(image, 0, 1))
    if image.dtype == bool:
        return image.astype(np.uint8) * 255
    return img_as_ubyte(image)


def check_image(image: np.ndarray, *, min_side: int = MIN_SIDE, name: str = "image") -> np.ndarray:
    """Validate a 2-D gray or colour image and return it as an array.

    Raises
    ------
    ValueError
        If it is not ``(H, W)``, ``(H, W, 3)`` or ``(H, W, 4)``, is smaller
        than ``min_side`` on a side, or holds NaN / infinite values.
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] not in (1, 3, 4)):
        raise ValueError(f"The {name} must be gray (H, W) or colour (H, W, 3); got shape {image.shape}.")
    if min(image.shape[:2]) < min_side:
        raise ValueError(
            f"The {name} is too small ({image.shape[1]}×{image.shape[0]}); "
            f"use one at least {min_side}×{min_side} pixels."
        )
    if image.dtype.kind == "f" and not np.all(np.isfinite(image)):
        raise ValueError(f"The {name} contains NaN or infinite values; replace them first.")
    return image


def image_digest(array: np.ndarray) -> str:
    """A hex digest of an array's full content, shape and dtype (cache key)."""
    array = np.ascontiguousarray(array)
    h = hashlib.blake2b(digest_size=16)
    h.update(str(array.shape).encode())
    h.update(array.dtype.str.encode())
    h.update(memoryview(array).cast("B"))
    return h.hexdigest()


#: The most labels a 16-bit PNG can hold (ids 0…65535).
MAX_PNG_LABELS = 65536


def compact_labels(labels: np.ndarray) -> np.ndarray:
    """Renumber a label array's ids to 0, 1, 2, … in their sorted order (the smallest id, e.g. 0, stays first)."""
    _values, inverse = np.unique(np.asarray(labels), return_inverse=True)
    return inverse.reshape(np.shape(labels))


def png_label_problem(array: np.ndarray) -> str | None:
    """Why :func:`to_png_bytes` cannot write ``array``, or None when it can (a cheap check for integer arrays)."""
    array = np.asarray(array)
    if array.dtype.kind not in "iu" or array.dtype == np.uint8 or not array.size:
        return None
    if array.min() >= 0 and array.max() <= 65535:
        return None
    count = np.unique(array).size
    if count > MAX_PNG_LABELS:
        return (f"The labels hold {count:,} different ids; a 16-bit PNG holds at most {MAX_PNG_LABELS:,}. "
                "Download them as .npy instead.")
    return None


def to_png_bytes(array: np.ndarray) -> bytes:
    """Encode an image or a label array as PNG bytes.

    uint8 gray / RGB / RGBA images are written as they are; floats in [0, 1]
    are scaled to 8 bits; integer label images are written as 8-bit when
    their values fit in 0…255, else as 16-bit gray. Label ids outside 0…65535
    (negative or huge ids) are renumbered compactly with
    :func:`compact_labels` first.

    Raises
    ------
    ValueError
        When a label array holds more than 65 536 different ids (a PNG cannot).
    """
    array = np.asarray(array)
    if array.dtype == bool:
        array = array.astype(np.uint8) * 255
    elif array.dtype.kind == "f":
        array = to_uint8(array)
    elif array.dtype.kind in "iu" and array.dtype != np.uint8:
        if array.size and (array.min() < 0 or array.max() > 65535):
            problem = png_label_problem(array)
            if problem:
                raise ValueError(problem)
            array = compact_labels(array)
        if array.ndim == 2 and array.size and array.max() > 255:
            array = array.astype(np.uint16)
        else:
            array = array.astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")  # uint16 gray is written as a 16-bit PNG
    return buffer.getvalue()
