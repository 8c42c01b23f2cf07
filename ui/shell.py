"""Keep every run inside app.py's navigation, even a fresh server's first deep link.

Streamlit decides at start-up that an app with a ``pages/`` folder is a legacy (v1) multipage
app and only learns otherwise when ``st.navigation`` first runs. Until then a first visit to a
deep link (``/thresholding?k=…``, i.e. every share link) runs the page file on its own — without
app.py's layout and navigation. Pages call :func:`ensure_navigation` (through ``ParamSet``) so that
such a run switches the process to ``st.navigation`` mode and reruns through app.py.
"""

from __future__ import annotations

import streamlit as st


def ensure_navigation() -> None:
    """Rerun through app.py's ``st.navigation`` if Streamlit started this run in legacy pages mode."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a future Streamlit without the legacy mode
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()
