"""Unit tests of core.canvas: Fabric.js canvas JSON → label images, presets, share tokens.

The objects below are real output of streamlit-drawable-canvas 0.13 (Fabric.js 7.4.0), captured
with Playwright drawing on a 400×300 canvas: a freehand stroke, a line, a filled rectangle and a
filled circle drawn with the circle tool (which rotates it and uses a left/center origin).
"""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

from core.canvas import (
    decode_strokes,
    encode_strokes,
    normalize_color,
    rects_to_drawing,
    strokes_to_labels,
)

RED, BLUE = "#ff0000", "#1f77b4"

PATH = {
    "type": "Path", "version": "7.4.0", "originX": "center", "originY": "center",
    "left": 100, "top": 65, "width": 100.02, "height": 30.02, "fill": None, "stroke": RED,
    "strokeWidth": 10, "strokeLineCap": "round", "strokeLineJoin": "round", "strokeUniform": False,
    "scaleX": 1, "scaleY": 1, "angle": 0, "flipX": False, "flipY": False, "opacity": 1, "visible": True,
    "path": [["M", 49.99, 49.99], ["Q", 50, 50, 55, 51.5], ["Q", 60, 53, 65, 54.5], ["Q", 70, 56, 75, 57.5],
             ["Q", 80, 59, 85, 60.5], ["Q", 90, 62, 95, 63.5], ["Q", 100, 65, 105, 66.5],
             ["Q", 110, 68, 115, 69.5], ["Q", 120, 71, 125, 72.5], ["Q", 130, 74, 140, 77],
             ["L", 150.01, 80.01]],
}
LINE = {
    "type": "Line", "version": "7.4.0", "originX": "center", "originY": "center", "left": 125, "top": 200,
    "width": 150, "height": 100, "fill": RED, "stroke": RED, "strokeWidth": 10, "strokeLineCap": "butt",
    "strokeUniform": False, "scaleX": 1, "scaleY": 1, "angle": 0, "opacity": 1, "visible": True,
    "x1": -75, "x2": 75, "y1": -50, "y2": 50,
}
RECT = {
    "type": "Rect", "version": "7.4.0", "originX": "left", "originY": "top", "left": 250, "top": 50,
    "width": 100, "height": 70, "fill": "rgba(255,0,0,0.3)", "stroke": RED, "strokeWidth": 10,
    "strokeUniform": True, "scaleX": 1, "scaleY": 1, "angle": 0, "opacity": 1, "visible": True,
}
CIRCLE = {
    "type": "Circle", "version": "7.4.0", "radius": 50, "startAngle": 0, "endAngle": 360,
    "originX": "left", "originY": "center", "left": 250, "top": 200, "width": 100, "height": 100,
    "fill": "rgba(255,0,0,0.3)", "stroke": RED, "strokeWidth": 10, "strokeUniform": False,
    "scaleX": 1, "scaleY": 1, "angle": 36.8699, "opacity": 1, "visible": True,
}
SHAPE = (300, 400)


def labels_of(objs, shape=SHAPE, scale=1.0, colors=None):
    return strokes_to_labels(objs, shape, colors or {RED: 1, BLUE: 2}, scale=scale)


# --------------------------------------------------------------------------- path
def test_path_labels_its_centre_line_and_its_width_at_scale_1():
    lab = labels_of([PATH])
    assert lab.dtype == np.int32 and lab.shape == SHAPE
    # on-curve points (the Q end points lie on the curve); pixel (row, col) holds point (col+.5, row+.5)
    for x, y in [(55, 51.5), (85, 60.5), (125, 72.5), (150, 80)]:
        assert lab[int(y), int(x)] == 1
    # width 10: 4 px off the curve is inside, 7 px off is outside (normal of a ~0.3 slope line)
    n = np.array([-0.29, 0.957])
    inside = np.array([95, 63.5]) + 4 * n
    outside = np.array([95, 63.5]) + 7 * n
    assert lab[int(inside[1]), int(inside[0])] == 1
    assert lab[int(outside[1]), int(outside[0])] == 0
    # round caps: 4 px before the start is labelled, 7 px is not
    assert lab[50, 46] == 1 and lab[50, 42] == 0
    assert lab[150, 300] == 0
    # area ≈ length × width + a cap disc (the real canvas painted 1 120 px with alpha > 0.5)
    length = np.hypot(100, 30)
    assert abs(lab.sum() - (length * 10 + np.pi * 25)) < 60


def test_path_at_scale_half_lands_at_half_coordinates():
    lab = labels_of([PATH], shape=(150, 200), scale=0.5)
    for x, y in [(55, 51.5), (85, 60.5), (125, 72.5)]:
        assert lab[int(y / 2), int(x / 2)] == 1
    assert lab[40, 100] == 0
    full = labels_of([PATH])
    assert abs(lab.sum() * 4 - full.sum()) < 0.1 * full.sum()


def test_moved_path_follows_left_top():
    moved = copy.deepcopy(PATH)
    moved["left"] += 30
    moved["top"] += 20
    a, b = labels_of([PATH]), labels_of([moved])
    assert np.array_equal(np.roll(a, (20, 30), axis=(0, 1)), b)


def test_path_given_as_svg_string():
    obj = dict(PATH, path="M 49.99 49.99 Q 50 50 55 51.5 Q 60 53 65 54.5 L 150.01 80.01")
    lab = labels_of([obj])
    assert lab[51, 55] == 1 and lab[int(0.5 * (54.5 + 80)), 107] == 1


# --------------------------------------------------------------------------- line, rect, circle
def test_line_has_butt_caps_and_right_endpoints():
    lab = labels_of([LINE])
    # the line runs from (50, 150) to (200, 250)
    for t in (0.02, 0.5, 0.98):
        x, y = 50 + 150 * t, 150 + 100 * t
        assert lab[int(y), int(x)] == 1, t
    d = np.array([150, 100]) / np.hypot(150, 100)
    before = np.array([50, 150]) - 3 * d
    after = np.array([200, 250]) + 3 * d
    assert lab[int(before[1]), int(before[0])] == 0
    assert lab[int(after[1]), int(after[0])] == 0


def test_line_at_scale_half():
    lab = labels_of([LINE], shape=(150, 200), scale=0.5)
    assert lab[100, 62] == 1  # midpoint (125, 200) / 2
    assert lab[10, 10] == 0


def test_filled_rect_labels_inside_and_outlined_rect_only_its_band():
    lab = labels_of([RECT])
    # corners at left + sw/2 = 255 … 355, 55 … 125; stroke band ±5 around the edges
    assert lab[90, 305] == 1 and lab[51, 251] == 1 and lab[129, 359] == 1
    assert lab[48, 305] == 0 and lab[90, 362] == 0
    assert lab.sum() == 110 * 80
    outlined = dict(RECT, fill="rgba(0,0,0,0)")
    lab2 = labels_of([outlined])
    assert lab2[90, 305] == 0 and lab2[55, 305] == 1 and lab2[90, 255] == 1
    assert lab2.sum() == 110 * 80 - 90 * 60
    half = labels_of([RECT], shape=(150, 200), scale=0.5)
    assert half.sum() == 55 * 40


def test_circle_tool_with_angle_and_left_origin():
    lab = labels_of([CIRCLE])
    # the circle tool starts the circle's left edge at the mouse-down point (250, 200) and rotates
    # it toward the drag direction (80, 60): centre = start + 55 × (0.8, 0.6) = (294, 233)
    assert lab[233, 294] == 1
    assert lab[233, 294 + 52] == 1 and lab[233, 294 + 58] == 0
    assert abs(lab.sum() - np.pi * 55**2) < 0.02 * np.pi * 55**2
    ring = labels_of([dict(CIRCLE, fill=None)])
    assert ring[233, 294] == 0 and ring[233, 294 + 50] == 1


def test_ellipse_and_polygon():
    ellipse = {"type": "Ellipse", "originX": "center", "originY": "center", "left": 100, "top": 100,
               "rx": 40, "ry": 10, "fill": RED, "stroke": RED, "strokeWidth": 0}
    lab = labels_of([ellipse])
    assert lab[100, 135] == 1 and lab[115, 100] == 0 and lab[100, 145] == 0
    poly = {"type": "Polygon", "originX": "center", "originY": "center", "left": 100, "top": 100,
            "points": [{"x": 0, "y": 0}, {"x": 40, "y": 0}, {"x": 0, "y": 40}], "fill": BLUE,
            "stroke": BLUE, "strokeWidth": 1}
    lab = labels_of([poly])
    assert lab[85, 85] == 2 and lab[115, 115] == 0


# --------------------------------------------------------------------------- classes and colours
def test_later_strokes_paint_over_and_unknown_colours_are_ignored():
    blue_rect = dict(RECT, stroke=BLUE, fill="rgba(31,119,180,0.3)", left=280, top=70, width=20, height=20)
    green = dict(PATH, stroke="#00ff00")
    lab = labels_of([RECT, blue_rect, green])
    assert lab[85, 295] == 2 and lab[60, 260] == 1
    assert lab[51, 55] == 0
    assert set(np.unique(lab)) == {0, 1, 2}


def test_colour_notations_match():
    assert normalize_color("rgb(255, 0, 0)") == normalize_color("#F00") == normalize_color("red") == RED
    assert normalize_color("rgba(31,119,180,0.3)") == BLUE
    assert normalize_color("transparent") is None and normalize_color("rgba(1,2,3,0)") is None
    assert normalize_color([None, None, None]) is None and normalize_color((1e300, float("nan"), 0)) is None
    assert normalize_color((300, -5, 0.4)) == "#ff0000"  # a tuple is clamped to 0…255 like rgb(…) text
    lab = strokes_to_labels([dict(PATH, stroke="rgb(255,0,0)")], SHAPE, {"#F00": 3})
    assert lab[51, 55] == 3


def test_canvas_json_dict_and_empty_input():
    lab = strokes_to_labels({"objects": [PATH], "background": ""}, SHAPE, {RED: 1})
    assert lab[51, 55] == 1
    assert labels_of([]).sum() == 0
    assert labels_of(None).sum() == 0
    assert labels_of([{"type": "Textbox", "text": "hi", "stroke": RED}]).sum() == 0


# --------------------------------------------------------------------------- bad input
def test_strokes_outside_the_image_are_clipped_not_fatal():
    far = dict(PATH, left=PATH["left"] + 1000)
    assert labels_of([far]).sum() == 0
    half_out = dict(RECT, left=380)  # rectangle crosses the right border
    lab = labels_of([half_out])
    assert lab.sum() == 80 * (400 - 380) and lab[:, 380:].all(axis=1).sum() == 80


def test_one_pixel_stroke_still_labels_a_pixel():
    dot = dict(PATH, strokeWidth=1, path=[["M", 20.2, 30.7], ["L", 20.2, 30.7]], left=20.2, top=30.7,
               width=0, height=0)
    lab = labels_of([dot], shape=(150, 200), scale=0.5)  # 0.5 px wide at image resolution
    assert lab.sum() >= 1 and lab[15, 10] == 1


def test_bad_arguments_raise_helpful_errors():
    with pytest.raises(ValueError, match="scale must be > 0"):
        labels_of([PATH], scale=0)
    with pytest.raises(ValueError, match="not a CSS colour"):
        strokes_to_labels([PATH], SHAPE, {"banana": 1})
    with pytest.raises(ValueError, match="1…255"):
        strokes_to_labels([PATH], SHAPE, {RED: 0})
    with pytest.raises(ValueError, match="shape"):
        strokes_to_labels([PATH], (0, 5), {RED: 1})
    # a malformed object is skipped, not fatal
    assert labels_of([{"type": "Path", "stroke": RED, "path": [["Q", "x"]]}, PATH])[51, 55] == 1


# --------------------------------------------------------------------------- presets and tokens
@pytest.mark.parametrize("scale", [1.0, 640 / 700, 2.0])
def test_rects_to_drawing_labels_exactly_the_slices(scale):
    shape = (427, 640)
    rects = [(1, (20, 380, 120, 620)), (2, (255, 390, 290, 540)), (3, (350, 400, 415, 540))]
    colors = {1: "#1f77b4", 2: "#ff7f0e", 3: "#2ca02c"}
    drawing = rects_to_drawing(rects, colors, scale)
    assert [o["type"] for o in drawing["objects"]] == ["Rect"] * 3
    lab = strokes_to_labels(drawing, shape, {c: k for k, c in colors.items()}, scale=scale)
    expected = np.zeros(shape, int)
    for k, (r0, c0, r1, c1) in rects:
        expected[r0:r1, c0:c1] = k
    assert np.array_equal(lab, expected)
    with pytest.raises(ValueError, match="empty"):
        rects_to_drawing([(1, (10, 10, 5, 20))], colors)


def test_encode_decode_round_trip_keeps_the_labels():
    objs = [PATH, LINE, RECT, CIRCLE, dict(PATH, stroke=BLUE, left=200, top=260)]
    colors = {RED: 1, BLUE: 2}
    token = encode_strokes(objs, colors, scale=1.5)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token) and len(token) < 1200
    shape = (450, 600)
    before = strokes_to_labels(objs, shape, colors, scale=1.5)
    decoded = decode_strokes(token, {1: RED, 2: BLUE}, scale=1.5)
    after = strokes_to_labels(decoded, shape, colors, scale=1.5)
    union = (before > 0) | (after > 0)
    agree = (before == after)[union].mean()
    assert agree > 0.97
    assert set(np.unique(after)) == {0, 1, 2}
    # decoded onto a canvas of another size, the image-space labels stay the same
    other = strokes_to_labels(decode_strokes(token, {1: RED, 2: BLUE}, scale=0.75), shape, colors, scale=0.75)
    assert (other == after)[union].mean() > 0.97
    # classes missing from the target page are dropped
    only_red = decode_strokes(token, {1: RED}, scale=1.5)
    assert all(o["stroke"] == RED for o in only_red) and len(only_red) == 4


def test_token_of_nothing_and_corrupt_tokens():
    assert encode_strokes([], {RED: 1}) == ""
    assert decode_strokes("", {1: RED}) == []
    token = encode_strokes([PATH], {RED: 1})
    for bad in ["not-a-token!", token[:-6], "AAAA", token[:10] + "x" + token[11:]]:
        with pytest.raises(ValueError, match="cannot be read|another version"):
            decode_strokes(bad, {1: RED})
