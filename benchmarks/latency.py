"""Latency in a real browser: every page, each of its main widgets, one session.

Usage::

    python -m benchmarks.latency [--megapixels 1.0] [--widgets 8] [--pages superpixels,gabor] [--out benchmarks/LATENCY.md]

Starts a server on 127.0.0.1, opens every registered page in headless Chromium, and moves each of the main
area's widgets one step (slider → one step right, toggle → click, radio / select box → the next option),
timing each change from the action to the end of the rerun it triggers (the whole page's or a fragment's).
Each row's stage comes from the rerun the browser asked for: a widget inside an ``st.fragment`` ("second":
second-stage and display widgets) or one that reruns the page ("first"; also the fragment widgets that
recompute a compute stage, :data:`FIRST_STAGE_IN_FRAGMENT`); the report sums each class against its target. A
second-stage widget is moved ``--repeats`` times (a single move varies by ±0.1 s here); its row is the median.
It does so twice: on the page's default sample, then after uploading a photo of ``--megapixels`` (the upload
becomes every page's image). Targets (one session, this machine): a second-stage or display widget ≤ 0.3 s, a
first-stage widget ≤ 1 s at 1 MP (trainable segmentation from scratch and panorama ≤ 2 s).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._browser import MemoryMonitor, Results, Session, _fmt, _percentile, measured_run  # noqa: E402
from ui.registry import PAGES  # noqa: E402  (ui.registry imports no streamlit)


class Probe(Session):
    """One session that opens each page and moves its widgets; records (page, image, widget) → seconds."""

    async def page_widgets(self, title: str, stem: str, image: str) -> None:
        await self.change(title, f"{image} · open page", lambda: self.open_page(title, stem), rnd=0)
        await self.settle()  # a fresh server's first visit may rerun once more: list the widgets after it
        for kind, label, item in await self.widgets(limit=self.args.widgets):
            if time.monotonic() > self.deadline:
                return
            action, move = f"{image} · {kind}: {label}", (lambda kind=kind, item=item: self.move(kind, item))
            await self.change(title, action, move, rnd=0)
            first, n = self.results.steps[-1], self.args.repeats
            if n > 1 and stage(first) == "second":  # one move is noisy (±0.1 s here): n moves, their median
                for _ in range(n - 1):
                    await self.change(title, action, move, rnd=0)
                samples = [s.seconds for s in self.results.steps[-n:] if s.seconds is not None]
                del self.results.steps[-n:]
                self.results.steps.append(dataclasses.replace(
                    first, seconds=statistics.median(samples) if samples else None, samples=samples))

    async def run(self, pages) -> None:
        await self.new_page()
        try:
            await self.first_result(self.url)
            for info in pages:
                await self.page_widgets(info.title, Path(info.path).stem, "default")
            if self.upload_path is not None:
                first = next((info for info in pages if info.title != "Digits (SVC)"), pages[0])
                await self.open_page(first.title, Path(first.path).stem)
                await self.settle()
                await self.change(first.title, "upload", self.upload, rnd=0)
                for info in pages:
                    await self.page_widgets(info.title, Path(info.path).stem, "1 MP upload")
        except Exception as err:
            self.problem("error", f"{type(err).__name__}: {err}")
        finally:
            await self.context.close()


async def _amain(args, url: str, upload: Path, results: Results, pages) -> None:
    from playwright.async_api import async_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            probe = Probe(0, browser, url, args, upload, 1024, results, time.monotonic() + args.max_seconds)
            await asyncio.wait_for(probe.run(pages), timeout=args.max_seconds + 2 * args.timeout)
        finally:
            await browser.close()


#: Seconds a first-stage widget may take at 1 MP (any other page: FIRST_TARGET); a second-stage one: SECOND_TARGET.
FIRST_TARGET, SECOND_TARGET = 1.0, 0.3
SLOW_PAGES = {"Trainable segmentation": 2.0, "Panorama stitching": 2.0}


#: Widgets (label prefixes) inside a fragment that recompute a compute stage, timed against the first-stage
#: target of their page: Corners & ORB computes its detectors in a fragment; Panorama's keypoints, and its
#: matching and RANSAC widgets, which re-estimate the transforms and warp + blend the panorama again (the
#: pipeline's later compute stages, not a display); Superpixels' opt-in run of the tutorial's k-means over every
#: pixel ("slow at 1 MP", its label says).
FIRST_STAGE_IN_FRAGMENT = {
    "Corners & ORB": ("k (sensitivity)", "sigma", "min_distance", "threshold_rel", "n_keypoints", "fast_threshold",
                      "downscale", "n_scales"),
    "Panorama stitching": ("n_keypoints", "fast_threshold", "n_scales", "downscale", "max_ratio", "residual_threshold",
                           "max_trials", "Cross-check"),
    "Superpixels": ("Compare with the tutorial's own k-means",),
}


#: A section of the report file written by hand from another measurement: ``--out`` keeps it.
KEPT = "## What a fragment rerun costs in the browser"


def stage(step) -> str:
    """'second' for a widget inside an ``st.fragment`` (its rerun is the fragment's) that does not recompute
    the first stage, 'first' for a widget that reruns the whole page or recomputes the first stage in its
    fragment (:data:`FIRST_STAGE_IN_FRAGMENT`), 'open' for opening a page or uploading, '–': no rerun asked."""
    if " · " not in step.action or step.action.endswith("open page"):  # "upload", "<image> · open page"
        return "open"
    if step.fragment is None:
        return "–"
    label = step.action.split(": ", 1)[-1]
    if step.fragment and not label.startswith(FIRST_STAGE_IN_FRAGMENT.get(step.page, ())):
        return "second"
    return "first"


def target(step) -> float:
    return SECOND_TARGET if stage(step) == "second" else SLOW_PAGES.get(step.page, FIRST_TARGET)


def _summary(label: str, steps: list, limit_text: str) -> str:
    timed = [s for s in steps if s.seconds is not None]
    if not timed:
        return f"- **{label}**: none measured."
    seconds = sorted(s.seconds for s in timed)
    over = [f"{s.page} · {s.action} {s.seconds:.2f} s" for s in timed if s.seconds > target(s)]
    text = (f"- **{label}** ({limit_text}): {len(timed) - len(over)} of {len(timed)} within target; median "
            f"{_percentile(seconds, 0.5):.2f} s, max {seconds[-1]:.2f} s.")
    return text + (f" Over: {'; '.join(over)}." if over else "")


def report(args, results: Results, monitor: MemoryMonitor, wall: float, load_before: str) -> str:
    from benchmarks.__main__ import machine

    leads = [s.lead for s in results.steps if s.lead is not None and not s.action.endswith("open page")]
    lead_text = (f"median {statistics.median(leads):.2f} s, max {max(leads):.2f} s per change" if leads
                 else "none recorded")
    lines = [
        f"# Latency in a real browser — {datetime.datetime.now().isoformat(timespec='seconds')}", "",
        f"Machine: {machine()}; load average before: {load_before}. Command: "
        f"`python -m benchmarks.latency {' '.join(sys.argv[1:])}`; wall time {wall:.0f} s; server VmHWM "
        f"{monitor.peak_hwm_kb / 1024:.0f} MB.", "",
        "Seconds from a change (the browser's input event: the key press or pointer press that makes it) to the "
        "end of the rerun it triggers (whole page or fragment), one session. The harness's own work before that "
        f"event (Playwright's checks before a click, finding a radio's chosen option) is not counted: {lead_text}. "
        "Targets: second-stage / display widgets ≤ 0.3 s; first-stage widgets ≤ 1 s at 1 MP "
        "(trainable segmentation from scratch and panorama ≤ 2 s). '–': the change triggered no rerun. Stage: "
        "**second** = a widget inside the page's `st.fragment` (the browser asked for that fragment's rerun: a "
        "second-stage or display widget), **first** = a widget that reruns the whole page or recomputes a compute "
        "stage inside its fragment (Corners & ORB's detectors; Panorama's keypoints, matching and RANSAC, which warp "
        "and blend the panorama again; Superpixels' opt-in k-means over every pixel: `FIRST_STAGE_IN_FRAGMENT` in "
        "benchmarks/latency.py), **open** = opening the page or uploading. A second-stage widget is moved "
        f"{args.repeats} times (each move a change of its own: a slider one more step, a toggle back and forth); its "
        "row is the median, with the range.", "",
    ]
    steps = results.steps
    second = [s for s in steps if stage(s) == "second"]
    first_1mp = [s for s in steps if stage(s) == "first" and s.action.startswith("1 MP")]
    first_default = [s for s in steps if stage(s) == "first" and not s.action.startswith("1 MP")]
    lines += ["Summary:",
              _summary("Second-stage / display widgets", second, f"≤ {SECOND_TARGET} s"),
              _summary("First-stage widgets at 1 MP", first_1mp, f"≤ {FIRST_TARGET:g} s; trainable, panorama ≤ 2 s"),
              _summary("First-stage widgets on the default samples", first_default,
                       "the same limits, for reference"), "",
              "| page | image · change | stage | seconds |", "|---|---|---|---:|"]
    for step in steps:
        seconds = _fmt(step.seconds) if step.seconds is not None else "–"
        if step.samples and len(step.samples) > 1:
            seconds += f" ({_fmt(min(step.samples))}–{_fmt(max(step.samples))}, median of {len(step.samples)})"
        lines.append(f"| {step.page} | {step.action.replace('|', '/')} | {stage(step)} | {seconds} |")
    problems = [p for p in results.problems if p.kind not in ("external", "gone")]
    lines += ["", f"Errors: **{len(problems)}**"]
    lines += [f"- {p.page} · {p.action}: {p.kind}: {p.text.splitlines()[0][:200] if p.text else ''}"
              for p in problems[:30]]
    gone = [p for p in results.problems if p.kind == "gone"]
    if gone:
        lines += ["", "Not moved (an earlier change on the page removed the widget): "
                  + "; ".join(f"{p.page} · {p.action}" for p in gone) + "."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megapixels", type=float, default=1.0, help="the uploaded photo's size (default 1.0)")
    parser.add_argument("--widgets", type=int, default=8, help="widgets moved per page (default 8)")
    parser.add_argument("--pages", default=None, help="comma-separated page file names (default: every page)")
    parser.add_argument("--repeats", type=int, default=6,
                        help="moves of each second-stage widget; its row is their median (default 6: a multiple of 2 "
                             "and 3, so toggles and 2- or 3-option controls end where they began)")
    parser.add_argument("--max-seconds", type=float, default=900, help="no new change starts after this")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for one result")
    parser.add_argument("--start-timeout", type=float, default=3,
                        help="seconds to wait for a rerun to start before deciding nothing changed")
    parser.add_argument("--out", default=None, help="also write the report to this file")
    args = parser.parse_args(argv)
    pages = [info for info in PAGES if args.pages is None or Path(info.path).stem in args.pages.split(",")]

    from PIL import Image

    from benchmarks._harness import photo

    tmp = tempfile.TemporaryDirectory(prefix="imlab-latency-")
    upload = Path(tmp.name) / f"photo_{args.megapixels:g}MP.png"
    Image.fromarray(photo(args.megapixels, "astronaut")).save(upload)
    try:
        run = measured_run(lambda url, results: _amain(args, url, upload, results, pages))
    finally:
        tmp.cleanup()
    results = run.results
    text = report(args, results, run.monitor, run.wall, run.load_before)
    print(text, flush=True)
    if args.out:
        out = Path(args.out)
        old = out.read_text() if out.exists() else ""
        if KEPT in old:  # a section measured apart (not by this run): kept as it is
            text += "\n\n" + old[old.index(KEPT):].rstrip()
        out.write_text(text + "\n")
    return 1 if any(p.kind not in ("external", "gone") for p in results.problems) else 0


if __name__ == "__main__":
    raise SystemExit(main())
