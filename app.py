"""Image ML Lab — the entry point: navigation and the shared sidebar."""

import streamlit as st

from ui.memory import tune_allocator
from ui.registry import PAGES

tune_allocator()  # big arrays go back to the OS when freed: the server's memory stays bounded

st.set_page_config(page_title="Image ML Lab", page_icon="🔬", layout="wide")

sections: dict[str, list] = {"": [st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)]}
for info in PAGES:
    sections.setdefault(info.section, []).append(
        st.Page(info.path, title=info.title, icon=info.icon, url_path=info.path.split("/")[-1][:-3])
    )

page = st.navigation(sections)
with st.sidebar:
    st.caption(
        "**Image ML Lab** — the scikit-image tutorial *Image processing and machine learning*, live. "
        "Every page's settings travel in its link."
    )
page.run()
