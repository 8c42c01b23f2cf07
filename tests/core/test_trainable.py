"""Unit tests of core.trainable: fitting, prediction, injection, several images, hints, tiles, importance."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from core import trainable as T
from core.trainable.features import FeatureSpec, feature_bytes
from core.trainable.propagate import propagate_proba
from core.trainable.schema import PRESETS, SCHEMA, TUTORIAL_MAX_PIXELS, fit_kwargs, tutorial_mask
from core.trainable.segmenter import _sample

SMALL = FeatureSpec(texture=True, edges=True, intensity=True, color=False)


def two_textures(h=64, w=96, seed=0):
    """Left half horizontal stripes, right half vertical stripes, same histogram, plus noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.where(xx < w // 2, np.sin(2 * np.pi * yy / 8), np.sin(2 * np.pi * xx / 8))
    img = (img + rng.normal(0, 0.3, img.shape) + 2) / 4
    return img, np.where(xx < w // 2, 1, 2)


def stroke_labels(shape):
    h, w = shape
    lab = np.zeros(shape, int)
    lab[10:h - 10, w // 4 - 1:w // 4 + 2] = 1
    lab[10:h - 10, 3 * w // 4 - 1:3 * w // 4 + 2] = 2
    return lab


@pytest.fixture(scope="module")
def fitted():
    img, truth = two_textures()
    lab = stroke_labels(img.shape)
    return img, truth, lab, T.fit_segmenter(img, lab, features=SMALL)


def test_two_textures_segment_correctly(fitted):
    img, truth, _, seg = fitted
    pred = seg.predict(img)
    assert pred.shape == img.shape and pred.dtype == np.int32
    assert (pred == truth).mean() > 0.95


def test_proba_shape_sums_and_absent_class(fitted):
    img, _, lab, _ = fitted
    seg = T.fit_segmenter(img, lab, features=SMALL, n_classes=3, class_names=["h", "v", "none"])
    p = seg.predict_proba(img)
    assert p.shape == img.shape + (3,) and p.dtype == np.float32
    np.testing.assert_allclose(p.sum(-1), 1, atol=1e-5)
    assert np.all(p[..., 2] == 0) and seg.class_names == ["h", "v", "none"]


def test_feature_array_path_equals_image_path(fitted):
    img, _, lab, seg = fitted
    f = seg.features_of(img)
    assert f.shape == img.shape + (seg.n_features,) == img.shape + (SMALL.n_features(1),)
    again = T.fit_segmenter(None, lab, features=SMALL, feature_array=f)
    np.testing.assert_array_equal(again.predict(feature_array=f), seg.predict(img))


def test_injected_classifier_and_feature_function(fitted):
    img, truth, lab, _ = fitted

    def feats(image):  # a custom feature function: the image and its square
        g = np.asarray(image, dtype=np.float32)
        return np.stack([g, g * g], axis=-1)

    seg = T.fit_segmenter(img, lab, features=SMALL, classifier=LogisticRegression(max_iter=500))
    assert seg.classifier_name is None and (seg.predict(img) == truth).mean() > 0.9
    custom = T.fit_segmenter(img, lab, features=feats, classifier="forest", n_estimators=5)
    assert custom.n_features == 2
    with pytest.raises(ValueError, match="custom feature function"):
        T.save_segmenter(custom)
    with pytest.raises(ValueError, match="'classifier' parameter must be one of"):
        T.fit_segmenter(img, lab, features=SMALL, classifier="svm")


def test_named_classifiers_are_deterministic(fitted):
    img, _, lab, _ = fitted
    f = SMALL(img)
    for name in T.CLASSIFIERS:
        a = T.fit_segmenter(None, lab, feature_array=f, classifier=name, n_estimators=8).predict(feature_array=f)
        b = T.fit_segmenter(None, lab, feature_array=f, classifier=name, n_estimators=8).predict(feature_array=f)
        np.testing.assert_array_equal(a, b)


def test_several_images_train_one_model():
    img, truth = two_textures(seed=1)
    left = np.zeros(img.shape, int)
    left[10:50, 20:23] = 1  # image A: only class 1 strokes
    right = np.zeros(img.shape, int)
    right[10:50, 70:73] = 2  # image B: only class 2 strokes
    with pytest.raises(ValueError, match="only class 1"):
        T.fit_segmenter(img, left, features=SMALL)
    seg = T.fit_segmenter([img, img], [left, right], features=SMALL)
    assert seg.n_images == 2 and (seg.predict(img) == truth).mean() > 0.95
    with pytest.raises(ValueError, match="one label image per image"):
        T.fit_segmenter([img, img], [left], features=SMALL)


def test_class_balance_gives_equal_shares():
    y = np.array([1] * 9000 + [2] * 1000)
    idx = _sample(y, 2000, True, np.random.default_rng(0))
    assert (y[idx] == 1).sum() == 1000 and (y[idx] == 2).sum() == 1000
    idx = _sample(y, 2000, False, np.random.default_rng(0))
    assert (y[idx] == 1).sum() == 1800 and (y[idx] == 2).sum() == 200


def test_bad_labels_messages(fitted):
    img, _, lab, _ = fitted
    with pytest.raises(ValueError, match="no scribbles yet"):
        T.fit_segmenter(img, np.zeros(img.shape, int), features=SMALL)
    with pytest.raises(ValueError, match="rasterise the strokes"):
        T.fit_segmenter(img, lab[:10], features=SMALL)
    with pytest.raises(ValueError, match="0…255"):
        T.fit_segmenter(img, -lab, features=SMALL)
    with pytest.raises(ValueError, match="expects"):
        T.fit_segmenter(img, lab, features=SMALL).predict_proba(feature_array=np.zeros((4, 4, 3), np.float32))


def test_uncertainty_and_hint_never_repeat_a_window():
    p = np.zeros((64, 64, 2), np.float32)
    p[..., 0] = 1
    p[40:56, 40:56] = 0.5  # an undecided square
    unc = T.uncertainty(p)
    assert unc[48, 48] == pytest.approx(1) and unc[0, 0] == pytest.approx(0)
    first = T.most_uncertain_region(unc, size=16)
    assert (first.top, first.left) == (40, 40) and first.score == pytest.approx(1)
    second = T.most_uncertain_region(unc, size=16, exclude=[first])
    assert abs(second.top - first.top) >= 8 or abs(second.left - first.left) >= 8
    labels = np.zeros((64, 64), int)
    labels[40:56, 40:56] = 1  # scribbled there: certain
    assert T.most_uncertain_region(unc, size=16, labels=labels).score < 1
    with pytest.raises(ValueError, match="'method' parameter must be one of"):
        T.uncertainty(p, method="vote")


def test_predict_tiled_equals_untiled_away_from_seams(fitted):
    img, _, lab, seg = fitted
    whole = seg.predict(img)
    labels, proba = T.predict_tiled(seg, img, tile=64, overlap=T.default_overlap(seg), return_proba=True)
    assert labels.shape == img.shape and proba.shape == img.shape + (2,)
    assert (labels == whole).mean() > 0.99


def test_feature_importance_per_family(fitted):
    _, _, _, seg = fitted
    imp = T.feature_importance(seg)
    assert set(imp["family"]) == {"texture", "edges", "intensity"}
    assert imp["importance"].sum() == pytest.approx(1) and imp["method"].iloc[0] == "impurity"
    perm = T.feature_importance(seg, method="permutation", n_repeats=2)
    assert perm["family"].iloc[0] == imp["family"].iloc[0] == "texture"  # stripes: texture wins


def test_feature_bytes_grows_with_families_and_size():
    small = feature_bytes((100, 100, 3), FeatureSpec(texture=False, edges=False))
    full = feature_bytes((100, 100, 3))
    assert 0 < small < full and feature_bytes((200, 200, 3)) == 4 * full


def test_schema_presets_and_fit_kwargs():
    tutorial = SCHEMA.parse(PRESETS["tutorial"])
    kw = fit_kwargs(tutorial)
    assert kw["features"] == FeatureSpec(gabor=True, texture=False, edges=False, intensity=False, color=False,
                                         frequencies="tutorial")
    assert (kw["classifier"], kw["n_estimators"], kw["max_depth"], kw["max_training_pixels"], kw["smoothing"]) == (
        "forest", 100, None, TUTORIAL_MAX_PIXELS, 0.0)  # a 20 000-pixel sample of the rectangles (see the schema)
    every = {"gabor", "frequencies", "texture", "edges", "intensity", "color", "classifier", "trees", "depth",
             "balance", "max_pixels", "smoothing", "image", "strokes", "n_classes"}
    assert all(every <= set(p) for name, p in PRESETS.items() if name != "blank")
    with pytest.raises(ValueError, match="'trees' parameter must be an int in the range"):
        SCHEMA.parse({"trees": "5000"})
    mask = tutorial_mask((960, 1280))
    assert (mask[700:] == 1).all() and (mask[:550, :650] == 2).all() and (mask[400:450, 1000:1100] == 3).all()
    assert (mask > 0).sum() == 260 * 1280 + 550 * 650 + 50 * 100


def two_regions(h=48, w=64):
    """A guide with a sharp vertical edge at w // 2, undecided probabilities, one stroke per side."""
    guide = np.zeros((h, w, 2), np.float32)
    guide[:, w // 2:, 0] = 1.0
    guide[..., 1] = np.random.default_rng(0).normal(0, 0.01, (h, w))
    seeds = np.zeros((h, w), int)
    seeds[10:38, 8] = 1
    seeds[10:38, w - 8] = 2
    return guide, seeds


def test_propagation_spreads_strokes_up_to_the_edge():
    guide, seeds = two_regions()
    proba = np.full(guide.shape[:2] + (2,), 0.5, np.float32)
    out = propagate_proba(proba, guide, seeds=seeds, grid=32)
    assert out.shape == proba.shape and out.dtype == np.float32
    np.testing.assert_allclose(out.sum(-1), 1, atol=1e-5)
    truth = np.where(np.arange(64) < 32, 1, 2)[None, :].repeat(48, 0)
    assert (T.proba_to_labels(out) == truth).mean() > 0.97


def test_propagation_region_outvotes_a_wrong_patch():
    guide, _ = two_regions()
    proba = np.zeros(guide.shape[:2] + (2,), np.float32)
    proba[:, :32, 0], proba[:, 32:, 1] = 0.8, 0.8
    proba[..., 1][:, :32], proba[..., 0][:, 32:] = 0.2, 0.2
    proba[20:28, 10:18] = [0.4, 0.6]  # a mildly wrong patch inside the left region
    out = propagate_proba(proba, guide, strength=1e-3, grid=32, detail=0.0)
    assert (T.proba_to_labels(out)[20:28, 10:18] == 1).all()
    assert (T.proba_to_labels(out)[:, 40:] == 2).all()


def test_propagation_bad_input_messages():
    guide, seeds = two_regions()
    proba = np.full(guide.shape[:2] + (2,), 0.5, np.float32)
    with pytest.raises(ValueError, match="same image's features"):
        propagate_proba(proba, guide[:10])
    with pytest.raises(ValueError, match="one weight per guide channel"):
        propagate_proba(proba, guide, channel_weights=[1.0])
    with pytest.raises(ValueError, match="seeds have shape"):
        propagate_proba(proba, guide, seeds=seeds[:5])
    with pytest.raises(ValueError, match="'strength' parameter must be a finite float"):
        propagate_proba(proba, guide, strength=0)


def test_segmenter_propagates_only_on_its_training_image(fitted):
    img, truth, lab, _ = fitted
    f = SMALL(img)
    seg = T.fit_segmenter(None, lab, feature_array=f, propagation=True)
    assert seg.propagation and seg.seeds_of(f) is not None
    other = SMALL(two_textures(seed=3)[0])
    assert seg.seeds_of(other) is None  # same shape, other pixels: not recognised
    np.testing.assert_array_equal(seg.predict_proba(feature_array=other),
                                  seg.predict_proba(feature_array=other, propagation=False))
    assert (seg.predict(feature_array=f) == truth).mean() > 0.95
    off = T.fit_segmenter(None, lab, feature_array=f, propagation=False)
    np.testing.assert_array_equal(off.predict_proba(feature_array=f), seg.predict_proba(feature_array=f,
                                                                                        propagation=False))


def test_presets_propagation():
    assert SCHEMA.parse(PRESETS["improved"])["propagate"] and SCHEMA.parse(PRESETS["blank"])["propagate"]
    for name in ("tutorial", "tutorial_corrected"):
        assert fit_kwargs(SCHEMA.parse(PRESETS[name]))["propagation"] is False


def test_lbp_family_histograms_gray_texture():
    """The lbp family: local shares of the 10 uniform LBP codes per radius (gray images only; off by default)."""
    rng = np.random.default_rng(3)
    img = np.zeros((48, 96), np.uint8)
    img[:, :48] = np.where(np.arange(48) % 4 < 2, 40, 200)[None, :]  # vertical stripes
    img[:, 48:] = rng.integers(0, 256, (48, 48))  # noise
    spec = FeatureSpec(texture=False, edges=False, intensity=False, color=False, lbp=True, sigma_max=8.0)
    f = spec(img)
    assert f.shape == (48, 96, 20) == (48, 96, spec.n_features(1)) and spec.n_features(3) == 0
    assert set(spec.families(1)) == {"lbp"} and spec.names(1)[9] == "lbp_r1_other_s4"
    np.testing.assert_allclose(f.reshape(48, 96, 2, 10).sum(-1), 1, atol=1e-4)  # a histogram per radius
    assert np.abs(f[24, 10] - f[24, 86]).sum() > 0.5  # stripes and noise have different histograms
    assert spec(np.full((16, 16, 3), (200, 40, 40), np.uint8)).shape == (16, 16, 0)  # a colour image
    assert spec(np.zeros((16, 16, 3), np.uint8)).shape == (16, 16, 20)  # equal channels: gray
    assert not FeatureSpec().lbp
    assert SCHEMA.parse(PRESETS["improved"])["lbp"] and SCHEMA.parse(PRESETS["blank"])["lbp"]
    assert not any(SCHEMA.parse(PRESETS[name])["lbp"] for name in ("tutorial", "tutorial_corrected"))


def test_gray_photo_stored_as_rgb_is_gray():
    """An RGB image with three equal channels gets a gray image's features (lbp, no colour / palette)."""
    rng = np.random.default_rng(4)
    gray = rng.integers(0, 256, (40, 56), dtype=np.uint8)
    as_rgb = np.stack([gray] * 3, axis=-1)
    spec = FeatureSpec(palette=True, lbp=True)
    assert T.features.n_channels(as_rgb) == 1 and T.features.n_channels(np.dstack([as_rgb, gray])) == 1
    np.testing.assert_array_equal(spec(as_rgb), spec(gray))
    np.testing.assert_array_equal(spec(np.dstack([as_rgb, np.full_like(gray, 255)])), spec(gray))  # RGBA
    assert spec(as_rgb).shape[-1] == spec.n_features(1) != spec.n_features(3)
    # the colour layout on request: what the image gave before (a model trained on colour images)
    assert spec(gray, channels=3).shape[-1] == spec.n_features(3)
    np.testing.assert_array_equal(spec(gray, channels=3), spec(as_rgb, channels=3))
    colour = as_rgb.copy()
    colour[0, 0, 0] ^= 1  # one channel differs in one pixel: colour
    assert T.features.n_channels(colour) == 3 and spec(colour).shape[-1] == spec.n_features(3)
    with pytest.raises(ValueError, match="channels"):
        spec(gray, channels=2)


def test_model_of_one_kind_predicts_the_other_kind():
    """Colour model → gray-as-RGB image and the reverse work (features converted), also when the page passes
    the features of the image's own kind; colour and gray-as-RGB images train one model together."""
    img, truth = two_textures()
    gray = np.round(img * 255).astype(np.uint8)
    as_rgb = np.stack([gray] * 3, axis=-1)
    tinted = np.clip(as_rgb.astype(int) + [20, 0, -20], 0, 255).astype(np.uint8)  # colour
    lab = stroke_labels(gray.shape)
    spec = FeatureSpec(texture=True, edges=True, intensity=True, color=True, lbp=True)
    kw = dict(features=spec, n_estimators=10, propagation=False)
    colour_model = T.fit_segmenter(tinted, lab, **kw)
    gray_model = T.fit_segmenter(as_rgb, lab, **kw)
    assert colour_model.channels == 3 and gray_model.channels == 1
    assert gray_model.n_features == spec.n_features(1)
    for seg, image in ((colour_model, as_rgb), (colour_model, gray), (gray_model, tinted)):
        assert (seg.predict(image) == truth).mean() > 0.9
        own = spec(image)  # the features of the image's own kind (what a feature cache holds)
        assert (seg.predict(image, feature_array=own) == truth).mean() > 0.9
    with pytest.raises(ValueError, match="trained on colour images.*features_of"):
        colour_model.predict(feature_array=spec(as_rgb))
    both = T.fit_segmenter([tinted, as_rgb], [lab, lab], feature_array=[spec(tinted), spec(as_rgb)], **kw)
    assert both.channels == 3 and (both.predict(as_rgb) == truth).mean() > 0.9
    with pytest.raises(ValueError, match="one kind"):
        T.fit_segmenter([tinted, as_rgb], [lab, lab], features=lambda im: SMALL(im), n_estimators=10)
