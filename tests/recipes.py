"""Run "Reproduce in Python" scripts the way a reader would: alone, in a fresh interpreter, outside the project."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any


def run_recipes(scripts: dict[str, str], directory: Path, names: tuple[str, ...] = ("result",),
                timeout: float = 300) -> tuple[dict[str, dict[str, Any]], str]:
    """Run each script (name → code) in its own namespace of one fresh interpreter, in ``directory``.

    The project is not importable there (no PYTHONPATH, cwd = ``directory``), and each script must use
    plain libraries only. Returns ({script name: {variable in ``names``: value}}, the scripts' stdout).
    """
    for name, code in scripts.items():
        for project in ("import core", "from core", "import ui", "from ui"):
            assert project not in code, f"{name} uses the project ({project!r})"
        (directory / f"{name}.py").write_text(code)
    runner = (
        "import pickle, runpy\n"
        f"out = {{n: {{k: v for k, v in runpy.run_path(n + '.py').items() if k in {tuple(names)!r}}}"
        f" for n in {list(scripts)!r}}}\n"
        "pickle.dump(out, open('results.pkl', 'wb'))\n"
    )
    (directory / "runner.py").write_text(runner)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "runner.py"], cwd=directory, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return pickle.loads((directory / "results.pkl").read_bytes()), done.stdout


def run_recipe(code: str, directory: Path, names: tuple[str, ...] = ("result",)) -> dict[str, Any]:
    """Run one script as :func:`run_recipes` does; return {variable in ``names``: value}."""
    return run_recipes({"recipe": code}, directory, names)[0]["recipe"]
