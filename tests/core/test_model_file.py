"""core.trainable.model_file: segmenter files hold data, not code; hostile files end in a clear ValueError, fast."""

from __future__ import annotations

import io
import json
import time
import tracemalloc
import zipfile

import numpy as np
import pytest

from core import trainable as T
from core.trainable import model_file as M
from core.trainable.features import FEATURES_VERSION, FeatureSpec

SPEC = FeatureSpec(texture=False, edges=True, intensity=True, color=True)


@pytest.fixture(scope="module")
def saved():
    rng = np.random.default_rng(0)
    img = np.zeros((48, 64, 3), np.uint8)
    img[:, 32:] = (200, 40, 40)
    img = np.clip(img + rng.integers(0, 30, img.shape), 0, 255).astype(np.uint8)
    lab = np.zeros((48, 64), int)
    lab[5:40, 10:13] = 1
    lab[5:40, 50:53] = 2
    seg = T.fit_segmenter(img, lab, features=SPEC, n_estimators=8, class_names=["left", "right"],
                          class_colors=["#377eb8", "#ff7f00"])
    return img, seg, T.save_segmenter(seg)


def members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def rebuild(parts, **meta_changes):
    meta = json.loads(parts["segmenter.json"])
    for key, value in meta_changes.items():
        if value is ...:
            meta.pop(key)
        else:
            meta[key] = value
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, raw in {**parts, "segmenter.json": json.dumps(meta).encode()}.items():
            zf.writestr(name, raw)
    return out.getvalue()


def refused(data, match):
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(ValueError, match=match):
        T.load_segmenter(data)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert seconds < 5 and peak < 200 << 20, (seconds, peak)


def test_round_trip_refits_the_same_model(saved):
    img, seg, data = saved
    back = T.load_segmenter(data)
    np.testing.assert_array_equal(back.predict(img), seg.predict(img))
    assert back.class_names == ["left", "right"] and back.class_colors == ["#377eb8", "#ff7f00"]
    assert back.features == SPEC and back.n_images == 1
    parts = members(data)
    assert sorted(parts) == ["segmenter.json", "x_train.npy", "y_train.npy"]
    assert json.loads(parts["segmenter.json"])["features_version"] == FEATURES_VERSION


def test_zip_bomb_is_refused_before_inflating(saved):
    _, _, data = saved
    parts = members(data)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("segmenter.json", parts["segmenter.json"])
        zf.writestr("y_train.npy", parts["y_train.npy"])
        zf.writestr("x_train.npy", b"\0" * (300 << 20))  # 300 MB of zeros: ~300 KB compressed
    assert len(bomb.getvalue()) < 1 << 20
    refused(bomb.getvalue(), "more than a segmenter holds|zip bomb")


def test_hostile_fields_are_refused(saved):
    _, _, data = saved
    parts = members(data)
    refused(rebuild(parts, n_classes=2000), "'n_classes' parameter must be an int in the range")
    refused(rebuild(parts, smoothing=1e5), "'smoothing' parameter must be a finite float in the range")
    refused(rebuild(parts, smoothing="4"), "'smoothing' must be a float")
    refused(rebuild(parts, class_names=...), "'class_names' is missing")
    refused(rebuild(parts, classifier={"name": "forest", "n_estimators": 10**9, "max_depth": None,
                                       "balance": False, "random_state": 0}), "'n_estimators' parameter")
    refused(rebuild(parts, classifier={"name": "os.system"}), "'classifier' parameter must be one of")
    refused(rebuild(parts, features={"gabor": "yes"}), "feature settings")
    refused(rebuild(parts, n_features=7), "records 7 features per pixel")
    refused(rebuild(parts, features_version=FEATURES_VERSION + 1), "definition version .* train and save it again")
    refused(b"PK\x03\x04 not really", "not a zip archive")
    refused(b"", "empty")


def test_mistyped_arrays_are_refused(saved):
    _, _, data = saved
    parts = members(data)
    for name, arr, match in [("x_train.npy", np.zeros((4, 2), np.float64), "float32"),
                             ("y_train.npy", np.full(len(np.load(io.BytesIO(parts["y_train.npy"]))), 9, np.uint8),
                              "classes outside"),
                             ("x_train.npy", np.array([{"a": 1}], dtype=object), "not a plain array")]:
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=arr.dtype == object)
        refused(rebuild({**parts, name: buf.getvalue()}), match)
    extra = io.BytesIO()
    with zipfile.ZipFile(extra, "w") as zf:
        for name, raw in {**parts, "evil.pkl": b"x"}.items():
            zf.writestr(name, raw)
    refused(extra.getvalue(), "it holds")


def test_large_training_sets_are_saved_subsampled():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(M.MAX_FILE_SAMPLES + 5000, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(int) + 1
    seg = T.fit_samples(x, y, features=FeatureSpec(texture=False, edges=False, intensity=True, color=False,
                                                   sigma_max=4.0),
                        classifier="forest", settings={"n_estimators": 4, "max_depth": 4, "balance": False,
                                                       "random_state": 0},
                        n_classes=2, smoothing=0, channels=1)
    back = T.load_segmenter(T.save_segmenter(seg))
    assert len(back.y_train) <= M.MAX_FILE_SAMPLES and set(np.unique(back.y_train)) == {1, 2}


def test_refit_work_of_a_crafted_file_is_bounded(saved):
    _, seg, data = saved
    parts = members(data)
    rng = np.random.default_rng(1)
    big = {}
    for name, arr in (("x_train.npy", rng.normal(size=(M.MAX_FILE_SAMPLES, seg.n_features)).astype(np.float32)),
                      ("y_train.npy", rng.integers(1, 3, M.MAX_FILE_SAMPLES).astype(np.uint8))):
        buf = io.BytesIO()
        np.save(buf, arr)
        big[name] = buf.getvalue()
    hostile = rebuild({**parts, **big}, classifier={"name": "forest", "n_estimators": 300, "max_depth": None,
                                                    "balance": False, "random_state": 0})
    refused(hostile, "300 trees on 20,000 samples")
