"""`run` with a link of every per-image page: the files equal what core gives for the link's values.

A page whose module has no ``SCHEMA`` / ``batch_outputs`` yet is skipped with that reason (the
CLI says the same); pages whose work is not per image must say why.
"""

import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.images import read_image
from imlab.cli import main
from imlab.registry import PAGES, SEGMENT, BatchUnavailable, load_module, technique
from imlab.writers import encode
from tests.imlab.conftest import files_of, save, scene

#: A link per page, with non-default values where the page has obvious ones.
LINKS = {
    "superpixels": "http://localhost:8501/superpixels?n_segments=60&compactness=10&merge=kmeans&k=3&channels=L,a,b",
    "colour_clustering": "colour_clustering?k=3",
}


def _technique_or_skip(page):
    try:
        return technique(page)
    except BatchUnavailable as err:
        if "yet" in str(err):
            pytest.skip(str(err))
        raise


PER_IMAGE = [p for p, m in PAGES.items() if m != SEGMENT and p != "panorama"]


@pytest.mark.parametrize("page", PER_IMAGE)
def test_run_equals_core_for_the_link(page, tmp_path):
    try:
        tech = _technique_or_skip(page)
    except BatchUnavailable as err:  # not per image: it says why, clearly
        assert "cannot run in batch" in str(err)
        pytest.skip(str(err))
    link = LINKS.get(page, page)
    folder = tmp_path / "in"
    paths = [save(folder / "a.png", scene(5, (64, 80))), save(folder / "b.png", scene(6, (56, 72)))]
    out = tmp_path / "out"
    assert main(["run", link, str(folder), "--out", str(out), "--quiet"]) == 0
    values = tech.schema.parse_link(link)
    got = files_of(out)
    with open(out / "summary.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    for path, row in zip(paths, rows):
        assert row["status"] == "ok", row["message"]
        files, summary = encode(load_module(tech.module).batch_outputs(read_image(path.read_bytes()), values))
        assert files, f"{page}: batch_outputs gave no files"
        for name, data in files.items():
            assert got[f"{path.stem}/{name}"] == data, f"{page}: {name} differs from core"
        assert {k: row[k] for k in summary} == {k: str(v) for k, v in summary.items()}


def test_superpixels_link_values_reach_core(tmp_path):
    tech = _technique_or_skip("superpixels")
    sp = load_module(tech.module)
    path = save(tmp_path / "in" / "a.png", scene(7, (64, 80)))
    out = tmp_path / "out"
    assert main(["run", LINKS["superpixels"], str(path), "--out", str(out), "--quiet"]) == 0
    rgb = read_image(path.read_bytes())
    segments = sp.segment(rgb, "slic", n_segments=60, compactness=10.0, sigma=0.0, slic_zero=False)
    np.testing.assert_array_equal(np.asarray(Image.open(out / "a" / "superpixels.png")), segments)
    regions = sp.merge(rgb, segments, how="kmeans", k=3, channels=("L", "a", "b"), threshold=29.0)
    np.testing.assert_array_equal(np.asarray(Image.open(out / "a" / "regions.png")), regions)


def test_pages_without_per_image_work_say_why(capsys):
    assert main(["pages"]) == 0
    listed = capsys.readouterr().out
    for page in PAGES:
        assert page in listed
    digits = load_module("core.digits")
    if hasattr(digits, "BATCH"):
        assert digits.BATCH is None and digits.BATCH_REASON in listed
    iris = getattr(load_module("core.clustering"), "IRIS_BATCH_REASON", None)
    if iris:
        assert f"not in batch: {iris}" in listed


def test_panorama_takes_each_folder_as_one_set(tmp_path):
    tech = _technique_or_skip("panorama")
    assert tech.per_set
    from skimage import data
    from skimage.transform import rescale

    photo = (rescale(data.astronaut(), 0.5, channel_axis=-1) * 255).astype(np.uint8)  # 256 × 256
    folder = tmp_path / "in"
    left, right = save(folder / "trip" / "1_left.png", photo[:, :170]), save(folder / "trip" / "2_right.png",
                                                                          photo[:, 90:])
    (folder / "trip" / "3_broken.png").write_bytes(b"not a png")
    save(folder / "alone" / "only.png", photo[:, :170])
    out = tmp_path / "out"
    link = "panorama?n_keypoints=500&blend=feather"
    assert main(["run", link, str(folder), "--out", str(out), "--quiet"]) == 0
    with open(out / "summary.csv", newline="") as f:
        rows = {Path(r["input"]).name: r for r in csv.DictReader(f)}
    assert set(rows) == {"trip", "alone"}
    trip = rows["trip"]
    assert trip["status"] == "ok" and trip["images"] == "2" and "3_broken.png" in trip["message"]
    files, summary = encode(load_module(tech.module).batch_outputs(
        [read_image(p.read_bytes()) for p in (left, right)], tech.schema.parse_link(link)))
    got = files_of(out)
    for name, blob in files.items():
        assert got[f"trip/{name}"] == blob, name
    assert trip["width"] == str(summary["width"])
    assert rows["alone"]["status"] == "error" and rows["alone"]["message"]


def test_objects_label_files_keep_their_ids(tmp_path):
    tech = _technique_or_skip("objects")
    objects = load_module(tech.module)
    if not hasattr(objects, "batch_decode"):
        pytest.skip("core.objects has no batch_decode")
    labels = np.zeros((60, 80), np.int32)
    labels[5:20, 5:30], labels[30:50, 40:70] = 300, 70_000  # ids a uint8 decode would lose
    path = tmp_path / "in" / "labels.tif"
    path.parent.mkdir()
    Image.fromarray(labels, mode="I").save(path)
    out = tmp_path / "out"
    link = "objects?source=upload&k=2"
    assert main(["run", link, str(path), "--out", str(out), "--quiet", "--working-size", "32"]) == 0
    values = tech.schema.parse_link(link)
    files, _ = encode(objects.batch_outputs(objects.batch_decode(path.read_bytes(), values, 32), values))
    got = files_of(out)
    for name, blob in files.items():
        assert got[f"labels/{name}"] == blob, name
    with open(out / "summary.csv", newline="") as f:
        assert next(csv.DictReader(f))["width"] == "80"  # a label image is never resampled
