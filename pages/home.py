"""Home: what the app is, and a card per page."""

from pathlib import Path

import streamlit as st

from ui.registry import PAGES

SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"

st.title(":material/biotech: Image ML Lab")
st.markdown(
    "Classical image processing meets machine learning, one technique per page — the scikit-image tutorial "
    "**Image processing and machine learning**, made live. A *sample* can be a whole image (digits), a pixel "
    "(thresholding, colour clustering, superpixels, trainable segmentation), a keypoint (panorama) or a labelled "
    "object (object clustering). Move a slider and the result updates; pick a bundled image or upload your own; "
    "copy the link at the bottom of any page to share exactly what you see, and open *Reproduce in Python* for "
    "the plain scikit-image / scikit-learn code behind it."
)

columns = st.columns(3)
for i, info in enumerate(PAGES):
    with columns[i % 3].container(border=True):
        shot = SCREENSHOTS / f"{Path(info.path).stem}.jpg"
        if shot.exists():
            st.image(str(shot), width="stretch")
        st.page_link(info.path, label=f"**{info.title}**", icon=info.icon)
        st.caption(info.blurb)
