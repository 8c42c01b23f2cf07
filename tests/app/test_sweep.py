"""The bad-input sweep (issue 9): every page, pushed to its edges, answers with a message or a result.

Three sweeps, each parametrised so that a failure names the page, the widget or file, and the value:

1. **Numeric extremes** — every slider, select slider and number input a page renders with its default
   settings (discovered by running the page once at collection time), set to its minimum and to its maximum,
   one at a time (the widget moved before is put back to its default first). The shared "working size"
   select slider is one of them. Widgets that only appear after another choice (e.g. a method's own
   parameters) are not discovered.
2. **Bad uploads** — every bad file of ``tests/core/test_images.py``'s ``BAD`` dict, uploaded through the
   page's real ``st.file_uploader`` (Streamlit 1.67's AppTest drives it: the bytes reach ``ui.images._on_upload``
   as an ``UploadedFile``) on every page that takes an image: the page must show the decoder's message and go on.
3. **Odd images** — a grayscale photo, a tiny 8×8 image and a very elongated 2000×16 image, uploaded the
   same way, on every page that takes an image, at the sweep's working size (256 px, where the 2000×16 image
   becomes 256×8: the short side is kept at 8 px) and the elongated one also at 2048 px (where it stays 2000×16): the page must use the upload
   and show either a clear message (``st.error`` / ``st.warning`` / ``st.info``) or a result (an image, a chart,
   a table or a metric) — never an exception.

5. **Hostile links** — every page opened by links a hostile user could send: Markdown and HTML in unknown setting
   names and in values of its own settings (a fake "sign in again" link, a tracking image), a 50 000-character
   name and value, Unicode (bidi controls, combining marks, non-ASCII digits), NaN, ±1e308 in every numeric setting,
   300 unknown settings: no exception, no Markdown link or image rendered from the link, notices bounded in length.

4. **Modes and their own uploaders** — every choice widget (radio, select box, segmented control) a page renders
   at its defaults, set to each of its options one at a time (the shared sample picker is left to
   ``test_shell.py``): no exception. A file uploader that appears in that mode (e.g. a page's own "upload a mask",
   "upload 2–3 photos" or ".skops model" uploader) receives every ``BAD`` file: the page must show a new
   ``st.error`` / ``st.warning`` / ``st.info`` — never an exception.

AppTest sessions are reused per page (one run per case) to keep the sweep within a few minutes.
"""

from __future__ import annotations

import math
import re
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from core.images import SAMPLES, to_png_bytes
from tests.app.conftest import app_test, trainable_opened_on
from tests.core.test_images import BAD
from ui.params import escape_md
from ui.registry import PAGES

TIMEOUT = 120  # seconds per script run: generous, the machine is shared
WORKING_SIZE = 256
NUMERIC_KINDS = ("slider", "select_slider", "number_input")


# ----------------------------------------------------------------------------- helpers
def _sweep_state() -> dict[str, dict]:
    """Session state a page opens with in the sweep: the trainable page on its Tutorial preset (its first visit's
    setting) with a forest of 10 trees trained on at most 5 000 pixels, not 100 on 20 000: the sweep checks messages
    and exceptions, not accuracy, and every case is then cheaper (the "trees" and "max_pixels" extremes still
    run 1…300 trees and 0…1 000 000 pixels)."""
    return {"pages/trainable_segmentation.py": trainable_opened_on("tutorial", max_pixels=5000, trees=10)}


SWEEP_STATE = _sweep_state()


def _open(page: str):
    """An AppTest of ``page`` at the sweep's working size (and :data:`SWEEP_STATE`), run once."""
    return app_test(page, timeout=TIMEOUT, working_size=WORKING_SIZE, session_state=SWEEP_STATE.get(page))


def _exceptions(at) -> list[str]:
    """Each exception of the last run as 'message | last stack lines'."""
    out = []
    for exc in at.exception:
        stack = [line for line in (exc.stack_trace or []) if line.strip()]
        out.append(f"{exc.proto.type}: {exc.message}\n    " + "\n    ".join(stack[-6:]))
    return out


def _assert_no_exception(at, what: str) -> None:
    errors = _exceptions(at)
    if errors:  # a short, readable failure: what was done, and the page's traceback head
        pytest.fail(f"{what} raised:\n" + "\n".join(errors), pytrace=False)


def _is_picker(box) -> bool:
    """Whether a select box is ui.images.image_input's sample picker (key ``<page>:image``, every sample)."""
    return (box.key or "").endswith(":image") and set(SAMPLES) <= set(box.options)


def _image_picker(at):
    """The sidebar sample picker of ui.images.image_input, or None if the page takes no image."""
    for box in at.sidebar.selectbox:
        if _is_picker(box):
            return box
    return None


def _uploader(at):
    uploaders = list(at.sidebar.file_uploader)
    return uploaders[0] if uploaders else None


@dataclass(frozen=True)
class WidgetSpec:
    """A numeric widget found on a page, by kind and key (or label when it has no key)."""

    kind: str
    key: str | None
    label: str
    index: int  # position among the page's widgets of this kind (for widgets without a key)

    @property
    def ident(self) -> str:
        return self.key or f"{self.kind}[{self.index}] '{self.label}'"


def _numeric_widgets(at) -> list[WidgetSpec]:
    specs = []
    for kind in NUMERIC_KINDS:
        for index, widget in enumerate(getattr(at, kind)):
            if kind == "slider" and widget.proto.data_type not in (0, 1):
                continue  # date / time sliders are not numeric
            specs.append(WidgetSpec(kind, widget.key, str(widget.label), index))
    return specs


def _find(at, spec: WidgetSpec):
    widgets = list(getattr(at, spec.kind))
    if spec.key is not None:
        for widget in widgets:
            if widget.key == spec.key:
                return widget
        return None
    matching = [w for w in widgets if str(w.label) == spec.label]
    return matching[0] if matching else None


def _select_slider_value(widget, formatted: str) -> Any:
    """The option value whose formatted label is ``formatted`` (AppTest only knows the labels)."""
    candidates: list[Any] = []
    try:
        number = float(formatted.replace(",", ""))
        candidates += [number] + ([int(number)] if math.isfinite(number) and number == int(number) else [])
    except ValueError:
        pass
    candidates.append(formatted)
    for candidate in candidates:
        try:
            if widget.format_func(candidate) == formatted:
                return candidate
        except Exception:
            continue
    raise AssertionError(f"cannot recover the value of select_slider option {formatted!r}")


def _extreme(widget, kind: str, end: str) -> Any:
    """The widget's min or max (a range widget collapses to that end), or None if unbounded."""
    if kind == "select_slider":
        label = widget.options[0] if end == "min" else widget.options[-1]
        value = _select_slider_value(widget, label)
    else:
        value = widget.min if end == "min" else widget.max
        if value is None:
            return None
        if widget.proto.data_type == 0:  # INT (Slider and NumberInput protos agree): the proto holds doubles
            value = int(value)
    current = widget.value
    if isinstance(current, (list, tuple)):
        return [value, value]
    return value


CHOICE_KINDS = ("radio", "selectbox", "segmented_control")


def _choice_widgets(at) -> list[WidgetSpec]:
    specs = []
    for kind in CHOICE_KINDS:
        for index, widget in enumerate(getattr(at, kind)):
            if kind == "selectbox" and _is_picker(widget):
                continue  # the shared sample picker: every sample is run by tests/app/test_shell.py
            if kind == "segmented_control" and not widget._is_single_select:
                continue
            specs.append(WidgetSpec(kind, widget.key, str(getattr(widget, "label", "") or widget.proto.label), index))
    return specs


def _send_label(widget, label: str) -> None:
    """Make the next run receive ``label`` for this choice widget, exactly as the browser sends it.

    The browser sends the *formatted* option label and the server maps it back to the option value; AppTest's
    ``set_value`` wants the value itself, which it cannot know for options shown with a ``format_func``.
    """
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    state = WidgetState()
    state.id = widget.id
    if widget.type == "button_group":
        state.string_array_value.data[:] = [label]
    else:
        state.string_value = label
    widget.__class__ = type(f"Forced{type(widget).__name__}", (type(widget),),
                            {"_widget_state": property(lambda self: state)})


def _current_label(widget) -> str:
    if widget.type == "button_group":
        return widget.formatted_values[0] if widget.formatted_values else widget.options[0]
    return widget.options[widget.index] if widget.index is not None else widget.options[0]


def _messages(at) -> set[str]:
    return {f"{kind}: {e.value}" for kind in ("error", "warning", "info") for e in getattr(at, kind)}


# ----------------------------------------------------------------------------- page sessions
class PageSession:
    """One AppTest per page, reused by the numeric cases; remembers which widget is off its default."""

    def __init__(self, page: str):
        self.page = page
        self.at = _open(page)
        self.first_run_errors = _exceptions(self.at)
        self.widgets = _numeric_widgets(self.at)
        self.choices = _choice_widgets(self.at)
        self.defaults = {}
        for spec in self.widgets:
            widget = _find(self.at, spec)
            self.defaults[spec] = widget.value
        self.takes_image = _image_picker(self.at) is not None
        self.moved: WidgetSpec | None = None

    def set(self, spec: WidgetSpec, value: Any) -> None:
        """Put the previously moved widget back to its default, set ``spec`` to ``value``, run."""
        at = self.at
        if self.moved is not None and self.moved != spec:
            previous = _find(at, self.moved)
            if previous is None or previous.disabled:  # cannot be put back by a user: start afresh
                self.__init__(self.page)
                at = self.at
            else:
                previous.set_value(self.defaults[self.moved])
        widget = _find(at, spec)
        assert widget is not None, f"{spec.ident} is no longer rendered on {self.page}"
        widget.set_value(value)
        self.moved = spec
        at.run()


_SESSIONS: dict[str, PageSession] = {}
_DISCOVERY_ERRORS: dict[str, str] = {}


def _session(page: str) -> PageSession:
    if page not in _SESSIONS:
        _SESSIONS[page] = PageSession(page)
    return _SESSIONS[page]


def _discover() -> tuple[list, list, list]:
    """Run every page once: its numeric and choice widgets (for parametrisation), whether it takes an image."""
    numeric, image_pages, choices = [], [], []
    for info in PAGES:
        try:
            session = _session(info.path)
        except Exception:
            _DISCOVERY_ERRORS[info.path] = traceback.format_exc(limit=-4)
            continue
        for spec in session.widgets:
            for end in ("min", "max"):
                numeric.append(pytest.param(info.path, spec, end, id=f"{info.path[6:-3]}-{spec.ident}-{end}"))
        for spec in session.choices:
            choices.append(pytest.param(info.path, spec, id=f"{info.path[6:-3]}-{spec.ident}"))
        if session.takes_image:
            image_pages.append(info.path)
    return numeric, image_pages, choices


NUMERIC_CASES, IMAGE_PAGES, CHOICE_CASES = _discover()


@pytest.fixture(scope="module", autouse=True)
def _release_sessions():
    """Drop the reused AppTests when the module is done (they hold every page's last render)."""
    yield
    _SESSIONS.clear()
    _UPLOAD_SESSIONS.clear()


# ----------------------------------------------------------------------------- 0. defaults
@pytest.mark.parametrize("page", [p.path for p in PAGES], ids=lambda p: p[6:-3])
def test_page_default_runs(page):
    assert page not in _DISCOVERY_ERRORS, f"{page} could not be run:\n{_DISCOVERY_ERRORS[page]}"
    session = _session(page)
    assert not session.first_run_errors, f"{page} at its defaults raised:\n" + "\n".join(session.first_run_errors)


# ----------------------------------------------------------------------------- 1. numeric extremes
@pytest.mark.parametrize(("page", "spec", "end"), NUMERIC_CASES)
def test_numeric_widget_extreme(page, spec, end):
    session = _session(page)
    widget = _find(session.at, spec)
    if widget is None:  # moved widget made the page fail earlier: start from the defaults again
        _SESSIONS.pop(page)
        session = _session(page)
        widget = _find(session.at, spec)
    assert widget is not None, f"{spec.ident} not rendered on {page} at its defaults"
    if widget.disabled:
        pytest.skip(f"{spec.ident} is disabled at the page's defaults (a user cannot move it)")
    value = _extreme(widget, spec.kind, end)
    if value is None:
        pytest.skip(f"{spec.ident} has no {end}")  # an unbounded number input: nothing to test at that end
    try:
        session.set(spec, value)
    except Exception:
        _SESSIONS.pop(page, None)  # a timed-out or broken session is not reused
        raise
    _assert_no_exception(session.at, f"{page}: {spec.ident} = {value!r} ({end})")
    # the run really used the value (the widget still exists and holds it)
    after = _find(session.at, spec)
    if after is not None and spec.kind != "select_slider":
        got = after.value
        want = value
        assert (list(got) if isinstance(got, (list, tuple)) else got) == want, (spec.ident, got, want)


# ----------------------------------------------------------------------------- uploads
def _gray_photo() -> np.ndarray:
    from skimage import data
    from skimage.transform import resize

    return (resize(data.camera(), (180, 250), anti_aliasing=True) * 255).astype(np.uint8)


def _tiny() -> np.ndarray:
    rng = np.random.default_rng(8)
    tiny = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    tiny[:4, :4] = (230, 30, 30)
    return tiny


def _elongated() -> np.ndarray:
    x = np.linspace(0, 1, 2000)
    row = np.stack([x, 1 - x, 0.5 + 0.5 * np.sin(40 * x)], axis=-1)
    image = np.repeat(row[None], 16, axis=0)
    image[5:11, ::50] = 0
    return (image * 255).astype(np.uint8)


# name → (file name, PNG factory, working size, the size caption the sidebar must show)
ODD_IMAGES = {
    "gray-250x180": ("gray.png", lambda: to_png_bytes(_gray_photo()), WORKING_SIZE, "250×180 pixels, gray"),
    "tiny-8x8": ("tiny.png", lambda: to_png_bytes(_tiny()), WORKING_SIZE, "8×8 pixels, colour"),
    "elongated-2000x16@256": ("long.png", lambda: to_png_bytes(_elongated()), WORKING_SIZE, "Working at 256×8"),
    "elongated-2000x16@2048": ("long.png", lambda: to_png_bytes(_elongated()), 2048, "2000×16 pixels, colour"),
}

_UPLOAD_SESSIONS: dict[str, Any] = {}


def _upload(page: str, name: str, data: bytes, working_size: int):
    """Upload ``data`` through the page's file uploader (at ``working_size``) and run; return the AppTest."""
    at = _UPLOAD_SESSIONS.get(page)
    if at is None:
        at = _open(page)
        _assert_no_exception(at, f"{page} at its defaults")
        _UPLOAD_SESSIONS[page] = at
    try:
        size_widget = at.sidebar.select_slider(key="working_size")
        if size_widget.value != working_size:
            size_widget.set_value(working_size)
        uploader = _uploader(at)
        assert uploader is not None, f"{page} shows no file uploader"
        uploader.set_value((name, data, "image/png"))
        at.run()
    except Exception:
        _UPLOAD_SESSIONS.pop(page, None)
        raise
    if at.exception:
        _UPLOAD_SESSIONS.pop(page, None)  # start the next case from a clean page
    return at


def _result_or_message(at) -> str:
    """'result: …' if the main area shows an output, else 'error/warning/info: …' if it explains why, else ''."""
    for kind in ("image", "dataframe", "table", "metric"):
        if len(getattr(at.main, kind)):
            return f"result: {kind}"
    if any(len(at.main.get(kind)) for kind in ("plotly_chart", "vega_lite_chart")):  # AppTest's names for them
        return "result: chart"
    for kind in ("error", "warning", "info"):
        found = [str(e.value) for e in getattr(at.main, kind)]
        if found:
            return f"{kind}: {found[0][:200]}"
    return ""


# ----------------------------------------------------------------------------- 2. bad uploads
@pytest.mark.parametrize("case", list(BAD))
@pytest.mark.parametrize("page", IMAGE_PAGES, ids=lambda p: p[6:-3])
def test_bad_upload_shows_its_message(page, case):
    data, pattern = BAD[case]
    at = _upload(page, f"{case}.png", data, WORKING_SIZE)
    _assert_no_exception(at, f"{page}: bad upload {case!r}")
    errors = [str(e.value) for e in at.sidebar.error]
    shown = escape_md(f"{case}.png")  # the file name is shown escaped (never as Markdown)
    assert any(shown in e for e in errors), f"{page}: no upload error shown for {case!r}: {errors}"

    assert any(re.search(f"(?i){pattern}", e) for e in errors), (case, errors)
    # the page goes on with an image it can use (a sample, or the last good upload)
    picker = _image_picker(at)
    assert picker is not None and picker.value in [*SAMPLES, "upload"]


# ----------------------------------------------------------------------------- 3. odd images
@pytest.mark.parametrize("case", list(ODD_IMAGES))
@pytest.mark.parametrize("page", IMAGE_PAGES, ids=lambda p: p[6:-3])
def test_odd_image_gives_a_message_or_a_result(page, case):
    filename, factory, working_size, caption = ODD_IMAGES[case]
    at = _upload(page, filename, factory(), working_size)
    _assert_no_exception(at, f"{page}: upload {case}")
    picker = _image_picker(at)
    assert picker is not None and picker.value == "upload", f"{page} is not using the upload"
    sidebar_captions = " ".join(str(c.value) for c in at.sidebar.caption)
    assert caption in sidebar_captions, (caption, sidebar_captions)
    outcome = _result_or_message(at)
    assert outcome, f"{page}: upload {case} gave neither a message nor a result"


# ----------------------------------------------------------------------------- 4. modes and their uploaders
def _fresh_with(page: str, spec: WidgetSpec, label: str):
    """A new AppTest of ``page`` with the choice widget ``spec`` set to ``label`` (after a case that raised)."""
    at = _open(page)
    _send_label(_find(at, spec), label)
    return at.run()


@pytest.mark.parametrize(("page", "spec"), CHOICE_CASES)
def test_every_option_and_its_uploaders(page, spec):
    """Each option of a choice widget runs; an uploader that the option reveals answers every bad file."""
    problems: list[str] = []
    at = _open(page)
    _assert_no_exception(at, f"{page} at its defaults")
    widget = _find(at, spec)
    assert widget is not None, f"{spec.ident} not rendered on {page} at its defaults"
    if widget.disabled:
        pytest.skip(f"{spec.ident} is disabled at the page's defaults (a user cannot change it)")
    default_label = _current_label(widget)
    base_uploaders = {u.key for u in at.file_uploader}
    takes_image = _image_picker(at) is not None
    for label in widget.options:
        if label == default_label:
            continue
        widget = _find(at, spec)
        if widget is None:
            at = _open(page)
            widget = _find(at, spec)
        _send_label(widget, label)
        at.run()
        if at.exception:
            problems.append(f"{spec.ident} = {label!r} raised:\n" + "\n".join(_exceptions(at)))
            at = _open(page)
            continue
        for uploader in [u for u in at.file_uploader if u.key not in base_uploaders]:
            before = _messages(at)
            for case, (data, _pattern) in BAD.items():
                target = [u for u in at.file_uploader if u.key == uploader.key]
                if not target:
                    problems.append(f"{spec.ident} = {label!r}: uploader {uploader.key} vanished before {case!r}")
                    break
                extension = (target[0].allowed_type or [".png"])[0]  # the browser refuses other extensions
                target[0].set_value((f"{case}{extension}", data, "application/octet-stream"))
                at.run()
                if at.exception:
                    problems.append(f"{spec.ident} = {label!r}, uploader {uploader.key}, bad file {case!r} raised:\n"
                                    + "\n".join(_exceptions(at)))
                    at = _fresh_with(page, spec, label)
                    continue
                if not (_messages(at) - before):
                    problems.append(f"{spec.ident} = {label!r}, uploader {uploader.key}, bad file {case!r}: "
                                    "no new error/warning/info message")
            shared = _uploader(at)
            if not takes_image and _image_picker(at) is not None and shared is not None and shared.key == uploader.key:
                # the option revealed the shared image input: the odd images too
                for case, (filename, factory, working_size, _caption) in ODD_IMAGES.items():
                    if working_size != WORKING_SIZE:
                        continue
                    _uploader(at).set_value((filename, factory(), "image/png"))
                    at.run()
                    if at.exception:
                        problems.append(f"{spec.ident} = {label!r}, image upload {case} raised:\n"
                                        + "\n".join(_exceptions(at)))
                        at = _fresh_with(page, spec, label)
                    elif not _result_or_message(at):
                        problems.append(f"{spec.ident} = {label!r}, image upload {case}: neither a message nor a result")
            target = [u for u in at.file_uploader if u.key == uploader.key]
            if target:  # clear it, so the next option starts without a file
                target[0].set_value(None)
                at.run()
        widget = _find(at, spec)
        if widget is not None:
            _send_label(widget, default_label)
            at.run()
    if problems:
        pytest.fail(f"{page}:\n" + "\n".join(problems), pytrace=False)


# ----------------------------------------------------------------------------- 5. hostile links
EVIL = "http://evil.example/login"
_UNESCAPED_LINK = re.compile(r"(?<!\\)\]\((?:https?|javascript|data):|(?<!\\)!\[|(?<!\\)<(?:img|a |script)", re.I)


def _hostile_links(stem: str, numeric: list[str], choices: list[str]) -> dict[str, dict[str, str]]:
    cases = {
        "markdown-names": {f"[Session expired - sign in again]({EVIL})": "1", "![t](http://evil.example/t.png)": "1",
                           "<img src=http://evil.example/t.png>": "1"},
        "huge-name": {"x" * 50_000: "1"},
        "unicode-name": {"k\u202e\u0301\u00e9\u200b": "\u0667"},
        "many-settings": {f"x{i}": "1" for i in range(300)},
    }
    if choices:
        cases["markdown-choice"] = {choices[0]: f"[sign in]({EVIL})"}
        cases["huge-choice"] = {choices[0]: "y" * 50_000}
    if numeric:
        cases["markdown-number"] = {numeric[0]: "![t](http://evil.example/t.png)"}
        cases["huge-number"] = {numeric[0]: "9" * 50_000}
        cases["unicode-number"] = {numeric[0]: "\uff17"}  # a full-width 7
        cases["nan"] = dict.fromkeys(numeric, "nan")
        cases["1e308"] = dict.fromkeys(numeric, "1e308")
        cases["-1e308"] = dict.fromkeys(numeric, "-1e308")
    return cases


def _own_keys(at, stem: str, specs) -> list[str]:
    return sorted({spec.key.split(":", 1)[1] for spec in specs if spec.key and spec.key.startswith(f"{stem}:")
                   and spec.key.count(":") == 1})


def _rendered(at) -> list[str]:
    out = []
    for kind in ("markdown", "caption", "warning", "info", "error", "success", "title", "header", "subheader"):
        out.extend(str(e.value) for e in getattr(at, kind))
    return out


@pytest.mark.parametrize("page", [p.path for p in PAGES], ids=lambda p: p[6:-3])
def test_hostile_links_give_notices_never_markdown(page):
    stem = page[6:-3]
    base = _open(page)
    _assert_no_exception(base, f"{page} at its defaults")
    numeric = _own_keys(base, stem, _numeric_widgets(base))
    choices = _own_keys(base, stem, _choice_widgets(base))
    problems = []
    for case, query in _hostile_links(stem, numeric, choices).items():
        at = app_test(page, query=query, timeout=TIMEOUT, working_size=WORKING_SIZE)
        errors = _exceptions(at)
        if errors:
            problems.append(f"{case}: raised\n" + "\n".join(errors))
            continue
        texts = _rendered(at)
        injected = [t[:160] for t in texts if _UNESCAPED_LINK.search(t)]
        if injected:
            problems.append(f"{case}: rendered Markdown/HTML from the link: {injected}")
        warnings = [str(w.value) for w in at.warning if "could not be used" in str(w.value)]
        if case == "unicode-number" and not warnings:
            continue  # a full-width 7 is the number 7 (Python's float() reads every Unicode digit): used as such
        if not warnings:
            problems.append(f"{case}: no notice that the link's settings were not used")
        elif max(len(w) for w in warnings) > 4000:
            problems.append(f"{case}: a notice of {max(len(w) for w in warnings):,} characters")
    if problems:
        pytest.fail(f"{page}:\n" + "\n".join(problems), pytrace=False)
