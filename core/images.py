"""Image intake: bundled samples, safe decoding of uploads, working size.

Every function takes and returns plain numpy arrays. Images are uint8 RGB
``(H, W, 3)`` or uint8 gray ``(H, W)`` unless stated otherwise.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = [
    "SAMPLES",
    "SAMPLE_FILES",
    "ImageError",
    "MAX_PIXELS",
    "MIN_SIDE",
    "as_float",
    "check_image",
    "fit_working_size",
    "image_digest",
    "load_sample",
    "read_image",
    "sample_source",
    "to_gray",
    "to_png_bytes",
    "to_rgb",
]

#: Bundled sample images (all load offline): name → one-line description.
SAMPLES: dict[str, str] = {
    "astronaut": "Astronaut Eileen Collins: a colour portrait with flag, suit and sky (512×512).",
    "camera": "The cameraman: the classic gray test image, a dark figure on a bright sky (512×512).",
    "coffee": "A cup of coffee on a saucer: few, well-separated colours (400×600).",
    "chelsea": "Chelsea the cat: fur texture and soft colour gradients (300×451).",
    "coins": "Greek coins on a dark background: gray objects to threshold and count (303×384).",
    "moon": "The lunar surface: low-contrast gray texture (512×512).",
    "brick": "A brick wall: a regular gray texture (512×512).",
    "grass": "Grass: a fine, oriented gray texture (512×512).",
    "gravel": "Gravel: a blobby, isotropic gray texture (512×512).",
    "immunohistochemistry": "Stained tissue (IHC): brown and blue nuclei on a pale ground (512×512).",
    "retina": "A human retina (fundus photo): vessels on an orange disc (1411×1411).",
    "china": "scikit-learn's Summer Palace photo: roofs, trees and sky (427×640).",
    "flower": "scikit-learn's flower photo: a red blossom among green leaves (427×640).",
    # the tutorial's own photos (samples/, credits in samples/CREDITS.md)
    "round_pill": "The tutorial's round pill (NLM): a pill on a plain ground, k-means on a, b (885×869).",
    "chapel_floor": "The tutorial's chapel floor tiles: colour k-means on L, a, b (277×376).",
    "spices": "The tutorial's spices (Riyaad Minty, CC BY 2.0): many colours and textures (683×1024).",
    "bells_beach": "The tutorial's Bells Beach (Wikimedia Commons, CC BY-SA): sky, sea, sand (960×1280).",
    "arches_1": "Arches National Park, view 1 of 3 (© 2014 Joshua D. Warner, CC BY 4.0) (720×477).",
    "arches_2": "Arches National Park, view 2 of 3 (© 2014 Joshua D. Warner, CC BY 4.0) (720×477).",
    "arches_3": "Arches National Park, view 3 of 3 (© 2014 Joshua D. Warner, CC BY 4.0) (720×477).",
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
    or ``("file", "Bells-Beach.jpg")`` (a file in the project's ``samples/`` folder)."""
    if name in SAMPLE_FILES:
        return "file", SAMPLE_FILES[name]
    if name in SKLEARN_SAMPLES:
        return "sklearn", f"{name}.jpg"
    if name in SAMPLES:
        return "skimage", name
    raise ValueError(f"Unknown sample {name!r}; choose one of: {', '.join(SAMPLES)}.")


#: Decoded images with more pixels than this are refused (decompression bombs).
MAX_PIXELS = 40_000_000
#: Images with a side shorter than this are refused.
MIN_SIDE = 8

_FORMATS = ("PNG", "JPEG", "TIFF", "BMP", "GIF", "WEBP")


class ImageError(ValueError):
    """An uploaded file cannot be used as an image; the message says why and what to do."""


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


def read_image(data: bytes, *, max_pixels: int = MAX_PIXELS, keep_integers: bool = False) -> np.ndarray:
    """Decode an uploaded file into a uint8 RGB or gray array.

    EXIF orientation is applied, transparency is composited on white, palette,
    CMYK, LA, 16-bit and float modes are converted (16-bit and float rescaled to
    the full 0…255 range), and only the first frame of an animation is kept.

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
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ImageError("Expected the file's bytes.")
    data = bytes(data)
    if len(data) == 0:
        raise ImageError("The file is empty (0 bytes). Choose an image file such as a PNG or JPEG.")
    try:
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
            pil.load()
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
    except Exception as err:  # noqa: BLE001 - any decoder failure is a bad file, never a crash
        raise ImageError(f"The image could not be decoded ({type(err).__name__}). Try another file.") from None
    try:
        return _pil_to_array(pil, keep_integers=keep_integers)
    except ImageError:
        raise
    except Exception as err:  # noqa: BLE001
        raise ImageError(f"The image could not be converted ({err}). Try saving it as a PNG.") from None


def _pil_to_array(pil: Image.Image, *, keep_integers: bool = False) -> np.ndarray:
    """Normalise a decoded PIL image to uint8 RGB or gray (int32 raw values with ``keep_integers``)."""
    try:
        pil = ImageOps.exif_transpose(pil)
    except Exception:  # noqa: BLE001 - a broken EXIF block is not worth refusing the image
        pass
    mode = pil.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        array = np.asarray(pil)
        if keep_integers and mode != "F" and array.ndim == 2 and (array.size == 0 or array.min() >= 0):
            return array.astype(np.int32)
        return _rescale_to_uint8(array.astype(np.float64))
    if mode == "1":
        return np.asarray(pil.convert("L"))
    if mode == "P":
        rgb = _pil_to_array(pil.convert("RGBA"))
        if rgb.ndim == 3 and np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 1], rgb[..., 2]):
            return np.ascontiguousarray(rgb[..., 0])  # a gray palette stays gray
        return rgb
    if mode in ("LA", "La", "PA"):
        pil = pil.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "RGBa"):
        rgba = np.asarray(pil.convert("RGBA"))
        if rgba[..., 3].min() == 255:
            return np.ascontiguousarray(rgba[..., :3])
        return _composite_on_white(rgba)
    if mode == "L":
        return np.asarray(pil)
    if mode in ("RGB",):
        return np.asarray(pil)
    if mode.startswith("I;16") or mode.startswith("RGB;16") or mode.startswith("RGBA;16"):
        array = np.asarray(pil).astype(np.float64)
        return _rescale_to_uint8(array)
    # CMYK, YCbCr, LAB, HSV, ...
    return np.asarray(pil.convert("RGB"))


def _rescale_to_uint8(array: np.ndarray) -> np.ndarray:
    """Linearly map the data range of a 16-bit / int / float image onto 0…255."""
    array = np.nan_to_num(array.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    lo, hi = float(array.min()), float(array.max())
    if hi <= lo:
        return np.zeros(array.shape, dtype=np.uint8)
    if lo >= 0 and hi <= 1.0:
        lo, hi = 0.0, 1.0
    elif lo >= 0 and hi <= 255 and np.all(array == np.round(array)):
        lo, hi = 0.0, 255.0
    elif lo >= 0 and hi <= 65535:
        lo = 0.0
    return np.round((array - lo) / (hi - lo) * 255).astype(np.uint8)


def _composite_on_white(rgba: np.ndarray) -> np.ndarray:
    """Composite an RGBA uint8 image on a white background → RGB uint8."""
    rgb = rgba[..., :3].astype(np.float32)
    alpha = rgba[..., 3:4].astype(np.float32) / 255.0
    out = rgb * alpha + 255.0 * (1.0 - alpha)
    return np.round(out).astype(np.uint8)


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
    """Return the image as float64 in [0, 1] (integers scaled by their dtype range).

    Floats are passed through (clipped to [0, 1] only when they already lie in
    it), booleans become 0.0 / 1.0.
    """
    from skimage.util import img_as_float

    image = np.asarray(image)
    if image.dtype == bool:
        return image.astype(np.float64)
    if image.dtype.kind == "f":
        return image.astype(np.float64, copy=False)
    return img_as_float(image).astype(np.float64, copy=False)


def to_gray(image: np.ndarray) -> np.ndarray:
    """Return a float64 ``(H, W)`` gray image in [0, 1] from gray, RGB or RGBA input."""
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


def to_png_bytes(array: np.ndarray) -> bytes:
    """Encode an image or a label array as PNG bytes.

    uint8 gray / RGB / RGBA images are written as they are; floats in [0, 1]
    are scaled to 8 bits; integer label images are written as 8-bit when
    their values fit in 0…255, else as 16-bit gray (values must fit 0…65535).
    """
    array = np.asarray(array)
    if array.dtype == bool:
        array = array.astype(np.uint8) * 255
    elif array.dtype.kind == "f":
        array = to_uint8(array)
    elif array.dtype.kind in "iu" and array.dtype != np.uint8:
        if array.size and (array.min() < 0 or array.max() > 65535):
            raise ValueError("Label values must lie in 0…65535 to be saved as PNG.")
        if array.ndim == 2 and array.size and array.max() > 255:
            array = array.astype(np.uint16)
        else:
            array = array.astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")  # uint16 gray is written as a 16-bit PNG
    return buffer.getvalue()
