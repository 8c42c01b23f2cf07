"""Run "Reproduce in Python" scripts the way a reader would, but in this process (fast).

``run_script(page, values, tmp_path)`` fills ``scripts/<page>.py`` with ``values`` (exactly what the page
shows), runs it with the working directory set to ``tmp_path`` (where it may read sample files and write its
PNGs) and returns its global namespace. Scripts never import the project; ``tests/core/test_scripts.py`` also
runs every template once in a fresh interpreter outside the project.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core import reproduce
from core.images import SAMPLE_FILES

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"


def script_code(page: str, values: Mapping[str, Any], *, image: str | None = None,
                shape: tuple[int, ...] | None = None, working_size: int = 1024) -> str:
    """The filled-in script, as the page shows it (``image`` = the sample name, if the page has one)."""
    lines = reproduce.image_lines(image, shape=shape, working_size=working_size) if image else None
    return reproduce.fill(page, values, image=lines)


def run_code(code: str, directory: Path) -> dict[str, Any]:
    """Execute ``code`` in a fresh namespace with ``directory`` as the working directory; return the namespace.

    Bundled sample files are copied into ``directory`` first, as a reader would place them beside the script.
    """
    for name in SAMPLE_FILES.values():
        if (SAMPLES_DIR / name).exists() and not (directory / name).exists():
            shutil.copy(SAMPLES_DIR / name, directory / name)
    for project in ("import core", "from core", "import ui", "from ui", "import imlab", "from imlab"):
        assert project not in code, f"the script uses the project ({project!r})"
    namespace: dict[str, Any] = {"__name__": "__main__"}
    cwd = os.getcwd()
    out = io.StringIO()
    try:
        os.chdir(directory)
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<reproduce>", "exec"), namespace)
    finally:
        os.chdir(cwd)
    namespace["__stdout__"] = out.getvalue()
    return namespace


def run_script(page: str, values: Mapping[str, Any], directory: Path, **kw) -> dict[str, Any]:
    """Fill ``scripts/<page>.py`` with ``values`` and run it in-process (see :func:`run_code`)."""
    return run_code(script_code(page, values, **kw), directory)
