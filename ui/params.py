"""Page parameters declared once: widgets, presets and share links from one list.

A page declares its parameters as a :class:`ParamSet`. The set renders the
widgets (each with a stable key), restores values from the page's URL when a
shared link is opened (invalid values fall back to the default with a notice),
applies presets, and writes the current values back into the URL so that the
address bar is always a link to what is on screen.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

_PUBLISHED = "_params_published"  # page → the query dict this app last wrote
_NOTICES = "_params_notices"  # page → notices to show once

__all__ = ["Bool", "Choice", "Float", "Int", "LogFloat", "Multi", "ParamSet", "Text"]


# --------------------------------------------------------------------------- fields
def _number(raw: Any) -> float:
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise ValueError("is not a number") from None


@dataclass
class _Field:
    name: str
    default: Any

    def parse(self, raw: str) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def encode(self, value: Any) -> str:
        return str(value)

    def validate(self, value: Any) -> Any:
        return self.parse(self.encode(value))


@dataclass
class Int(_Field):
    """An integer in ``[min, max]``, rendered as a slider or number input."""

    min: int = 0
    max: int = 100
    step: int = 1

    def parse(self, raw: str) -> int:
        value = _number(raw)
        if not math.isfinite(value) or value != int(value):
            raise ValueError("is not a whole number")
        value = int(value)
        if not self.min <= value <= self.max:
            raise ValueError(f"is outside {self.min}…{self.max}")
        return value


@dataclass
class Float(_Field):
    """A float in ``[min, max]``, rendered as a slider or number input."""

    min: float = 0.0
    max: float = 1.0
    step: float | None = None
    format: str | None = None

    def parse(self, raw: str) -> float:
        value = _number(raw)
        if not math.isfinite(value):
            raise ValueError("is not a finite number")
        if not self.min <= value <= self.max:
            raise ValueError(f"is outside {self.min:g}…{self.max:g}")
        return value

    def encode(self, value: Any) -> str:
        return f"{float(value):.6g}"


def _log_grid(lo: float, hi: float, default: float) -> list[float]:
    """Nice geometric values (1, 1.5, 2, 3, 5, 7 per decade) from lo to hi, with default."""
    mantissas = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)
    values = {float(lo), float(hi), float(default)}
    for exponent in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        for m in mantissas:
            v = float(f"{m * 10.0**exponent:.6g}")
            if lo <= v <= hi:
                values.add(v)
    return sorted(values)


@dataclass
class LogFloat(_Field):
    """A positive float on a logarithmic grid in ``[min, max]`` (a select slider)."""

    min: float = 1e-3
    max: float = 1e3
    options: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.options:
            self.options = _log_grid(self.min, self.max, self.default)

    def parse(self, raw: str) -> float:
        value = _number(raw)
        if not math.isfinite(value) or value <= 0:
            raise ValueError("is not a positive number")
        if not self.min * (1 - 1e-9) <= value <= self.max * (1 + 1e-9):
            raise ValueError(f"is outside {self.min:g}…{self.max:g}")
        # snap to the nearest grid value (in log space)
        return min(self.options, key=lambda o: abs(math.log(o) - math.log(value)))

    def encode(self, value: Any) -> str:
        return f"{float(value):.6g}"


class Choice(_Field):
    """One of a fixed list of options (strings or ints): ``Choice(name, options, default)``."""

    def __init__(self, name: str, options: Sequence[Any], default: Any, *, labels: dict[Any, str] | None = None):
        if default not in options:
            raise ValueError(f"default {default!r} of {name!r} is not among its options")
        self.name, self.options, self.default, self.labels = name, list(options), default, labels

    def parse(self, raw: str) -> Any:
        for option in self.options:
            if str(option) == raw:
                return option
        raise ValueError("is not one of the choices")

    def label(self, option: Any) -> str:
        return (self.labels or {}).get(option, str(option))


@dataclass
class Bool(_Field):
    """A yes/no switch."""

    def parse(self, raw: str) -> bool:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ValueError("is not true/false")

    def encode(self, value: Any) -> str:
        return "1" if value else "0"


class Multi(_Field):
    """Any subset of a fixed list of options, encoded comma-separated: ``Multi(name, options, default)``."""

    def __init__(self, name: str, options: Sequence[str], default: Sequence[str], *, allow_empty: bool = False):
        self.name, self.options, self.default, self.allow_empty = name, list(options), list(default), allow_empty

    def parse(self, raw: str) -> list[str]:
        chosen = [part for part in raw.split(",") if part]
        unknown = [part for part in chosen if part not in self.options]
        if unknown:
            raise ValueError(f"has unknown option(s) {', '.join(unknown)}")
        if not chosen and not self.allow_empty:
            raise ValueError("is empty")
        return [o for o in self.options if o in chosen]

    def encode(self, value: Any) -> str:
        return ",".join(value)


@dataclass
class Text(_Field):
    """Free text of bounded length (also used for compact encoded data)."""

    max_length: int = 200

    def parse(self, raw: str) -> str:
        if len(raw) > self.max_length:
            raise ValueError(f"is longer than {self.max_length} characters")
        return raw


# --------------------------------------------------------------------------- the set
class ParamSet:
    """The parameters of one page.

    Parameters
    ----------
    page : str
        A short page id; widget keys are ``"<page>:<name>"``.
    fields : list of fields
        :class:`Int`, :class:`Float`, :class:`LogFloat`, :class:`Choice`,
        :class:`Bool`, :class:`Multi`, :class:`Text`.
    image : str, optional
        The page's default sample image; adds an ``image`` field that
        :func:`ui.images.image_input` renders.
    """

    def __init__(self, page: str, fields: Sequence[_Field], *, image: str | None = None):
        from ui.shell import ensure_navigation

        ensure_navigation()  # a fresh server's first deep link must still run through app.py
        self.page = page
        self.fields: dict[str, _Field] = {}
        for f in fields:
            self.fields[f.name] = f
        if image is not None:
            from core.images import SAMPLES

            self.fields["image"] = Choice("image", [*SAMPLES, "upload"], image)
        self._restored = False

    # ---------------------------------------------------------------- keys & state
    def key(self, name: str) -> str:
        """The session-state key of a parameter's widget."""
        if name not in self.fields:
            raise KeyError(f"{self.page} has no parameter {name!r}")
        return f"{self.page}:{name}"

    def restore(self) -> None:
        """Initialise widget state; apply a shared link's values (once) with notices.

        Call at the top of the page, before any widget. Values come, in order,
        from a link opened from outside the app (the URL's query string differs
        from what this page last wrote), the widget's own state, the default.
        """
        self._restored = True
        state = st.session_state
        published = state.setdefault(_PUBLISHED, {})
        query = {k: st.query_params.get_all(k)[-1] for k in st.query_params.keys()}
        from_link = bool(query) and query != published.get(self.page)
        notices: list[str] = []
        if from_link:
            for raw_name, raw in query.items():
                f = self.fields.get(raw_name)
                if f is None:
                    notices.append(f"`{raw_name}` is not a setting of this page (ignored)")
                    continue
                try:
                    state[self.key(raw_name)] = f.parse(raw)
                except ValueError as err:
                    state[self.key(raw_name)] = f.default
                    notices.append(f"`{raw_name}={raw[:40]}` {err}; using the default {f.encode(f.default)}")
            published[self.page] = query
        for name, f in self.fields.items():
            k = self.key(name)
            if k not in state:
                state[k] = f.default
            else:
                try:
                    state[k] = f.validate(state[k])
                except (ValueError, TypeError):
                    state[k] = f.default
        if notices:
            st.warning("Some settings in this link could not be used:\n\n- " + "\n- ".join(notices), icon=":material/link_off:")

    def _ensure(self) -> None:
        if not self._restored:
            self.restore()

    def value(self, name: str) -> Any:
        """The current value of one parameter."""
        self._ensure()
        return st.session_state.get(self.key(name), self.fields[name].default)

    def values(self) -> dict[str, Any]:
        """All current values, name → value (what `core` and the recipe receive)."""
        return {name: self.value(name) for name in self.fields}

    def set(self, name: str, value: Any) -> None:
        """Set a value (for callbacks; widgets already rendered this run keep theirs until the rerun)."""
        st.session_state[self.key(name)] = self.fields[name].validate(value)

    def query(self) -> dict[str, str]:
        """The query-string dict for the current values (non-default values only)."""
        out = {}
        for name, f in self.fields.items():
            value = self.value(name)
            if f.encode(value) != f.encode(f.default):
                out[name] = f.encode(value)
        return out

    def publish(self) -> dict[str, str]:
        """Write the current values into the URL (call once, at the end of the page)."""
        query = self.query()
        current = {k: st.query_params.get_all(k)[-1] for k in st.query_params.keys()}
        if current != query:
            st.query_params.from_dict(query)
        st.session_state.setdefault(_PUBLISHED, {})[self.page] = query
        return query

    # ---------------------------------------------------------------- presets
    def apply(self, values: dict[str, Any]) -> None:
        """Set several values at once (a preset); use from an ``on_click`` callback."""
        for name, value in values.items():
            self.set(name, value)

    def preset_buttons(
        self, presets: dict[str, dict[str, Any]], *, container=None, help: dict[str, str] | None = None
    ) -> None:
        """One button per preset; a click applies its values."""
        self._ensure()
        container = container or st
        columns = container.columns(len(presets))
        for column, (label, values) in zip(columns, presets.items()):
            column.button(
                label,
                key=f"{self.page}:preset:{label}",
                on_click=self.apply,
                args=(values,),
                help=(help or {}).get(label),
                width="stretch",
            )

    # ---------------------------------------------------------------- widgets
    def _common(self, name: str, kw: dict) -> tuple[Any, dict]:
        self._ensure()
        container = kw.pop("container", None) or st
        kw.setdefault("key", self.key(name))
        kw.setdefault("persist_state", "session")  # keep the value across page switches
        return container, kw

    def slider(self, name: str, label: str, **kw) -> Any:
        """A slider for an :class:`Int` or :class:`Float`."""
        f = self.fields[name]
        container, kw = self._common(name, kw)
        extra = {"step": f.step} if f.step is not None else {}
        if isinstance(f, Float) and f.format:
            extra["format"] = f.format
        return container.slider(label, min_value=f.min, max_value=f.max, **extra, **kw)

    def number(self, name: str, label: str, **kw) -> Any:
        """A number input for an :class:`Int` or :class:`Float`."""
        f = self.fields[name]
        container, kw = self._common(name, kw)
        extra = {"step": f.step} if getattr(f, "step", None) is not None else {}
        return container.number_input(label, min_value=f.min, max_value=f.max, **extra, **kw)

    def log_slider(self, name: str, label: str, *, fmt: Callable[[float], str] | None = None, **kw) -> float:
        """A select slider over the :class:`LogFloat`'s geometric grid."""
        f = self.fields[name]
        container, kw = self._common(name, kw)
        return container.select_slider(label, options=f.options, format_func=fmt or (lambda v: f"{v:g}"), **kw)

    def select(self, name: str, label: str, **kw) -> Any:
        """A select box for a :class:`Choice`."""
        f = self.fields[name]
        container, kw = self._common(name, kw)
        return container.selectbox(label, options=list(f.options), format_func=f.label, **kw)

    def radio(self, name: str, label: str, **kw) -> Any:
        """Radio buttons for a :class:`Choice` (``horizontal=True`` by default)."""
        f = self.fields[name]
        container, kw = self._common(name, kw)
        kw.setdefault("horizontal", True)
        return container.radio(label, options=list(f.options), format_func=f.label, **kw)

    def segmented(self, name: str, label: str, **kw) -> Any:
        """A segmented control for a :class:`Choice` (never empty)."""
        f = self.fields[name]
        container, kw = self._common(name, kw)
        value = container.segmented_control(
            label, options=list(f.options), format_func=f.label, selection_mode="single", **kw
        )
        if value is None:  # a click on the selected segment deselects it: keep the default
            value = f.default
        return value

    def toggle(self, name: str, label: str, **kw) -> bool:
        """A toggle switch for a :class:`Bool`."""
        container, kw = self._common(name, kw)
        return container.toggle(label, **kw)

    def checkbox(self, name: str, label: str, **kw) -> bool:
        """A checkbox for a :class:`Bool`."""
        container, kw = self._common(name, kw)
        return container.checkbox(label, **kw)

    def multiselect(self, name: str, label: str, **kw) -> list:
        """A multiselect for a :class:`Multi`."""
        f = self.fields[name]
        container, kw = self._common(name, kw)
        return container.multiselect(label, options=list(f.options), **kw)

    def pills(self, name: str, label: str, **kw) -> list:
        """Multi-select pills for a :class:`Multi`."""
        f = self.fields[name]
        container, kw = self._common(name, kw)
        return list(container.pills(label, options=list(f.options), selection_mode="multi", **kw) or [])

    def text(self, name: str, label: str, **kw) -> str:
        """A text input for a :class:`Text`."""
        f = self.fields[name]
        container, kw = self._common(name, kw)
        kw.setdefault("max_chars", f.max_length)
        return container.text_input(label, **kw)
