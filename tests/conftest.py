import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def pytest_collection_modifyitems(config, items):
    """The browser tests first, so their worker starts on them while the others take the rest."""
    items.sort(key=lambda item: not item.nodeid.startswith("tests/e2e/"))  # stable: otherwise in collection order


def work_unit(nodeid: str) -> str:
    """What runs on one pytest-xdist worker, in collection order: every browser test together (one server, one
    Chromium), each page's bad-input sweep together and each page's presets-vs-script cases together (one reused
    AppTest session each), any other test alone."""
    if nodeid.startswith("tests/e2e/"):
        return "browser"
    page = re.match(r"tests/app/test_(sweep|presets_match_scripts)\.py::\w+\[([a-z_]+)", nodeid)
    return f"{page.group(1).split('_')[0]}:{page.group(2)}" if page else nodeid


@pytest.hookimpl(tryfirst=True)  # before xdist's own, which would return its loadgroup scheduler
def pytest_xdist_make_scheduler(config, log):
    """Schedule by :func:`work_unit`.

    pytest-xdist's own ``--dist loadgroup`` marks a group by suffixing the test's node id, which pytest 9 no longer
    lets it do (``Node.nodeid`` is derived from ``Node._id``): the groups were silently ignored, and every worker ran
    some browser tests with a server and a Chromium of its own. This is xdist's scope scheduler with our own scopes,
    kept in collection order; ``tests/core/test_harness.py`` checks it.
    """
    if config.getvalue("dist") != "loadgroup":
        return None  # another --dist asked for on the command line: xdist's own
    from xdist.scheduler import LoadScopeScheduling

    class WorkUnits(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    config.option.loadscopereorder = False
    return WorkUnits(config, log)


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
