"""core.images: samples, decoding of uploads (good and bad), working size, helpers."""

import io
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest
from PIL import Image

from core import images as I
from core.images import ImageError, read_image


def encode(array_or_pil, fmt="PNG", **kw) -> bytes:
    pil = array_or_pil if isinstance(array_or_pil, Image.Image) else Image.fromarray(array_or_pil)
    buf = io.BytesIO()
    pil.save(buf, format=fmt, **kw)
    return buf.getvalue()


RGB = (np.arange(40 * 30 * 3) % 251).astype(np.uint8).reshape(40, 30, 3)


# ----------------------------------------------------------------------------- samples
@pytest.mark.parametrize("name", list(I.SAMPLES))
def test_every_sample_loads_offline_as_uint8(name):
    image = I.load_sample(name)
    assert image.dtype == np.uint8
    assert image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)
    assert min(image.shape[:2]) >= 8
    assert I.SAMPLES[name]  # has a one-line description


def test_sample_descriptions_write_sizes_as_width_by_height():
    import re

    for name, text in I.SAMPLES.items():
        height, width = I.load_sample(name).shape[:2]
        assert re.search(r"\((\d+)×(\d+)\)", text).groups() == (str(width), str(height)), name


def test_unknown_sample_names_the_choices():
    with pytest.raises(ValueError, match="choose one of: astronaut"):
        I.load_sample("lena")


# ----------------------------------------------------------------------------- good uploads
@pytest.mark.parametrize("fmt", ["PNG", "BMP", "TIFF", "WEBP", "GIF"])
def test_lossless_formats_round_trip(fmt):
    kw = {"lossless": True} if fmt == "WEBP" else {}
    if fmt == "GIF":
        gray = RGB[..., 0]
        assert np.array_equal(read_image(encode(gray, fmt)), gray)
    else:
        assert np.array_equal(read_image(encode(RGB, fmt, **kw)), RGB)


def test_jpeg_decodes_to_rgb():
    out = read_image(encode(RGB, "JPEG", quality=95))
    assert out.shape == RGB.shape and out.dtype == np.uint8


def test_gray_stays_gray():
    gray = RGB[..., 1]
    out = read_image(encode(gray))
    assert out.shape == gray.shape and np.array_equal(out, gray)


def test_rgba_is_composited_on_white():
    rgba = np.zeros((10, 12, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[:, :6, 3] = 255  # left opaque red-ish, right fully transparent
    out = read_image(encode(rgba))
    assert out.shape == (10, 12, 3)
    assert tuple(out[0, 0]) == (200, 0, 0)
    assert tuple(out[0, -1]) == (255, 255, 255)


def test_la_mode_is_composited():
    pil = Image.new("LA", (9, 9), (10, 0))
    out = read_image(encode(pil))
    assert out.shape == (9, 9, 3) and out.min() == 255


def test_palette_image_is_converted():
    pil = Image.fromarray(RGB).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    out = read_image(encode(pil))
    assert out.shape == RGB.shape and out.dtype == np.uint8


def test_cmyk_jpeg_is_converted_to_rgb():
    pil = Image.fromarray(RGB).convert("CMYK")
    out = read_image(encode(pil, "JPEG"))
    assert out.shape == RGB.shape


def test_16_bit_is_rescaled_to_full_range():
    data16 = (np.linspace(0, 4000, 20 * 20).reshape(20, 20)).astype(np.uint16)
    out = read_image(encode(Image.fromarray(data16)))
    assert out.dtype == np.uint8 and out.shape == (20, 20)
    assert out.max() == 255 and out.min() == 0


def test_keep_integers_keeps_16_bit_values():
    data16 = (np.linspace(0, 4000, 20 * 20).reshape(20, 20)).astype(np.uint16)
    out = read_image(encode(Image.fromarray(data16)), keep_integers=True)
    assert out.dtype == np.int32 and np.array_equal(out, data16)
    rgb = read_image(encode(Image.fromarray(RGB)), keep_integers=True)  # 8-bit files are unchanged
    assert rgb.dtype == np.uint8 and np.array_equal(rgb, RGB)


def test_float_tiff_is_converted():
    data = np.linspace(0, 1, 16 * 16, dtype=np.float32).reshape(16, 16)
    out = read_image(encode(Image.fromarray(data), "TIFF"))
    assert out.dtype == np.uint8 and out.max() == 255 and out[0, 0] == 0


def test_exif_orientation_is_applied():
    pil = Image.fromarray(np.zeros((10, 20, 3), np.uint8))
    exif = pil.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    out = read_image(encode(pil, "JPEG", exif=exif))
    assert out.shape[:2] == (20, 10)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_matches_pillow(orientation):
    from PIL import ImageOps

    pil = Image.fromarray(RGB)
    exif = pil.getexif()
    exif[0x0112] = orientation
    data = encode(pil, "PNG", exif=exif)
    want = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"))
    assert np.array_equal(read_image(data), want)


def test_max_side_fits_and_jpeg_decodes_at_a_reduced_scale():
    big = np.zeros((1200, 1600, 3), np.uint8)
    big[:, :800] = (200, 30, 30)
    jpeg = encode(big, "JPEG", quality=90)
    out = read_image(jpeg, max_side=400)
    assert out.shape == (300, 400, 3)
    assert abs(int(out[150, 100, 0]) - 200) <= 3 and out[150, 300, 0] <= 3
    png = read_image(encode(big), max_side=400)
    assert png.shape == (300, 400, 3)
    assert np.array_equal(png, I.fit_working_size(big, 400))


def test_palette_with_transparency_and_gray_palette():
    pil = Image.fromarray(RGB).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    index = int(np.asarray(pil)[0, 0])
    out = read_image(encode(pil, transparency=index))
    assert out.shape == RGB.shape and tuple(out[0, 0]) == (255, 255, 255)
    gray = Image.fromarray(RGB[..., 0]).convert("P")
    assert read_image(encode(gray)).ndim == 2


def test_float_tiff_with_nan_and_inf_is_rescaled_like_nan_to_num():
    data = np.linspace(0, 4, 16 * 16, dtype=np.float32).reshape(16, 16)
    data[0, 0], data[0, 1] = np.nan, np.inf
    out = read_image(encode(Image.fromarray(data), "TIFF"))
    clean = np.nan_to_num(data.astype(np.float64), nan=0, posinf=0, neginf=0)
    assert np.array_equal(out, np.round(clean / clean.max() * 255).astype(np.uint8))


def test_first_frame_of_animation():
    frames = [Image.fromarray(np.full((10, 10), v, np.uint8)) for v in (0, 255)]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:])
    out = read_image(buf.getvalue())
    assert out.max() == 0


# ----------------------------------------------------------------------------- bad uploads
def _png_bomb(width=100_000, height=100_000) -> bytes:
    """A tiny PNG whose header declares a huge image."""
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(b"IEND", b"")


BAD = {
    "empty": (b"", "empty"),
    "text": (b"hello, this is a text file\n" * 10, "not an image"),
    "pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "not an image"),
    "zip": (b"PK\x03\x04" + b"\0" * 100, "not an image"),
    "pickle": (b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01.", "not an image"),
    "random": (bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8)), "not an image"),
    "html": (b"<html><body><img src=x></body></html>", "not an image"),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>', "not an image"),
    "png_signature_only": (b"\x89PNG\r\n\x1a\n", "not an image|damaged"),
    "truncated_png": (encode(RGB)[: len(encode(RGB)) // 2], "damaged or truncated"),
    "truncated_jpeg": (encode(RGB, "JPEG")[:200], "damaged or truncated"),
    "corrupt_png_body": (encode(RGB)[:60] + b"\0" * 200 + encode(RGB)[260:], "damaged|not an image"),
    "bomb": (_png_bomb(), "too large"),
    "too_small": (encode(np.zeros((4, 4), np.uint8)), "too small"),
    "one_pixel_high": (encode(np.zeros((1, 500), np.uint8)), "too small"),
    "wide_but_thin": (encode(np.zeros((7, 9, 3), np.uint8)), "too small"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_uploads_raise_a_readable_message(case):
    data, message = BAD[case]
    with pytest.raises(ImageError, match=f"(?i){message}") as info:
        read_image(data)
    assert isinstance(info.value, ValueError)
    assert "Traceback" not in str(info.value)


def test_pixel_limit_is_a_setting():
    with pytest.raises(ImageError, match="too large"):
        read_image(encode(RGB), max_pixels=100)


def test_non_bytes_input():
    with pytest.raises(ImageError):
        read_image("not bytes")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- working size & helpers
def test_fit_working_size_downscales_longest_side():
    big = np.zeros((300, 1200, 3), np.uint8)
    out = I.fit_working_size(big, 600)
    assert out.shape == (150, 600, 3) and out.dtype == np.uint8
    small = np.zeros((30, 40), np.uint8)
    assert I.fit_working_size(small, 600) is small


def test_fit_working_size_float_and_bad_size():
    out = I.fit_working_size(np.ones((100, 50)), 20)
    assert out.shape == (20, 10) and np.allclose(out, 1.0)
    with pytest.raises(ValueError, match="at least"):
        I.fit_working_size(RGB, 2)


def test_conversions():
    assert I.to_gray(RGB).shape == (40, 30)
    assert I.to_gray(RGB[..., 0]).max() <= 1.0
    assert I.to_rgb(RGB[..., 0]).shape == (40, 30, 3)
    assert I.to_rgb(np.ones((5, 5))).max() == 255
    assert I.as_float(np.array([[0, 65535]], np.uint16)).tolist() == [[0.0, 1.0]]
    # what the docstring says: floats clipped to [0, 1], signed integers mapped from their range
    assert I.as_float(np.array([-0.5, 0.25, 3.0])).tolist() == [0.0, 0.25, 1.0]
    assert I.as_float(np.array([-128, 127], np.int8)).tolist() == [0.0, 1.0]
    assert I.as_float(np.array([True, False])).tolist() == [1.0, 0.0]
    assert I.to_gray(np.full((9, 9), 2.0)).max() == 1.0
    assert I.as_float(RGB).dtype == np.float64 and I.as_float(RGB).max() <= 1.0
    with pytest.raises(ValueError, match="gray"):
        I.to_gray(np.zeros((3, 3, 3, 3)))


def test_check_image_messages():
    with pytest.raises(ValueError, match="too small"):
        I.check_image(np.zeros((5, 50)))
    with pytest.raises(ValueError, match="NaN"):
        I.check_image(np.full((10, 10), np.nan))
    assert I.check_image(RGB) is not None


def test_digest_depends_on_every_byte():
    a = np.zeros((1000, 1000), np.uint8)
    b = a.copy()
    b[567, 891] = 1
    assert I.image_digest(a) != I.image_digest(b)
    assert I.image_digest(a) == I.image_digest(a.copy())
    assert I.image_digest(a) != I.image_digest(a.astype(np.uint16))


def test_png_bytes_round_trip_8_and_16_bit():
    labels = (np.arange(50 * 40).reshape(50, 40) % 700).astype(np.int64)
    out = np.asarray(Image.open(io.BytesIO(I.to_png_bytes(labels))))
    assert np.array_equal(out.astype(np.int64), labels)
    small = np.arange(100).reshape(10, 10)
    assert np.asarray(Image.open(io.BytesIO(I.to_png_bytes(small)))).dtype == np.uint8
    # ids outside 0…65535 are renumbered compactly (order kept), never refused silently
    sparse = np.array([[0, 2**31 - 1], [70_000, 0]], np.int64)
    out = np.asarray(Image.open(io.BytesIO(I.to_png_bytes(sparse))))
    assert out.tolist() == [[0, 2], [1, 0]]
    assert I.png_label_problem(sparse) is None
    assert np.asarray(Image.open(io.BytesIO(I.to_png_bytes(np.array([[-1, 2]]))))).tolist() == [[0, 1]]


def test_png_refuses_more_labels_than_a_png_holds_with_a_message():
    many = np.arange(70_000, dtype=np.int32).reshape(280, 250) + 100_000
    problem = I.png_label_problem(many)
    assert problem is not None and "70,000 different ids" in problem and ".npy" in problem
    with pytest.raises(ValueError, match="at most 65,536"):
        I.to_png_bytes(many)
    assert I.png_label_problem(np.arange(300).reshape(15, 20)) is None  # the common case: no check needed


def test_importing_core_imports_no_streamlit():
    code = (
        "import sys, pkgutil, importlib, core\n"
        "for m in pkgutil.walk_packages(core.__path__, 'core.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('streamlit', 'streamlit_drawable_canvas', 'ui', 'pages')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
