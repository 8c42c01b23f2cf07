"""Benchmark: the 50 drawn digits of ``tests/digit_drawings.py``, drawn with the mouse on the real canvas.

Every digit 0–9 in every placement (large centred, round medium, small centred, two off-centre) is drawn in
headless Chromium on a fresh local server, the way ``tests/e2e/test_digits_canvas.py`` draws its 10, and the
page's verdict is read. Prints the hit table and the rate; ``--out`` appends it to a Markdown file.

    python -m benchmarks.bench_digits_canvas [--out benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import datetime
import time
from pathlib import Path

from benchmarks._harness import report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="append the result to this Markdown file")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from tests.digit_drawings import PLACEMENTS
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server
    from tests.e2e.test_digits_canvas import draw_and_read, save_table

    drawings = [(digit, placement) for digit in range(10) for placement in PLACEMENTS]
    proc, url = start_server()
    t0 = time.perf_counter()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            table = draw_and_read(page, url, drawings)
            browser.close()
    finally:
        stop_server(proc)
    hits = save_table(table, "digits_canvas_all.json")
    wrong = ", ".join(f"{r['digit']} drawn {r['size']} px tall (aspect {r['aspect']}) read {r['read']}"
                      for r in table if not r["right"])
    text = (f"\n### Drawn digits in the browser — {datetime.date.today()}\n\n"
            f"`python -m benchmarks.bench_digits_canvas`: **{hits} / {len(table)}** read right "
            f"({time.perf_counter() - t0:.0f} s). Misses: {wrong or 'none'}.\n")
    report(text, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
