"""AppTest: the Object clustering page, compared with the same core stages and with its own script."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pytest
from PIL import Image

from core import objects as O
from core import reproduce
from tests.app.conftest import app_test, no_exception, texts
from tests.core.test_objects_pipeline import TUTORIAL_STEPS, tutorial_clusters
from tests.scripts import run_code

PAGE = "pages/objects.py"
FAST = {"length": "256"}  # small blobs keep every run quick


def _cluster_caption(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Cluster 0:"))


def _table(at):
    return next(d.value for d in at.dataframe if "perimeter2_over_area" in d.value.columns)


def _errors(at) -> list[str]:
    """The error texts as a reader sees them (the page escapes Markdown in messages)."""
    return [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]


def _values(at) -> dict:
    """The values the page used, read from its widgets' state."""
    return {name: at.session_state[f"objects:{name}"] for name in O.SCHEMA.fields}


def _code(at) -> str:
    return next(c.value for c in at.code if "KMeans" in c.value)


def _upload(image: np.ndarray, query: dict | None = None):
    """Open the page with a decoded upload of ``image`` in the session (as the page's uploader stores it)."""
    return app_test(PAGE, query={"source": "upload", **(query or {})},
                    session_state={"objects:label_upload": {"name": "mine.png", "image": image}})


def test_k_changes_the_clusters_and_the_times_are_never_stale():
    at = app_test(PAGE, query=FAST)
    before = _cluster_caption(at)
    at.number_input(key="objects:k").set_value(3).run()
    no_exception(at)
    assert _cluster_caption(at) != before and set(_table(at)["cluster"]) == {0, 1, 2}
    timing = next(c.value for c in at.caption if c.value.startswith("Objects:"))
    assert timing.count("(cached)") == 3  # the first stages came from the cache: it says so
    assert "k-means:" in _cluster_caption(at)


@pytest.mark.parametrize("preset", list(O.PRESETS))
def test_presets_are_the_tutorial_cells_whatever_was_set_before(preset):
    """#16.2: from a thresholded photo and other blobs, each preset shows the tutorial's blobs and clusters."""
    at = app_test(PAGE, query={"source": "image", "length": "256", "seed": "7", "max_size": "30", "k": "4",
                               "scaling": "robust", "features": "extent"})
    at.button(key=f"objects:preset:{preset}").click().run()
    no_exception(at)
    assert {n: v for n, v in _values(at).items() if n in O.PRESETS[preset]} == O.PRESETS[preset]
    assert f"**{preset}** — {O.PRESET_HELP[preset]}" in texts(at)  # the page says which tutorial cell this is
    table = _table(at)
    _, expected = tutorial_clusters(*TUTORIAL_STEPS[preset])
    assert len(table) == len(expected) == 162
    assert len(set(zip(table["cluster"], expected))) == 2  # the same two clusters as the tutorial's code


def test_changing_k_or_scaling_does_not_re_measure(monkeypatch):
    calls = []
    real = O.measure_objects

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(O, "measure_objects", counting)
    at = app_test(PAGE, query={"length": "192", "seed": "4242"})  # an input no other test has cached
    no_exception(at)
    assert len(calls) == 1
    at.number_input(key="objects:k").set_value(4).run()
    at.radio(key="objects:scaling").set_value("robust").run()
    no_exception(at)
    assert "with **robust** scaling" in _cluster_caption(at)
    assert len(calls) == 1


def test_thresholded_image_names_the_image_and_its_size():
    at = app_test(PAGE, query={"source": "image", "max_size": "30"})
    no_exception(at)
    assert "coins, 256×202 px: Otsu's threshold t = " in texts(at)  # at the working size, W×H
    n_bright = len(_table(at))
    at.radio(key="objects:objects").set_value("dark").run()
    no_exception(at)
    assert "keeps the dark pixels" in texts(at) and len(_table(at)) != n_bright
    assert "image = data.coins()" in _code(at) and 'objects = \'dark\'' in _code(at)


def test_uploaded_mask_is_never_inverted_by_the_thresholding_side():
    """#18.7: 'dark objects' chosen for a photo does not turn an uploaded mask inside out."""
    mask = np.zeros((64, 64), dtype=np.uint8)
    mask[5:15, 5:15] = 255
    mask[30:40, 30:50] = 255
    at = _upload(mask, {"objects": "dark", "k": "1"})
    no_exception(at)
    assert "read as a binary mask, used as it is (never thresholded, never inverted)" in texts(at)
    assert _table(at)["area"].tolist() == [100, 200]
    assert not any(r.key == "objects:objects" for r in at.radio)  # no thresholding side for an upload
    assert "upload_as = 'mask'" in _code(at) and "io.imread(\"your_labels.png\")" in _code(at)


def test_uploaded_label_image_with_sparse_ids_is_renumbered_and_says_so(tmp_path):
    labels = np.zeros((64, 64), dtype=np.int32)
    labels[2:10, 2:10] = 3
    labels[20:30, 20:26] = 2**31 - 1
    labels[40:50, 5:12] = 12
    labels[50:60, 40:60] = 20
    at = _upload(labels)
    no_exception(at)
    assert "read as a label image: 4 objects" in texts(at) and "renumbered 1 … N" in texts(at)
    table = _table(at)
    assert table["label"].tolist() == [1, 2, 3, 4] and table["file_id"].tolist() == [3, 12, 20, 2**31 - 1]
    assert any(b.proto.label == "Labels (PNG)" for b in at.get("download_button"))  # ids fit a PNG now
    # a 32-bit file (TIFF content under the script's file name: PNG holds 16 bits at most)
    Image.fromarray(labels, mode="I").save(tmp_path / "your_labels.png", format="TIFF")
    ns = run_code(_code(at), tmp_path)  # the shown script reads the file itself and finds the same clusters
    painted = O.paint_clusters(O.read_upload(labels, kind="labels").array, table, table["cluster"].to_numpy())
    np.testing.assert_array_equal(ns["result"], painted)


def test_too_many_ids_give_a_clear_message_not_a_hang():
    ids = np.arange(1, 250 * 250 + 1, dtype=np.int32).reshape(250, 250)  # 62 500 ids
    at = _upload(ids)
    no_exception(at)
    assert any(f"holds 62,500 objects; this page measures at most {O.MAX_OBJECTS:,}" in e for e in _errors(at))
    assert any("KMeans" in c.value for c in at.code)  # the footer (link, script) is still there


def test_empty_mask_and_k_too_large_give_clear_messages():
    at = _upload(np.zeros((64, 64), dtype=np.uint8))
    no_exception(at)
    assert any("no objects" in e for e in _errors(at))
    mask = np.zeros((64, 64), dtype=np.uint8)
    mask[5:15, 5:15] = 255
    at = _upload(mask)
    no_exception(at)
    assert any("The 'k' parameter must be an int in the range [1, 1]" in e for e in _errors(at))
    assert len(_table(at)) == 1  # the measurements are still shown
    at.number_input(key="objects:k").set_value(1).run()
    no_exception(at)
    assert not at.error


def test_no_upload_in_a_link_falls_back_to_blobs_with_a_notice():
    at = app_test(PAGE, query={"source": "upload", **FAST})
    no_exception(at)
    assert "cannot travel in a link" in texts(at)
    assert "binary_blobs(length=256" in texts(at)
    assert "source = 'blobs'" in _code(at)


def test_share_link_values_show_in_widgets_highlight_and_script():
    query = {"length": "320", "seed": "7", "scaling": "standard", "k": "3", "features": "solidity,eccentricity",
             "connectivity": "1", "exclude_border": "1", "x": "solidity"}
    kept = O.batch_outputs(None, O.SCHEMA.parse(query))["objects"]["label"].tolist()  # ids left by exclude_border
    query["highlight"] = str(kept[1])
    at = app_test(PAGE, query=query)
    no_exception(at)
    values = _values(at)
    assert values == O.SCHEMA.parse(query)
    assert at.slider(key="objects:length").value == 320 and at.toggle(key="objects:exclude_border").value is True
    assert at.selectbox(key="objects:x").value == "solidity"
    assert f"Object **{kept[1]}** is outlined" in texts(at)
    expected = reproduce.fill("objects", O.script_values(values), image=O.script_image_lines(values, "coins"))
    assert _code(at).strip() == expected.strip()  # the shown script is the template filled with these values


def test_garbage_link_opens_with_defaults_and_a_notice():
    at = app_test(PAGE, query={"k": "banana", "scaling": "zscore", "length": "99999", "features": "area,nope"})
    no_exception(at)
    assert at.warning and "could not be used" in at.warning[0].value
    assert "The 'k' parameter must be an int in the range \\[1, 10\\]" in at.warning[0].value
    assert at.number_input(key="objects:k").value == 2
    assert at.radio(key="objects:scaling").value == "none"
    assert at.slider(key="objects:length").value == 1024


def test_no_features_gives_a_clear_message():
    at = app_test(PAGE, query=FAST)
    at.multiselect(key="objects:features").set_value([]).run()
    no_exception(at)
    assert any("at least one feature" in e for e in _errors(at))


def test_labels_png_download_is_16_bit_above_255_objects():
    labels = np.zeros((80, 80), dtype=np.int32)
    labels[::4, ::4] = np.arange(1, 401).reshape(20, 20) * 1000
    at = _upload(labels)
    no_exception(at)
    assert "The label image is 16-bit" in texts(at) and len(_table(at)) == 400
    assert _table(at)["file_id"].max() == 400_000


def test_an_uploaded_photo_to_threshold_is_read_by_the_script(tmp_path):
    photo = np.zeros((90, 120, 3), dtype=np.uint8)
    photo[20:50, 30:70] = (250, 240, 230)
    photo[60:80, 80:110] = (200, 220, 250)
    at = app_test(PAGE, query={"source": "image"}, session_state={
        "_upload": {"name": "photo.png", "image": photo, "original_shape": photo.shape, "id": 1, "page": "objects"},
        "objects:image": "upload"})
    no_exception(at)
    assert "photo.png, 120×90 px: Otsu's threshold" in re.sub(r"\\(.)", r"\1", texts(at))  # escaped Markdown
    assert 'Image.open("your_image.png")' in _code(at)
    Image.fromarray(photo).save(tmp_path / "your_image.png")
    table = _table(at)
    ns = run_code(_code(at), tmp_path)
    assert len(table) == 2 and ns["result"].max() == table["cluster"].max() + 1


def test_uploaded_colour_label_image_gives_one_object_per_colour():
    rgb = np.zeros((64, 64, 3), dtype=np.uint8)
    rgb[2:10, 2:10] = (255, 0, 0)
    rgb[20:30, 20:30] = (0, 255, 0)
    rgb[40:50, 40:50] = (0, 0, 255)
    rgb[52:60, 2:30] = (0, 255, 0)  # the same colour, not touching: still one object (one id)
    at = _upload(rgb)
    no_exception(at)
    table = _table(at)
    assert table["file_id"].tolist() == ["#0000ff", "#00ff00", "#ff0000"]
    assert table["area"].tolist() == [100, 100 + 224, 64]


def test_scaled_axes_show_what_k_means_sees():
    at = app_test(PAGE, query={**FAST, "scaling": "standard", "scaled_axes": "1"})
    no_exception(at)
    assert "The axes are the **scaled** features k-means sees." in texts(at)
    chart = at.get("vega_lite_chart")[0].proto
    points = next(d.data.data for d in chart.datasets if d.name == "points")  # what the browser receives
    xs = pa.ipc.open_stream(points).read_all().to_pandas()["x"].to_numpy(float)
    assert abs(xs.mean()) < 1e-9 and abs(xs.std() - 1) < 1e-9  # standardised areas, not pixels
    at.toggle(key="objects:scaled_axes").set_value(False).run()
    assert "the **unscaled** measurements" in texts(at)


def test_cluster_downloads_are_full_size_though_the_pictures_are_painted_smaller(offered):
    """The pictures are painted on the label image shrunk to 640 px; the PNGs offered (painted on a click) are
    the full-size cluster ids and colours."""
    at = app_test(PAGE)  # the default blobs: larger than the 640 px shown
    no_exception(at)
    labels, table = offered["objects_labels.png"], _table(at)
    assert max(labels.shape) > 640
    painted = O.paint_clusters(labels, table, table["cluster"].to_numpy())
    np.testing.assert_array_equal(offered["objects_cluster_ids.png"], painted)
    np.testing.assert_array_equal(offered["objects_clusters.png"], O.color_clusters(painted))
