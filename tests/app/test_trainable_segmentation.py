"""AppTest of the trainable segmentation page.

The drawable canvas is a browser component; here its value is set through ``session_state``
(``{"drawing": {"raw": {"objects": [...]}}}``, exactly what the component stores) with Fabric.js
objects in canvas pixels (the canvas is 700 px wide).
"""

from __future__ import annotations

import pytest

from core.scribbles import encode_strokes
from tests.app.conftest import app_test, no_exception, texts

PAGE = "pages/trainable_segmentation.py"
CANVAS = "trainable:canvas"
BLUE, ORANGE, GREEN = "#377eb8", "#ff7f00", "#4daf4a"


def path(points, color, width=14):
    """A freehand stroke as the canvas' Fabric.js 7 writes it (centre origin, absolute path)."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    cmds = [["M", *points[0]]] + [["L", *p] for p in points[1:]]
    return {"type": "Path", "originX": "center", "originY": "center",
            "left": (min(xs) + max(xs)) / 2, "top": (min(ys) + max(ys)) / 2,
            "width": max(xs) - min(xs), "height": max(ys) - min(ys), "fill": None, "stroke": color,
            "strokeWidth": width, "strokeLineCap": "round", "scaleX": 1, "scaleY": 1, "angle": 0, "path": cmds}


# on china (700×467 canvas): a stroke in the sky, on the lake and in the trees
SKY = path([(430, 30), (520, 40), (640, 60)], BLUE)
WATER = path([(420, 290), (500, 285), (560, 280)], ORANGE)
TREES = path([(450, 400), (520, 420), (580, 440)], GREEN)


def draw(at, objects):
    at.session_state[CANVAS] = {"drawing": {"raw": {"objects": objects}, "data": None}}
    return at.run()


def overlay_url(at) -> str:
    for image in at.image:
        for item in image.proto.imgs:
            if item.caption.startswith("Segmentation overlay"):
                return item.url
    raise AssertionError("no segmentation overlay on the page")


def status_labels(at) -> list[str]:
    return [s.proto.expandable.label for s in at.status] if at.status else []


def test_default_preset_segments_and_offers_downloads():
    at = app_test(PAGE, timeout=180)
    no_exception(at)
    body = texts(at)
    assert "Trainable segmentation" in body
    assert "sky" in body and "water" in body and "trees" in body
    assert overlay_url(at)
    labels = [d.label for d in at.get("download_button")]
    for wanted in ("Labels (PNG)", "Probabilities (.npy)", "Scribbles (label PNG)", "Segmenter (.skops)"):
        assert wanted in labels
    # the preset's strokes are the tutorial rectangles: three classes, all scribbled
    assert at.session_state["trainable:strokes"] == "beach"
    assert "sky: 0 px" not in body


def test_presets_run():
    at = app_test(PAGE, timeout=180)
    for i, button in enumerate([b for b in at.button if b.key and b.key.startswith("trainable:preset:")]):
        at = app_test(PAGE, timeout=180)
        at.button(button.key).click().run()
        no_exception(at)
        if i == 1:  # the four-class preset
            assert at.session_state["trainable:n_classes"] == 4 and "pagoda" in texts(at)
            overlay_url(at)
        if i == 2:  # the blank canvas
            assert "no scribbles yet" in texts(at)


def test_features_and_strokes_change_the_output():
    at = app_test(PAGE, timeout=180)
    at.button("trainable:preset:③ Blank canvas (draw your own)").click().run()
    at.text_input("trainable:name1").set_value("sky").run()
    at.text_input("trainable:name2").set_value("water").run()
    at = draw(at, [SKY, WATER])
    no_exception(at)
    first = overlay_url(at)
    at.selectbox("trainable:features").set_value("lab").run()
    no_exception(at)
    assert overlay_url(at) != first
    # a stroke more changes the result too, and the link carries the strokes
    at.session_state[CANVAS] = {"drawing": {"raw": {"objects": [SKY, WATER, dict(SKY, top=120)]}, "data": None}}
    at.run()
    assert at.session_state["trainable:strokes"] not in ("", "beach")


def test_no_strokes_one_class_outside_and_tiny_strokes_give_clear_messages():
    at = app_test(PAGE, timeout=180)
    at.button("trainable:preset:③ Blank canvas (draw your own)").click().run()
    assert "no scribbles yet" in texts(at)
    at = draw(at, [SKY])
    no_exception(at)
    assert "only class 1 has strokes" in texts(at)
    at = draw(at, [dict(SKY, left=SKY["left"] + 2000), dict(WATER, left=WATER["left"] + 2000)])
    no_exception(at)
    assert "None of your strokes falls inside the image" in texts(at)
    dot = path([(300, 300), (300, 300)], ORANGE, width=1)
    at = draw(at, [SKY, dot])
    no_exception(at)
    assert "fewer than 10 scribbled pixels" in texts(at)
    overlay_url(at)  # it still segments


def test_check_strokes_give_an_accuracy():
    at = app_test(PAGE, timeout=180)
    dark_blue = "#1b3f5c"  # the check shade of blue (half the brightness)
    check = path([(600, 20), (660, 25)], dark_blue)
    at = draw(at, at.session_state[CANVAS]["drawing"]["raw"]["objects"] + [check])
    no_exception(at)
    metric = [m for m in at.metric if m.label == "Accuracy on check strokes"]
    assert metric and metric[0].value.endswith("%")


def test_classes_can_be_added_renamed_and_removed():
    at = app_test(PAGE, timeout=180)
    at.button("trainable:add").click().run()
    no_exception(at)
    assert at.session_state["trainable:n_classes"] == 4
    at.text_input("trainable:name4").set_value("roof").run()
    assert "roof" in texts(at)
    at.button("trainable:remove2").click().run()  # remove "water"
    no_exception(at)
    assert at.session_state["trainable:n_classes"] == 3
    assert [at.session_state[f"trainable:name{k}"] for k in (1, 2, 3)] == ["sky", "trees", "roof"]
    # water's strokes were erased from the canvas
    objs = at.session_state[CANVAS]["drawing"]["raw"]["objects"]
    assert all(o.get("stroke") != ORANGE for o in objs) and len(objs) == 2


def test_button_mode_waits_for_the_button():
    at = app_test(PAGE, timeout=180)
    at.toggle("trainable:live").set_value(False).run()
    assert "press **Segment**" in texts(at)
    with pytest.raises(AssertionError):
        overlay_url(at)
    at.button("trainable:segment").click().run()
    no_exception(at)
    assert overlay_url(at)


def test_share_link_restores_strokes_and_classes():
    token = encode_strokes([SKY, TREES], {BLUE: 1, GREEN: 2}, 1.0)
    at = app_test(PAGE, query={"n_classes": "2", "name1": "air", "name2": "leaves", "color2": "green",
                               "features": "lab", "strokes": token}, timeout=180)
    no_exception(at)
    assert at.selectbox("trainable:features").value == "lab"
    assert at.text_input("trainable:name1").value == "air"
    objs = at.session_state[CANVAS]["drawing"]["raw"]["objects"]
    assert len(objs) == 2 and {o["stroke"] for o in objs} == {BLUE, GREEN}
    overlay_url(at)


def test_garbage_link_falls_back_with_a_notice():
    at = app_test(PAGE, query={"strokes": "garbage!!", "trees": "9999", "features": "nope"}, timeout=180)
    no_exception(at)
    body = texts(at)
    assert "could not be used" in body
    assert "cannot be read" in body
    assert at.selectbox("trainable:features").value == "default"
