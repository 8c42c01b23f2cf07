"""Declared constraints for core's public functions, in the spirit of scikit-learn's.

Every check raises a :class:`ValueError` of one form,

    The 'n_segments' parameter must be an int in the range [10, 2000]; got 5000.

so that a page, the command line and a test all see the same sentence, naming
the parameter, what it may be and what it was given. Schemas (:mod:`core.schema`)
and the pipelines of each technique share these helpers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["check_choice", "check_float", "check_int", "constraint_error", "shown"]

#: Echoed values are cut to this many characters (a hostile link may carry megabytes).
MAX_SHOWN = 60


def shown(value: Any, limit: int = MAX_SHOWN) -> str:
    """``repr(value)``, truncated to ``limit`` characters with an ellipsis."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def constraint_error(name: str, constraint: str, got: Any) -> ValueError:
    """Build the one message form, ``The 'name' parameter must be <constraint>; got <value>.``."""
    return ValueError(f"The {name!r} parameter must be {constraint}; got {shown(got)}.")


def _range(lo: float | None, hi: float | None, fmt=str) -> str:
    if lo is not None and hi is not None:
        return f" in the range [{fmt(lo)}, {fmt(hi)}]"
    if lo is not None:
        return f" ≥ {fmt(lo)}"
    if hi is not None:
        return f" ≤ {fmt(hi)}"
    return ""


def check_int(name: str, value: Any, lo: int | None = None, hi: int | None = None) -> int:
    """``value`` as an int in ``[lo, hi]`` (whole floats such as ``5.0`` are accepted)."""
    constraint = "an int" + _range(lo, hi)
    if isinstance(value, bool):
        raise constraint_error(name, constraint, value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise constraint_error(name, constraint, value) from None
    if not math.isfinite(number) or number != int(number):
        raise constraint_error(name, constraint, value)
    number = int(number)
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        raise constraint_error(name, constraint, value)
    return number


def check_float(name: str, value: Any, lo: float | None = None, hi: float | None = None, *,
                lo_open: bool = False) -> float:
    """``value`` as a finite float in ``[lo, hi]`` (``(lo, hi]`` with ``lo_open``)."""
    constraint = "a finite float" + _range(lo, hi, lambda v: f"{v:g}")
    if lo_open and lo is not None:
        constraint = constraint.replace(f"[{lo:g},", f"({lo:g},")
    if isinstance(value, bool):
        raise constraint_error(name, constraint, value)
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise constraint_error(name, constraint, value) from None
    if not math.isfinite(number):
        raise constraint_error(name, constraint, value)
    if lo is not None and (number < lo or (lo_open and number == lo)):
        raise constraint_error(name, constraint, value)
    if hi is not None and number > hi:
        raise constraint_error(name, constraint, value)
    return number


def check_choice(name: str, value: Any, options: Iterable[Any]) -> Any:
    """``value`` if it is one of ``options`` (compared as given, then as strings)."""
    options = list(options)
    for option in options:
        if value == option or str(option) == str(value):
            return option
    raise constraint_error(name, f"one of {_listing(options)}", value)


def _listing(options: Sequence[Any], limit: int = 12) -> str:
    parts = [repr(o) for o in options[:limit]]
    if len(options) > limit:
        parts.append(f"… ({len(options)} in all)")
    return "{" + ", ".join(parts) + "}"
