"""`python -m imlab run` on the fake technique: outputs, summary, bad files, bad links, dry run, resume."""

import csv
import io
import json

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import imlab.runner
from core.images import ImageError, read_image
from imlab.cli import main
from tests.imlab import fake_technique
from tests.imlab.conftest import files_of, save, scene


def rows_of(out):
    with open(out / "summary.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_outputs_equal_the_technique_for_the_link_values(fake, folder, tmp_path):
    out = tmp_path / "out"
    assert main(["run", "http://localhost:8501/fake?levels=300&order=down", str(folder), "--out", str(out),
                 "--quiet"]) == 0
    assert sorted(files_of(out)) == sorted(f"{stem}/{name}" for stem in ("one", "two", "sub/three")
                                           for name in ("levels.png", "shown.png", "table.csv"))
    for stem, src in (("one", "one.png"), ("sub/three", "sub/three.jpg")):
        image = read_image((folder / src).read_bytes())
        want = fake_technique.batch_outputs(image, {"levels": 300, "order": "down"})
        labels = np.asarray(Image.open(out / stem / "levels.png"))
        assert labels.dtype == np.uint16  # more than 255 labels → a 16-bit PNG
        np.testing.assert_array_equal(labels, want["levels"])
        np.testing.assert_array_equal(np.asarray(Image.open(out / stem / "shown.png")), want["shown"])
        pd.testing.assert_frame_equal(pd.read_csv(out / stem / "table.csv"), want["table"])
    rows = rows_of(out)
    assert [r["input"] for r in rows] == [str(folder / n) for n in ("one.png", "sub/three.jpg", "two.png")]
    assert list(rows[0])[:6] == ["input", "status", "message", "width", "height", "seconds"]
    assert {r["status"] for r in rows} == {"ok"}
    assert (rows[2]["width"], rows[2]["height"]) == ("56", "40")
    image = read_image((folder / "two.png").read_bytes())
    assert rows[2]["mean"] == str(fake_technique.batch_outputs(image, {"levels": 300, "order": "down"})
                                  ["summary"]["mean"])


def test_settings_file_and_working_size(fake, folder, tmp_path):
    settings = tmp_path / "fake_settings.json"
    settings.write_text(fake_technique.SCHEMA.to_json({"levels": 3, "order": "up", "image": "camera"}))
    out = tmp_path / "out"
    assert main(["run", str(settings), str(folder / "one.png"), "--out", str(out), "--working-size", "32",
                 "--quiet"]) == 0
    labels = np.asarray(Image.open(out / "one" / "levels.png"))
    assert labels.shape == (24, 32) and labels.max() == 2  # 64×48 fitted to 32 px, 3 levels


def test_a_corrupt_file_is_a_row_and_the_rest_succeed(fake, folder, tmp_path, capsys):
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    buffer = io.BytesIO()
    Image.fromarray(scene(4)).save(buffer, format="PNG")
    (folder / "truncated.png").write_bytes(buffer.getvalue()[:200])
    (folder / "empty.jpg").write_bytes(b"")
    save(folder / "flat.png", np.zeros((20, 20), np.uint8))  # readable, but the technique refuses it
    out = tmp_path / "out"
    assert main(["run", "fake?levels=5", str(folder), str(tmp_path / "missing.png"), "--out", str(out),
                 "--quiet"]) == 0
    rows = {r["input"].rsplit("/", 1)[-1]: r for r in rows_of(out)}
    for name in ("broken.png", "truncated.png", "empty.jpg"):
        with pytest.raises(ImageError) as err:
            read_image((folder / name).read_bytes())
        assert rows[name]["status"] == "error"
        assert rows[name]["message"] == str(err.value)  # the app's own message
    assert rows["flat.png"]["message"] == "The image is flat (one gray level); use an image with some contrast."
    assert rows["missing.png"]["message"].startswith("No such file or folder")
    assert [r["status"] for n, r in rows.items() if n in ("one.png", "two.png", "three.jpg")] == ["ok"] * 3
    assert not (out / "broken").exists()
    assert "failed: " in capsys.readouterr().err


def test_every_input_failing_exits_non_zero(fake, tmp_path):
    (tmp_path / "bad.png").write_bytes(b"not a png")
    assert main(["run", "fake", str(tmp_path / "bad.png"), "--out", str(tmp_path / "out"), "--quiet"]) == 1
    assert rows_of(tmp_path / "out")[0]["status"] == "error"
    assert main(["run", "fake", str(tmp_path / "empty_dir_*"), "--out", str(tmp_path / "o2"), "--quiet"]) == 1


@pytest.mark.parametrize("link, message", [
    ("fake?levels=5000", "The 'levels' parameter must be an int in the range [2, 1000]; got '5000'."),
    ("fake?order=sideways", "The 'order' parameter must be one of {'up', 'down'}; got 'sideways'."),
    ("fake?colour=red", "'colour' is not a parameter of the fake page; its parameters are levels, order, image."),
    ("http://host:8501/nosuchpage?x=1", "There is no page named 'nosuchpage'"),
    ("?levels=3", "names no page"),
    ("trainable_segmentation?classes=3", "python -m imlab segment --model"),
])
def test_a_bad_link_fails_before_any_work(fake, folder, tmp_path, capsys, monkeypatch, link, message):
    monkeypatch.setattr(imlab.runner, "compute", lambda *a: pytest.fail("work started"))
    assert main(["run", link, str(folder), "--out", str(tmp_path / "out")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_settings_file_of_another_page_fails(fake, folder, tmp_path, capsys):
    settings = tmp_path / "s.json"
    settings.write_text(json.dumps({"page": "fake", "settings": {"levels": 1}}))
    assert main(["run", str(settings), str(folder), "--out", str(tmp_path / "out")]) == 2
    assert "The 'levels' parameter must be an int in the range [2, 1000]; got 1." in capsys.readouterr().err
    settings.write_text(json.dumps({"settings": {"levels": 3}}))
    assert main(["run", str(settings), str(folder), "--out", str(tmp_path / "out")]) == 2
    assert "does not say which page" in capsys.readouterr().err


def test_dry_run_lists_and_writes_nothing(fake, folder, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(imlab.runner, "compute", lambda *a: pytest.fail("work started"))
    out = tmp_path / "out"
    assert main(["run", "fake", str(folder), "--out", str(out), "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert f"{folder / 'sub' / 'three.jpg'} -> {out / 'sub' / 'three'}" in printed
    assert "notes.txt" not in printed and "3 of 3 would run in this process" in printed
    assert not out.exists()


def test_resume_does_no_work_the_second_time(folder, tmp_path, monkeypatch, capsys):
    out, link = tmp_path / "out", "superpixels?n_segments=50&k=3"
    assert main(["run", link, str(folder), "--out", str(out), "--quiet"]) == 0
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*.png")}
    monkeypatch.setattr(imlab.runner, "compute", lambda *a: pytest.fail("work was redone"))
    assert main(["run", link, str(folder), "--out", str(out), "--resume", "--quiet"]) == 0
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*.png")} == before
    assert {r["status"] for r in rows_of(out)} == {"ok"}
    assert all("--resume" in r["message"] and int(r["superpixels"]) > 10 for r in rows_of(out))
    assert main(["run", link, str(folder), "--out", str(out), "--resume", "--dry-run"]) == 0
    assert "0 of 3 would run" in capsys.readouterr().out


def test_resume_redoes_incomplete_and_changed_work(fake, folder, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert main(["run", "fake?levels=6", str(folder), "--out", str(out), "--quiet"]) == 0
    (out / "one" / "shown.png").write_bytes(b"half")  # an interrupted write elsewhere: wrong size
    (out / "two" / "levels.png").unlink()
    done = []
    real = imlab.runner.compute
    monkeypatch.setattr(imlab.runner, "compute", lambda task, payload, model: done.append(payload[0][0])
                        or real(task, payload, model))
    assert main(["run", "fake?levels=6", str(folder), "--out", str(out), "--resume", "--quiet"]) == 0
    assert sorted(done) == ["one.png", "two.png"]
    assert files_of(out)["one/shown.png"] != b"half"
    done.clear()  # other settings: every output is redone
    assert main(["run", "fake?levels=7", str(folder), "--out", str(out), "--resume", "--quiet"]) == 0
    assert len(done) == 3
