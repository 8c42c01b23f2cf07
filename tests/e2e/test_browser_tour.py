"""A real browser tour: Home, every page, an upload through the file uploader, a screenshot per page."""

from pathlib import Path

import numpy as np
from PIL import Image

from tests.e2e.conftest import no_exception_in_page, screenshot, wait_for_app
from ui.registry import PAGES


def _url(server_url: str, path: str) -> str:
    return f"{server_url}/{Path(path).stem}"


def test_home_then_every_page(page, server_url):
    page.goto(server_url)
    wait_for_app(page)
    assert page.get_by_text("Image ML Lab").first.is_visible()
    no_exception_in_page(page)
    screenshot(page, "home")
    # the sidebar navigation lists every page
    nav = page.locator('[data-testid="stSidebarNav"]')
    for info in PAGES:
        assert nav.get_by_text(info.title, exact=True).count() == 1, info.title
    for info in PAGES:
        page.goto(_url(server_url, info.path))
        wait_for_app(page, timeout=120_000)
        no_exception_in_page(page)
        screenshot(page, Path(info.path).stem)


def _upload_on_thresholding(page, server_url: str, path: Path) -> None:
    """Open the Thresholding page and drop ``path`` on the sidebar's file uploader."""
    page.goto(f"{server_url}/thresholding")
    wait_for_app(page, timeout=120_000)
    page.locator('[data-testid="stSidebar"] [data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.wait_for_timeout(500)
    wait_for_app(page, timeout=120_000)


def test_upload_a_png_and_see_it_used(page, server_url, tmp_path):
    # a 300×200 image with a distinctive size, so the page's size caption proves it is in use
    image = np.zeros((200, 300, 3), np.uint8)
    image[:, :150] = (220, 40, 40)
    image[50:150, 180:260] = (30, 200, 90)
    path = tmp_path / "my_upload.png"
    Image.fromarray(image).save(path)
    _upload_on_thresholding(page, server_url, path)
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_text("300×200 pixels").count() >= 1
    assert sidebar.get_by_text("my_upload.png").count() >= 1
    no_exception_in_page(page)
    screenshot(page, "upload_used")


def test_bad_upload_shows_a_message(page, server_url, tmp_path):
    path = tmp_path / "notes.png"
    path.write_bytes(b"this is not an image at all" * 10)
    _upload_on_thresholding(page, server_url, path)
    assert page.get_by_text("not an image that can be read").count() >= 1
    no_exception_in_page(page)


def test_fresh_server_first_visit_by_share_link_uses_the_app_navigation(browser):
    """A share link is often a fresh server's first request: it must still run through app.py, apply the
    link's settings and keep them in the address bar. (A link on a warm server: test_superpixels_colour.py.)"""
    from tests.e2e.conftest import start_server, stop_server

    proc, url = start_server()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        pg = context.new_page()
        pg.goto(f"{url}/thresholding?image=coins")
        wait_for_app(pg, timeout=120_000)
        nav = pg.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Samples are pixels" in nav  # app.py's sections, not the bare pages/ folder listing
        assert "Thresholding" in nav
        assert pg.locator('[data-testid="stSidebar"]').get_by_text("coins").count() >= 1
        assert "image=coins" in pg.url
        no_exception_in_page(pg)
    finally:
        context.close()
        stop_server(proc)
