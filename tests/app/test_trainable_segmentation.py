"""AppTest of the trainable segmentation page: values read from the page, compared with core and the script.

The drawable canvas is a browser component; here its value is set through ``session_state`` under the
canvas' current key (``trainable_segmentation:canvas:<nonce>``), as the component stores it.
"""

from __future__ import annotations

import numpy as np
import pytest

from core import trainable as T
from core.canvas.objects import rects_to_drawing
from core.trainable.classifiers import CLASSIFIER_NAMES
from core.trainable.schema import PRESETS, fit_kwargs, tutorial_mask
from tests.app.conftest import app_test, no_exception, texts, trainable_opened_on
from ui.scribble_state import ClassInfo, ScribbleState, from_objects
from ui.trainable_view import STATE_KEY

PAGE = "pages/trainable_segmentation.py"
K = "trainable_segmentation"
LAST = f"{K}:_last_run"


def scribbles(at) -> ScribbleState:
    return at.session_state[STATE_KEY]


def page_values(at) -> dict:
    from core.trainable.schema import SCHEMA
    return {name: at.session_state[f"{K}:{name}"] for name in SCHEMA.fields}


def test_opens_on_the_tutorial_and_matches_core():
    at = app_test(PAGE, timeout=300)
    no_exception(at)
    vals = page_values(at)
    for name, value in PRESETS["tutorial"].items():
        assert vals[name] == value, name
    body = texts(at)
    assert CLASSIFIER_NAMES["forest"] in body
    assert "99.7 % of the pixels agree with the tutorial's code" in body
    last = at.session_state[LAST]
    image, labels, pred = last["images"][0], last["labels"][0], last["pred"]
    np.testing.assert_array_equal(labels, tutorial_mask(labels.shape))  # the tutorial's mask, exactly
    seg = T.fit_segmenter(image, labels, **fit_kwargs(vals))
    core_pred = np.where(labels > 0, labels, seg.predict(image))
    np.testing.assert_array_equal(pred, core_pred)  # the script vs the page: tests/app/test_presets_match_scripts.py


def test_improved_preset_says_which_classifier_runs():
    at = app_test(PAGE, timeout=300)
    at.button(f"{K}:preset:Improved").click().run()
    no_exception(at)
    vals = page_values(at)
    for name, value in PRESETS["improved"].items():
        assert vals[name] == value, name
    said = next(c.value for c in at.caption if c.value.startswith("Classifier:"))
    assert CLASSIFIER_NAMES["improved"] in said and "Random forest" not in said  # says which classifier runs
    assert "impurity importance" in texts(at)


def test_recolouring_to_another_class_and_back_keeps_every_stroke_in_its_class():
    at = app_test(PAGE, timeout=300)
    before = at.session_state[LAST]["labels"][0].copy()
    at.selectbox(f"{K}:color2").set_value("green").run()  # class 3's colour
    assert "Two classes share a colour" in texts(at)
    at.selectbox(f"{K}:color2").set_value("orange").run()
    no_exception(at)
    key = page_values(at)["image"]
    train, _ = scribbles(at).labels(key, before.shape)
    np.testing.assert_array_equal(train, before)
    assert set(np.unique(train)) == {0, 1, 2, 3}


def test_bad_link_values_get_the_notice():
    at = app_test(PAGE, query={"trees": "9999", "gabor": "maybe"}, timeout=300)
    no_exception(at)
    body = texts(at)
    assert "could not be used" in body and "trees" in body and "gabor" in body


def test_scribble_state_bin_undo_and_recolour():
    classes = [ClassInfo(1, "a", "#377eb8"), ClassInfo(2, "b", "#ff7f00"), ClassInfo(3, "c", "#4daf4a")]
    colours = {c.id: c.colour for c in classes}
    state = ScribbleState()
    seed = from_objects(rects_to_drawing([(1, (0, 0, 10, 20)), (3, (20, 20, 40, 40))], colours, 0.5)["objects"],
                        classes, 0.5)
    state.set_strokes("img", "img", (50, 60), seed)
    _, drawing = state.canvas_seed("img", (50, 60), classes, 0.5)
    assert state.read_canvas("img", "img", (50, 60), drawing["objects"], classes, 0.5) == "same"
    one = drawing["objects"] + rects_to_drawing([(2, (30, 0, 40, 10))], colours, 0.5)["objects"]
    two = one + rects_to_drawing([(2, (40, 0, 45, 10))], colours, 0.5)["objects"]
    assert state.read_canvas("img", "img", (50, 60), one, classes, 0.5) == "changed"
    assert state.read_canvas("img", "img", (50, 60), two, classes, 0.5) == "changed"
    assert state.read_canvas("img", "img", (50, 60), one, classes, 0.5) == "changed"  # one undo step
    assert state.read_canvas("img", "img", (50, 60), two, classes, 0.5) == "changed"  # redo
    # back to the seed in one jump: the canvas' bin — every stroke goes, preset boxes too
    assert state.read_canvas("img", "img", (50, 60), drawing["objects"], classes, 0.5) == "bin"
    assert state.strokes("img", (50, 60)) == []
    assert state.undo_clear() == "img" and len(state.strokes("img", (50, 60))) == 4


def test_live_off_freezes_the_result_until_segment():
    at = app_test(PAGE, timeout=300)
    at.button(f"{K}:preset:Improved").click().run()
    before = at.session_state[LAST]["inputs"]
    at.toggle(f"{K}:live").set_value(False).run()
    at.slider(f"{K}:trees").set_value(8).run()
    no_exception(at)
    assert at.session_state[LAST]["inputs"] == before  # the result shown is the frozen one
    assert any(c.value.startswith("Frozen") for c in at.caption) and at.image
    at.button(f"{K}:segment").click().run()
    assert '"n_estimators": 8' in at.session_state[LAST]["inputs"].fit
    assert not any(c.value.startswith("Frozen") for c in at.caption)


def test_features_over_the_budget_are_refused_with_the_reason_before_any_work():
    from core.trainable.schema import PRESETS, SCHEMA, fit_kwargs
    from ui.trainable_view import FEATURE_LIMIT_MB, check_feature_budget

    spec = fit_kwargs(SCHEMA.parse(PRESETS["improved"]))["features"]
    check_feature_budget(np.zeros((960, 1280, 3), np.uint8), spec)  # the beach photo at full size fits
    with pytest.raises(ValueError, match=rf"2048×2048 image need about [\d,]+ MB, more than this server gives one "
                                         rf"image \({FEATURE_LIMIT_MB} MB\): lower the working size"):
        check_feature_budget(np.zeros((2048, 2048, 3), np.uint8), spec)


def test_each_feature_family_has_a_named_checkbox_and_the_lbp_window_follows_the_scale_slider():
    only_lbp = dict(gabor=False, texture=False, edges=False, intensity=False, color=False, palette=False, lbp=True)
    at = app_test(PAGE, session_state=trainable_opened_on("blank", **only_lbp))
    no_exception(at)
    labels = [str(c.label) for c in at.sidebar.checkbox]
    assert {"Gabor (the tutorial's)", "Texture energy", "Colour palette", "Texture histograms (LBP)"} <= set(labels)
    assert not at.slider(key="trainable_segmentation:sigma_max").disabled  # σ_max / 2 is the lbp window
    at.checkbox(key="trainable_segmentation:lbp").uncheck().run()
    assert at.slider(key="trainable_segmentation:sigma_max").disabled  # no family uses it now


def test_the_model_is_applied_to_another_image_only_while_its_tab_is_open():
    at = app_test(PAGE, timeout=300)
    at.button(f"{K}:preset:Improved").click().run()
    assert not any(s.label == "Apply to" for s in at.selectbox)  # closed tab: no other image's features, no predict
    assert "impurity importance" in texts(at)  # the first tab is open
    at.session_state[f"{K}:tabs"] = "Apply to an image"
    at.run(timeout=300)
    no_exception(at)
    target = next(s for s in at.selectbox if s.label == "Apply to")
    assert target.value != at.session_state[f"{K}:image"]
    captions = [img.caption for e in at.get("image") for img in e.proto.imgs]
    assert f"{target.value}, segmented by the model" in captions
    assert "impurity importance" not in texts(at)  # the closed first tab did not run
