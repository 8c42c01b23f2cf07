"""The README's "Batch and cluster" worked example runs as written (the project's samples/ beside it) and prints what
the text says."""

import csv
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "README.md"  # its "Batch and cluster" section


def example_commands() -> list[str]:
    text = DOC.read_text()
    section = text.split("### Worked example", 1)[1].split("\n### ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.startswith("python -m imlab")]


def test_worked_example_runs_as_written(tmp_path):
    (tmp_path / "samples").symlink_to(ROOT / "samples")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    commands = example_commands()
    assert len(commands) == 3
    outputs = []
    for i, command in enumerate(commands):
        argv = shlex.split(command)
        assert argv[0] == "python"
        done = subprocess.run([sys.executable, *argv[1:]], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
        if i == 0:
            out = tmp_path / "batch-out"
            stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.png")}
            with open(out / "summary.csv", newline="") as f:
                rows = list(csv.DictReader(f))
            assert len(rows) == 7 and {r["status"] for r in rows} == {"ok"}
            assert {"superpixels.png", "average.png", "boundaries.png", "regions.png", "regions_average.png",
                    "regions_boundaries.png"} <= {p.name for p in (out / "Bells-Beach").iterdir()}
            header = (out / "summary.csv").read_text().splitlines()[0]
            assert header in DOC.read_text()  # the header the doc shows is the real one
            assert max(int(rows[0]["width"]), int(rows[0]["height"])) == 512
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.png")} == stamps  # --resume: nothing redone
    assert outputs[2].count("[complete: skipped]") == 7 and "0 of 7 would run" in outputs[2]
