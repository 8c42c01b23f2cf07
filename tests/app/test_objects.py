"""AppTest: the Object clustering page (presets, inputs, bad inputs, share links, no re-measuring)."""

from __future__ import annotations

import numpy as np
import pytest

from core import objects as O
from tests.app.conftest import app_test, no_exception, texts

PAGE = "pages/objects.py"
FAST = {"length": "256"}  # small blobs keep every run quick


def _cluster_caption(at) -> str:
    return next(c.value for c in at.caption if c.value.startswith("Cluster 0:"))


def _table(at):
    return next(d.value for d in at.dataframe if "perimeter2_over_area" in d.value.columns)


def _upload(image: np.ndarray, query: dict | None = None):
    """Open the page with a decoded upload of ``image`` in the session (as the page's uploader stores it)."""
    return app_test(PAGE, query={"source": "upload", **(query or {})},
                    session_state={"objects:label_upload": {"name": "mine.png", "image": image}})


def test_default_is_the_tutorial_blobs_and_widgets_change_the_result():
    at = app_test(PAGE)
    no_exception(at)
    assert "binary_blobs(length=1024, blob_size_fraction=0.05, volume_fraction=0.2, rng=0)" in texts(at)
    table = _table(at)
    assert len(table) > 50 and {"label", "cluster", "area", "perimeter2_over_area", "solidity"} <= set(table.columns)
    assert at.radio(key="objects:scaling").value == "none"
    before = _cluster_caption(at)
    at.number_input(key="objects:k").set_value(3).run()
    no_exception(at)
    after = _cluster_caption(at)
    assert "2:" in after and after != before
    assert set(_table(at)["cluster"]) == {0, 1, 2}


@pytest.mark.parametrize(
    "preset, scaling, feature",
    [
        ("① Raw features", "none", "area"),
        ("② Area ÷ max", "area_max", "area"),
        ("③ Standardised", "standard", "area"),
        ("④ Exercise: eccentricity", "standard", "eccentricity"),
    ],
)
def test_presets_walk_the_tutorial(preset, scaling, feature):
    at = app_test(PAGE, query={**FAST, "scaling": "robust", "features": "extent"})
    at.button(key=f"objects:preset:{preset}").click().run()
    no_exception(at)
    assert at.radio(key="objects:scaling").value == scaling
    assert feature in at.multiselect(key="objects:features").value
    shown = {"area_max": "area ÷ max"}.get(scaling, scaling)
    assert f"with **{shown}** scaling" in _cluster_caption(at)
    table = _table(at)
    expected = O.cluster_objects(O.measure_objects(O.label_objects(O.make_blobs(256, 0.05, 0.2, 0))),
                                 at.multiselect(key="objects:features").value, 2, scaling=scaling)
    np.testing.assert_array_equal(table["cluster"].to_numpy(), expected)


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


def test_thresholded_image_input_bright_and_dark():
    at = app_test(PAGE, query={"source": "image", "max_size": "30"})
    no_exception(at)
    assert "coins: Otsu threshold keeps the bright pixels" in texts(at)
    n_bright = len(_table(at))
    at.radio(key="objects:objects").set_value("dark").run()
    no_exception(at)
    assert "keeps the dark pixels" in texts(at)
    assert len(_table(at)) != n_bright


def test_uploaded_label_image_with_gaps_keeps_ids_and_says_so():
    labels = np.zeros((64, 64), dtype=np.uint8)
    labels[2:10, 2:10] = 3
    labels[20:30, 20:26] = 7
    labels[40:50, 5:12] = 12
    labels[50:60, 40:60] = 20
    at = _upload(labels)
    no_exception(at)
    assert "read as a label image with 4 objects" in texts(at)
    assert "gaps in its ids" in texts(at)
    assert _table(at)["label"].tolist() == [3, 7, 12, 20]


def test_uploaded_binary_mask():
    mask = np.zeros((64, 64), dtype=np.uint8)
    mask[5:15, 5:15] = 255
    mask[30:40, 30:50] = 255
    at = _upload(mask)
    no_exception(at)
    assert "read as a binary mask" in texts(at)
    assert _table(at)["area"].tolist() == [100, 200]


def test_empty_mask_gives_a_clear_message():
    at = _upload(np.zeros((64, 64), dtype=np.uint8))
    no_exception(at)
    assert any("no objects" in e.value for e in at.error)


def test_one_object_and_k_too_large_give_a_clear_message():
    mask = np.zeros((64, 64), dtype=np.uint8)
    mask[5:15, 5:15] = 255
    at = _upload(mask)
    no_exception(at)
    assert any("larger than the number of objects (1)" in e.value for e in at.error)
    assert len(_table(at)) == 1  # the measurements are still shown
    at.number_input(key="objects:k").set_value(1).run()
    no_exception(at)
    assert not at.error


def test_no_upload_in_a_link_falls_back_to_blobs_with_a_notice():
    at = app_test(PAGE, query={"source": "upload", **FAST})
    no_exception(at)
    assert "cannot travel in a link" in texts(at)
    assert "binary_blobs(length=256" in texts(at)


def test_share_link_values_show_in_widgets_and_highlight():
    query = {"length": "320", "seed": "7", "scaling": "standard", "k": "3", "features": "solidity,eccentricity",
             "connectivity": "1", "exclude_border": "1", "highlight": "5", "x": "solidity"}
    at = app_test(PAGE, query=query)
    no_exception(at)
    assert at.slider(key="objects:length").value == 320
    assert at.number_input(key="objects:seed").value == 7
    assert at.radio(key="objects:scaling").value == "standard"
    assert at.number_input(key="objects:k").value == 3
    assert at.multiselect(key="objects:features").value == ["solidity", "eccentricity"]
    assert at.radio(key="objects:connectivity").value == 1
    assert at.toggle(key="objects:exclude_border").value is True
    assert at.selectbox(key="objects:x").value == "solidity"
    assert "Object **5** is outlined" in texts(at)
    code = next(c.value for c in at.code if "KMeans" in c.value)
    assert "length=320" in code and "StandardScaler" in code and "clear_border" in code


def test_garbage_link_opens_with_defaults_and_a_notice():
    at = app_test(PAGE, query={"k": "banana", "scaling": "zscore", "length": "99999", "features": "area,nope"})
    no_exception(at)
    assert at.warning and "could not be used" in at.warning[0].value
    assert at.number_input(key="objects:k").value == 2
    assert at.radio(key="objects:scaling").value == "none"
    assert at.slider(key="objects:length").value == 1024


def test_no_features_gives_a_clear_message():
    at = app_test(PAGE, query=FAST)
    at.multiselect(key="objects:features").set_value([]).run()
    no_exception(at)
    assert any("at least one feature" in e.value for e in at.error)
