"""AppTest helpers: run the real app (app.py with st.navigation) headless."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def _run_through_app_navigation() -> None:
    """Make every AppTest run go through app.py's ``st.navigation``, as a running server does.

    AppTest resets Streamlit's "legacy pages/ folder" flag before every run, so each run would first
    execute the page file alone and then rerun through app.py (``ui.shell.ensure_navigation``) — a
    rerun that swallows button clicks. A real server clears the flag once, on its first run; this does
    the same for the tests. (The fresh-server case itself is covered by the browser tests.)
    """
    from streamlit.runtime import pages_manager

    original = pages_manager.PagesManager.__init__
    if getattr(original, "_imgml_patched", False):
        return

    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        pages_manager.PagesManager.uses_pages_directory = False

    __init__._imgml_patched = True
    pages_manager.PagesManager.__init__ = __init__


_run_through_app_navigation()


def app_test(page: str | None = None, *, query: dict | None = None, timeout: float = 60,
             working_size: int = 256, session_state: dict | None = None) -> AppTest:
    """An AppTest of app.py, switched to ``page`` (e.g. "pages/digits.py") and run once.

    ``query`` sets the URL query string before the first run (a shared link); ``working_size`` (the
    sidebar setting) defaults to 256 px to keep the suite fast; ``session_state`` is set before the first
    run (e.g. an injected upload: ``{"_upload": {...}, "<page>:image": "upload"}``).
    """
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.session_state["working_size"] = working_size
    for key, value in (session_state or {}).items():
        at.session_state[key] = value
    if page is not None:
        at.switch_page(page)
    if query:
        at.query_params.update(query)
    return at.run()


def texts(at: AppTest) -> str:
    """All markdown, captions, infos, warnings, errors and titles of a run, joined (for assertions)."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts.extend(str(e.value) for e in getattr(at, kind))
    return "\n".join(parts)


def metric(at: AppTest, label: str) -> str:
    """The value of the first ``st.metric`` labelled ``label``."""
    return next(m.value for m in at.metric if m.label == label)


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture
def make_app():
    return app_test
