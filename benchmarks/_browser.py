"""What the browser benchmarks share: a local server's memory, Streamlit's script state, one session's actions.

``benchmarks.load`` (many sessions) and ``benchmarks.latency`` (one session, every widget) drive headless
Chromium against a server on 127.0.0.1 only; every wait is bounded.

A change is timed from the action to the moment Streamlit's script state (``data-test-script-state`` on
``stApp``) returns to ``notRunning`` after having been ``running`` — a whole-page or a fragment rerun alike —
for the last time: a change whose callback reruns named fragments (``st.rerun([...])``) takes two runs, and the
time is the second's end (no run starts within 150 ms of it).
"""

from __future__ import annotations

import collections
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WORKING_SIZES = [256, 384, 512, 768, 1024, 1536, 2048]  # as in ui.images (which imports streamlit)
DEFAULT_WORKING_SIZE = 1024

# Records every change of Streamlit's script state with a timestamp (ms, performance.now()), and every input
# event the page receives (a key, a pointer press): a change is timed from the browser's input event, not from
# when the harness starts looking for the widget (Playwright's checks before a click, the radio's option scan).
_INIT_SCRIPT = """
window.__stLoad = {log: [], input: []};
for (const kind of ['keydown', 'pointerdown', 'mousedown']) {
  document.addEventListener(kind, () => window.__stLoad.input.push(performance.now()), true);
}
new MutationObserver((mutations) => {
  for (const m of mutations) {
    if (m.attributeName === 'data-test-script-state' && m.target.getAttribute) {
      window.__stLoad.log.push([m.target.getAttribute('data-test-script-state'), performance.now()]);
    }
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
"""
_FIRST_INPUT = """(t0) => { const t = window.__stLoad.input.find((t) => t >= t0); return t === undefined ? null : t; }"""
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
# The last return to notRunning after t0: a widget callback's keyed ``st.rerun([...])`` runs the named fragments
# in a run of their own right after the interaction's run, so a change may take several runs.
_LAST_FINISHED = """(t0) => {
  let ran = false, last = false;
  for (const [s, t] of window.__stLoad.log) {
    if (t < t0) continue;
    if (s === 'running') ran = true;
    else if (ran && s === 'notRunning') last = t;
  }
  return last;
}"""
_IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning';
}"""


# ----------------------------------------------------------------------------- memory
class MemoryMonitor(threading.Thread):
    """Samples the resident memory of a process and all its descendants from /proc, and the CPU they use.

    CPU is counted for the server's tree and, apart, for everything else this benchmark started (Chromium and
    Playwright's driver): on a shared 2-core machine that says whether the server or the browsers held the cores.
    """

    def __init__(self, pid: int, interval: float = 0.25, browser_nice: int = 0):
        super().__init__(daemon=True)
        self.pid, self.interval, self.browser_nice = pid, interval, browser_nice
        self.peak_rss_kb = 0  # max over samples of the summed VmRSS of the tree
        self.peak_hwm_kb = 0  # max VmHWM (kernel-recorded peak RSS) of any process of the tree
        self.samples = 0
        self.current_kb = 0  # the last sample's summed VmRSS
        self._cpu: dict[int, float] = {}  # pid → last seen CPU seconds (user + system), server tree
        self._others: dict[int, float] = {}  # the same for this process's other descendants (browsers)
        self._stop_event = threading.Event()

    @property
    def server_cpu_s(self) -> float:
        """CPU seconds the server's processes used since they started (as last sampled)."""
        return sum(self._cpu.values())

    @property
    def browser_cpu_s(self) -> float:
        """CPU seconds the benchmark's other child processes (Chromium, Playwright's driver) used."""
        return sum(self._others.values())

    @staticmethod
    def _cpu_seconds(pid: int) -> float | None:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None

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

    def _renice(self, pid: int) -> None:
        """Every thread of ``pid`` at nice ≥ ``browser_nice``. Chromium running as root raises its own threads'
        priority (its browser process runs at nice −8), so a nice wrapper at launch does not hold: each sample
        lowers again any thread it finds above the value."""
        try:
            threads = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
        except (OSError, ValueError):
            return
        for tid in threads:
            try:
                if os.getpriority(os.PRIO_PROCESS, tid) < self.browser_nice:
                    os.setpriority(os.PRIO_PROCESS, tid, self.browser_nice)
            except OSError:
                pass

    def _tree(self, root: int | None = None) -> list[int]:
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
        tree, todo = [], [self.pid if root is None else root]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo.extend(children.get(pid, []))
        return tree

    def sample(self) -> None:
        total = 0
        server = self._tree()
        for pid in server:
            status = self._status(pid)
            total += status.get("VmRSS", 0)
            self.peak_hwm_kb = max(self.peak_hwm_kb, status.get("VmHWM", 0))
            cpu = self._cpu_seconds(pid)
            if cpu is not None:
                self._cpu[pid] = cpu
        for pid in set(self._tree(os.getpid())) - set(server) - {os.getpid()}:
            cpu = self._cpu_seconds(pid)
            if cpu is not None:
                self._others[pid] = cpu
            if self.browser_nice:
                self._renice(pid)
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
    fragment: bool | None = None  # the rerun it asked for: a fragment's (True), the whole page's (False), none
    samples: list[float] | None = None  # the seconds of each move when the step is the median of several
    lead: float | None = None  # seconds the harness took before the browser's input event (not counted)


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
class Session:
    """One browser session (its own context, so its own Streamlit session) and the ways it changes the page."""

    def __init__(self, index: int, browser, url: str, args, upload_path: Path | None, working_size: int,
                 results: Results, deadline: float):
        self.index, self.browser, self.url, self.args = index, browser, url, args
        self.upload_path, self.working_size = upload_path, working_size
        self.upload_size = ""
        if upload_path is not None:
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
            # Streamlit's frontend, opened on a deep link (/page), first probes /page/_stcore/health and
            # /page/_stcore/host-config for a base path, gets 404 and falls back to /: not an app error
            probe = "404" in message.text and url.endswith(("/_stcore/health", "/_stcore/host-config")) \
                and url.rsplit("/_stcore/", 1)[0].rstrip("/") != self.url.rstrip("/")
            kind = "external" if external or probe else "console"
            self.problem(kind, f"{message.text} ({url})" if url else message.text)

    def _on_frame_sent(self, payload) -> None:
        """Record the reruns the browser asks for (Streamlit's BackMsg): a widget inside an ``st.fragment``
        sends its fragment's id, any other widget asks for the whole page."""
        if isinstance(payload, str):
            return
        try:
            from streamlit.proto.BackMsg_pb2 import BackMsg

            message = BackMsg.FromString(payload)
        except Exception:
            return
        if message.WhichOneof("type") == "rerun_script":
            self.reruns.append(message.rerun_script.fragment_id)

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
        asked = len(getattr(self, "reruns", []))
        t0 = await self.page.evaluate("performance.now()")
        seconds = lead = None
        try:
            await act()
            try:
                await self.page.wait_for_function(_STARTED, arg=t0, timeout=self.args.start_timeout * 1000)
            except PlaywrightTimeout:
                pass  # no rerun: the action changed nothing (e.g. a slider already at its maximum)
            else:
                await self.page.wait_for_function(_FINISHED, arg=t0, timeout=self.timeout_ms)
            await self.settle()  # a keyed st.rerun([...]) from the widget's callback starts a second run: wait it out
            t_end = await self.page.evaluate(_LAST_FINISHED, t0)
            t_input = await self.page.evaluate(_FIRST_INPUT, t0)  # None: no input event (opening a page)
            start = t0 if t_input is None or (t_end and t_input > t_end) else t_input
            seconds = (t_end - start) / 1000 if t_end else None
            lead = (start - t0) / 1000
        except PlaywrightTimeout as err:
            self.problem("timeout", f"{action}: {str(err).splitlines()[0]}")
        monitor = self.results.monitor
        rss = monitor.current_kb / 1024 if monitor and monitor.samples else None
        reruns = getattr(self, "reruns", [])[asked:]
        fragment = all(reruns) if reruns else None
        self.results.steps.append(Step(self.index, rnd, page_title, action, seconds, rss, fragment, lead=lead))
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
            except Exception:
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

    async def new_page(self, viewport: dict | None = None):
        """Open this session's browser context and page, with the script-state recorder and error hooks."""
        self.context = await self.browser.new_context(viewport=viewport or {"width": 1400, "height": 1000})
        await self.context.add_init_script(_INIT_SCRIPT)
        self.page = await self.context.new_page()
        self.reruns: list[str] = []  # the fragment id (or "" for the whole page) of every rerun the browser asked for
        self.page.on("websocket", lambda ws: ws.on("framesent", self._on_frame_sent))
        self.page.set_default_timeout(self.timeout_ms)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda err: self.problem("pageerror", str(err)))
        return self.page

    async def first_result(self, url: str) -> float:
        """Open ``url``; seconds until its first script run has finished (the page's result on screen)."""
        t0 = time.monotonic()
        await self.page.goto(url)
        await self.page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=self.timeout_ms)
        await self.settle()
        return time.monotonic() - t0

    async def widgets(self, limit: int = 10) -> list[tuple[str, str, object]]:
        """The main area's widgets a person moves: (kind, label, locator) for sliders, toggles, radios, selects."""
        main = self.page.locator('[data-testid="stMain"]')
        found = []
        for kind, selector in (("slider", '[data-testid="stSlider"]'), ("toggle", '[data-testid="stCheckbox"]'),
                               ("radio", '[data-testid="stRadio"]'), ("select", '[data-testid="stSelectbox"]'),
                               ("segmented", '[data-testid="stButtonGroup"]')):
            items = main.locator(selector)
            for i in range(await items.count()):
                item = items.nth(i)
                if not await item.is_visible() or await item.locator('[disabled], [aria-disabled="true"]').count():
                    continue
                label = await item.locator('[data-testid="stWidgetLabel"]').first.inner_text() \
                    if await item.locator('[data-testid="stWidgetLabel"]').count() else kind
                found.append((kind, " ".join(label.split())[:60], item))
        return found[:limit]

    async def move(self, kind: str, item) -> None:
        """Change one widget by one step: slider → ArrowRight, toggle → click, radio / segmented control / select
        → the next option. A widget an earlier change removed is noted ("gone"), not waited for."""
        if not await item.is_visible():
            self.problem("gone", f"{kind}: no longer on the page (an earlier change removed it)")
            return
        if kind == "slider":
            thumb = item.locator('input[type="range"], [role="slider"]').first
            await thumb.focus(timeout=30_000)  # 30 browsers on 2 cores (benchmarks.load) may still be drawing it
            await self.page.keyboard.press("ArrowRight")
        elif kind == "toggle":
            await item.locator("label").first.click()
        elif kind in ("radio", "segmented"):
            # Streamlit 1.67 (react-aria): a radio option is label[data-testid=stRadioOption] around a hidden
            # input, a segmented control's is button[role=radio]; the chosen one has data-selected="true"
            options = item.locator('[data-testid="stRadioOption"], button[role="radio"], label[data-baseweb="radio"]')
            n = await options.count()
            if n < 2:
                self.problem("missing", f"{kind}: {n} option(s) found, nothing to move to")
                return
            chosen = [i for i in range(n) if await options.nth(i).get_attribute("data-selected") == "true"
                      or await options.nth(i).get_attribute("aria-checked") == "true"]
            await options.nth((chosen[0] + 1) % n if chosen else 0).click(timeout=10_000)
        else:
            await item.click()
            await self.page.keyboard.press("ArrowDown")
            await self.page.keyboard.press("Enter")



# ----------------------------------------------------------------------------- figures
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




@dataclass
class Run:
    """What :func:`measured_run` gives back."""

    results: Results
    monitor: MemoryMonitor
    wall: float
    load_before: str
    value: object = None


def measured_run(work, *, browser_nice: int = 0) -> Run:
    """Start a server on 127.0.0.1, run ``asyncio.run(work(url, results))`` while sampling its memory, stop it.

    ``browser_nice``: keep the browsers this benchmark starts at this nice value (0: as they are)."""
    import asyncio

    from tests.e2e.conftest import start_server, stop_server

    load_before = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    proc, url = start_server()
    monitor = MemoryMonitor(proc.pid, browser_nice=browser_nice)
    monitor.start()
    results = Results(monitor=monitor)
    start = time.monotonic()
    value = None
    try:
        value = asyncio.run(work(url, results))
    except TimeoutError:
        results.problems.append(Problem(-1, "-", "-", "timeout", "the whole run exceeded its time bound"))
    finally:
        wall = time.monotonic() - start
        monitor.stop()
        stop_server(proc)
    return Run(results, monitor, wall, load_before, value)
