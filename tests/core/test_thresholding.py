"""Known answers for core.thresholding on small synthetic images."""

import re

import numpy as np
import pytest
from skimage import filters

from core import thresholding as T
from tests.scripts import run_script


def two_levels(low=40, high=200, shape=(40, 50)):
    image = np.full(shape, low, dtype=np.uint8)
    image[10:30, 15:35] = high
    return image


def noisy_gray(seed=0):
    rng = np.random.default_rng(seed)
    image = np.concatenate([rng.normal(70, 12, 1200), rng.normal(180, 20, 800)])
    return np.clip(image, 0, 255).astype(np.uint8).reshape(40, 50)


@pytest.mark.parametrize("method", T.METHODS)
def test_two_level_image_threshold_lies_between_levels(method):
    clean = two_levels()
    noise = np.clip(np.random.default_rng(1).normal(0, 6, clean.shape), -20, 20).round()
    image = (clean + noise).astype(np.uint8)  # the minimum method needs a smooth histogram
    t = T.auto_threshold(image, method)
    assert 40 < t < 200
    mask = T.apply_thresholds(image, t).astype(bool)
    if method in ("yen", "triangle"):  # both lean towards the large dark mode
        assert np.mean(mask != (clean == 200)) < 0.1
    else:
        np.testing.assert_array_equal(mask, clean == 200)


def test_minimum_without_two_peaks_suggests_another_method():
    with pytest.raises(ValueError, match="no two clear peaks; try Otsu"):
        T.auto_threshold(two_levels(), "minimum")


@pytest.mark.parametrize("method", T.METHODS)
def test_equals_scikit_image(method):
    image = noisy_gray()
    expected = getattr(filters, f"threshold_{method}")(image)
    assert T.auto_threshold(image, method) == pytest.approx(float(expected))


def test_float_image_keeps_its_units():
    image = noisy_gray().astype(np.float64) / 255
    t = T.auto_threshold(image, "otsu")
    assert t == pytest.approx(filters.threshold_otsu(image))
    assert 0 < t < 1


def test_rgb_is_converted_to_gray():
    gray = noisy_gray()
    rgb = np.stack([gray] * 3, axis=-1)
    t = T.auto_threshold(rgb, "otsu")
    assert 0 < t < 1  # rgb2gray works in [0, 1]
    assert t == pytest.approx(T.auto_threshold(gray, "otsu") / 255, abs=2 / 255)
    assert T.gray_ubyte(rgb).dtype == np.uint8
    assert np.abs(T.gray_ubyte(rgb).astype(int) - gray).max() <= 1


def test_uniform_image_says_threshold_is_undefined():
    with pytest.raises(ValueError, match="single gray level.*undefined"):
        T.auto_threshold(np.full((20, 20), 7, np.uint8), "otsu")
    with pytest.raises(ValueError, match="single gray level"):
        T.otsu_variance(np.zeros((20, 20)))


def test_unknown_method_lists_choices():
    with pytest.raises(ValueError, match=re.escape("The 'method' parameter must be one of {'otsu', 'li', 'yen', "
                                                   "'triangle', 'isodata', 'mean', 'minimum'}; got 'magic'.")):
        T.auto_threshold(two_levels(), "magic")


def test_bad_shapes():
    with pytest.raises(ValueError, match="gray"):
        T.auto_threshold(np.zeros((4, 4, 4, 4)), "otsu")
    with pytest.raises(ValueError, match="NaN"):
        T.auto_threshold(np.array([[0.0, np.nan], [1.0, 0.5]]), "otsu")


def test_otsu_variance_peaks_at_otsu_threshold():
    for image in (noisy_gray(), noisy_gray().astype(np.float64) / 255):
        table = T.otsu_variance(image)
        best = table["threshold"].iloc[int(np.argmax(table["variance"]))]
        assert best == pytest.approx(filters.threshold_otsu(image))
        assert (table["variance"] >= 0).all()


def test_otsu_variance_two_levels_is_the_textbook_value():
    image = two_levels()  # w1 = 400/2000 = 0.2 at 200, w0 = 0.8 at 40
    table = T.otsu_variance(image)
    assert table["variance"].max() == pytest.approx(0.8 * 0.2 * (200 - 40) ** 2)


def test_multi_otsu_three_levels():
    image = np.repeat(np.array([[10, 120, 240]], np.uint8), 30, axis=0).repeat(10, axis=1)
    thresholds = T.multi_otsu(image, 3)
    assert thresholds.shape == (2,)
    assert 10 <= thresholds[0] < 120 <= thresholds[1] < 240
    np.testing.assert_array_equal(thresholds, filters.threshold_multiotsu(image, classes=3))
    labels = T.apply_thresholds(image, thresholds)
    assert set(np.unique(labels)) == {0, 1, 2}
    np.testing.assert_array_equal(labels[:, 0], 0)
    np.testing.assert_array_equal(labels[:, -1], 2)


def test_multi_otsu_too_few_levels_and_bad_classes():
    with pytest.raises(ValueError, match="only 2 distinct gray levels.*lower classes"):
        T.multi_otsu(two_levels(), 3)
    with pytest.raises(ValueError, match=re.escape("The 'classes' parameter must be an int in the range [2, 5]; "
                                                   "got 6.")):
        T.multi_otsu(noisy_gray(), 6)


def test_threshold_image_and_overlay():
    image = two_levels()
    result = T.threshold_image(image, "otsu")
    assert result.thresholds.shape == (1,)
    assert result.labels.sum() == 400
    overlay = T.threshold_overlay(image, result.labels)
    assert overlay.shape == (40, 50, 3) and overlay.dtype == np.uint8
    yellow = np.all(overlay == (255, 255, 0), axis=-1)
    assert yellow.any()
    assert not yellow[0, 0] and not yellow[20, 25]  # far from the square's edge
    assert yellow[10, 20] or yellow[9, 20]
    multi = T.threshold_image(noisy_gray(), "multiotsu", classes=4)
    assert multi.thresholds.shape == (3,) and multi.labels.max() <= 3


def test_histogram_table():
    table = T.histogram(two_levels())
    assert list(table.columns) == ["intensity", "count"]
    assert table["count"].sum() == 2000
    assert table.loc[table["intensity"] == 200, "count"].item() == 400


def test_class_edges_equal_find_boundaries_thick():
    from skimage.segmentation import find_boundaries

    labels = T.apply_thresholds(noisy_gray(3), [90, 160])
    np.testing.assert_array_equal(T.class_edges(labels), find_boundaries(labels, mode="thick"))
    assert not T.class_edges(np.zeros((5, 5), int)).any()


# --------------------------------------------------------------------------- schema, presets, batch, script
def test_schema_and_presets_set_every_value():
    assert all(f.help for f in T.SCHEMA.fields.values())
    assert T.SCHEMA.defaults()["image"] == "camera" and T.SCHEMA.defaults()["method"] == "otsu"
    for name, preset in T.PRESETS.items():
        assert set(preset) == set(T.SCHEMA.fields) and T.SCHEMA.parse(preset) == preset, name
    with pytest.raises(ValueError, match=re.escape("The 'manual' parameter must be an int in the range [0, 255]")):
        T.SCHEMA.parse_link("thresholding?manual=300")
    assert T.estimate_seconds("multiotsu", 5) > T.estimate_seconds("multiotsu", 3) == T.estimate_seconds("otsu")


def test_manual_comparison_colours_the_differences():
    gray = np.array([[10, 100, 200]], np.uint8)
    labels = (gray > 150).astype(np.uint8)
    mask, diff, share = T.manual_comparison(gray, labels, 50)
    assert mask.tolist() == [[False, True, True]] and share == pytest.approx(1 / 3)
    assert diff[0, 1].tolist() == [255, 127, 14] and diff[0, 0].tolist() == [5, 5, 5]


def test_batch_outputs_are_the_stages():
    image = noisy_gray()
    values = T.SCHEMA.parse({"method": "multiotsu", "classes": "3", "manual": "100"})
    out = T.batch_outputs(image, values)
    expected = T.threshold_image(image, "multiotsu", classes=3)
    np.testing.assert_array_equal(out["classes"], expected.labels)
    np.testing.assert_array_equal(out["contour"], T.threshold_overlay(image, expected.labels))
    assert out["summary"]["thresholds"] == " ".join(f"{t:g}" for t in expected.thresholds)
    assert list(out["thresholds"]["method"]) == list(T.METHODS) and out["histogram"]["count"].sum() == image.size
    assert set(np.unique(out["manual"])) <= {0, 255}


@pytest.mark.parametrize("changes", [{}, {"method": "li", "manual": 90}, {"method": "multiotsu", "classes": 4},
                                     {"method": "yen"}])
def test_script_reproduces_the_stages(changes, tmp_path):
    """The script gives the same thresholds and classes as core, exactly (same integer gray levels)."""
    from skimage import io

    rgb = np.stack([noisy_gray(1), noisy_gray(2), noisy_gray(3)], axis=-1)  # a colour upload: gray levels differ
    io.imsave(tmp_path / "your_image.png", rgb)
    values = {**T.SCHEMA.defaults(), **changes}
    ns = run_script("thresholding", values, tmp_path, image="upload")
    gray = T.gray_ubyte(rgb)
    np.testing.assert_array_equal(ns["image"], gray)
    expected = T.threshold_image(gray, values["method"], classes=values["classes"])
    np.testing.assert_allclose(np.asarray(ns["thresholds"], float), expected.thresholds)
    np.testing.assert_array_equal(ns["result"], expected.labels)
    _, _, share = T.manual_comparison(gray, expected.labels, values["manual"])
    assert f"differs from the automatic result on {share:.1%}" in ns["__stdout__"]
    if values["method"] == "otsu":
        assert f"peaks at {expected.thresholds[0]:g}" in ns["__stdout__"]
    assert (tmp_path / "thresholding_contour.png").exists()
