"""The trainable page's shared caches: feature arrays bounded in bytes, and names / colours that never refit."""

from __future__ import annotations

import numpy as np

from core import trainable as T
from core.trainable.features import FeatureSpec
from tests.app.conftest import app_test, no_exception
from ui import trainable_view as V

PAGE = "pages/trainable_segmentation.py"
K = "trainable_segmentation"


def _images(n: int, side: int = 48) -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    return [rng.integers(0, 256, (side, side, 3), dtype=np.uint8) for _ in range(n)]


def test_feature_cache_stays_within_its_byte_budget_and_recomputes_what_it_dropped(monkeypatch):
    spec = FeatureSpec(gabor=False, texture=False, edges=False, intensity=True, color=True)
    key = V.spec_json(spec)
    calls = []
    original = FeatureSpec.__call__
    monkeypatch.setattr(FeatureSpec, "__call__", lambda self, image: calls.append(1) or original(self, image))
    V._features.clear()
    V._HELD.clear()
    imgs = _images(3)
    one = V.features_of(imgs[0], key).nbytes
    monkeypatch.setattr(V, "FEATURES_CACHE_BYTES", int(2.5 * one))  # room for two arrays, not three
    for img in imgs[1:]:
        V.features_of(img, key)
    assert len(calls) == 3
    assert V.held_feature_bytes() <= V.FEATURES_CACHE_BYTES
    assert not V.features_ready(imgs[0], spec) and V.features_ready(imgs[2], spec)  # the oldest was dropped
    V.features_of(imgs[2], key)
    assert len(calls) == 3  # still cached: no work
    V.features_of(imgs[0], key)
    assert len(calls) == 4  # dropped: computed again
    monkeypatch.setattr(V, "FEATURES_CACHE_BYTES", one // 2)  # smaller than one array: the newest is kept
    V.features_of(imgs[1], key)
    assert len(V._HELD) == 1 and V.features_ready(imgs[1], spec)
    V._features.clear()
    V._HELD.clear()


def test_renaming_or_recolouring_a_class_reuses_the_trained_model(monkeypatch):
    at = app_test(PAGE, timeout=300, working_size=128)
    no_exception(at)
    fits = []
    original = T.fit_segmenter
    monkeypatch.setattr(T, "fit_segmenter", lambda *a, **k: fits.append(1) or original(*a, **k))
    at.text_input(key=f"{K}:name1").set_value("forest").run()
    no_exception(at)
    at.selectbox(key=f"{K}:color2").set_value("purple").run()
    no_exception(at)
    assert fits == []  # names and colours label the model; they do not change it
    seg = at.session_state[f"{K}:_last_run"]["seg"]
    assert seg.class_names[0] == "forest" and seg.class_colors[1] == V.PALETTE["purple"]
    at.slider(key=f"{K}:smoothing").set_value(3.0).run()  # a model setting does refit
    no_exception(at)
    assert len(fits) == 1
