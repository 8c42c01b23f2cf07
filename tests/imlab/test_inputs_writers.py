"""INPUT expansion (files, folders, globs, clashing names, sets) and the atomic writers."""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from imlab.inputs import expand, image_jobs, set_jobs
from imlab.writers import MARKER, encode, is_complete, summary_csv, write_atomic, write_job
from tests.imlab.conftest import save, scene


def test_files_folders_and_globs(tmp_path):
    a = save(tmp_path / "a" / "x.png", scene(1))
    save(tmp_path / "a" / "x.jpg", scene(2))
    save(tmp_path / "a" / "deep" / "y.tif", scene(3))
    save(tmp_path / "a" / ".hidden" / "z.png", scene(4))
    save(tmp_path / "b" / "x.png", scene(5))
    (tmp_path / "a" / "readme.md").write_text("no")
    jobs = image_jobs(expand([str(tmp_path / "a"), str(tmp_path / "b" / "*.png"), str(a),
                              str(tmp_path / "nothing*.png")]))
    assert [j.name for j in jobs] == ["deep/y", "x", "x_png", "x_png_2", "nothing*"]  # x.png given twice: once
    assert jobs[1].paths == (str(tmp_path / "a" / "x.jpg"),)
    assert jobs[-1].missing == f"No file matches {str(tmp_path / 'nothing*.png')!r}."
    recursive = expand([str(tmp_path / "**" / "*.png")])
    assert sorted(Path(s.path).name for s in recursive) == ["x.png", "x.png"]  # hidden folders skipped
    assert {s.rel.as_posix() for s in recursive} == {"a/x.png", "b/x.png"}


def test_the_output_folder_is_not_an_input(tmp_path):
    save(tmp_path / "photos" / "a.png", scene(1))
    save(tmp_path / "photos" / "out" / "a" / "average.png", scene(2))  # an earlier run's output
    found = [Path(s.path).name for s in expand([str(tmp_path / "photos")], exclude=tmp_path / "photos" / "out")]
    assert found == ["a.png"]


def test_sets_are_folders(tmp_path):
    for folder in ("trip1", "trip2"):
        for i in range(2):
            save(tmp_path / folder / f"v{i}.png", scene(i))
    jobs = set_jobs(expand([str(tmp_path)]))
    assert [(j.name, len(j.paths)) for j in jobs] == [("trip1", 2), ("trip2", 2)]
    assert jobs[0].label == str(tmp_path / "trip1") + os.sep


def test_encode_kinds():
    files, summary = encode({"labels": np.arange(300, dtype=np.int32).reshape(15, 20), "image": scene(1),
                             "mask": np.ones((8, 8), bool), "proba": np.zeros((4, 4, 2), np.float32),
                             "table": pd.DataFrame({"a": [1, 2]}), "summary": {"n": 3}})
    assert sorted(files) == ["image.png", "labels.png", "mask.png", "proba.npy", "table.csv"]
    assert files["labels.png"][:8] == b"\x89PNG\r\n\x1a\n" and files["table.csv"] == b"a\n1\n2\n"
    assert summary == {"n": 3}
    with pytest.raises(ValueError, match="not a plain file stem"):
        encode({"../evil": scene(1)})
    with pytest.raises(TypeError, match="expected an array"):
        encode({"thing": object()})


def test_atomic_write_and_marker(tmp_path, monkeypatch):
    folder = tmp_path / "job"
    write_job(folder, {"a.png": b"12345", "b.csv": b"x\n"}, {"status": "ok"}, "fp1")
    assert is_complete(folder, "fp1")["row"] == {"status": "ok"}
    assert is_complete(folder, "fp2") is None  # other settings / inputs
    write_job(folder, {"a.png": b"123"}, {"status": "ok"}, "fp2")  # b.csv of the older run is dropped
    assert sorted(p.name for p in folder.iterdir()) == sorted(["a.png", MARKER])
    (folder / "a.png").write_bytes(b"12")  # a file changed behind our back → incomplete
    assert is_complete(folder, "fp2") is None

    write_atomic(folder / "c.bin", b"old")

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)  # the process dies between writing and renaming
    with pytest.raises(OSError, match="disk full"):
        write_atomic(folder / "c.bin", b"new")
    assert (folder / "c.bin").read_bytes() == b"old"
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_summary_columns():
    text = summary_csv([{"input": "a", "status": "ok", "message": "", "width": 2, "height": 3, "seconds": 0.1,
                         "k": 5}, {"input": "b", "status": "error", "message": 'bad, "file"', "extra": 1}]).decode()
    assert text.splitlines()[0] == "input,status,message,width,height,seconds,k,extra"
    assert text.splitlines()[2] == 'b,error,"bad, ""file""",,,,,1'
