"""core.canvas / core.canvas.tokens hardening: hostile canvas data and share tokens end in a clear message or a
correct, bounded result — never a traceback of another kind."""

from __future__ import annotations

import base64
import struct
import time
import zlib

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core import canvas as C
from core.canvas import POLYLINE_ROUND, Primitive, objects_to_primitives, rasterize_primitives, strokes_to_labels
from core.canvas import tokens as S

RED = "#ff0000"
CODES = {RED: 1}


def path(points, width=10.0, **extra):
    """A freehand Fabric path drawn through ``points`` (canvas px): centre origin at the bbox centre."""
    cmds = [["M", *points[0]]] + [["L", *p] for p in points[1:]]
    with np.errstate(all="ignore"):
        xy = np.array([[float(v) for v in p] for p in points])
        centre = (np.nanmin(xy, axis=0) + np.nanmax(xy, axis=0)) / 2
    obj = {"type": "path", "originX": "center", "originY": "center", "left": float(centre[0]),
           "top": float(centre[1]), "stroke": RED, "strokeWidth": width, "strokeLineCap": "round", "path": cmds}
    return {**obj, **extra}


def timed(fn, limit=3.0):
    start = time.perf_counter()
    out = fn()
    assert time.perf_counter() - start < limit
    return out


def test_the_same_stroke_gives_the_same_pixels_at_any_scale():
    obj = path([[10, 10], [60, 40]], width=6)
    one = strokes_to_labels([obj], (60, 80), CODES)
    two = strokes_to_labels([obj], (120, 160), CODES, scale=2.0)
    assert one.sum() > 0 and abs(two.sum() - 4 * one.sum()) < 0.1 * 4 * one.sum()


@pytest.mark.parametrize("bad", [1e308, -1e308, float("nan"), float("inf"), "1e999"])
def test_huge_or_nan_coordinates_drop_the_object(bad):
    objs = [path([[10, 10], [bad, 20]]), path([[5, 5], [20, 5]], left=bad), path([[30, 30], [40, 30]])]
    labels = timed(lambda: strokes_to_labels(objs, (50, 50), CODES))
    assert labels[30, 35] == 1  # the sane stroke is drawn
    if bad in (1e308, -1e308):
        assert labels[:15, :].sum() == 0  # off any canvas: dropped (NaN / inf values fall back to defaults)


@pytest.mark.parametrize("width", [float("nan"), 1e308, 32767, -5, "wide"])
def test_nan_or_huge_widths_are_clamped(width):
    labels = timed(lambda: strokes_to_labels([path([[10, 10], [20, 10]], width=width)], (600, 600), CODES))
    drawn = int((labels > 0).sum())
    assert drawn <= np.pi * (C.MAX_STROKE_WIDTH / 2 + 11) ** 2


@pytest.mark.parametrize("data", ["a string", 42, 3.5, {"objects": "x"}, {"objects": 7}])
def test_non_drawing_data_says_so(data):
    with pytest.raises(ValueError, match="not a drawing"):
        strokes_to_labels(data, (20, 20), CODES)


def test_malformed_objects_are_skipped():
    objs = [None, 5, "x", {"type": "path", "stroke": RED, "path": "nonsense"}, {"type": "rect", "stroke": RED,
            "width": "big"}, {"type": "path", "stroke": RED, "path": [["M", "a", 1], ["Q"], 7, ["L", 1, 2, 3]]},
            {"type": "polygon", "stroke": RED, "points": [{"x": 1e308, "y": 0}, 3]}]
    assert strokes_to_labels(objs, (20, 20), CODES).sum() >= 0


def test_long_strokes_work_and_too_many_points_are_refused():
    n = 70_000  # more than 65 535 points (struct 'H' in the token) in one real-looking scribble
    t = np.linspace(0, 20 * np.pi, n)
    pts = np.stack([200 + 150 * np.cos(t) * t / 63, 200 + 150 * np.sin(t) * t / 63], axis=1).round(2).tolist()
    prims = timed(lambda: objects_to_primitives([path(pts, width=4)], CODES), 10)
    token = S.encode_primitives(prims, tolerance=0)  # no simplification: all 70 000 points
    back = S.decode_primitives(token)
    assert len(back) == 2 and sum(len(p.points) for p in back) > 1000  # split in two runs, not refused
    a, b = rasterize_primitives(back, (400, 400)) > 0, rasterize_primitives(prims, (400, 400)) > 0
    assert (a != b).sum() < 0.1 * b.sum()  # half-pixel quantisation moves only edge pixels
    with pytest.raises(ValueError, match="more than 400,000 points"):
        timed(lambda: objects_to_primitives([{**path(pts[:2]), "path": [["L", 1, 2]] * 400_001}], CODES), 0.5)
    with pytest.raises(ValueError, match="more than 5,000 objects"):
        objects_to_primitives([path([[1, 1], [2, 2]])] * 5001, CODES)


def test_raster_work_is_bounded():
    zigzag = Primitive(1, 0, 500.0, np.array([[0, 0], [4000, 0], [0, 10], [4000, 10]] * 100, dtype=float))
    with pytest.raises(ValueError, match="too large to draw"):
        timed(lambda: rasterize_primitives([zigzag], (4000, 4000)), 1)


def token_of(raw: bytes) -> str:
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def test_hostile_tokens():
    wide = token_of(struct.pack("<BH", 1, 1) + struct.pack("<BBHH", 1, 0, 65535, 2) + np.array(
        [[100, 100], [0, 0]], "<i2").tobytes())
    (prim,) = S.decode_primitives(wide)
    assert prim.width == S.MAX_WIDTH  # a 32 767 px brush is clamped
    many = token_of(struct.pack("<BH", 1, 3) + b"".join(
        struct.pack("<BBHH", 1, 0, 10, 60_000) + np.zeros((60_000, 2), "<i2").tobytes() for _ in range(3)))
    with pytest.raises(ValueError, match="cannot be read"):
        S.decode_primitives(many)  # 180 k points: over the cap
    bomb = base64.urlsafe_b64encode(zlib.compress(b"\0" * (50 << 20), 9)).decode()
    with pytest.raises(ValueError, match="cannot be read"):
        timed(lambda: S.decode_primitives(bomb))
    with pytest.raises(ValueError, match="another version"):
        S.decode_primitives(token_of(struct.pack("<BH", 9, 0)))
    assert S.decode_primitives("") == []


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300).map(token_of),
                 st.binary(max_size=40).map(lambda b: token_of(struct.pack("<BH", 1, 1) + b))))
def test_fuzz_token_decoder_gives_marks_or_a_clear_message(token):
    try:
        prims = S.decode_strokes(token, {1: RED}, 1.0)
    except ValueError as err:
        assert "draw them again" in str(err)
    else:
        assert isinstance(prims, list)


@settings(max_examples=150, deadline=2000)
@given(st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
                    lambda kids: st.lists(kids, max_size=6) | st.dictionaries(
                        st.sampled_from(["type", "path", "left", "top", "stroke", "strokeWidth", "points", "x",
                                         "y", "scaleX", "angle", "objects", "radius", "width", "height"]), kids,
                        max_size=8), max_leaves=30))
@example([{"type": None, "stroke": [None, None, None]}])  # once raised TypeError in the colour parser
@example([{"type": "path", "stroke": [float("inf"), float("nan"), 1e300], "path": [["M", 1, 1], ["L", 5, 5]]}])
def test_fuzz_canvas_data_gives_labels_or_a_clear_message(data):
    try:
        labels = strokes_to_labels(data, (16, 16), CODES)
    except ValueError as err:
        assert "drawing" in str(err) or "draw" in str(err)
    else:
        assert labels.shape == (16, 16)


def test_check_drawable_refuses_what_rasterize_would_refuse_and_draws_nothing():
    from core.canvas import check_drawable

    small = [Primitive(1, POLYLINE_ROUND, 4.0, np.array([[1.0, 1.0], [20.0, 20.0]]))]
    check_drawable(small, (32, 32))  # fine: no exception, nothing returned
    wide = [Primitive(1, POLYLINE_ROUND, 512.0, np.cumsum(np.ones((50_000, 2)), axis=0) % 1000)]
    with pytest.raises(ValueError, match="too large to draw"):
        check_drawable(wide, (1024, 1024))
    with pytest.raises(ValueError, match="too large to draw"):
        rasterize_primitives(wide, (1024, 1024))
    i = np.arange(20_000)
    zigzag = np.stack([i % 1000, (i // 1000) * 40 + (i % 2) * 6], axis=1).astype(float)  # nothing to simplify away
    token = S.encode_primitives([Primitive(1, POLYLINE_ROUND, 512.0, zigzag)])  # a link carrying such marks
    assert len(S.decode_primitives(token)) >= 1
    with pytest.raises(ValueError, match="too large to draw"):
        S.decode_primitives(token, (1024, 1024))
