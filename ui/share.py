"""Share links, "Reproduce in Python" and downloads: the same footer on every page."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit, urlunsplit

import numpy as np
import pandas as pd
import streamlit as st

from core.images import png_label_problem, to_png_bytes
from ui.params import escape_md

__all__ = ["clean_filename", "download_bytes", "download_csv", "download_npy", "download_png", "footer",
           "share_link", "stem"]

#: Extensions a download name may carry inside it (from an upload's name): "photo.jpg_labels.png" → "photo_labels.png".
_INNER_EXTENSIONS = re.compile(r"\.(jpe?g|png|tiff?|bmp|gif|webp|csv|npy|py|json|skops|txt)(?=[._\-]|$)", re.I)
_UNSAFE = re.compile(r"[^\w.\-]+")


def stem(name: str) -> str:
    """A file-name stem from an image name (a sample, or an upload's file name): no extension, safe characters."""
    name = _INNER_EXTENSIONS.sub("", str(name).rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
    return (_UNSAFE.sub("_", name).strip("._") or "image")[:60]


def clean_filename(filename: str) -> str:
    """One extension, safe characters, bounded length: ``"My photo.JPG_labels.png.png"`` → ``"My_photo_labels.png"``."""
    filename = str(filename).rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    base, dot, ext = filename.rpartition(".")
    if not dot or not base:
        base, ext = filename, ""
    base = _UNSAFE.sub("_", _INNER_EXTENSIONS.sub("", base)).strip("._") or "download"
    ext = _UNSAFE.sub("", ext)[:8]
    return base[:100] + (f".{ext}" if ext else "")


def share_link(ps) -> str:
    """The URL of this page with the current settings in its query string."""
    query = ps.query()
    try:
        url = st.context.url or ""
    except Exception:
        url = ""
    if url:
        parts = urlsplit(url)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    return ("?" + urlencode(query)) if query else "?"


def footer(ps, *, code: str | None = None, filename: str | None = None, note: str | None = None,
           agreement: str | None = None) -> None:
    """Publish the settings to the URL and render the share box and the reproduce expander.

    Parameters
    ----------
    ps : ui.params.ParamSet
    code : str, optional
        The "Reproduce in Python" script for the current values.
    filename : str, optional
        The script's download name (default ``"<page>.py"``).
    note : str, optional
        A caption under the share link (e.g. "your upload does not travel in the link").
    agreement : str, optional
        How closely the script matches the page (``core.reproduce.agreement(page)``).
    """
    ps.publish()
    st.divider()
    left, right = st.columns(2)
    with left:
        st.markdown("**:material/link: Share this view**")
        st.code(share_link(ps), language=None, wrap_lines=True)
        caption = "Copy the link (button at the right of the box): it opens this page with these settings."
        if ps.fields.get("image") is not None and ps.value("image") == "upload":
            caption += " Your uploaded image cannot travel in a link; the link opens the default sample."
        if note:
            caption += " " + note
        st.caption(caption)
        # Written on click, like every download here: a file made on each rerun is replaced by the next rerun's,
        # and a browser that lags behind (a class on 2 cores) then asks for one already gone (a 404).
        settings = ps.schema.to_json(ps.values())
        st.download_button("Download settings (.json)", data=lambda: settings.encode(), on_click="ignore",
                           file_name=clean_filename(f"{ps.page}_settings.json"), mime="application/json",
                           key=f"{ps.page}:download_settings", icon=":material/settings:",
                           help="The same settings as the link, as a file: `python -m imlab run FILE INPUT…` "
                                "applies them to a folder of images.")
    with right:
        if code:
            with st.expander("Reproduce in Python", icon=":material/code:", expanded=False):
                st.caption("Plain numpy, scikit-image and scikit-learn: no import of this app."
                           + (f" Matches the page: {agreement}" if agreement else ""))
                st.code(code, language="python")
            st.download_button(
                "Download the script (.py)",
                data=lambda: code.encode(),
                file_name=clean_filename(filename or f"{ps.page}.py"),
                mime="text/x-python",
                key=f"{ps.page}:download_script",
                on_click="ignore",
            )


def download_png(label: str, array: np.ndarray | Callable[[], np.ndarray], filename: str, *, key: str | None = None,
                 container=None) -> None:
    """A download button for an image or label array as PNG (16-bit for many labels), encoded on click.

    Label ids beyond 0…65535 are renumbered compactly (see :func:`core.images.to_png_bytes`); a label array
    with more ids than a PNG can hold gets a visible message instead of a button that would do nothing.
    ``array`` may be a callable that computes the array on click (a full-resolution picture the page shows
    smaller): it is not checked first, so it must hold few labels (cluster ids, colours).
    """
    problem = None if callable(array) else png_label_problem(array)
    if problem:
        (container or st).caption(f":material/block: {escape_md(label, 80)}: {escape_md(problem, 300)}")
        return
    data = (lambda: to_png_bytes(array())) if callable(array) else (lambda: to_png_bytes(array))
    download_bytes(label, data, filename, "image/png", key=key, container=container)


def download_csv(label: str, table: pd.DataFrame, filename: str, *, key: str | None = None, container=None) -> None:
    """A download button for a table as CSV, written on click."""
    download_bytes(label, lambda: table.to_csv(index=False).encode(), filename, "text/csv", key=key,
                   container=container)


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def download_npy(label: str, array: np.ndarray, filename: str, *, key: str | None = None, container=None) -> None:
    """A download button for an array as ``.npy``, written on click."""
    download_bytes(label, lambda: _npy_bytes(array), filename, "application/octet-stream", key=key,
                   container=container)


def download_bytes(label: str, data: bytes | Callable[[], bytes], filename: str, mime: str, *,
                   key: str | None = None, container=None) -> None:
    """A download button for raw bytes, or for a callable that returns them when the button is clicked.

    The file helpers above pass a callable, so a rerun (every slider move) never encodes a PNG, CSV or
    ``.npy`` that nobody downloads. The arrays and tables they capture must not be modified afterwards.
    """
    filename = clean_filename(filename)
    (container or st).download_button(label, data=data, file_name=filename, mime=mime, key=key or f"dl:{filename}",
                                      on_click="ignore")  # a click only downloads (the default also reruns the page)
