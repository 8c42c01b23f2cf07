"""The trainable page's limits: feature arrays bounded in bytes, names / colours that never refit, links that
would draw too much."""

from __future__ import annotations

import base64
import json
import struct
import time
import zlib

import numpy as np

from core import trainable as T
from core.trainable.features import FeatureSpec
from tests.app.conftest import app_test, no_exception, trainable_opened_on
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
    monkeypatch.setattr(FeatureSpec, "__call__", lambda self, image, **kw: calls.append(1) or original(self, image, **kw))
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
    at = app_test(PAGE, timeout=300, working_size=128, session_state=trainable_opened_on("tutorial", trees=10))
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


def _heavy_token() -> str:
    """100 000 points (the most a token holds) at the widest brush, 512 px: decodable, far too costly to draw."""
    walk = np.tile(np.repeat([[2, 0], [0, 2], [-2, 0], [0, 2]], [400, 4, 400, 4], axis=0), (62, 1))[:50_000]
    walk[0] = (300, 300)
    raw = struct.pack("<BH", 1, 2) + b"".join(struct.pack("<BBHH", code, 0, 1024, len(walk)) + walk.astype("<i2").tobytes()
                                           for code in (1, 2))
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")


def test_a_link_whose_strokes_are_too_costly_to_draw_gets_a_notice_not_a_traceback():
    token = _heavy_token()
    assert len(token) < 2000  # a short link
    start = time.perf_counter()
    at = app_test(PAGE, query={"strokes": token}, timeout=120)
    no_exception(at)
    assert time.perf_counter() - start < 60
    warnings = " ".join(str(w.value) for w in at.warning)
    assert "too large to draw" in warnings, warnings
    state = at.session_state[V.STATE_KEY]
    assert not any(e.strokes for e in state.images.values())  # nothing kept from that link


def test_a_colour_and_a_gray_image_train_one_model_from_cached_features_in_one_layout(monkeypatch):
    """A colour photo and a gray photo stored as RGB: both features in the colour layout, computed once each;
    the fit and the prediction of the gray one use those (nothing recomputed per refit)."""
    from core.trainable.features import layout_of

    colour, gray = _images(1)[0], np.repeat(_images(1)[0][..., :1], 3, axis=-1)
    assert layout_of([colour, gray]) == 3 and layout_of([gray]) == 1
    spec = FeatureSpec(gabor=False, texture=False, edges=False, intensity=True, color=True, lbp=True)
    calls = []
    original = FeatureSpec.__call__
    monkeypatch.setattr(FeatureSpec, "__call__", lambda self, image, **kw: calls.append(kw) or original(self, image, **kw))
    V._features.clear()
    V._HELD.clear()
    labels = np.zeros((48, 48), np.uint8)
    labels[:10], labels[-10:] = 1, 2
    kwargs = dict(features=spec.to_dict(), n_estimators=5, max_training_pixels=0, n_classes=2)
    for n_strokes in (10, 12):  # two refits: new strokes, same images
        labels[:n_strokes] = 1
        inputs = V.RunInputs(("a", "b"), (f"s{n_strokes}", f"s{n_strokes}"), json.dumps(kwargs))
        seg = V._fit(inputs, [colour, gray], [labels.copy(), labels.copy()])
    assert seg.channels == 3 and calls == [{"channels": 3}, {"channels": 3}]  # once per image, colour layout
    V.predict(inputs, seg, gray)
    assert len(calls) == 2  # the gray image's prediction reuses its cached colour-layout features
    V._features.clear()
    V._HELD.clear()


def test_a_rerun_that_changes_no_stroke_or_setting_computes_no_features(monkeypatch):
    """The shared feature cache may have dropped this image's features for another image's (two photos at 1 MP
    with the Improved features do not fit its budget): a brush change must not compute them again (it did, 1.3–2.2 s
    per change at 1 MP), since the model and its prediction are cached."""
    at = app_test(PAGE, timeout=300, working_size=128, session_state=trainable_opened_on("improved", trees=10))
    no_exception(at)
    calls = []
    original = FeatureSpec.__call__
    monkeypatch.setattr(FeatureSpec, "__call__", lambda self, image, **kw: calls.append(1) or original(self, image, **kw))
    V._features.clear()  # as if another image's features had pushed these out
    V._HELD.clear()
    V._READY.clear()
    at.slider(f"{K}:brush").set_value(at.slider(f"{K}:brush").value + 2).run(timeout=300)
    no_exception(at)
    assert calls == []
    assert at.session_state[f"{K}:_last_run"]["pred"] is not None


def test_applying_the_model_to_an_image_whose_features_exceed_the_budget_says_so(monkeypatch):
    at = app_test(PAGE, timeout=300, working_size=128, session_state=trainable_opened_on("improved", trees=10))
    no_exception(at)
    monkeypatch.setattr(V, "FEATURE_LIMIT_MB", 0.01)  # every image's features over it
    V.apply.clear()
    at.session_state[f"{K}:tabs"] = "Apply to an image"
    at.run(timeout=300)
    no_exception(at)
    assert any("more than this server gives one image" in w.value for w in at.warning), [w.value for w in at.warning]
    assert not [img for e in at.get("image") for img in e.proto.imgs if "segmented by the model" in img.caption]
