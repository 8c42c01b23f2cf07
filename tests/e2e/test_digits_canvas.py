"""Browser: draw a digit on the real drawable canvas and see the model's prediction."""

from __future__ import annotations

import re

from tests.e2e.conftest import no_exception_in_page, screenshot, wait_for_app


def _stroke(pg, box, points, steps=6):
    """Drag the mouse through canvas-relative points (one free-hand stroke)."""
    x0, y0 = box["x"], box["y"]
    pg.mouse.move(x0 + points[0][0], y0 + points[0][1])
    pg.mouse.down()
    for x, y in points[1:]:
        pg.mouse.move(x0 + x, y0 + y, steps=steps)
    pg.mouse.up()


def _prediction(pg) -> str:
    metric = pg.locator('[data-testid="stMetric"]').filter(has_text="Prediction")
    metric.first.wait_for(timeout=60_000)
    return metric.first.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_draw_a_seven_and_see_a_prediction(page, server_url):
    page.goto(f"{server_url}/digits")
    wait_for_app(page, timeout=120_000)
    canvas = page.locator("canvas.upper-canvas").first
    canvas.scroll_into_view_if_needed()
    assert page.get_by_text("The canvas is empty").count() == 1
    box = canvas.bounding_box()
    assert box and box["width"] >= 200

    # a "7": a top bar, then a diagonal down to the bottom
    _stroke(page, box, [(70, 50), (140, 48), (205, 50), (170, 120), (140, 180), (120, 240)])
    value = _prediction(page)
    wait_for_app(page)
    no_exception_in_page(page)
    assert re.fullmatch(r"\d", value), value
    assert value == "7", f"drew a 7, the page predicted {value}"
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "32×32 bitmap" in body and "decision function" in body
    screenshot(page, "digits_canvas_seven")

    # a second stroke turns it into something else; the page follows
    _stroke(page, box, [(100, 140), (200, 140)])
    page.wait_for_timeout(500)
    wait_for_app(page)
    no_exception_in_page(page)
    assert re.fullmatch(r"\d", _prediction(page))
