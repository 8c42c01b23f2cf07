import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook, which turns the group marks into node ids
def pytest_collection_modifyitems(config, items):
    """Keep what shares a process-wide fixture on one pytest-xdist worker (``-n auto --dist loadgroup``).

    The browser tests share one server and one Chromium; each page's bad-input sweep reuses one AppTest session.
    The browser tests come first, so their worker starts on them while the others take the rest.
    """
    items.sort(key=lambda item: not item.nodeid.startswith("tests/e2e/"))  # stable: otherwise in collection order
    for item in items:
        if item.nodeid.startswith("tests/e2e/"):
            item.add_marker(pytest.mark.xdist_group("browser"))
        elif item.nodeid.startswith("tests/app/test_sweep.py"):
            page = getattr(item, "callspec", None) and item.callspec.params.get("page")
            if page:
                item.add_marker(pytest.mark.xdist_group(f"sweep:{page}"))


def pytest_xdist_auto_num_workers(config):
    """``-n auto``: one worker per core, plus the browser tests' worker, which mostly waits on a page (its server and
    Chromium do the work): on 2 cores, 3 workers keep both cores busy while the browser tests run."""
    return (os.cpu_count() or 1) + 1


def pytest_runtest_setup(item):
    """Under pytest-xdist, browser tests run at normal priority and the rest a little lower (``nice`` 5).

    A browser test waits on a server and Chromium (which inherit its worker's priority); at equal priority the
    other workers' CPU-bound tests would slow every one of its page loads. Without the right to raise priority
    again (not root), nothing changes.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, 0, 0 if item.nodeid.startswith("tests/e2e/") else 5)
    except (OSError, AttributeError):
        pass
