import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook, which turns the group marks into node ids
def pytest_collection_modifyitems(config, items):
    """Keep what shares a process-wide fixture on one pytest-xdist worker (``-n auto --dist loadgroup``).

    The browser tests are two groups, the tour and the canvases, each on one worker with its own server and
    Chromium (they mostly wait on the browser, so two of them overlap well); each page's bad-input sweep reuses one
    AppTest session. The browser tests come first, so their workers start on them while the others take the rest.
    """
    items.sort(key=lambda item: not item.nodeid.startswith("tests/e2e/"))  # stable: otherwise in collection order
    for item in items:
        if item.nodeid.startswith("tests/e2e/"):
            tour = item.nodeid.startswith("tests/e2e/test_browser_tour.py")
            item.add_marker(pytest.mark.xdist_group("browser:tour" if tour else "browser:canvas"))
        elif item.nodeid.startswith("tests/app/test_sweep.py"):
            page = getattr(item, "callspec", None) and item.callspec.params.get("page")
            if page:
                item.add_marker(pytest.mark.xdist_group(f"sweep:{page}"))


def pytest_runtest_setup(item):
    """Under pytest-xdist, browser tests run at normal priority and the rest a little lower (``nice`` 5).

    A browser test waits on a server and Chromium (which inherit its worker's priority); at equal priority the
    other workers' CPU-bound tests would slow every one of its page loads. Without the right to raise priority
    again (not root), nothing changes.
    """
    import os

    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, 0, 0 if item.nodeid.startswith("tests/e2e/") else 5)
    except (OSError, AttributeError):
        pass
