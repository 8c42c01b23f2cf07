"""Image ML Lab — the entry point: navigation and the shared sidebar."""

import streamlit as st

from ui.images import upload_note
from ui.memory import tune_allocator
from ui.registry import PAGES

tune_allocator()  # big arrays go back to the OS when freed: the server's memory stays bounded

st.set_page_config(page_title="Image ML Lab", page_icon=":material/biotech:", layout="wide")

sections: dict[str, list] = {"": [st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)]}
for info in PAGES:
    sections.setdefault(info.section, []).append(
        st.Page(info.path, title=info.title, icon=info.icon, url_path=info.path.split("/")[-1][:-3])
    )

page = st.navigation(sections)
info = next((p for p in PAGES if p.path.split("/")[-1][:-3] == page.url_path), None)
if info is not None and info.uses:
    upload_note(info.uses)  # an upload is the image of every page; say what this one uses instead
page.run()
with st.sidebar:  # last, so that on a 768 px projector the page's own image and settings come first
    st.caption(
        "**Image ML Lab** — the scikit-image tutorial *Image processing and machine learning*, live. "
        "Every page's settings travel in its link."
    )
