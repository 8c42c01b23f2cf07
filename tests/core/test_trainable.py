"""Unit tests of core.trainable (scribble-trained segmentation), core.texture_mosaic and the
trainable-segmentation recipe."""
from __future__ import annotations

import io

import numpy as np
import pytest

from core import trainable as T
from core.texture_mosaic import equalized_textures, texture_mosaic
from tests.recipes import run_recipe


def two_textures(h=64, w=96, seed=0):
    """Left half horizontal stripes, right half vertical stripes, same histogram, plus noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.where(xx < w // 2, np.sin(2 * np.pi * yy / 8), np.sin(2 * np.pi * xx / 8))
    img = img + rng.normal(0, 0.3, img.shape)
    truth = np.where(xx < w // 2, 1, 2)
    return img, truth


def stroke_labels(shape):
    h, w = shape
    lab = np.zeros(shape, int)
    lab[10:h - 10, w // 4 - 1:w // 4 + 2] = 1  # a vertical stroke in the middle of the left half
    lab[10:h - 10, 3 * w // 4 - 1:3 * w // 4 + 2] = 2  # and one in the middle of the right half
    return lab


@pytest.fixture(scope="module")
def fitted():
    img, truth = two_textures()
    lab = stroke_labels(img.shape)
    return img, truth, lab, T.fit_segmenter(img, lab)


def test_two_textures_segment_correctly(fitted):
    img, truth, _, seg = fitted
    pred = seg.predict(img)
    assert pred.shape == img.shape and pred.dtype == np.int32
    assert set(np.unique(pred)) <= {1, 2}
    assert (pred == truth).mean() > 0.95


def test_proba_shape_sums_and_absent_class(fitted):
    img, _, lab, _ = fitted
    seg = T.fit_segmenter(img, lab, n_classes=3, class_names=["h", "v", "none"])
    p = seg.predict_proba(img)
    assert p.shape == img.shape + (3,) and p.dtype == np.float32
    np.testing.assert_allclose(p.sum(-1), 1, atol=1e-5)
    assert np.all(p[..., 2] == 0)  # class 3 had no strokes
    assert seg.class_names == ["h", "v", "none"]


def test_feature_array_path_equals_image_path(fitted):
    img, _, lab, seg = fitted
    f = seg.features(img)
    seg2 = T.fit_segmenter(None, lab, feature_array=f)
    np.testing.assert_array_equal(seg2.predict(feature_array=f), seg.predict(img))
    with pytest.raises(ValueError, match="expects .* features"):
        seg.predict_proba(feature_array=f[..., :3])


@pytest.mark.parametrize("classifier,expected", [("forest", 0.95), ("linear", 0.8)])
def test_other_classifiers_and_determinism(fitted, classifier, expected):
    img, truth, lab, _ = fitted
    a = T.fit_segmenter(img, lab, classifier=classifier, n_estimators=8).predict(img)
    b = T.fit_segmenter(img, lab, classifier=classifier, n_estimators=8).predict(img)
    np.testing.assert_array_equal(a, b)
    assert (a == truth).mean() > expected  # the linear model alone places boundaries less well


def test_bad_labels_messages():
    img, _ = two_textures(32, 32)
    with pytest.raises(ValueError, match="no scribbles yet"):
        T.fit_segmenter(img, np.zeros(img.shape, int))
    one = np.zeros(img.shape, int)
    one[5:10, 5:10] = 2
    with pytest.raises(ValueError, match="only class 2 has strokes"):
        T.fit_segmenter(img, one)
    with pytest.raises(ValueError, match="image's resolution"):
        T.fit_segmenter(img, np.zeros((16, 16), int))
    with pytest.raises(ValueError, match="≥ 0"):
        T.check_labels(-one)
    with pytest.raises(ValueError, match="whole class numbers"):
        T.check_labels(one + 0.5)
    with pytest.raises(ValueError, match="unknown feature kind"):
        T.fit_segmenter(img, stroke_labels(img.shape), features="hog")
    with pytest.raises(ValueError, match="unknown classifier"):
        T.fit_segmenter(img, stroke_labels(img.shape), classifier="svm")


def test_one_pixel_strokes_work():
    img, _ = two_textures(32, 48)
    lab = np.zeros(img.shape, int)
    lab[16, 5], lab[16, 40] = 1, 2
    pred = T.fit_segmenter(img, lab).predict(img)
    assert set(np.unique(pred)) <= {1, 2}
    assert pred[16, 5] == 1 and pred[16, 40] == 2


def test_subsampling_keeps_every_class():
    lab = np.zeros((100, 100), int)
    lab[:90] = 1
    lab[95, 50] = 2
    idx = T._sample_training(lab, 500, np.random.default_rng(0))
    y = lab.ravel()[idx]
    assert 400 <= len(idx) <= 600 and (y == 2).sum() == 1


def test_uncertainty_known_values():
    p = np.array([[[0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [0.6, 0.3, 0.1]]], np.float32)
    np.testing.assert_allclose(T.uncertainty(p)[0], [1.0, 0.0, 0.7], atol=1e-6)
    e = T.uncertainty(p, "entropy")[0]
    assert e[1] < 1e-6 and abs(e[0] - np.log(2) / np.log(3)) < 1e-5
    with pytest.raises(ValueError, match="K ≥ 2"):
        T.uncertainty(np.ones((4, 4)))


def test_most_uncertain_region_finds_the_block():
    u = np.zeros((80, 100), np.float32)
    u[50:62, 20:32] = 1
    r = T.most_uncertain_region(u, size=12)
    assert (r.top, r.left, r.height, r.width) == (50, 20, 12, 12) and r.score == pytest.approx(1)
    labels = np.zeros(u.shape, int)
    labels[50:62, 20:32] = 1  # already scribbled: not a hint any more
    u[5:17, 70:82] = 0.5
    r2 = T.most_uncertain_region(u, size=12, labels=labels)
    assert (r2.top, r2.left) == (5, 70) and r2.center == (11, 76)


def test_heldout_accuracy_known_answer():
    pred = np.array([[1, 1, 2, 2]])
    check = np.array([[1, 2, 2, 0]])
    s = T.heldout_accuracy(pred, check, ["a", "b"])
    assert s.accuracy == pytest.approx(2 / 3) and s.n_pixels == 3
    assert list(s.per_class["class"]) == ["a", "b"]
    assert list(s.per_class["accuracy"]) == [1.0, 0.5]
    with pytest.raises(ValueError, match="no check strokes"):
        T.heldout_accuracy(pred, np.zeros_like(check))


def test_save_load_roundtrip(fitted):
    img, _, _, seg = fitted
    data = T.save_segmenter(seg)
    assert isinstance(data, bytes) and data[:2] == b"PK"  # a skops (zip) archive, not a pickle
    back = T.load_segmenter(io.BytesIO(data))
    np.testing.assert_array_equal(back.predict(img), seg.predict(img))
    assert back.feature_kind == seg.feature_kind and back.n_classes == seg.n_classes


def test_load_refuses_non_segmenters(tmp_path):
    import pickle

    import skops.io as sio
    from sklearn.svm import SVC
    with pytest.raises(ValueError, match="not a segmenter file"):
        T.load_segmenter(b"hello, I am a text file")
    with pytest.raises(ValueError, match="not a segmenter file"):
        T.load_segmenter(pickle.dumps({"a": 1}))
    with pytest.raises(ValueError, match="empty"):
        T.load_segmenter(b"")
    with pytest.raises(ValueError, match="untrusted types.*numpy.sum"):
        T.load_segmenter(sio.dumps({"format": "image-ml-lab/segmenter", "classifier": np.sum}))
    with pytest.raises(ValueError, match="does not contain a classifier saved by this app"):
        T.load_segmenter(sio.dumps({"format": "image-ml-lab/segmenter", "classifier": SVC()}))
    with pytest.raises(ValueError, match="not a segmenter saved by this app"):
        T.load_segmenter(sio.dumps({"some": "dict"}))


def test_strokes_to_labels_is_reexported():
    from core.scribbles import strokes_to_labels
    assert T.strokes_to_labels is strokes_to_labels


# --------------------------------------------------------------------------- the benchmark's mosaics
def test_mosaic_textures_have_identical_histograms():
    tex = equalized_textures((96, 80))
    for t in tex[1:]:
        np.testing.assert_allclose(np.sort(t.ravel()), np.sort(tex[0].ravel()))


def test_mosaic_truth_and_scribbles():
    m = texture_mosaic((128, 160), n_regions=6, seed=3)
    assert m.image.shape == (128, 160) and m.image.dtype == np.uint8
    assert set(np.unique(m.truth)) == {1, 2, 3}
    assert 0.008 < m.scribbled_fraction < 0.025
    s = m.scribbles > 0
    np.testing.assert_array_equal(m.scribbles[s], m.truth[s])  # strokes lie in their class
    m2 = texture_mosaic((128, 160), n_regions=6, seed=3)
    np.testing.assert_array_equal(m.image, m2.image)
    with pytest.raises(ValueError, match="at least 64"):
        texture_mosaic((32, 32))


# --------------------------------------------------------------------------- the recipe
@pytest.mark.parametrize("case", ["default-strokes", "tutorial-rects"])
def test_recipe_reproduces_core(case, tmp_path):
    """The snippet's features use numpy.fft in float64 where core uses scipy.fft in float32: the
    features agree to ~1e-6, so a pixel can differ only where two classes are almost tied
    (measured: ≤ 0.02 % of pixels). We allow 0.5 %."""
    from core.images import fit_working_size, load_sample
    from core.recipes.trainable_segmentation import scribble_labels, script
    if case == "default-strokes":
        values = dict(image="camera", features="default", trees=12, depth=8, smoothing=2.0, n_classes=2,
                      shape=(96, 96), scribbles=[
                          {"class": 1, "check": False, "kind": 0, "width": 4, "points": [[10, 10], [40, 12]]},
                          {"class": 2, "check": False, "kind": 0, "width": 3, "points": [[50, 80], [90, 85], [60, 60]]},
                          {"class": 1, "check": True, "kind": 0, "width": 3, "points": [[10, 30], [30, 30]]},
                      ])
    else:
        values = dict(image="china", features="tutorial", trees=8, depth=None, smoothing=0.0, n_classes=3,
                      shape=(80, 120))
    code = script(values)
    got = run_recipe(code, tmp_path)["result"]
    image = fit_working_size(load_sample(values["image"]), max(values["shape"]))
    labels = scribble_labels(values)
    if labels is None:  # the beach rectangles, scaled to the working size
        assert "labels[" in code
        ns = {"np": np}
        exec("\n".join(line for line in code.splitlines() if line.startswith("labels")), ns)
        labels = ns["labels"]
    else:
        assert labels[30, 15] == 0 and labels[11, 20] == 1  # the check stroke is not trained on
    seg = T.fit_segmenter(image, labels, features=values["features"], n_estimators=values["trees"],
                          max_depth=values["depth"], smoothing=values["smoothing"],
                          n_classes=values["n_classes"])
    expected = seg.predict(image)
    assert got.shape == expected.shape
    assert (got == expected).mean() >= 0.995


def test_apply_to_another_image_of_other_size_and_colour():
    from skimage import data
    rgb = data.astronaut()[::8, ::8]  # 64×64×3
    lab = np.zeros(rgb.shape[:2], int)
    lab[5:15, 5:60] = 1  # sky-ish top
    lab[45:60, 10:50] = 2
    seg = T.fit_segmenter(rgb, lab)
    assert seg.color
    other = data.coffee()[::10, ::10]  # 40×60×3: another size
    assert seg.predict(other).shape == other.shape[:2]
    gray = data.camera()[::8, ::8]  # gray input to a colour segmenter: converted, not refused
    pred = seg.predict(gray)
    assert pred.shape == gray.shape and set(np.unique(pred)) <= {1, 2}
