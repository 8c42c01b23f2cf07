"""Parameter schemas: each technique declares its parameters once, as plain data.

A :class:`Schema` lists a technique's fields (name, type, bounds, default,
choices, one-line help). Its :meth:`Schema.parse` turns a plain mapping — a URL
query string, a JSON settings file — into validated values, raising a
:class:`ValueError` that names the parameter and its allowed range. The page
(``ui.params`` builds its widgets, presets and share links from the schema) and
the command line (``python -m imlab run LINK``) use this very parser.

>>> from core.schema import Int, Schema
>>> s = Schema("demo", [Int("k", 5, 2, 20, help="clusters")])
>>> s.parse({"k": "7"})
{'k': 7}
>>> s.parse({"k": "99"})
Traceback (most recent call last):
...
ValueError: The 'k' parameter must be an int in the range [2, 20]; got '99'.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from core._validation import check_choice, check_float, check_int, constraint_error, shown

__all__ = ["Bool", "Choice", "Field", "Float", "Int", "LogFloat", "Multi", "Schema", "Text", "split_link"]

#: A link or settings file longer than this is refused before it is parsed.
MAX_LINK_CHARS = 100_000


# --------------------------------------------------------------------------- fields
@dataclass
class Field:
    """One parameter: ``name``, ``default`` and a one-line ``help``; subclasses add bounds."""

    name: str
    default: Any

    def coerce(self, raw: Any) -> Any:  # pragma: no cover - abstract
        """A validated value from a string (a URL) or a plain value (JSON, a widget)."""
        raise NotImplementedError

    def encode(self, value: Any) -> str:
        """The value as it is written into a URL."""
        return str(value)

    def validate(self, value: Any) -> Any:
        """A value the app holds, checked again (after a preset, a widget, a session restore)."""
        return self.coerce(value)


@dataclass
class Int(Field):
    """An integer in ``[min, max]``."""

    min: int = 0
    max: int = 100
    step: int = 1
    help: str = ""

    def coerce(self, raw: Any) -> int:
        return check_int(self.name, raw, self.min, self.max)


@dataclass
class Float(Field):
    """A finite float in ``[min, max]``."""

    min: float = 0.0
    max: float = 1.0
    step: float | None = None
    format: str | None = None
    help: str = ""

    def coerce(self, raw: Any) -> float:
        return check_float(self.name, raw, self.min, self.max)

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
class LogFloat(Field):
    """A positive float on a logarithmic grid in ``[min, max]``; values snap to the grid."""

    min: float = 1e-3
    max: float = 1e3
    options: list[float] = field(default_factory=list)
    help: str = ""

    def __post_init__(self) -> None:
        if not self.options:
            self.options = _log_grid(self.min, self.max, self.default)

    def coerce(self, raw: Any) -> float:
        constraint = f"a positive float in the range [{self.min:g}, {self.max:g}]"
        try:
            value = float(raw)
        except (TypeError, ValueError, OverflowError):
            raise constraint_error(self.name, constraint, raw) from None
        if isinstance(raw, bool) or not math.isfinite(value) or value <= 0:
            raise constraint_error(self.name, constraint, raw)
        if not self.min * (1 - 1e-9) <= value <= self.max * (1 + 1e-9):
            raise constraint_error(self.name, constraint, raw)
        return min(self.options, key=lambda o: abs(math.log(o) - math.log(value)))

    def encode(self, value: Any) -> str:
        return f"{float(value):.6g}"


class Choice(Field):
    """One of a fixed list of options (strings or ints): ``Choice(name, options, default)``."""

    def __init__(self, name: str, options: Sequence[Any], default: Any, *, labels: dict[Any, str] | None = None,
                 help: str = ""):
        if default not in options:
            raise ValueError(f"default {default!r} of {name!r} is not among its options")
        self.name, self.options, self.default, self.labels, self.help = name, list(options), default, labels, help

    def coerce(self, raw: Any) -> Any:
        return check_choice(self.name, raw, self.options)

    def label(self, option: Any) -> str:
        return (self.labels or {}).get(option, str(option))

    def __repr__(self) -> str:
        return f"Choice({self.name!r}, {self.options!r}, {self.default!r})"


@dataclass
class Bool(Field):
    """A yes/no switch (``1/0``, ``true/false``, ``yes/no``, ``on/off`` in a link)."""

    help: str = ""

    def coerce(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int | float) and raw in (0, 1):
            return bool(raw)
        lowered = str(raw).strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise constraint_error(self.name, "a boolean (1 or 0)", raw)

    def encode(self, value: Any) -> str:
        return "1" if value else "0"


class Multi(Field):
    """Any subset of a fixed list of options, comma-separated in a link: ``Multi(name, options, default)``."""

    def __init__(self, name: str, options: Sequence[str], default: Sequence[str], *, allow_empty: bool = False,
                 help: str = ""):
        self.name, self.options, self.default = name, list(options), list(default)
        self.allow_empty, self.help = allow_empty, help

    def coerce(self, raw: Any) -> list[str]:
        constraint = f"a comma-separated subset of {{{', '.join(self.options)}}}"
        if not self.allow_empty:
            constraint += ", not empty"
        if isinstance(raw, str):
            chosen = [part for part in raw.split(",") if part]
        elif isinstance(raw, list | tuple):
            chosen = [str(part) for part in raw]
        else:
            raise constraint_error(self.name, constraint, raw)
        if any(part not in self.options for part in chosen) or (not chosen and not self.allow_empty):
            raise constraint_error(self.name, constraint, raw)
        return [o for o in self.options if o in chosen]

    def encode(self, value: Any) -> str:
        return ",".join(value)

    def __repr__(self) -> str:
        return f"Multi({self.name!r}, {self.options!r}, {self.default!r})"


@dataclass
class Text(Field):
    """Free text of bounded length (also used for compact encoded data such as stroke tokens)."""

    max_length: int = 200
    help: str = ""

    def coerce(self, raw: Any) -> str:
        if not isinstance(raw, str) or len(raw) > self.max_length:
            raise constraint_error(self.name, f"a text of at most {self.max_length} characters", raw)
        return raw


# --------------------------------------------------------------------------- links
def split_link(link: str) -> tuple[str, list[tuple[str, str]]]:
    """A share link (full URL, or ``page?query``, or ``?query``) → (page name, query pairs).

    The page name is the last path segment (``""`` when the link has none).
    """
    if not isinstance(link, str):
        raise constraint_error("link", "a text", link)
    if len(link) > MAX_LINK_CHARS:
        raise ValueError(f"The link is {len(link):,} characters long; links of this app are at most "
                         f"{MAX_LINK_CHARS:,}. Copy it again from the page's share box.")
    parts = urlsplit(link.strip())
    page = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return page, parse_qsl(parts.query, keep_blank_values=True)


# --------------------------------------------------------------------------- the schema
class Schema:
    """The parameters of one technique (one page).

    Parameters
    ----------
    page : str
        The page's URL name (``"superpixels"``); share links end in it.
    fields : list of Field
    image : str, optional
        The page's default sample image; adds an ``image`` field (a bundled
        sample's name or ``"upload"``).
    """

    def __init__(self, page: str, fields: Sequence[Field], *, image: str | None = None):
        self.page = page
        self.fields: dict[str, Field] = {}
        for f in fields:
            if f.name in self.fields:
                raise ValueError(f"{page}: parameter {f.name!r} is declared twice")
            self.fields[f.name] = f
        if image is not None:
            from core.images import SAMPLES

            self.fields["image"] = Choice("image", [*SAMPLES, "upload"], image,
                                          help="A bundled sample's name, or 'upload' for your own image.")

    def __contains__(self, name: str) -> bool:
        return name in self.fields

    def __repr__(self) -> str:
        return f"Schema({self.page!r}, {list(self.fields)})"

    def defaults(self) -> dict[str, Any]:
        """Every parameter's default (a fresh copy)."""
        return {name: (list(f.default) if isinstance(f.default, list) else f.default)
                for name, f in self.fields.items()}

    def parse(self, mapping: Mapping[str, Any], *, base: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Validated values for every parameter: ``mapping`` over ``base`` over the defaults.

        Raises
        ------
        ValueError
            For an unknown name (listing the known ones) or a value outside its
            field's constraint (naming the parameter and its allowed range).
        """
        values = self.defaults()
        if base:
            values.update(base)
        for name, raw in mapping.items():
            f = self.fields.get(name)
            if f is None:
                raise ValueError(f"{shown(name, 40)} is not a parameter of the {self.page} page; its parameters are "
                                 f"{', '.join(self.fields)}.")
            values[name] = f.coerce(raw)
        return values

    def parse_link(self, link: str) -> dict[str, Any]:
        """Values from a share link of this page (full URL or ``page?query``): see :meth:`parse`."""
        page, pairs = split_link(link)
        if page and page != self.page:
            raise ValueError(f"This link is for the {shown(page, 40)} page, not {self.page}.")
        return self.parse(dict(pairs))

    def parse_json(self, text: str | bytes) -> dict[str, Any]:
        """Values from a settings file (``{"page": ..., "settings": {...}}`` or a flat object)."""
        if len(text) > MAX_LINK_CHARS:
            raise ValueError(f"The settings file is larger than {MAX_LINK_CHARS:,} bytes.")
        try:
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError) as err:
            raise ValueError(f"The settings file is not valid JSON ({err}).") from None
        if not isinstance(data, dict):
            raise ValueError("The settings file must hold a JSON object.")
        if "settings" in data:
            page = data.get("page")
            if page not in (None, self.page):
                raise ValueError(f"This settings file is for the {shown(page, 40)} page, not {self.page}.")
            data = data["settings"]
            if not isinstance(data, dict):
                raise ValueError("The settings file's 'settings' must be a JSON object.")
        return self.parse(data)

    def query(self, values: Mapping[str, Any]) -> dict[str, str]:
        """The query-string dict of ``values`` (non-default values only, encoded as a link holds them)."""
        out = {}
        for name, f in self.fields.items():
            if name in values and f.encode(values[name]) != f.encode(f.default):
                out[name] = f.encode(values[name])
        return out

    def to_json(self, values: Mapping[str, Any]) -> str:
        """A settings file for ``values`` (every parameter), readable by :meth:`parse_json`."""
        settings = {name: values.get(name, f.default) for name, f in self.fields.items()}
        return json.dumps({"page": self.page, "settings": settings}, indent=2, default=str)
