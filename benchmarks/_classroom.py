"""The classroom load test: many students open one link at once (``python -m benchmarks.load --same-link``).

Two scenarios, each bounded in count and time and sent to 127.0.0.1 only:

* ``--same-link URL``: ``--sessions`` browser contexts open the same share link, their starts spread evenly over
  ``--within`` seconds (60 by default: a class opening a posted link); each waits for its first result, then
  moves two widgets of the page, one after the other.
* ``--upload-each``: each session opens the link and uploads its own photo of ``--megapixels`` (a different image
  per session, so no cache is shared), then moves two widgets.

Reported: errors (must be 0), time to first result per session (p50 / p95), change latency (p50 / p95 / max),
the server's peak resident memory (the kernel's VmHWM and the sampled tree RSS).
"""

from __future__ import annotations

import asyncio
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

from benchmarks._browser import MemoryMonitor, Results, Session, Step, _fmt, _percentile


class Student(Session):
    """Opens the link, (uploads), waits for the result, moves two widgets."""

    first: float | None = None

    async def run(self, link: str, start_delay: float) -> None:
        await asyncio.sleep(start_delay)
        await self.new_page()
        try:
            self.where = ("link", "first result")
            self.first = await self.first_result(link)
            self.results.steps.append(Step(self.index, 0, "link", "first result", self.first))
            await self.check_exceptions()
            if self.upload_path is not None:
                await self.change("link", "upload", self.upload, rnd=0)
                if self.upload_size and not await self.page.locator('[data-testid="stSidebar"]').get_by_text(
                        self.upload_size).count():
                    self.problem("missing", f"the upload ({self.upload_size}) is not in use")
            # under load the browser may still be drawing the page when its run has finished: wait for two widgets
            drawn_by = time.monotonic() + self.args.timeout
            moves = await self.widgets(limit=2)
            while len(moves) < 2 and time.monotonic() < drawn_by:
                await asyncio.sleep(1)
                moves = await self.widgets(limit=2)
            if len(moves) < 2:
                self.problem("missing", f"only {len(moves)} widget(s) to move")
            for kind, label, item in moves:
                if time.monotonic() > self.deadline:
                    return
                await self.change("link", f"{kind}: {label}", lambda kind=kind, item=item: self.move(kind, item),
                                  rnd=0)
        except Exception as err:
            self.problem("timeout" if "Timeout" in type(err).__name__ else "error", f"{type(err).__name__}: {err}")
        finally:
            await self.context.close()


async def run_class(args, url: str, uploads: list[Path | None], results: Results) -> list[Student]:
    """Run ``args.sessions`` students against ``url`` + the link's path and query; return them."""
    from playwright.async_api import async_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    link = args.same_link if args.same_link.startswith("http") else url.rstrip("/") + "/" + args.same_link.lstrip("/")
    deadline = time.monotonic() + args.max_seconds
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            students = [Student(i, browser, url, args, uploads[i], 1024, results, deadline)
                        for i in range(args.sessions)]
            spread = args.within / max(args.sessions - 1, 1)
            await asyncio.wait_for(asyncio.gather(*(s.run(link, i * spread) for i, s in enumerate(students))),
                                   timeout=args.max_seconds + args.within + 2 * args.timeout + 60)
        finally:
            await browser.close()
    return students


def report(args, results: Results, students: list[Student], monitor: MemoryMonitor | None, wall: float,
           load_before: str, upload_shape) -> str:
    """The Markdown section of one classroom run."""
    from benchmarks.__main__ import machine

    firsts = [s.first for s in students if s.first is not None]
    changes = [st.seconds for st in results.steps if st.action not in ("first result", "upload")
               and st.seconds is not None]
    uploads = [st.seconds for st in results.steps if st.action == "upload" and st.seconds is not None]
    untimed = [st for st in results.steps if st.action not in ("first result", "upload") and st.seconds is None]
    errors = [p for p in results.problems if p.kind != "external"]
    scenario = (f"{args.sessions} sessions open `{args.same_link}` within {args.within:g} s"
                + (f", each uploads its own {upload_shape[1]}×{upload_shape[0]} photo" if upload_shape else "")
                + ", then each moves two widgets")
    lines = [
        f"## {scenario}",
        "",
        f"{datetime.datetime.now().isoformat(timespec='seconds')} · machine: {machine()}; load average before: "
        f"{load_before}. Command: `python -m benchmarks.load {' '.join(sys.argv[1:])}`; wall time {wall:.0f} s"
        + (f"; CPU used: server {monitor.server_cpu_s:.0f} s, the {args.sessions} browser contexts "
           f"{monitor.browser_cpu_s:.0f} s (of {(os.cpu_count() or 1) * wall:.0f} core-seconds)" if monitor else "")
        + (f"; the browsers' threads kept at nice {args.browser_nice} (they stand for the students' own computers; "
           "Chromium as root would run its browser process at −8, above the server)." if args.browser_nice
           else "; the browsers at the priorities Chromium gives itself."),
        "",
        "| sessions | errors | first result p50 s | p95 s | max s | upload p50 s | change p50 s | p95 s | max s "
        "| changes timed | no rerun | server VmHWM MB | tree RSS peak MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {args.sessions} | **{len(errors)}** | {_fmt(_percentile(firsts, 0.5))} | {_fmt(_percentile(firsts, 0.95))} "
        f"| {_fmt(max(firsts) if firsts else float('nan'))} | {_fmt(_percentile(uploads, 0.5))} "
        f"| {_fmt(_percentile(changes, 0.5))} | {_fmt(_percentile(changes, 0.95))} "
        f"| {_fmt(max(changes) if changes else float('nan'))} | {len(changes)} | {len(untimed)} "
        f"| {monitor.peak_hwm_kb / 1024:.0f} | {monitor.peak_rss_kb / 1024:.0f} |" if monitor else
        f"| {args.sessions} | **{len(errors)}** | {_fmt(_percentile(firsts, 0.5))} | … | | | | | | | | n/a | n/a |",
    ]
    per_widget: dict[str, list[float]] = {}
    for st in results.steps:
        if st.seconds is not None and st.action != "first result":
            per_widget.setdefault(st.action, []).append(st.seconds)
    if per_widget:
        lines += ["", "| change | n | median s | max s |", "|---|---:|---:|---:|"]
        lines += [f"| {name} | {len(v)} | {_fmt(statistics.median(v))} | {_fmt(max(v))} |"
                  for name, v in per_widget.items()]
    if errors:
        lines += ["", "Errors (first 20):", ""]
        lines += [f"- session {p.session}, {p.action}: {p.kind}: {p.text.splitlines()[0][:200] if p.text else ''}"
                  for p in errors[:20]]
    return "\n".join(lines)
