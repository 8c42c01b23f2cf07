"""Browser test of the trainable segmentation page: draw on the real canvas, see the overlay, download.

Playwright drives the mouse on the Fabric.js canvas (``canvas.upper-canvas``) like a person: a
stroke in the sky in class 1, a stroke in the trees in class 2. The page must rasterise those
strokes, train the forest and show the segmentation overlay; the label PNG must download.
"""

from __future__ import annotations

from tests.e2e.conftest import no_exception_in_page, screenshot, wait_for_app


def stroke(page, box, points):
    """Drag the mouse through ``points`` given as fractions of the canvas' width and height."""
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x0 + points[0][0] * w, y0 + points[0][1] * h)
    page.mouse.down()
    for fx, fy in points[1:]:
        page.mouse.move(x0 + fx * w, y0 + fy * h, steps=6)
    page.mouse.up()


def test_draw_two_classes_see_overlay_and_download(page, server_url, tmp_path):
    page.goto(f"{server_url}/trainable_segmentation")
    wait_for_app(page, timeout=180_000)
    page.get_by_role("button", name="③ Blank canvas (draw your own)").click()
    wait_for_app(page, timeout=180_000)
    assert page.get_by_text("no scribbles yet").count() >= 1

    canvas = page.locator("canvas.upper-canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and box["width"] > 300
    # class 1 (selected by default): the sky, top right
    stroke(page, box, [(0.60, 0.06), (0.75, 0.08), (0.92, 0.12)])
    page.wait_for_timeout(800)
    wait_for_app(page, timeout=180_000)
    assert page.get_by_text("only class 1 has strokes").count() >= 1
    # class 2: the trees, bottom right
    page.locator('[data-testid="stRadio"]').first.get_by_text("class 2").click()
    wait_for_app(page, timeout=180_000)
    box = page.locator("canvas.upper-canvas").first.bounding_box()
    stroke(page, box, [(0.62, 0.85), (0.72, 0.90), (0.85, 0.93)])
    page.wait_for_timeout(800)
    wait_for_app(page, timeout=180_000)

    overlay = page.get_by_text("Segmentation overlay", exact=False)
    overlay.first.wait_for(timeout=120_000)
    assert page.locator('[data-testid="stImage"] img').count() >= 1
    no_exception_in_page(page)
    screenshot(page, "trainable_canvas_drawn")

    # the label PNG downloads
    with page.expect_download() as info:
        page.get_by_role("button", name="Labels (PNG)").click()
    target = tmp_path / "labels.png"
    info.value.save_as(target)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # a file that is not a segmenter gives a clear message
    page.get_by_role("tab", name="Apply to another image").click()
    page.get_by_text("load a .skops file").click()
    wait_for_app(page, timeout=180_000)
    bogus = tmp_path / "model.skops"
    bogus.write_bytes(b"definitely not a zip archive")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').last.set_input_files(str(bogus))
    page.wait_for_timeout(500)
    wait_for_app(page, timeout=180_000)
    assert page.get_by_text("not a segmenter file").count() >= 1
    no_exception_in_page(page)
