"""Take a full-page screenshot of one page in headless Chromium.

Usage: python tests/e2e/screenshot.py pages/<page>.py OUT.png [QUERY] [--width 1400] [--url http://127.0.0.1:8501]
       python tests/e2e/screenshot.py --all docs/screenshots     (Home and every page, viewport-sized, for the README;
                                                                  plus thumbs/<page>.jpg: each page's largest result,
                                                                  the picture of its Home card)

Starts its own server unless --url is given; QUERY is a query string such as "k=5&image=coffee".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server, wait_for_app

_RESULTS = ('[data-testid="stMain"] [data-testid="stImage"] img',  # pictures first, then charts and canvases
            '[data-testid="stMain"] .stPlotlyChart, [data-testid="stMain"] iframe')


def _largest_result(page):
    """The largest image among the first ten of the main area (else the largest chart or canvas), or None."""
    for selector in _RESULTS:
        best, best_area = None, 0.0
        for element in page.locator(selector).all()[:10]:
            box = element.bounding_box()
            if not box or box["width"] < 200 or box["height"] < 120:
                continue
            if box["width"] * box["height"] > best_area:
                best, best_area = element, box["width"] * box["height"]
        if best is not None:
            return best
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("page", nargs="?")
    parser.add_argument("out", nargs="?")
    parser.add_argument("--all", default=None, metavar="DIR", help="screenshot Home and every registered page into DIR")
    parser.add_argument("query", nargs="?", default="")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--url", default=None)
    parser.add_argument("--wait", type=float, default=1.0, help="extra seconds to wait after the run")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for a page to finish")
    args = parser.parse_args()
    proc = None
    url = args.url
    if url is None:
        proc, url = start_server()
    from playwright.sync_api import sync_playwright

    if args.all:
        sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
        from ui.registry import PAGES

        out_dir = Path(args.all)
        out_dir.mkdir(parents=True, exist_ok=True)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                page = browser.new_page(viewport={"width": args.width, "height": args.height})
                for stem in ["home"] + [Path(info.path).stem for info in PAGES]:
                    page.goto(f"{url}/{'' if stem == 'home' else stem}")
                    try:
                        wait_for_app(page, timeout=args.timeout * 1000)
                    except Exception as err:
                        print(f"{stem}: not idle after {args.timeout} s ({type(err).__name__}); taking it as it is")
                    page.wait_for_timeout(int(args.wait * 1000))
                    path = out_dir / f"{stem}.jpg"
                    clip = None
                    if stem != "home":  # page thumbnails: the main area only, without the sidebar
                        box = page.locator('[data-testid="stMain"]').bounding_box()
                        clip = {"x": box["x"], "y": 0, "width": box["width"], "height": args.height}
                    page.screenshot(path=str(path), clip=clip, type="jpeg", quality=80)
                    print("saved", path)
                    if stem != "home":
                        thumb = _largest_result(page)
                        if thumb is not None:  # scrolled into view by Playwright, captured alone
                            (out_dir / "thumbs").mkdir(exist_ok=True)
                            thumb.screenshot(path=str(out_dir / "thumbs" / f"{stem}.jpg"), type="jpeg", quality=85)
                            print("saved", out_dir / "thumbs" / f"{stem}.jpg")
                browser.close()
        finally:
            stop_server(proc)
        return
    stem = Path(args.page).stem
    path = "" if stem == "home" else stem
    target = f"{url}/{path}" + (f"?{args.query}" if args.query else "")

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.goto(target)
            wait_for_app(page, timeout=120_000)
            page.wait_for_timeout(int(args.wait * 1000))
            page.screenshot(path=args.out, full_page=True)
            errors = page.locator('[data-testid="stException"]')
            if errors.count():
                print("EXCEPTION ON PAGE:\n" + errors.first.inner_text()[:3000])
            browser.close()
    finally:
        stop_server(proc)
    print(f"saved {args.out} ({target})")


if __name__ == "__main__":
    main()
