"""The shared image input: bundled samples or an upload, at the working size."""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass

import numpy as np
import streamlit as st

from core.images import SAMPLES, ImageError, fit_working_size, image_digest, read_image
from ui.cache import sample
from ui.memory import SAMPLE_SIZES_KEPT, UPLOAD_KEEP_SIDE
from ui.params import escape_md

__all__ = ["ImageInput", "current_upload", "image_input", "sample_at", "upload_note", "WORKING_SIZES"]

_UPLOAD = "_upload"  # session key: the last good upload (decoded), shared by every page
_UPLOAD_ERROR = "_upload_error"
_UPLOAD_SEEN = "_upload_seen"  # page → id of the upload that page has switched to (once; then the person decides)
_WORKING_SIZE = "working_size"
#: Choices for the longest side the pages work at, in pixels.
WORKING_SIZES = [256, 384, 512, 768, 1024, 1536, 2048]


def _default_working_size() -> int:
    """The sidebar's working size for a new session: 1024 px, or the deploy's ``IMLAB_WORKING_SIZE`` (one of
    :data:`WORKING_SIZES`; e.g. 512 on a small instance: every first stage then handles a quarter of the pixels).
    """
    text = os.environ.get("IMLAB_WORKING_SIZE", "").strip()
    if not text:
        return 1024
    if not text.isdigit() or int(text) not in WORKING_SIZES:
        logging.getLogger(__name__).warning("IMLAB_WORKING_SIZE must be one of %s (pixels); got %r: using 1024.",
                                            WORKING_SIZES, text)
        return 1024
    return int(text)


#: The working size a new session starts with.
DEFAULT_WORKING_SIZE = _default_working_size()
#: Uploads are kept in memory at most this large (longest side) — the largest working size.
_KEEP_SIDE = UPLOAD_KEEP_SIDE
assert _KEEP_SIDE == max(WORKING_SIZES)


@dataclass(frozen=True)
class ImageInput:
    """The image a page works on.

    Attributes
    ----------
    image : ndarray of uint8
        ``(H, W, 3)`` RGB or ``(H, W)`` gray, at the working size.
    name : str
        The sample's name, or the uploaded file's name.
    digest : str
        Digest of ``image`` (a cache key).
    is_upload : bool
        True for an uploaded file (it cannot travel in a share link).
    original_shape : tuple
        Shape before fitting to the working size.
    """

    image: np.ndarray
    name: str
    digest: str
    is_upload: bool
    original_shape: tuple


@functools.lru_cache(maxsize=SAMPLE_SIZES_KEPT)
def sample_at(name: str, max_side: int) -> tuple[np.ndarray, str]:
    """A bundled sample fitted to ``max_side`` (read-only, shared) and its digest, computed once per process."""
    image = fit_working_size(sample(name), max_side)
    image.setflags(write=False)
    return image, image_digest(image)


def _original_shape(data: bytes, fallback: tuple) -> tuple:
    """The upload's upright (H, W[, C]) before fitting (from the header; no second decode)."""
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as pil:
            width, height = pil.size
            if pil.getexif().get(0x0112, 1) in (5, 6, 7, 8):
                width, height = height, width
    except Exception:
        return fallback
    return (height, width) + tuple(fallback[2:])


def _on_upload(uploader_key: str, image_key: str, page: str) -> None:
    file = st.session_state.get(uploader_key)
    st.session_state.pop(_UPLOAD_ERROR, None)
    if file is None:
        return
    data = file.getvalue()
    try:
        image = read_image(data, max_side=_KEEP_SIDE)  # decoded straight to the largest working size
    except ImageError as err:
        st.session_state[_UPLOAD_ERROR] = f"**{escape_md(file.name)}**: {escape_md(err, 400)}"
        return
    image.setflags(write=False)
    previous = st.session_state.get(_UPLOAD)
    upload_id = (previous["id"] + 1) if previous else 1
    st.session_state[_UPLOAD] = {"name": file.name, "image": image, "id": upload_id, "page": page,
                                 "original_shape": _original_shape(data, image.shape)}
    st.session_state[image_key] = "upload"
    st.session_state.setdefault(_UPLOAD_SEEN, {})[page] = upload_id


def _upload_at(upload: dict, max_side: int) -> tuple[np.ndarray, str]:
    """The upload fitted to ``max_side`` and its digest, kept for the last size asked (no resize per rerun)."""
    fitted = upload.get("_fitted")
    if fitted is None or fitted[0] != max_side:
        image = fit_working_size(upload["image"], max_side)
        if image is not upload["image"]:
            image.setflags(write=False)
        fitted = (max_side, image, image_digest(image))
        upload["_fitted"] = fitted
    return fitted[1], fitted[2]


def current_upload() -> dict | None:
    """The session's last good upload: ``{"name", "image" (uint8, ≤ 2048 px), "original_shape", "id", "page"}``."""
    return st.session_state.get(_UPLOAD)


def upload_note(uses: str) -> None:
    """For pages that do not take the shared image: say so, and what they use, when an upload is waiting.

    ``uses`` is one short sentence ("This page stitches 2–3 photos of its own uploader.").
    """
    upload = current_upload()
    if upload is None:
        return
    st.sidebar.caption(f":material/info: {uses} Your upload **{escape_md(upload['name'])}** stays the image of "
                       "the other pages.")


def _adopt_upload(ps, image_key: str) -> None:
    """Make a new upload the current image of this page, once (then the person's own choice counts).

    A link opened this run (``ps.from_link`` holds ``image``) wins over the upload.
    """
    upload = current_upload()
    if upload is None:
        return
    seen = st.session_state.setdefault(_UPLOAD_SEEN, {})
    upload_id = upload.get("id", 0)
    if seen.get(ps.page) == upload_id:
        return
    seen[ps.page] = upload_id
    if "image" in getattr(ps, "from_link", ()):
        return
    st.session_state[image_key] = "upload"


def working_size() -> int:
    """The longest side, in pixels, pages work at (a sidebar setting, default :data:`DEFAULT_WORKING_SIZE`)."""
    return int(st.session_state.get(_WORKING_SIZE, DEFAULT_WORKING_SIZE))


def working_size_control(container=None) -> int:
    """Render the shared "working size" setting (pages without ``image_input`` call it themselves)."""
    st.session_state.setdefault(_WORKING_SIZE, DEFAULT_WORKING_SIZE)
    (container or st).select_slider(
        "Working size (longest side, px)",
        options=WORKING_SIZES,
        key=_WORKING_SIZE,
        persist_state="session",
        help="Larger images are downscaled to this size for interactive work.",
    )
    return working_size()


def image_input(ps, *, container=None, label: str = "Image", gray_note: str | None = None) -> ImageInput:
    """Render the sample picker and uploader; return the image to work on.

    Parameters
    ----------
    ps : ui.params.ParamSet
        The page's parameters; must have been created with ``image=<default sample>``.
    container : Streamlit container, optional
        Where to render (default: the sidebar).
    label : str
        The picker's label.
    gray_note : str, optional
        A caption shown when the page converts colour input to gray.
    """
    container = container or st.sidebar
    image_key = ps.key("image")
    uploader_key = f"{ps.page}:uploader"
    with container:
        st.subheader(label)
        _adopt_upload(ps, image_key)
        upload = st.session_state.get(_UPLOAD)
        if ps.value("image") == "upload" and upload is None:
            st.session_state[image_key] = ps.fields["image"].default
            st.info("An uploaded image cannot travel in a link: showing a bundled sample instead. Upload yours below.")

        def fmt(option: str) -> str:
            if option == "upload":
                name = upload["name"] if len(upload["name"]) <= 40 else upload["name"][:39] + "…"
                return f"Your upload: {name}" if upload else "Your upload (choose a file below)"
            return option

        options = (["upload"] if upload else []) + list(SAMPLES)
        choice = st.selectbox(
                label, options=options, format_func=fmt, key=image_key, label_visibility="collapsed",
                persist_state="session",
            )
        if choice != "upload":
            st.caption(SAMPLES[choice])
        else:
            where = "" if upload.get("page") in (None, ps.page) else " (uploaded on another page)"
            st.caption(f":material/upload_file: **{escape_md(upload['name'])}**{where} is the image of every page "
                       "until you pick a sample.")
        st.file_uploader(
            "Upload an image",
            type=["png", "jpg", "jpeg", "tif", "tiff", "bmp", "gif", "webp"],
            key=uploader_key,
            on_change=_on_upload,
            args=(uploader_key, image_key, ps.page),
            help="PNG, JPEG, TIFF, BMP, GIF or WebP. It stays in this browser session's memory only.",
        )
        if st.session_state.get(_UPLOAD_ERROR):
            st.error(st.session_state[_UPLOAD_ERROR], icon=":material/block:")
        working_size_control()
        max_side = working_size()
        if choice == "upload":
            image, digest = _upload_at(upload, max_side)
            result = ImageInput(image, upload["name"], digest, True, upload.get("original_shape", image.shape))
        else:
            image, digest = sample_at(choice, max_side)
            result = ImageInput(image, choice, digest, False, sample(choice).shape)
        height, width = result.image.shape[:2]
        oh, ow = result.original_shape[:2]
        kind = "gray" if result.image.ndim == 2 else "colour"
        if (oh, ow) != (height, width):
            st.caption(f"Working at {width}×{height} ({kind}); original {ow}×{oh}.")
        else:
            st.caption(f"{width}×{height} pixels, {kind}.")
        if gray_note and result.image.ndim == 3:
            st.caption(gray_note)
    return result
