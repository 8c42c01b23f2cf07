import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def pytest_collection_modifyitems(config, items):
    """Keep what shares a process-wide fixture on one pytest-xdist worker (``-n auto --dist loadgroup``).

    The browser tests share one server and one Chromium; each page's bad-input sweep reuses one AppTest session.
    """
    import pytest

    for item in items:
        if item.nodeid.startswith("tests/e2e/"):
            item.add_marker(pytest.mark.xdist_group("browser"))
        elif item.nodeid.startswith("tests/app/test_sweep.py"):
            page = getattr(item, "callspec", None) and item.callspec.params.get("page")
            if page:
                item.add_marker(pytest.mark.xdist_group(f"sweep:{page}"))
