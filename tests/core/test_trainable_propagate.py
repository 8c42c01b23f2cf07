"""Unit tests of the superpixel propagation (core.trainable.propagate: superpixels, propagate_proba(segments=))."""

from __future__ import annotations

import numpy as np
import pytest

from core import trainable as T
from core.trainable.features import FeatureSpec
from core.trainable.propagate import propagate_proba, superpixels

COLOUR = FeatureSpec(texture=False, edges=True, intensity=True, color=True)


def two_photos(h=48, w=64, seed=0):
    """A reddish left half and a bluish right half with a wavy seam, plus noise; truth 1 / 2."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    right = xx >= w // 2 + np.round(3 * np.sin(yy / 5)).astype(int)
    img = np.where(right[..., None], [60, 80, 170], [170, 90, 60]) + rng.normal(0, 12, (h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8), np.where(right, 2, 1)


def test_superpixels_follow_the_seam_and_are_cached():
    img, truth = two_photos()
    seg = superpixels(img, n_segments=200)
    assert seg.shape == truth.shape and seg.dtype == np.int32 and seg.min() == 0
    pure = [np.bincount(truth[seg == s]).max() / (seg == s).sum() for s in np.unique(seg)]
    assert np.mean(pure) > 0.97  # superpixels do not cross the seam
    assert superpixels(img, n_segments=200) is seg  # the same image's are computed once
    assert superpixels(img.copy(), n_segments=200) is seg  # keyed on the pixels, not the array object
    with pytest.raises(ValueError, match="need an RGB image"):
        superpixels(img[..., 0])


def test_region_propagation_spreads_strokes_up_to_the_seam():
    img, truth = two_photos()
    h, w = truth.shape
    seeds = np.zeros((h, w), int)
    seeds[10:38, 6], seeds[10:38, w - 6] = 1, 2
    guide = img.astype(np.float32)
    proba = np.full((h, w, 2), 0.5, np.float32)
    out = propagate_proba(proba, guide, seeds=seeds, strength=1e-5, segments=superpixels(img, n_segments=200))
    assert out.shape == proba.shape and out.dtype == np.float32
    np.testing.assert_allclose(out.sum(-1), 1, atol=1e-5)
    assert (T.proba_to_labels(out) == truth).mean() > 0.97
    with pytest.raises(ValueError, match="segments must be"):
        propagate_proba(proba, guide, seeds=seeds, segments=np.zeros((h, w - 1), int))


def test_segmenter_uses_a_colour_images_superpixels_when_given_the_image():
    img, truth = two_photos()
    h, w = truth.shape
    lab = np.zeros((h, w), int)
    lab[10:38, 8:10], lab[10:38, w - 10:w - 8] = 1, 2
    f = COLOUR(img)
    seg = T.fit_segmenter(img, lab, features=COLOUR, feature_array=f, n_estimators=10)
    grid = seg.predict_proba(feature_array=f)  # features alone: the grid
    regions = seg.predict_proba(img, feature_array=f)  # the page's call: the image's superpixels
    assert not np.allclose(grid, regions)
    assert (T.proba_to_labels(regions) == truth).mean() > 0.95
    np.testing.assert_array_equal(seg.predict_proba(img, feature_array=f, propagation=False),
                                  seg.predict_proba(feature_array=f, propagation=False))
    gray = img.mean(-1).astype(np.uint8)  # a gray image: the grid, image or not
    gseg = T.fit_segmenter(gray, lab, features=COLOUR, n_estimators=10)
    np.testing.assert_array_equal(gseg.predict_proba(gray), gseg.predict_proba(feature_array=COLOUR(gray)))


def test_sessions_asking_for_one_image_at_once_share_one_slic_run(monkeypatch):
    """The cache is shared by a server's sessions: concurrent calls for one image compute it once, never crash."""
    import threading

    import skimage.segmentation

    img, _ = two_photos(seed=7)
    calls, real = [], skimage.segmentation.slic
    monkeypatch.setattr(skimage.segmentation, "slic", lambda *a, **k: calls.append(1) or real(*a, **k))
    out, start = [], threading.Barrier(6)

    def ask():
        start.wait()
        out.append(superpixels(img))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == 6 and all(o is out[0] for o in out)
    assert len(calls) == 1
