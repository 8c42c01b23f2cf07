"""The app shell: navigation, Home, and every registered page on every bundled sample."""


import pytest

from core.images import SAMPLES
from tests.app.conftest import ROOT, app_test, no_exception, texts
from ui.registry import PAGES

PAGE_PATHS = [p.path for p in PAGES]


def test_every_page_file_is_registered_and_exists():
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py") if p.stem != "home")
    assert files == sorted(PAGE_PATHS)
    for info in PAGES:
        assert (ROOT / info.path).exists()
        assert info.title and info.blurb and info.section


def test_home_shows_a_card_per_page():
    at = app_test()
    no_exception(at)
    assert "Image ML Lab" in texts(at)
    body = texts(at)
    for info in PAGES:
        assert info.blurb in body


def _uses_image_input(at) -> bool:
    return any(list(getattr(s, "options", [])[: len(SAMPLES)]) == list(SAMPLES) for s in at.sidebar.selectbox)


@pytest.mark.parametrize("page", PAGE_PATHS)
def test_page_runs_on_every_sample(page):
    """Each page runs with no exception on its default, and on every bundled sample if it takes an image."""
    at = app_test(page, timeout=120)
    no_exception(at)
    if not _uses_image_input(at):
        return
    for name in SAMPLES:
        at = app_test(page, query={"image": name}, timeout=120)
        no_exception(at)
        # the sidebar picker shows the sample the link asked for
        picker = [s for s in at.sidebar.selectbox if list(s.options[: len(SAMPLES)]) == list(SAMPLES)][0]
        assert picker.value == name, (page, name)
