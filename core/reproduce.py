""""Reproduce in Python": real scripts with a parameters block the page fills in.

Each page's script is a real, linted file ``scripts/<page>.py`` in plain numpy,
scikit-image and scikit-learn, in the tutorial's own idiom (no import of this
project). At its top stands a parameters block::

    # --- parameters: the page writes its values here ---
    image = data.coffee()  # the 'coffee' sample
    n_segments = 200
    # --- end of parameters ---

:func:`fill` rewrites that block with the page's current values: the lines that
load the image the page shows (one line per source, plus a resize line only when
the page works at a smaller size), then one ``name = value`` line for every
name the template's block assigns. The rest of the file is shown as it is.

A template may state how close it comes to the page in a comment line
``# Matches the page: …``; :func:`agreement` returns that text for the page to show.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from core.images import MIN_SIDE, sample_source

__all__ = ["BEGIN", "END", "SCRIPTS_DIR", "agreement", "block_names", "fill", "image_lines", "template"]

SCRIPTS_DIR = Path(__file__).resolve().parent.parent / "scripts"
BEGIN = "# --- parameters: the page writes its values here ---"
END = "# --- end of parameters ---"
#: The file name a script reads for an uploaded image (the upload never travels in a link).
UPLOAD_FILE = "your_image.png"


@cache
def template(page: str) -> str:
    """The source of ``scripts/<page>.py``."""
    path = SCRIPTS_DIR / f"{page}.py"
    if not path.is_file():
        raise ValueError(f"No script for the {page!r} page (expected {path.name} in scripts/).")
    text = path.read_text(encoding="utf-8")
    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise ValueError(f"scripts/{page}.py must hold one parameters block ({BEGIN!r} … {END!r}).")
    return text


def _split(page: str) -> tuple[str, str, str]:
    text = template(page)
    head, rest = text.split(BEGIN + "\n", 1)
    block, tail = rest.split(END, 1)
    return head, block, tail


@cache
def block_names(page: str) -> tuple[str, ...]:
    """The names the template's parameters block assigns, in order (``image`` excluded)."""
    names = []
    for node in ast.parse(_split(page)[1]).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id != "image":
                names.append(node.targets[0].id)
    return tuple(names)


def agreement(page: str) -> str | None:
    """The template's ``# Matches the page: …`` text, if it has one."""
    for line in template(page).splitlines():
        if line.startswith("# Matches the page:"):
            return line.split(":", 1)[1].strip()
    return None


def _fitted(shape: tuple[int, ...], size: int) -> tuple[int, int] | None:
    """(width, height) after :func:`core.images.fit_working_size`, or None when the image fits."""
    height, width = shape[:2]
    if max(height, width) <= size:
        return None
    f = size / max(height, width)
    return max(min(width, MIN_SIDE), round(width * f)), max(min(height, MIN_SIDE), round(height * f))


def image_lines(name: str | None, *, shape: tuple[int, ...] | None = None, working_size: int = 1024,
                var: str = "image") -> list[str]:
    """The lines that load the image a page shows into ``var``.

    Parameters
    ----------
    name : str or None
        A bundled sample's name, ``"upload"`` (the script reads
        ``your_image.png`` beside it, turned upright by its EXIF orientation as
        the page does), or None for pages without an image.
    shape : tuple of int, optional
        The image's original shape; when it is larger than ``working_size`` a
        resize line (Lanczos, exactly as the page does) follows.
    working_size : int
        The page's working size (longest side, pixels).
    """
    if name is None:
        return []
    if name == "upload":
        lines = ["from PIL import Image, ImageOps",
                 f"# Save the image you uploaded next to this script as {UPLOAD_FILE} (uploads never travel in links)",
                 f'{var} = np.asarray(ImageOps.exif_transpose(Image.open("{UPLOAD_FILE}")).convert("RGB"))']
    else:
        kind, source = sample_source(name)
        if kind == "skimage":
            lines = [f"{var} = data.{source}()  # the {name!r} sample"]
        elif kind == "sklearn":
            lines = ["from sklearn.datasets import load_sample_image",
                     f'{var} = load_sample_image("{source}")  # the {name!r} sample']
        else:
            lines = ["from skimage import io",
                     f'{var} = io.imread("{source}")  # samples/{source} in the app\'s repository']
    fitted = _fitted(shape, working_size) if shape is not None else None
    if fitted is not None:
        if not any(line.startswith("from PIL import") for line in lines):
            lines.insert(0, "from PIL import Image")
        lines.append(f"{var} = np.asarray(Image.fromarray({var}).resize({fitted!r}, Image.Resampling.LANCZOS, "
                     f"reducing_gap=3.0))  # the page works at {fitted[0]}×{fitted[1]}")
    return lines


def _literal(value: Any) -> str:
    if isinstance(value, float):
        return repr(float(f"{value:.10g}"))
    if isinstance(value, tuple):
        value = list(value)
    return repr(value)


def fill(page: str, values: Mapping[str, Any], *, image: list[str] | None = None) -> str:
    """The page's script with its parameters block holding ``values``.

    Parameters
    ----------
    page : str
        The script's name (``scripts/<page>.py``).
    values : mapping
        A value for every name the template's block assigns (see
        :func:`block_names`); other names are ignored.
    image : list of str, optional
        The image-loading lines (see :func:`image_lines`); when omitted the
        template's own image lines stay.

    Raises
    ------
    KeyError
        When a name of the block has no value: the page and its script have drifted apart.
    """
    head, block, tail = _split(page)
    missing = [name for name in block_names(page) if name not in values]
    if missing:
        raise KeyError(f"scripts/{page}.py needs the page values {missing}")
    if image is None:
        kept = [line for line in block.splitlines()
                if line.strip() and not any(line.startswith(f"{n} =") for n in block_names(page))]
        image = kept
    comments = {}
    for line in block.splitlines():  # keep each value's trailing comment from the template
        name = line.split("=", 1)[0].strip()
        if name in block_names(page) and "  # " in line:
            comments[name] = "  # " + line.split("  # ", 1)[1]
    lines = list(image) + [f"{name} = {_literal(values[name])}{comments.get(name, '')}" for name in block_names(page)]
    return head + BEGIN + "\n" + "\n".join(lines) + "\n" + END + tail
