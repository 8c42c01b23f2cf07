"""Load test: N concurrent headless-Chromium sessions touring the app against one local server.

Usage::

    python -m benchmarks.load [--sessions 5] [--rounds 1] [--megapixels 1.0] [--working-size N]
                              [--sliders 3] [--max-seconds 900] [--timeout 120] [--url URL] [--out FILE]

Each session (its own browser context, so its own Streamlit session) opens Home, then, each round, visits every
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
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ui.registry import PAGES  # noqa: E402  (ui.registry imports no streamlit)

WORKING_SIZES = [256, 384, 512, 768, 1024, 1536, 2048]  # as in ui.images (which imports streamlit)
DEFAULT_WORKING_SIZE = 1024

# Records every change of Streamlit's script state with a timestamp (ms, performance.now()).
_INIT_SCRIPT = """
window.__stLoad = {log: []};
new MutationObserver((mutations) => {
  for (const m of mutations) {
    if (m.attributeName === 'data-test-script-state' && m.target.getAttribute) {
      window.__stLoad.log.push([m.target.getAttribute('data-test-script-state'), performance.now()]);
    }
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
"""
_STARTED = """(t0) => window.__stLoad.log.some(([s, t]) => t >= t0 && s === 'running')"""
_FINISHED = """(t0) => {
  let ran = false;
  for (const [s, t] of window.__stLoad.log) {
    if (t < t0) continue;
    if (s === 'running') ran = true;
    else if (ran && s === 'notRunning') return t;
  }
  return false;
}"""
_IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning';
}"""


# ----------------------------------------------------------------------------- memory
class MemoryMonitor(threading.Thread):
    """Samples the resident memory of a process and all its descendants from /proc."""

    def __init__(self, pid: int, interval: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss_kb = 0  # max over samples of the summed VmRSS of the tree
        self.peak_hwm_kb = 0  # max VmHWM (kernel-recorded peak RSS) of any process of the tree
        self.samples = 0
        self.current_kb = 0  # the last sample's summed VmRSS
        self._stop_event = threading.Event()

    @staticmethod
    def _status(pid: int) -> dict[str, int]:
        out = {}
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith(("VmRSS:", "VmHWM:")):
                        key, value = line.split(":", 1)
                        out[key] = int(value.split()[0])
        except OSError:
            pass
        return out

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = collections.defaultdict(list)
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
                ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children[ppid].append(int(entry))
        tree, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(children.get(pid, []))
        return tree

    def sample(self) -> None:
        total = 0
        for pid in self._tree():
            status = self._status(pid)
            total += status.get("VmRSS", 0)
            self.peak_hwm_kb = max(self.peak_hwm_kb, status.get("VmHWM", 0))
        self.current_kb = total
        self.peak_rss_kb = max(self.peak_rss_kb, total)
        self.samples += 1

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.sample()


# ----------------------------------------------------------------------------- results
@dataclass
class Step:
    session: int
    round: int
    page: str
    action: str
    seconds: float | None  # None: no rerun happened (nothing changed)
    rss_mb: float | None = None  # the server tree's resident memory right after the step


@dataclass
class Problem:
    session: int
    page: str
    action: str
    kind: str  # exception | console | pageerror | timeout | missing
    text: str


@dataclass
class Results:
    steps: list[Step] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    monitor: MemoryMonitor | None = None


# ----------------------------------------------------------------------------- one session
class Tour:
    def __init__(self, index: int, browser, url: str, args, upload_path: Path, working_size: int,
                 results: Results, deadline: float):
        self.index, self.browser, self.url, self.args = index, browser, url, args
        self.upload_path, self.working_size = upload_path, working_size
        from PIL import Image

        with Image.open(upload_path) as im:
            self.upload_size = f"{im.width}×{im.height}"
        self.results, self.deadline = results, deadline
        self.timeout_ms = args.timeout * 1000
        self.where = ("Home", "open")
        self.uploaded = False
        self.page = None

    # ---------------------------------------------------------------- bookkeeping
    def problem(self, kind: str, text: str) -> None:
        page, action = self.where
        self.results.problems.append(Problem(self.index, page, action, kind, text.strip()[:400]))

    def _on_console(self, message) -> None:
        if message.type == "error":
            url = (message.location or {}).get("url", "")
            # a resource from another host that this (offline) machine cannot fetch, e.g. the favicon that
            # st.set_page_config(page_icon=":material/…:") loads from fonts.gstatic.com
            external = bool(url) and not url.startswith(self.url) and "ERR_NAME_NOT_RESOLVED" in message.text
            self.problem("external" if external else "console", f"{message.text} ({url})" if url else message.text)

    async def settle(self) -> None:
        """Wait until no script run is in progress (and a little longer, for late reruns)."""
        await self.page.wait_for_function(_IDLE, timeout=self.timeout_ms)
        await self.page.wait_for_timeout(150)
        await self.page.wait_for_function(_IDLE, timeout=self.timeout_ms)

    async def check_exceptions(self) -> None:
        exceptions = self.page.locator('[data-testid="stException"]')
        count = await exceptions.count()
        for i in range(count):
            self.problem("exception", await exceptions.nth(i).inner_text())

    async def change(self, page_title: str, action: str, act, *, rnd: int) -> float | None:
        """Do ``act`` and time it until the rerun it triggers has finished; record the step."""
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        self.where = (page_title, action)
        t0 = await self.page.evaluate("performance.now()")
        seconds = None
        try:
            await act()
            try:
                await self.page.wait_for_function(_STARTED, arg=t0, timeout=self.args.start_timeout * 1000)
            except PlaywrightTimeout:
                pass  # no rerun: the action changed nothing (e.g. a slider already at its maximum)
            else:
                t_end = await self.page.wait_for_function(_FINISHED, arg=t0, timeout=self.timeout_ms)
                seconds = (await t_end.json_value() - t0) / 1000
            await self.settle()
        except PlaywrightTimeout as err:
            self.problem("timeout", f"{action}: {str(err).splitlines()[0]}")
        monitor = self.results.monitor
        rss = monitor.current_kb / 1024 if monitor and monitor.samples else None
        self.results.steps.append(Step(self.index, rnd, page_title, action, seconds, rss))
        await self.check_exceptions()
        return seconds

    # ---------------------------------------------------------------- actions
    async def open_page(self, title: str, stem: str) -> None:
        nav = self.page.locator('[data-testid="stSidebarNav"]')
        link = nav.locator('a[data-testid="stSidebarNavLink"]', has_text=title)
        if not await link.count():
            view_more = nav.locator('[data-testid="stSidebarNavViewButton"]')
            if await view_more.count() and "more" in (await view_more.inner_text()):
                await view_more.click()
        await link.first.click()
        await self.page.wait_for_url(f"**/{stem}*", timeout=self.timeout_ms)

    async def has_image_input(self) -> bool:
        return await self.page.locator('[data-testid="stSidebar"] [data-testid="stFileUploaderDropzoneInput"]').count() > 0

    async def upload(self) -> None:
        await self.page.locator('[data-testid="stSidebar"] [data-testid="stFileUploaderDropzoneInput"]').first \
            .set_input_files(str(self.upload_path))

    async def select_upload(self) -> bool:
        """Pick 'Your upload' in the sidebar image picker; False if it is already selected or not offered."""
        boxes = self.page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]')
        for i in range(await boxes.count()):
            await boxes.nth(i).click()
            option = self.page.get_by_role("option", name="Your upload", exact=False).first
            try:
                await option.wait_for(timeout=2000)
            except Exception:  # noqa: BLE001 - not the image picker
                await self.page.keyboard.press("Escape")
                continue
            if await option.get_attribute("aria-selected") == "true":
                await self.page.keyboard.press("Escape")
                return False
            await option.click()
            return True
        return False

    async def set_working_size(self) -> None:
        slider = self.page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]', has_text="Working size")
        thumb = slider.locator('input[type="range"]').first
        steps = WORKING_SIZES.index(self.working_size) - WORKING_SIZES.index(DEFAULT_WORKING_SIZE)
        await thumb.focus()
        for _ in range(abs(steps)):
            await self.page.keyboard.press("ArrowRight" if steps > 0 else "ArrowLeft")

    async def find_canvas(self):
        """The drawable canvas's top layer: in the page (Streamlit's inline components) or in a component iframe."""
        canvas = self.page.locator("canvas.upper-canvas")
        if await canvas.count():
            return canvas.first
        for frame in self.page.frames:
            canvas = frame.locator("canvas.upper-canvas")
            if await canvas.count():
                return canvas.first
        return None

    async def draw_stroke(self, k: int) -> None:
        """Draw one freehand stroke across the visible part of the canvas (stroke k a little lower than k-1)."""
        canvas = await self.find_canvas()
        if canvas is None:
            raise RuntimeError("no drawable canvas (canvas.upper-canvas) on the page")
        await canvas.scroll_into_view_if_needed()
        box = await canvas.bounding_box()
        if box is None:
            raise RuntimeError("the canvas has no size")
        viewport = self.page.viewport_size or {"height": 1000}
        top = max(box["y"], 0)
        bottom = min(box["y"] + box["height"], viewport["height"])
        y0 = top + (0.25 + 0.4 * (k % 2)) * (bottom - top)
        mouse = self.page.mouse
        await mouse.move(box["x"] + 0.2 * box["width"], y0)
        await mouse.down()
        for step in range(1, 11):
            await mouse.move(box["x"] + (0.2 + 0.06 * step) * box["width"], y0 + 0.01 * step * (bottom - top), steps=2)
        await mouse.up()

    async def choose_class(self, k: int) -> bool:
        """Pick the k-th option of a radio group whose label mentions 'class' (the class to draw); False if none."""
        groups = self.page.locator('[data-testid="stMain"] [data-testid="stRadio"]', has_text="class")
        if not await groups.count():
            return False
        options = groups.first.locator('[data-testid="stRadioOption"]')
        if await options.count() <= k:
            return False
        await options.nth(k).click()
        return True

    # ---------------------------------------------------------------- the tour
    async def run(self) -> None:
        context = await self.browser.new_context(viewport={"width": 1400, "height": 1000})
        await context.add_init_script(_INIT_SCRIPT)
        self.page = await context.new_page()
        self.page.set_default_timeout(self.timeout_ms)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda err: self.problem("pageerror", str(err)))
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
                    except Exception as err:  # noqa: BLE001 - record it, go on with the next page
                        kind = "timeout" if "Timeout" in type(err).__name__ else "error"
                        self.problem(kind, f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")
        except Exception as err:  # noqa: BLE001 - a broken session is an error, the others go on
            self.problem("timeout" if "Timeout" in type(err).__name__ else "error", f"{type(err).__name__}: {err}")
        finally:
            await context.close()

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
def _percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    position = (len(values) - 1) * q
    low, high = int(position), min(int(position) + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def _fmt(x: float) -> str:
    return "–" if x != x else f"{x:.2f}"


def _working_size_for(longest_side: int, requested: int | None) -> int:
    if requested:
        if requested not in WORKING_SIZES:
            raise SystemExit(f"--working-size must be one of {WORKING_SIZES}")
        return requested
    return next((w for w in WORKING_SIZES if w >= longest_side), WORKING_SIZES[-1])


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
    parser.add_argument("--screenshots", default=None,
                        help="save a full-page screenshot of every page of session 0 (after its changes) in this folder")
    args = parser.parse_args(argv)

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
    text = report(args, results, monitor, image.shape, working_size, wall, server_tail, load_before)
    print(text, flush=True)
    if args.out:
        Path(args.out).write_text(text + "\n")
    return 1 if any(p.kind != "external" for p in results.problems) else 0


if __name__ == "__main__":
    raise SystemExit(main())
