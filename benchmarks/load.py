"""Load test: N concurrent headless-Chromium sessions touring the app against one local server.

Usage::

    python -m benchmarks.load --sessions 30 --same-link 'superpixels?image=coffee' --out benchmarks/LOAD.md
    python -m benchmarks.load --sessions 10 --same-link superpixels --upload-each --out benchmarks/LOAD.md --append
    python -m benchmarks.load [--sessions 5] [--rounds 1] [--megapixels 1.0] [--working-size N]
                              [--sliders 3] [--max-seconds 900] [--timeout 120] [--url URL] [--out FILE]

The first two forms are the classroom scenarios (:mod:`benchmarks._classroom`). The last is the tour:
each session (its own browser context, so its own Streamlit session) opens Home, then, each round, visits every
registered page through the sidebar navigation and on each page:

* the first page that takes an image receives an upload (a bundled photo upscaled to ``--megapixels``, sent
  through the sidebar's file uploader); later pages select that upload in their image picker, so every page
  works at about ``--megapixels`` (the working size is raised to fit it, through the working-size slider);
* up to ``--sliders`` sliders are moved one step (focus, ArrowRight): the main area's first, then the page's own
  sidebar sliders (never the shared working-size slider, which the tour sets once);
* on the trainable-segmentation page, strokes are drawn on the drawable canvas (``canvas.upper-canvas``).

Every change is timed in the browser, from the action to the moment Streamlit's script state
(``data-test-script-state`` on ``stApp``) returns to ``notRunning`` after having been ``running`` — the time
until the updated result is on screen. Errors are ``stException`` elements, browser console errors / page
errors, and timeouts. The server's resident memory (VmRSS summed over the server process and its children,
sampled every 0.25 s, and the kernel's VmHWM peak of the server process) is reported. Output is Markdown.

The run is bounded: no new step starts after ``--max-seconds``; each wait gives up after ``--timeout``.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._browser import (  # noqa: E402
    DEFAULT_WORKING_SIZE,
    MemoryMonitor,
    Problem,
    Results,
    Session,
    _fmt,
    _percentile,
    _working_size_for,
    measured_run,
)
from ui.registry import PAGES  # noqa: E402  (ui.registry imports no streamlit)


# ----------------------------------------------------------------------------- the tour
class Tour(Session):
    """A session that visits every page, uploads once, moves sliders and draws on the canvas."""

    # ---------------------------------------------------------------- the tour
    async def run(self) -> None:
        await self.new_page()
        try:
            await self.page.goto(self.url)
            await self.page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=self.timeout_ms)
            await self.settle()
            await self.check_exceptions()
            for rnd in range(self.args.rounds):
                for info in PAGES:
                    if time.monotonic() > self.deadline:
                        return
                    try:
                        await self.visit(info.title, Path(info.path).stem, rnd)
                    except Exception as err:
                        kind = "timeout" if "Timeout" in type(err).__name__ else "error"
                        self.problem(kind, f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")
        except Exception as err:
            self.problem("timeout" if "Timeout" in type(err).__name__ else "error", f"{type(err).__name__}: {err}")
        finally:
            await self.context.close()

    async def visit(self, title: str, stem: str, rnd: int) -> None:
        await self.change(title, "open page", lambda: self.open_page(title, stem), rnd=rnd)
        if await self.has_image_input():
            if not self.uploaded:
                if self.working_size != DEFAULT_WORKING_SIZE:
                    await self.change(title, "working size", self.set_working_size, rnd=rnd)
                await self.change(title, "upload", self.upload, rnd=rnd)
                self.uploaded = True
            else:
                await self.change(title, "select upload", self.select_upload, rnd=rnd)
            # the sidebar's size caption names the upload's size ("W×H pixels" or "original W×H")
            sidebar = self.page.locator('[data-testid="stSidebar"]')
            if not await sidebar.get_by_text(self.upload_size).count():
                self.problem("missing", f"the upload ({self.upload_size}) is not in use on this page")
        # sliders of the main area first, then the page's own sidebar sliders (not the shared working size)
        thumbs = []
        for area in ("stMain", "stSidebar"):
            found = self.page.locator(f'[data-testid="{area}"] [data-testid="stSlider"]').filter(
                has_not_text="Working size").locator('input[type="range"]')
            thumbs += [found.nth(i) for i in range(await found.count())]
        for thumb in thumbs[: self.args.sliders]:
            if time.monotonic() > self.deadline:
                return

            async def move(thumb=thumb):
                await thumb.focus()
                await self.page.keyboard.press("ArrowRight")

            await self.change(title, "slider", move, rnd=rnd)
        if "trainable" in title.lower():
            if await self.find_canvas() is not None:
                for k in range(2):  # a stroke in each of two classes: enough to train and segment
                    if k:
                        await self.change(title, "choose class", lambda k=k: self.choose_class(k), rnd=rnd)
                    await self.change(title, "canvas stroke", lambda k=k: self.draw_stroke(k), rnd=rnd)
            else:
                self.where = (title, "canvas strokes")
                self.problem("missing", "no drawable canvas (canvas.upper-canvas) found on the page")
        if self.args.screenshots and self.index == 0:
            folder = Path(self.args.screenshots)
            folder.mkdir(parents=True, exist_ok=True)
            slug = "".join(c if c.isalnum() else "_" for c in title.lower()).strip("_")
            # Streamlit scrolls inside its main container: grow the viewport to see the whole page, then restore it
            height = await self.page.evaluate(
                "() => { const m = document.querySelector('[data-testid=\"stMain\"]'); return m ? m.scrollHeight : 1000; }")
            await self.page.set_viewport_size({"width": 1400, "height": int(min(max(height, 1000), 6000))})
            await self.page.wait_for_timeout(500)
            await self.page.screenshot(path=str(folder / f"load_r{rnd}_{slug}.png"))
            await self.page.set_viewport_size({"width": 1400, "height": 1000})


# ----------------------------------------------------------------------------- main
def report(args, results: Results, monitor: MemoryMonitor | None, image_shape, working_size: int,
           wall: float, server_tail: collections.deque, load_before: str) -> str:
    from benchmarks.__main__ import machine

    timed = [s.seconds for s in results.steps if s.seconds is not None]
    kinds = collections.Counter(p.kind for p in results.problems)
    lines = [
        f"# Load test — {datetime.datetime.now().isoformat(timespec='seconds')}",
        "",
        f"Machine: {machine()}; load average before the run: {load_before} (the machine is shared: times are inflated).",
        "",
        f"Command: `python -m benchmarks.load {' '.join(sys.argv[1:])}`".replace("  ", " "),
        "",
        f"{args.sessions} concurrent sessions × {args.rounds} round(s) over {len(PAGES)} pages; upload "
        f"{image_shape[1]}×{image_shape[0]} ({image_shape[0] * image_shape[1] / 1e6:.2f} MP), working size {working_size} px; "
        f"wall time {wall:.0f} s.",
        "",
        "| sessions | changes timed | no rerun | median s | p95 s | max s | errors (exception / console / page / timeout / other) "
        "| external fetches failed | server peak RSS MB (tree, sampled) | server VmHWM MB |",
        "|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    named = ("exception", "console", "pageerror", "timeout", "external")
    other = sum(v for k, v in kinds.items() if k not in named)
    n_errors = sum(v for k, v in kinds.items() if k != "external")
    errors = (f"**{n_errors}** ({kinds['exception']} / {kinds['console']} / {kinds['pageerror']} / "
              f"{kinds['timeout']} / {other})")
    rss = f"{monitor.peak_rss_kb / 1024:.0f}" if monitor else "n/a (--url)"
    hwm = f"{monitor.peak_hwm_kb / 1024:.0f}" if monitor else "n/a"
    lines.append(f"| {args.sessions} | {len(timed)} | {sum(s.seconds is None for s in results.steps)} | "
                 f"{_fmt(statistics.median(timed) if timed else float('nan'))} | {_fmt(_percentile(timed, 0.95))} | "
                 f"{_fmt(max(timed) if timed else float('nan'))} | {errors} | {kinds['external']} | {rss} | {hwm} |")
    lines += ["", "Per page and action (seconds from the change to the updated result):", "",
              "| page | action | n | median s | p95 s | max s | errors | server RSS MB after (max) |",
              "|---|---|---:|---:|---:|---:|---:|---:|"]
    groups: dict[tuple[str, str], list[float]] = collections.defaultdict(list)
    order: list[tuple[str, str]] = []
    for s in results.steps:
        key = (s.page, s.action)
        if key not in groups:
            order.append(key)
        if s.seconds is not None:
            groups[key].append(s.seconds)
        else:
            groups.setdefault(key, [])
    rss_after: dict[tuple[str, str], float] = collections.defaultdict(float)
    for s in results.steps:
        if s.rss_mb is not None:
            rss_after[(s.page, s.action)] = max(rss_after[(s.page, s.action)], s.rss_mb)
    problem_count = collections.Counter((p.page, p.action) for p in results.problems if p.kind != "external")
    for key in order:
        values = groups[key]
        rss_text = f"{rss_after[key]:.0f}" if key in rss_after else "–"
        lines.append(f"| {key[0]} | {key[1]} | {len(values)} | {_fmt(statistics.median(values) if values else float('nan'))} | "
                     f"{_fmt(_percentile(values, 0.95))} | {_fmt(max(values) if values else float('nan'))} | "
                     f"{problem_count.get(key, 0)} | {rss_text} |")
    if results.problems:
        lines += ["", "Errors (grouped by kind and first line; 'external' = a resource of another host that could not be "
                  "fetched, not counted above):", "", "| count | kind | text | where (page: action) |", "|---:|---|---|---|"]
        grouped: dict[tuple[str, str], list[Problem]] = collections.defaultdict(list)
        for p in results.problems:
            first = p.text.splitlines()[0][:200].replace("|", "\\|") if p.text else ""
            grouped[(p.kind, first)].append(p)
        for (kind, text), items in sorted(grouped.items(), key=lambda kv: -len(kv[1]))[:40]:
            where = sorted({f"{p.page}: {p.action}" for p in items})
            shown = ", ".join(where[:6]) + (f", … ({len(where)} places)" if len(where) > 6 else "")
            lines.append(f"| {len(items)} | {kind} | {text} | {shown} |")
        full = [p for p in results.problems if p.kind == "exception"]
        if full:
            lines += ["", "First exception in full:", "", "```", full[0].text, "```"]
    tracebacks = [line for line in server_tail if "Error" in line or "Traceback" in line]
    if tracebacks:
        lines += ["", "Server log lines mentioning errors (last 20):", "", "```", *tracebacks[-20:], "```"]
    return "\n".join(lines)


async def _amain(args, url: str, upload_path: Path, working_size: int, results: Results) -> None:
    from playwright.async_api import async_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    deadline = time.monotonic() + args.max_seconds
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            tours = [Tour(i, browser, url, args, upload_path, working_size, results, deadline)
                     for i in range(args.sessions)]

            async def staggered(i: int, tour: Tour) -> None:
                await asyncio.sleep(0.5 * i)  # people do not all click at the same millisecond
                await tour.run()

            await asyncio.wait_for(asyncio.gather(*(staggered(i, t) for i, t in enumerate(tours))),
                                   timeout=args.max_seconds + 2 * args.timeout + 60)
        finally:
            await browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=5, help="concurrent browser sessions (default 5)")
    parser.add_argument("--rounds", type=int, default=1, help="tours of every page per session (default 1)")
    parser.add_argument("--megapixels", type=float, default=1.0, help="size of the uploaded photo (default 1.0)")
    parser.add_argument("--working-size", type=int, default=None,
                        help="working size in px (default: the smallest setting that fits the upload)")
    parser.add_argument("--sliders", type=int, default=3, help="sliders moved per page (default 3)")
    parser.add_argument("--max-seconds", type=float, default=900, help="no new step starts after this (default 900)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for one result (default 120)")
    parser.add_argument("--start-timeout", type=float, default=5,
                        help="seconds to wait for a rerun to start before deciding nothing changed (default 5)")
    parser.add_argument("--url", default=None, help="use a running server instead of starting one (no memory figures)")
    parser.add_argument("--out", default=None, help="also write the Markdown report to this file")
    parser.add_argument("--same-link", default=None, metavar="URL",
                        help="classroom: every session opens this link (full URL or 'page?query') and moves two widgets")
    parser.add_argument("--upload-each", action="store_true",
                        help="classroom: each session also uploads its own photo of --megapixels")
    parser.add_argument("--within", type=float, default=60.0,
                        help="classroom: the sessions' starts are spread over this many seconds (default 60)")
    parser.add_argument("--browser-nice", type=int, default=10,
                        help="with --same-link, keep the browsers at this nice value (default 10: they stand for the "
                             "students' own computers and must not outrank the server; 0 = leave them as they are)")
    parser.add_argument("--append", action="store_true", help="append the report to --out instead of replacing it")
    parser.add_argument("--screenshots", default=None,
                        help="save a full-page screenshot of every page of session 0 (after its changes) in this folder")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= 60:
        raise SystemExit("--sessions must be between 1 and 60 (the test stays bounded)")
    if args.same_link is not None:
        return classroom(args)

    from PIL import Image

    from benchmarks._harness import photo
    from tests.e2e.conftest import server_output, start_server, stop_server

    image = photo(args.megapixels, "astronaut")
    working_size = _working_size_for(max(image.shape[:2]), args.working_size)
    tmp = tempfile.TemporaryDirectory(prefix="imlab-load-")
    upload_path = Path(tmp.name) / f"astronaut_{args.megapixels:g}MP.png"
    Image.fromarray(image).save(upload_path)

    load_before = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    proc = monitor = None
    server_tail: collections.deque = collections.deque(maxlen=400)
    url = args.url
    if url is None:
        proc, url = start_server()
        monitor = MemoryMonitor(proc.pid)
        monitor.start()
    results = Results(monitor=monitor)
    start = time.monotonic()
    try:
        asyncio.run(_amain(args, url, upload_path, working_size, results))
    except TimeoutError:
        results.problems.append(Problem(-1, "-", "-", "timeout", "the whole run exceeded its time bound"))
    finally:
        wall = time.monotonic() - start
        if monitor:
            monitor.stop()
        if proc is not None:
            stop_server(proc)
            server_tail.extend(server_output(proc).splitlines())
        tmp.cleanup()
    _write(args, report(args, results, monitor, image.shape, working_size, wall, server_tail, load_before))
    return 1 if any(p.kind != "external" for p in results.problems) else 0


def _write(args, text: str) -> None:
    print(text, flush=True)
    if args.out:
        path = Path(args.out)
        if args.append and path.exists():
            text = path.read_text().rstrip() + "\n\n" + text
        path.write_text(text + "\n")


def classroom(args) -> int:
    """The classroom scenarios (see :mod:`benchmarks._classroom`)."""
    import numpy as np
    from PIL import Image

    from benchmarks._classroom import report as class_report
    from benchmarks._classroom import run_class
    from benchmarks._harness import photo

    tmp = tempfile.TemporaryDirectory(prefix="imlab-class-")
    uploads: list[Path | None] = [None] * args.sessions
    shape = None
    if args.upload_each:
        base = photo(args.megapixels, "astronaut")
        shape = base.shape
        for i in range(args.sessions):  # a different image per session: nothing is shared through the cache
            image = np.clip(base.astype(np.int16) + (i * 7) % 40 - 20, 0, 255).astype(np.uint8)
            uploads[i] = Path(tmp.name) / f"student_{i:02d}.png"
            Image.fromarray(np.roll(image, 13 * i, axis=1)).save(uploads[i])
    try:
        run = measured_run(lambda url, results: run_class(args, url, uploads, results), browser_nice=args.browser_nice)
    finally:
        tmp.cleanup()
    _write(args, class_report(args, run.results, run.value or [], run.monitor, run.wall, run.load_before, shape))
    return 1 if any(p.kind != "external" for p in run.results.problems) else 0


if __name__ == "__main__":
    raise SystemExit(main())
