"""The Object clustering technique in one place: schema, presets vs the tutorial's code, batch outputs, script."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from core import objects as O
from core import reproduce
from core.images import fit_working_size, load_sample, to_png_bytes
from tests.scripts import run_code


def tutorial_clusters(features: list[str], steps: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The tutorial's cells as written (seeded: binary_blobs rng=0, KMeans random_state=0), one step after another.

    Returns the labels and the last step's cluster of each regionprops object.
    """
    from skimage import data, measure
    from sklearn import preprocessing
    from sklearn.cluster import KMeans

    im = data.binary_blobs(length=1024, blob_size_fraction=0.05, volume_fraction=0.2, rng=0)
    labels = measure.label(im)
    props = measure.regionprops(labels)
    getters = {"area": lambda p: p.area, "eccentricity": lambda p: p.eccentricity,
               "perimeter2_over_area": lambda p: p.perimeter**2 / p.area, "solidity": lambda p: p.solidity}
    table = np.array([tuple(getters[f](prop) for f in features) for prop in props])
    clf = KMeans(n_clusters=2, random_state=0)
    for step in steps:
        if step == "area_max":
            table[:, 0] /= table[:, 0].max()
        if step == "standard":
            table = preprocessing.StandardScaler().fit_transform(table)
        clf.fit(table)
    return labels, clf.labels_


TUTORIAL_STEPS = {  # preset → (the tutorial's features, the cells run in order)
    "① Raw features": (O.TUTORIAL_FEATURES, ["none"]),
    "② Area ÷ max": (O.TUTORIAL_FEATURES, ["none", "area_max"]),
    "③ Standardised": (O.TUTORIAL_FEATURES, ["none", "area_max", "standard"]),
    "④ Exercise: eccentricity": (["eccentricity", "perimeter2_over_area", "solidity"], ["standard"]),
}


@pytest.mark.parametrize("preset", list(O.PRESETS))
def test_each_preset_is_the_tutorial_cell(preset):
    """#16.2: same objects, same clusters (up to the cluster names) as the tutorial's code run here."""
    values = O.SCHEMA.parse({"source": "image", "length": "256", "seed": "5", "max_size": "30"})
    values.update(O.PRESETS[preset])  # a preset sets everything it depends on, whatever was there before
    out = O.batch_outputs(load_sample("coins"), values)
    labels, expected = tutorial_clusters(*TUTORIAL_STEPS[preset])
    np.testing.assert_array_equal(out["labels"], labels)
    got = out["objects"]["cluster"].to_numpy()
    assert len(got) == len(expected) == out["summary"]["objects"] == 162
    assert len(set(zip(got, expected))) == 2  # the same partition into two clusters


def test_presets_set_every_value_their_result_depends_on():
    depends = {"source", "length", "blob_size", "volume", "seed", "connectivity", "exclude_border", "max_size",
               "features", "scaling", "k"}
    for name, preset in O.PRESETS.items():
        assert depends <= set(preset), f"{name} leaves {depends - set(preset)} as they were"
        assert O.SCHEMA.parse({}, base=preset) == {**O.SCHEMA.defaults(), **preset}  # valid values


def test_schema_fields_have_help_and_links_parse_with_the_one_message_form():
    assert all(getattr(f, "help", "") for f in O.SCHEMA.fields.values())
    values = O.SCHEMA.parse_link("http://x/objects?k=3&features=solidity,eccentricity&scaling=robust")
    assert values["k"] == 3 and values["features"] == ["solidity", "eccentricity"]
    with pytest.raises(ValueError, match=r"^The 'k' parameter must be an int in the range \[1, 10\]; got '99'\.$"):
        O.SCHEMA.parse({"k": "99"})
    assert O.SCHEMA.parse_json(O.SCHEMA.to_json(values)) == values


def _script_vs_batch(values: dict, tmp_path, image=None, image_name=None, shape=None, working_size=1024):
    out = O.batch_outputs(image, values)
    src = O.source_objects(values, image)
    code = reproduce.fill("objects", O.script_values(values, src),
                          image=O.script_image_lines(values, image_name, shape=shape, working_size=working_size))
    ns = run_code(code, tmp_path)
    painted = O.paint_clusters(out["labels"], out["objects"], out["objects"]["cluster"].to_numpy())
    np.testing.assert_array_equal(ns["result"], painted)
    assert f"{len(out['objects'])} objects; per cluster:" in ns["__stdout__"]
    assert (tmp_path / "objects_clusters.png").exists() and (tmp_path / "objects_labels.png").exists()
    return out, ns


CASES = {
    "blobs": dict(length=256, blob_size=0.06, volume=0.3, seed=3, exclude_border=True, max_size=20,
                  scaling="standard", k=3),
    "blobs_area_max": dict(length=128, blob_size=0.1, volume=0.4, seed=5, features=["solidity", "area", "orientation"],
                           scaling="area_max", k=3),
    "blobs_max": dict(length=192, connectivity=1, features=["area", "extent", "euler_number"], scaling="max", k=4),
}


@pytest.mark.parametrize("case", list(CASES))
def test_script_matches_the_page_stages_on_blobs(case, tmp_path):
    values = O.SCHEMA.parse({}, base=CASES[case])
    _script_vs_batch(values, tmp_path)


@pytest.mark.parametrize("name, objects, size", [("coins", "dark", 256), ("coffee", "bright", 200)])
def test_script_matches_the_page_stages_on_a_thresholded_sample(name, objects, size, tmp_path):
    values = O.SCHEMA.parse({"source": "image", "image": name, "objects": objects, "max_size": "10",
                             "features": "eccentricity,solidity", "scaling": "robust", "k": "3"})
    original = load_sample(name)
    out, _ = _script_vs_batch(values, tmp_path, fit_working_size(original, size), name, original.shape, size)
    assert 0 < out["summary"]["threshold"] < 1


@pytest.mark.parametrize("kind", ["labels", "mask"])
def test_script_matches_the_page_stages_on_an_uploaded_file(kind, tmp_path):
    labels = np.zeros((60, 80), dtype=np.uint16)
    labels[5:15, 5:25] = 300
    labels[30:50, 10:20] = 7
    labels[20:40, 50:75] = 65000
    labels[52:58, 60:70] = 301
    Image.fromarray(labels).save(tmp_path / "your_labels.png")  # the file the script reads
    decoded = O.read_label_file((tmp_path / "your_labels.png").read_bytes())  # what the page decodes
    values = O.SCHEMA.parse({"source": "upload", "upload_as": kind, "features": "area,solidity",
                             "k": "2" if kind == "labels" else "1"})
    out, _ = _script_vs_batch(values, tmp_path, decoded)
    if kind == "labels":
        assert out["objects"]["file_id"].tolist() == [7, 300, 301, 65000]
    else:  # pixels above half the brightest (65000) are objects: one object
        assert len(out["objects"]) == 1 and out["objects"]["area"][0] == 500


def test_batch_outputs_are_what_the_page_shows():
    values = O.SCHEMA.parse({"length": "256", "k": "3", "scaling": "standard"})
    out = O.batch_outputs(None, values)
    assert set(out) == {"labels", "clusters", "objects", "summary"}
    assert out["labels"].dtype == np.int32 and out["clusters"].dtype == np.uint8 and out["clusters"].ndim == 3
    table = out["objects"]
    assert isinstance(table, pd.DataFrame) and list(table.columns[:2]) == ["label", "cluster"]
    summary = out["summary"]
    assert summary["objects"] == len(table) and summary["k"] == 3 and summary["width"] == 256
    assert sum(int(n) for n in summary["cluster_sizes"].split("/")) == len(table)
    assert all(isinstance(x, int | float | str) for x in summary.values())
    png = Image.open(io.BytesIO(to_png_bytes(out["labels"])))
    assert np.asarray(png).max() == out["labels"].max()


def test_script_template_is_short_and_fills_every_parameter():
    text = reproduce.template("objects")
    assert len(text.splitlines()) <= 60
    names = set(reproduce.block_names("objects"))
    page_only = {"x", "y", "highlight", "scaled_axes", "image"}  # display-only values, and the image lines
    assert names == set(O.SCHEMA.fields) - page_only
    assert reproduce.agreement("objects").startswith("the same objects")
    with pytest.raises(KeyError, match="k"):
        reproduce.fill("objects", {n: 1 for n in names - {"k"}})


def test_upload_script_reads_the_file_and_says_so():
    values = O.SCHEMA.parse({"source": "upload"})
    lines = O.script_image_lines(values, None)
    assert any("your_labels.png" in line and "io.imread" in line for line in lines)
    assert O.script_image_lines(O.SCHEMA.parse({}), "coins") == []  # blobs: no image line at all


def test_the_template_runs_on_its_own_in_a_fresh_interpreter(tmp_path):
    """The file as it is (the schema defaults: the tutorial's blobs), outside the project, as a reader runs it."""
    import shutil
    import subprocess
    import sys

    shutil.copy(reproduce.SCRIPTS_DIR / "objects.py", tmp_path / "objects.py")
    done = subprocess.run([sys.executable, "objects.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    sizes = O.batch_outputs(None, O.SCHEMA.parse({}))["summary"]["cluster_sizes"].split("/")
    assert [int(n) for n in re.findall(r"\d+", done.stdout)] == [162, *map(int, sizes)]
    assert (tmp_path / "objects_clusters.png").stat().st_size > 1000


def test_batch_decode_keeps_label_ids_and_sizes(tmp_path):
    labels = np.zeros((300, 400), dtype=np.int32)
    labels[10:60, 10:90] = 2**31 - 1
    labels[100:150, 200:260] = 70_000
    buffer = io.BytesIO()
    Image.fromarray(labels, mode="I").save(buffer, format="TIFF")
    upload = O.SCHEMA.parse({"source": "upload", "k": "2"})
    decoded = O.batch_decode(buffer.getvalue(), upload, working_size=128)
    assert decoded.shape == (300, 400) and set(np.unique(decoded)) == {0, 70_000, 2**31 - 1}  # not resampled
    assert O.batch_outputs(decoded, upload)["objects"]["file_id"].tolist() == [70_000, 2**31 - 1]
    photo = io.BytesIO()
    Image.fromarray(load_sample("coins")).save(photo, format="PNG")
    assert max(O.batch_decode(photo.getvalue(), O.SCHEMA.parse({"source": "image"}), 128).shape) == 128
