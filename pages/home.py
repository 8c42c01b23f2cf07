"""Home: what the app is, a card per page, and the tutorial tour (one line per cell, each a link)."""

import io
from pathlib import Path

import streamlit as st
from PIL import Image

from ui import tour
from ui.cache import cache_data
from ui.registry import PAGES

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
THUMB_SIZE = (640, 360)  # 16:9, every card the same height

st.title(":material/biotech: Image ML Lab")
st.markdown(
    "Classical image processing meets machine learning, one technique per page — the scikit-image tutorial "
    "**Image processing and machine learning**, made live. A *sample* can be a whole image (digits), a pixel "
    "(thresholding, colour clustering, superpixels, trainable segmentation), a keypoint (panorama) or a labelled "
    "object (object clustering). Move a slider and the result updates; pick a bundled image or upload your own "
    "(an upload becomes the image of every page); copy the link at the bottom of any page to share exactly what "
    "you see, and open *Reproduce in Python* for the plain scikit-image / scikit-learn code behind it."
)
st.caption(":material/school: Teaching from the tutorial? The **tour** below opens each of its cells, in order.")


def thumbnail(stem: str) -> bytes | None:
    """The page's thumbnail (its largest result, else its screenshot), cropped to 16:9, as JPEG bytes."""
    for path in (SCREENSHOTS / "thumbs" / f"{stem}.jpg", SCREENSHOTS / f"{stem}.jpg"):
        if path.exists():
            return _thumbnail(str(path), path.stat().st_mtime)
    return None


@cache_data(max_entries=32)
def _thumbnail(path: str, mtime: float) -> bytes:
    """Encoded once per file version (``mtime`` is part of the key), shared by every session."""
    with Image.open(path) as pil:
        pil = pil.convert("RGB")
        width, height = pil.size
        target = THUMB_SIZE[0] / THUMB_SIZE[1]
        if width / height > target:  # too wide: keep the centre
            crop_w = round(height * target)
            box = ((width - crop_w) // 2, 0, (width - crop_w) // 2 + crop_w, height)
        else:  # too tall: keep the middle
            crop_h = round(width / target)
            box = (0, (height - crop_h) // 2, width, (height - crop_h) // 2 + crop_h)
        pil = pil.crop(box).resize(THUMB_SIZE, Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        pil.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


st.header("Pages", divider="gray")
for row in range(0, len(PAGES), 3):
    for column, info in zip(st.columns(3), PAGES[row:row + 3]):
        with column.container(border=True, height="stretch"):  # columns of a row share a height: even cards
            shot = thumbnail(Path(info.path).stem)
            if shot:
                st.image(shot, width="stretch")
            st.markdown(f"**{info.title}**")  # wraps on a narrow screen (a page link's label would be cut)
            st.caption(info.blurb)
            st.page_link(info.path, label="Open", icon=info.icon, help=f"Open {info.title}")

st.header("The tutorial, cell by cell", divider="gray", anchor="tour")
st.caption("One line per cell (or run of cells) and exercise of the tutorial, in its order. Each link opens the page "
           "on the tutorial's own setting and image; from there, every slider is yours.")
paths = {Path(p.path).stem: p for p in PAGES}
section = None
for step in tour.STEPS:
    if step.section != section:
        section = step.section
        st.markdown(f"**{section}**")
    info = paths[step.page]
    try:
        query = tour.query(step)
    except (KeyError, ImportError):  # a preset renamed: the page still opens, on its defaults
        query = None
    st.page_link(info.path, label=step.text, icon=info.icon, query_params=query, width="stretch",
                 help=f"The tutorial's {step.cells} on the {info.title} page.")
