"""Page parameters declared once: widgets, presets and share links from one list.

A page declares its parameters as a :class:`ParamSet`. The set renders the
widgets (each with a stable key), restores values from the page's URL when a
shared link is opened (invalid values fall back to the default with a notice),
applies presets, and writes the current values back into the URL so that the
address bar is always a link to what is on screen.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from core.schema import Bool, Choice, Field, Float, Int, LogFloat, Multi, Schema, Text

_PUBLISHED = "_params_published"  # page → the query dict this app last wrote
_NOTICES = "_params_notices"  # page → notices to show once

__all__ = ["Bool", "Choice", "Float", "Int", "LogFloat", "Multi", "ParamSet", "Text", "escape_code", "escape_md"]

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")
#: A link's settings read at most (a page has ~20; a hostile link may carry thousands).
MAX_LINK_SETTINGS = 64
#: Link notices shown at most, then "… and N more".
MAX_NOTICES = 8


def _clean(text: Any, limit: int) -> str:
    text = str(text)
    text = "".join(ch if ch.isprintable() else " " for ch in text[: limit + 1])  # newlines, bidi controls…
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def escape_md(text: Any, limit: int = 60) -> str:
    """Text from a URL, an upload or a file, safe to put inside Markdown (escaped, truncated to ``limit``).

    Every character Markdown (and Streamlit's ``:colour[…]`` / ``:material/…:`` directives) could act on is
    backslash-escaped; control and other non-printable characters become spaces.
    """
    return _MD_SPECIAL.sub(r"\\\1", _clean(text, limit))


def escape_code(text: Any, limit: int = 60) -> str:
    """Text to show inside single backticks (inline code, where backslash escapes are shown literally)."""
    return _clean(text, limit).replace("`", "ʼ")



# --------------------------------------------------------------------------- the set
class ParamSet:
    """The parameters of one page.

    Parameters
    ----------
    page : core.schema.Schema or str
        The technique's schema (widget keys are ``"<page>:<name>"``), or a page
        id with ``fields`` and ``image`` to build one.
    fields : list of core.schema.Field, optional
    image : str, optional
        The page's default sample image; adds an ``image`` field that
        :func:`ui.images.image_input` renders.
    """

    def __init__(self, page: str | Schema, fields: Sequence[Field] | None = None, *, image: str | None = None):
        from ui.shell import ensure_navigation

        ensure_navigation()  # a fresh server's first deep link must still run through app.py
        self.schema = page if isinstance(page, Schema) else Schema(page, fields or [], image=image)
        self.page = self.schema.page
        self.fields: dict[str, Field] = self.schema.fields
        self._restored = False
        #: names whose values came from a link opened this run (so e.g. a link's ``image`` wins over an upload)
        self.from_link: set[str] = set()

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
            for raw_name, raw in list(query.items())[:MAX_LINK_SETTINGS]:
                f = self.fields.get(raw_name)
                if f is None:
                    notices.append(f"“{escape_md(raw_name, 40)}” is not a setting of this page (ignored).")
                    continue
                try:
                    state[self.key(raw_name)] = f.coerce(raw)
                    self.from_link.add(raw_name)
                except (ValueError, TypeError, OverflowError) as err:
                    state[self.key(raw_name)] = f.default
                    notices.append(f"{escape_md(err, 200)} Using the default, {escape_md(f.encode(f.default))}.")
            if len(query) > MAX_LINK_SETTINGS:
                notices.append(f"The link holds {len(query):,} settings; only the first {MAX_LINK_SETTINGS} were read.")
            if len(notices) > MAX_NOTICES:
                notices[MAX_NOTICES:] = [f"… and {len(notices) - MAX_NOTICES} more."]
            published[self.page] = query
        for name, f in self.fields.items():
            k = self.key(name)
            if k not in state:
                state[k] = f.default
            else:
                try:
                    state[k] = f.validate(state[k])
                except (ValueError, TypeError):
                    state[k] = f.default  # e.g. a value left by an older version of the page
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
        """One button per preset; a click applies its values.

        The buttons sit in one wrapping row, each as wide as its label: on a narrow screen (a 1024 px projector
        with the sidebar open) they flow onto a second line instead of cutting their labels.
        """
        self._ensure()
        row = (container or st).container(horizontal=True, wrap=True, gap="small")
        for label, values in presets.items():
            row.button(
                label,
                key=f"{self.page}:preset:{label}",
                on_click=self.apply,
                args=(values,),
                help=(help or {}).get(label),
                width="content",
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
