"""A share link or a settings file → the page's technique and its validated values.

The values are checked by the page's own schema (``SCHEMA.parse_link`` / ``parse_json``, the
parser the app uses), so a link from another page, an unknown parameter or an out-of-range
value stops the command before any work, with the app's message (which names the parameter
and its allowed range).
"""

from __future__ import annotations

import json
from pathlib import Path

from core.schema import MAX_LINK_CHARS, split_link
from imlab.registry import Technique, technique

__all__ = ["SettingsError", "load_settings"]


class SettingsError(ValueError):
    """The link or settings file cannot be used; the message says why."""


def _is_file(link: str) -> bool:
    if "?" in link or "://" in link:
        return False
    try:
        return Path(link).is_file()
    except OSError:
        return False


def load_settings(link: str) -> tuple[Technique, dict]:
    """The technique and values of a share link (full URL, ``page?query``) or a JSON settings file.

    Raises
    ------
    SettingsError
        With the schema parser's message, or saying which page is meant and why it cannot run.
    """
    try:
        if _is_file(link) or link.lower().endswith(".json"):
            return _from_file(link)
        page, _ = split_link(link)
        if not page:
            raise SettingsError(f"The link {link!r} names no page; copy the whole link from the page's share "
                                "box (it ends in the page's name, e.g. superpixels?n_segments=300).")
        tech = technique(page)
        return tech, tech.schema.parse_link(link)
    except SettingsError:
        raise
    except ValueError as err:
        raise SettingsError(str(err)) from None


def _from_file(path: str) -> tuple[Technique, dict]:
    try:
        file = Path(path)
        if file.stat().st_size > MAX_LINK_CHARS:
            raise SettingsError(f"The settings file {path} is larger than {MAX_LINK_CHARS:,} bytes.")
        text = file.read_text(encoding="utf-8")
    except SettingsError:
        raise
    except (OSError, UnicodeDecodeError) as err:
        raise SettingsError(f"The settings file {path} cannot be read ({err}).") from None
    try:
        data = json.loads(text)
    except ValueError as err:
        raise SettingsError(f"The settings file {path} is not valid JSON ({err}).") from None
    page = data.get("page") if isinstance(data, dict) else None
    if not isinstance(page, str) or not page:
        raise SettingsError(f"The settings file {path} does not say which page it is for (its \"page\" key); "
                            "use the file from the page's \"Download settings (.json)\" button.")
    tech = technique(page)
    return tech, tech.schema.parse_json(text)
