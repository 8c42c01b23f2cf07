"""`python -m imlab segment` with a segmenter trained in the test."""

import csv

import numpy as np
import pytest
from PIL import Image

from core.images import read_image
from core.trainable import fit_segmenter, load_segmenter, save_segmenter
from imlab.cli import main
from imlab.jobs import segment_outputs
from tests.imlab.conftest import save, scene


def strokes(shape):
    """Scribbles: class 1 in the red rectangle, 2 in the blue one, 3 on the gradient."""
    h, w = shape
    labels = np.zeros((h, w), np.int32)
    labels[h // 5 + 2: h // 2 - 2, w // 6 + 2: w // 2 - 2] = 1
    labels[h // 2 + 3: h - 3, w // 2 + 3: w - 8] = 2
    labels[2:5, w // 2 + 4: w - 4] = 3
    return labels


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    image = scene(11, (64, 80))
    path = tmp_path_factory.mktemp("model") / "segmenter.zip"
    path.write_bytes(save_segmenter(fit_segmenter(image, strokes(image.shape[:2]), class_names=["red", "blue", "bg"])))
    return path


def test_segment_equals_the_segmenter(model_file, tmp_path):
    folder = tmp_path / "in"
    a = save(folder / "a.png", scene(12, (48, 64)))
    save(folder / "b.png", scene(13, (56, 60)))
    out = tmp_path / "out"
    assert main(["segment", "--model", str(model_file), str(folder), "--out", str(out), "--probabilities",
                 "--quiet"]) == 0
    seg = load_segmenter(model_file.read_bytes())
    image = read_image(a.read_bytes())
    proba = seg.predict_proba(image)
    labels = np.asarray(Image.open(out / "a" / "labels.png"))
    np.testing.assert_array_equal(labels, np.argmax(proba, axis=-1) + 1)
    np.testing.assert_allclose(np.load(out / "a" / "probabilities.npy"), proba, atol=1e-6)
    overlay = np.asarray(Image.open(out / "a" / "overlay.png"))
    assert overlay.shape == image.shape and not np.array_equal(overlay, image)
    with open(out / "summary.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["status"] for r in rows] == ["ok", "ok"]
    assert rows[0]["classes"] == "3"
    shares = [float(rows[0][f"{n} %"]) for n in ("red", "blue", "bg")]
    assert abs(sum(shares) - 100) < 0.01 and min(shares[:2]) > 5  # the red and blue shapes are found


def test_tiles_agree_with_the_untiled_run_away_from_seams(model_file):
    seg = load_segmenter(model_file.read_bytes())
    image = np.tile(scene(14, (64, 80)), (2, 2, 1))  # 128 × 160: 2 × 3 tiles of 64
    whole = seg.predict_proba(image)
    tiled = segment_outputs(seg, image, tile=64, probabilities=True)
    assert tiled["labels"].shape == image.shape[:2]
    assert np.mean(tiled["labels"] == np.argmax(whole, axis=-1) + 1) > 0.995
    assert np.abs(tiled["probabilities"] - whole).max() < 0.05


def test_a_bad_model_fails_before_any_work(tmp_path, capsys):
    bad = tmp_path / "model.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    save(tmp_path / "in" / "a.png", scene(1))
    assert main(["segment", "--model", str(bad), str(tmp_path / "in"), "--out", str(tmp_path / "out")]) == 2
    assert str(bad) in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert main(["segment", "--model", str(tmp_path / "none.zip"), str(tmp_path / "in"), "--out",
                 str(tmp_path / "out")]) == 2
    assert "cannot be read" in capsys.readouterr().err
