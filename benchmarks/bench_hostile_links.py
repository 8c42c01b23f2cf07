"""Benchmark: hostile stroke links on the trainable page, timed in a real browser (issue 17.4).

Before the caps of ``core.canvas.tokens``, a 66-character link carried a 32 767 px brush (64–90 s per rerun)
and a 5.7 k-character token held 720 000 points (15 MB of canvas JSON). This builds those tokens byte by byte
(the app's own encoder would never write them), plus the heaviest token the decoder still accepts (100 000
points at the widest brush), opens each link on a fresh local server in headless Chromium, and records the time
to the page's first finished run, one rerun after that (the overlay opacity), what the page said, and the
server's peak resident memory (VmHWM).

    python -m benchmarks.bench_hostile_links [--out benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import base64
import datetime
import struct
import time
import zlib
from pathlib import Path

import numpy as np

from benchmarks._harness import report

PAGE = "trainable_segmentation"


def _token(marks: list[tuple[int, int, np.ndarray]]) -> str:
    """A version-1 stroke token from (class, width field, (n, 2) int16 deltas) marks, as tokens.py lays it out."""
    raw = struct.pack("<BH", 1, len(marks))
    for code, width, deltas in marks:
        raw += struct.pack("<BBHH", code, 0, width, len(deltas)) + deltas.astype("<i2").tobytes()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")


def links() -> dict[str, str]:
    """Name → query string of each hostile link."""
    brush = _token([(1, 65534, np.array([[200, 200], [400, 0]]))])  # 32 767 px (the field holds 2 × px)
    flat = np.zeros((65535, 2), int)
    flat[0] = (200, 200)
    many = _token([(1 + i % 2, 10, flat) for i in range(11)])  # 720 885 points
    walk = np.tile(np.repeat([[2, 0], [0, 2], [-2, 0], [0, 2]], [400, 4, 400, 4], axis=0), (62, 1))[:50_000]
    walk[0] = (300, 300)  # a zig-zag over the image (compresses to a link-sized token)
    heaviest = _token([(1, 1024, walk), (2, 1024, walk)])  # 100 000 points at 512 px
    return {"brush 32 767 px": f"strokes={brush}", "720 885 points": f"strokes={many}",
            "100 000 points at 512 px (the most accepted)": f"strokes={heaviest}"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="append the table to this Markdown file")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from benchmarks._browser import MemoryMonitor
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server, wait_for_app

    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, query in links().items():
            proc, url = start_server()
            monitor = MemoryMonitor(proc.pid)
            monitor.start()
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                t0 = time.perf_counter()
                page.goto(f"{url}/{PAGE}?{query}")
                wait_for_app(page, timeout=300_000)
                first = time.perf_counter() - t0
                notices = [" ".join(t.split()[1:])[:90]  # the first word is the alert's icon name
                           for t in page.locator('[data-testid="stAlert"]').all_inner_texts()]
                slider = page.locator('[data-testid="stSlider"]').filter(has_text="Brush (canvas px)")
                rerun = float("nan")
                if slider.count():
                    slider.first.locator('input[type="range"], [role="slider"]').first.focus()
                    t1 = time.perf_counter()
                    page.keyboard.press("ArrowRight")
                    wait_for_app(page, timeout=300_000)
                    rerun = time.perf_counter() - t1
                exceptions = page.locator('[data-testid="stException"]').count()
                page.close()
            finally:
                monitor.stop()
                stop_server(proc)
            rows.append((name, len(query) - len("strokes="), first, rerun, monitor.peak_hwm_kb / 1024, exceptions,
                         "; ".join(n for n in notices if n) or "–"))
        browser.close()
    lines = [f"\n### Hostile stroke links in the browser — {datetime.date.today()}\n",
             "`python -m benchmarks.bench_hostile_links` (fresh server per link; the rerun moves the brush "
             "slider; the waits include 0.5 s of settling):\n",
             "| link | token chars | first result s | rerun s | server VmHWM MB | exceptions | the page says |",
             "|---|---:|---:|---:|---:|---:|---|"]
    lines += [f"| {n} | {c:,} | {f:.1f} | {r:.1f} | {m:.0f} | {e} | {s} |" for n, c, f, r, m, e, s in rows]
    text = "\n".join(lines) + "\n"
    report(text, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
