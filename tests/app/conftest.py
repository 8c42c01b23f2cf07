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


def _share_what_every_apptest_rebuilds() -> None:
    """Make AppTest runs cheaper by sharing what Streamlit 1.67's AppTest rebuilds for every run, test-side only.

    Measured (10 × a new AppTest of Thresholding run twice): 3.8 s wall / 1.8 s CPU → 0.5 s / 0.4 s. Each piece is
    state a real server also keeps once per process:

    * **Compiled scripts** — every ``AppTest.run`` makes a new ``ScriptCache``, so app.py and the page are read,
      magic-transformed and compiled again on each run; a server compiles each once. One cache is shared here.
    * **Component discovery** — every new AppTest scans the metadata of every installed distribution for v2
      components (``BidiComponentManager.discover_and_register_components``); a server does it at start. It is
      done once here and the registry is shared.
    * **Waiting for a run** — ``require_widgets_deltas`` polls every millisecond, taking the GIL from the script's
      thread each time; here the caller joins that thread (it emits SHUTDOWN before it returns), with the same
      timeout and the same error.

    ``tests/app/test_apptest_harness.py`` checks each of these is in effect, and fails loudly if Streamlit renames
    what they replace.
    """
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test as apptest_module
    from streamlit.testing.v1 import local_script_runner

    if getattr(apptest_module, "_imgml_shared", False):
        return
    shared_cache = ScriptCache()
    apptest_module.ScriptCache = lambda: shared_cache  # the pages' cache (PagesManager)
    local_script_runner.ScriptCache = lambda: shared_cache  # the main script's (ScriptRunner)

    registry = apptest_module.BidiComponentManager()
    registry.discover_and_register_components(start_file_watching=False)
    registry.discover_and_register_components = lambda **kwargs: None  # done: every AppTest gets this registry
    apptest_module.BidiComponentManager = lambda: registry

    def require_widgets_deltas(runner, timeout: float = 3) -> None:
        thread = runner._script_thread
        if thread is not None:
            thread.join(timeout)
        if not runner.script_stopped():
            runner.request_stop()
            runner.join()
            raise RuntimeError(f"AppTest script run timed out after {timeout}(s)")

    local_script_runner.require_widgets_deltas = require_widgets_deltas
    apptest_module._imgml_shared = True
    apptest_module._imgml_script_cache = shared_cache


_share_what_every_apptest_rebuilds()


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


def trainable_opened_on(preset: str, **overrides) -> dict:
    """Session state that opens the trainable segmentation page on one of its presets, with ``overrides`` (e.g.
    ``trees=10`` where a test checks messages or fit counts, not accuracy), as on a second visit."""
    from core.trainable.schema import PRESETS

    values = {**PRESETS[preset], **overrides}
    return {**{f"trainable_segmentation:{k}": v for k, v in values.items()}, "trainable_segmentation:_opened": True}


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


@pytest.fixture
def offered(monkeypatch) -> dict:
    """The files the page offers for download while the test runs it: file name → the array or table."""
    from ui import share

    files = {}
    real_png, real_csv = share.download_png, share.download_csv

    def png(label, array, filename, **kw):
        files[filename] = array() if callable(array) else array  # a callable: what a click would download
        return real_png(label, array, filename, **kw)

    def csv(label, table, filename, **kw):
        files[filename] = table
        return real_csv(label, table, filename, **kw)

    monkeypatch.setattr(share, "download_png", png)
    monkeypatch.setattr(share, "download_csv", csv)
    return files
