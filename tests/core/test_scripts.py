"""The "Reproduce in Python" templates, ``scripts/*.py``: each is a real script that matches its page's schema.

1. Every template has exactly one parameters block, and its values are its page's SCHEMA defaults (the image line
   loads the schema's default sample). A page whose SCHEMA does not exist yet is skipped, saying so.
2. All templates run together in ONE fresh interpreter outside the project — cwd a temporary folder holding the
   bundled sample files, no PYTHONPATH — each in its own namespace, each binding ``result`` (each filled in as
   its page does at a working size of SMALL px, so the run takes seconds, not the tutorial's minutes).
"""

from __future__ import annotations

import ast
import importlib
import math
import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import core
from core import reproduce
from core.images import SAMPLE_FILES

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(p.stem for p in (ROOT / "scripts").glob("*.py") if not p.name.startswith("_"))


def _schemas() -> tuple[dict, list[str]]:
    """page name → its core SCHEMA (found by walking core), and the modules that could not be imported."""
    found, broken = {}, []
    for info in pkgutil.walk_packages(core.__path__, "core."):
        try:
            module = importlib.import_module(info.name)
        except Exception as err:
            broken.append(f"{info.name} ({type(err).__name__})")
            continue
        schema = getattr(module, "SCHEMA", None)
        if schema is not None and hasattr(schema, "page") and hasattr(schema, "defaults"):
            found.setdefault(schema.page, schema)
    return found, broken


SCHEMAS, BROKEN = _schemas()


def _block(page: str) -> list[ast.stmt]:
    text = reproduce.template(page)  # raises unless there is exactly one block
    block = text.split(reproduce.BEGIN + "\n", 1)[1].split(reproduce.END, 1)[0]
    return ast.parse(block).body


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
        except (TypeError, ValueError):
            return False
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def test_there_is_a_script_per_page():
    from ui.registry import PAGES

    pages = sorted(Path(p.path).stem for p in PAGES)
    assert SCRIPTS == pages, f"scripts/ {SCRIPTS} vs pages {pages}"


@pytest.mark.parametrize("page", SCRIPTS)
def test_one_parameters_block_holding_the_schema_defaults(page):
    text = reproduce.template(page)
    assert text.count(reproduce.BEGIN) == 1 and text.count(reproduce.END) == 1
    body = _block(page)
    assert body, f"scripts/{page}.py: the parameters block is empty"
    schema = SCHEMAS.get(page)
    if schema is None:
        pytest.skip(f"{page}: no core SCHEMA yet" + (f" (not importable now: {', '.join(BROKEN)})" if BROKEN else ""))
    defaults = schema.defaults()
    names = reproduce.block_names(page)
    checked = 0
    for node in body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            continue
        name = node.targets[0].id
        if name == "image" or name not in defaults:
            continue  # the image lines (checked below) or a value the page adds (e.g. working_size)
        value = ast.literal_eval(node.value)
        assert _same(value, defaults[name]), f"scripts/{page}.py: {name} = {value!r}, the schema's default is " \
                                             f"{defaults[name]!r}"
        checked += 1
    assert checked or not names, f"scripts/{page}.py: no block value is a schema field ({names})"
    if "image" in schema.fields:
        want = [line for line in reproduce.image_lines(schema.fields["image"].default) if " = " in line][0]
        block = text.split(reproduce.BEGIN, 1)[1].split(reproduce.END, 1)[0]
        assert want.split("#")[0].strip() in block, f"scripts/{page}.py should load the default sample: {want}"


_RUNNER = """
import json, runpy, sys, time, traceback
for name in sys.argv[1:]:
    with open("progress.jsonl", "a") as log:
        log.write(json.dumps({"name": name, "started": True}) + "\\n")
    t = time.perf_counter()
    try:
        ns = runpy.run_path(name + ".py", run_name="__main__")
        row = {"name": name, "has_result": "result" in ns, "type": type(ns.get("result")).__name__}
    except BaseException:  # noqa: BLE001 - reported per script
        row = {"name": name, "error": traceback.format_exc()[-2000:]}
    row["seconds"] = time.perf_counter() - t
    with open("progress.jsonl", "a") as log:
        log.write(json.dumps(row) + "\\n")
"""
TIMEOUT = 600  # seconds for all templates together, each at SMALL px (a generous bound for a busy machine)
#: The templates run with their default sample fitted to this longest side, exactly as a page working at this
#: size fills them in (core.reproduce.image_lines): the test is about running alone, not about full-size speed.
SMALL = 320


def _small(page: str) -> str:
    """The template as its page fills it in at the defaults and a working size of SMALL px."""
    from core.images import load_sample

    text = reproduce.template(page)
    schema = _schemas()[0].get(page)
    if schema is None or "image" not in schema.fields:
        return text
    block = text.split(reproduce.BEGIN, 1)[1].split(reproduce.END, 1)[0]
    values = {node.targets[0].id: ast.literal_eval(node.value) for node in ast.parse(block).body
              if isinstance(node, ast.Assign) and node.targets[0].id != "image"}
    name = schema.fields["image"].default
    shape = load_sample(name).shape
    if "rectangles" in values:  # mask rectangles in the photo's pixels: scaled with it
        f = SMALL / max(shape[:2])
        values["rectangles"] = [(k, *(round(v * f) for v in rect)) for k, *rect in values["rectangles"]]
    return reproduce.fill(page, values, image=reproduce.image_lines(name, shape=shape, working_size=SMALL))


def _progress(directory: Path) -> dict[str, dict]:
    import json

    path = directory / "progress.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    out: dict[str, dict] = {}
    for row in rows:
        out.setdefault(row["name"], {}).update(row)
    return out


def test_every_template_runs_in_one_fresh_interpreter_outside_the_project(tmp_path):
    for file in SAMPLE_FILES.values():  # a reader puts the tutorial's images beside the scripts
        shutil.copy(ROOT / "samples" / file, tmp_path / file)
    for page in SCRIPTS:
        code = _small(page)
        for project in ("import core", "from core", "import ui", "from ui", "import imlab", "from imlab"):
            assert project not in code, f"scripts/{page}.py uses the project ({project!r})"
        (tmp_path / f"{page}.py").write_text(code)
    (tmp_path / "runner.py").write_text(_RUNNER)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["MPLBACKEND"] = "Agg"
    try:
        done = subprocess.run([sys.executable, "runner.py", *SCRIPTS], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        results = _progress(tmp_path)
        running = [page for page, r in results.items() if "seconds" not in r]
        finished = {page: f"{r['seconds']:.0f} s" for page, r in results.items() if "seconds" in r}
        pytest.fail(f"the templates took over {TIMEOUT} s together; still running: {running}; finished: {finished}")
    assert done.returncode == 0, done.stderr[-3000:]
    results = _progress(tmp_path)
    assert sorted(results) == SCRIPTS
    problems = [f"{page}: {r['error']}" for page, r in results.items() if "error" in r]
    problems += [f"{page}: binds no `result`" for page, r in results.items() if not r.get("has_result", True)]
    for page, r in sorted(results.items()):
        print(f"{page}: {r['seconds']:.1f} s" + (f", result is {r['type']}" if "type" in r else ", failed"))
    assert not problems, "\n".join(problems)
