"""A real browser tour at 1024×768: Home, every page, an upload through the file uploader, a screenshot per page."""

from pathlib import Path

import numpy as np
from PIL import Image

from tests.e2e.conftest import SCREENSHOTS, no_exception_in_page, screenshot, wait_for_app
from ui.registry import PAGES


def _url(server_url: str, path: str) -> str:
    return f"{server_url}/{Path(path).stem}"


def _drop(page, path: Path) -> None:
    """Drop ``path`` on the sidebar's file uploader and wait for the page to use it."""
    page.locator('[data-testid="stSidebar"] [data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.wait_for_timeout(500)
    wait_for_app(page, timeout=120_000)


def _upload_on_thresholding(page, server_url: str, path: Path) -> None:
    """Open the Thresholding page and drop ``path`` on the sidebar's file uploader."""
    page.goto(f"{server_url}/thresholding")
    wait_for_app(page, timeout=120_000)
    _drop(page, path)


def test_fresh_server_first_visit_by_share_link_uses_the_app_navigation(browser):
    """A share link is often a fresh server's first request: it must still run through app.py, apply the
    link's settings and keep them in the address bar. (A link on a warm server: test_superpixels_colour.py.)"""
    from tests.e2e.conftest import E2E_WORKING_SIZE, start_server, stop_server

    proc, url = start_server(working_size=E2E_WORKING_SIZE)
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
        assert pg.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').first.get_by_text(
            str(E2E_WORKING_SIZE)).count() >= 1  # the deploy's IMLAB_WORKING_SIZE is the session's working size
        no_exception_in_page(pg)
    finally:
        context.close()
        stop_server(proc)


# ----------------------------------------------------------------------------- a classroom projector: 1024×768
PROJECTOR = {"width": 1024, "height": 768}
_OVERFLOW = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const doc = document.documentElement;
    const box = main.getBoundingClientRect();
    const clipped = [];
    for (const el of main.querySelectorAll('img, canvas, iframe, [data-testid="stImage"], .stPlotlyChart')) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.right > box.right + 2) {
            clipped.push((el.getAttribute('data-testid') || el.tagName) + ' ' + Math.round(r.width) + 'px');
        }
    }
    return {page: doc.scrollWidth - doc.clientWidth, main: main.scrollWidth - main.clientWidth, clipped: clipped,
            sidebar: (() => { const r = document.querySelector('[data-testid="stSidebar"]').getBoundingClientRect();
                              return r.width > 200 && r.left >= 0; })()};
}"""


def _projector_context(browser):
    return browser.new_context(viewport=PROJECTOR, accept_downloads=True)


def test_home_then_every_page_at_1024x768_with_the_sidebar_open(browser, server_url):
    """Home, then every page at a projector's size: the navigation lists every page; no exception, no horizontal
    scrollbar; a screenshot each."""
    context = _projector_context(browser)
    problems, clipped, slow = [], {}, []
    try:
        pg = context.new_page()
        pg.set_default_timeout(60_000)
        for stem in ["home"] + [Path(info.path).stem for info in PAGES]:
            pg.goto(server_url + ("/" if stem == "home" else f"/{stem}"))
            try:
                wait_for_app(pg, timeout=300_000)  # generous: the machine running the suite may be shared
            except Exception as err:
                slow.append(f"{stem}: still running after 300 s ({type(err).__name__})")
            screenshot(pg, f"1024x768/{stem}")
            if stem == "home":
                assert pg.get_by_text("Image ML Lab").first.is_visible()
                nav = pg.locator('[data-testid="stSidebarNav"]')
                missing = [i.title for i in PAGES if nav.get_by_text(i.title, exact=True).count() != 1]
                assert not missing, f"not in the navigation: {missing}"
            if pg.locator('[data-testid="stException"]').count():
                problems.append(f"{stem}: exception: {pg.locator('[data-testid=stException]').first.inner_text()[:300]}")
            got = pg.evaluate(_OVERFLOW)
            if not got["sidebar"]:
                problems.append(f"{stem}: the sidebar is not open at 1024×768")
            if got["page"] > 1 or got["main"] > 1:
                problems.append(f"{stem}: horizontal scrollbar (page +{got['page']} px, main +{got['main']} px)")
            if got["clipped"]:
                clipped[stem] = got["clipped"]
    finally:
        context.close()
    report = SCREENSHOTS / "1024x768" / "clipped.txt"
    report.parent.mkdir(parents=True, exist_ok=True)  # for the page owners: wider than the main area
    report.write_text("\n".join([f"{k}: {', '.join(v)}" for k, v in clipped.items()] + slow) or "none\n")
    assert not problems, "\n".join(problems)


def test_bad_upload_gets_a_message_then_an_upload_is_used_here_and_next_page(browser, server_url, tmp_path):
    """At 1024×768: a file that is no image gets the decoder's message; then a PNG with a distinctive size is used
    on Thresholding (its size and name in the sidebar) and, after switching to Superpixels in the sidebar, there
    too (#18.3)."""
    bad = tmp_path / "notes.png"
    bad.write_bytes(b"this is not an image at all" * 10)
    image = np.zeros((240, 320, 3), np.uint8)
    image[:, :160] = (30, 90, 200)
    image[60:180, 200:300] = (240, 200, 40)
    path = tmp_path / "class_photo.png"
    Image.fromarray(image).save(path)
    context = _projector_context(browser)
    try:
        pg = context.new_page()
        pg.set_default_timeout(60_000)
        _upload_on_thresholding(pg, server_url, bad)
        assert pg.get_by_text("not an image that can be read").count() >= 1
        no_exception_in_page(pg)
        _drop(pg, path)
        sidebar = pg.locator('[data-testid="stSidebar"]')
        assert sidebar.get_by_text("320×240 pixels").count() >= 1
        assert sidebar.get_by_text("class_photo.png").count() >= 1
        assert pg.get_by_text("not an image that can be read").count() == 0  # the message went with the bad file
        no_exception_in_page(pg)
        screenshot(pg, "1024x768/upload_on_thresholding")
        pg.locator('[data-testid="stSidebarNav"]').get_by_text("Superpixels", exact=True).click()
        pg.wait_for_timeout(500)
        wait_for_app(pg, timeout=180_000)
        assert "/superpixels" in pg.url
        assert sidebar.get_by_text("class_photo.png").count() >= 1
        assert sidebar.get_by_text("is the image of every page").count() >= 1
        assert sidebar.get_by_text("320×240 pixels").count() >= 1  # the page works on the upload
        no_exception_in_page(pg)
        screenshot(pg, "1024x768/upload_used_on_superpixels")
    finally:
        context.close()
