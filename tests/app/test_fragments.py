"""Second-stage fragments stay cheap (issue #15): a display widget reuses the cached figures and stages, and
the faster paths (prebuilt figure dicts, bytes sent as encoded) show exactly what the plain plotly calls show."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import plotly.subplots
import pytest

from core import thresholding as T
from core.images import fit_working_size, load_sample
from tests.app.conftest import app_test, no_exception

P = "thresholding"


def _spec(at, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def _reference_histogram(gray: np.ndarray, method: str, thresholds, manual: int, log_counts: bool) -> dict:
    """The Thresholding histogram as the page built it before issue #15 (a fresh plotly figure per rerun)."""
    hist = T.histogram(gray)
    try:
        variance = T.otsu_variance(gray)
    except ValueError:
        variance = None
    show_variance = method == "otsu" and variance is not None
    short = T.METHOD_LABELS[method].split(" (")[0]
    fig = plotly.subplots.make_subplots(specs=[[{"secondary_y": show_variance}]])
    fig.add_trace(go.Bar(x=hist["intensity"], y=hist["count"], name="pixels", marker_color="#7f8c9d",
                         marker_line_width=0), secondary_y=False)
    if show_variance:
        fig.add_trace(go.Scatter(x=variance["threshold"], y=variance["variance"], name="between-class variance",
                                 line={"color": "#d62728", "width": 2}), secondary_y=True)
        fig.update_yaxes(title_text="between-class variance", secondary_y=True, showgrid=False, rangemode="tozero")
    for i, t in enumerate(thresholds):
        fig.add_vline(x=float(t), line_dash="dash", line_color="#1f77b4", line_width=2,
                      annotation_text=f"{short} {t:.4g}" if i == 0 else f"{t:.4g}",
                      annotation_position="top left" if i % 2 == 0 else "top right", annotation_y=1.06)
    fig.add_vline(x=int(manual), line_dash="dot", line_color="#ff7f0e", line_width=2,
                  annotation_text=f"manual {int(manual)}", annotation_position="bottom right")
    fig.update_layout(height=400, margin={"l": 10, "r": 10, "t": 40, "b": 10}, bargap=0,
                      legend={"orientation": "h", "y": -0.18}, xaxis_title="gray level")
    fig.update_yaxes(title_text="pixels (log scale)" if log_counts else "pixels", secondary_y=False,
                     type="log" if log_counts else "linear")
    return json.loads(pio.to_json(fig, validate=False))


@pytest.mark.parametrize("query", [{}, {"method": "multiotsu", "classes": "3", "image": "coins"}])
def test_thresholding_histogram_is_the_figure_plotly_builds(query):
    at = app_test(f"pages/{P}.py", query=query)
    no_exception(at)
    method = at.session_state[f"{P}:method"]
    gray = T.gray_ubyte(fit_working_size(load_sample(at.session_state[f"{P}:image"]), 256))
    thresholds = T.threshold_image(gray, method, classes=int(at.session_state[f"{P}:classes"])).thresholds
    for manual, log_counts in ((int(at.session_state[f"{P}:manual"]), False), (37, True), (200, False)):
        at.slider(key=f"{P}:manual").set_value(manual)
        at.toggle(key=f"{P}:log_counts").set_value(log_counts)
        at.run()
        no_exception(at)
        assert _spec(at) == _reference_histogram(gray, method, thresholds, manual, log_counts)


def test_thresholding_manual_and_log_scale_never_rebuild_the_histogram_figure(monkeypatch):
    at = app_test(f"pages/{P}.py")
    no_exception(at)
    built = []
    original = plotly.subplots.make_subplots
    monkeypatch.setattr(plotly.subplots, "make_subplots", lambda *a, **k: built.append(1) or original(*a, **k))
    manual = int(at.session_state[f"{P}:manual"])
    for step in (1, 2, 3):
        at.slider(key=f"{P}:manual").set_value(manual + step).run()
        no_exception(at)
    at.toggle(key=f"{P}:log_counts").set_value(True).run()
    no_exception(at)
    assert built == []  # moved on the cached figure's dict, never rebuilt
    assert _spec(at)["layout"]["yaxis"]["type"] == "log"
    assert _spec(at)["layout"]["annotations"][-1]["text"] == f"manual {manual + 3}"


def test_images_are_sent_in_the_format_they_were_encoded_in(monkeypatch):
    """``ui.display.show`` names the encoded bytes' format, so Streamlit never decodes and re-encodes them."""
    from streamlit.elements.lib import image_utils

    reencoded = []
    original = image_utils._pil_to_bytes
    monkeypatch.setattr(image_utils, "_pil_to_bytes", lambda *a, **k: reencoded.append(1) or original(*a, **k))
    at = app_test(f"pages/{P}.py")
    no_exception(at)
    at.slider(key=f"{P}:manual").set_value(int(at.session_state[f"{P}:manual"]) + 5).run()
    no_exception(at)
    assert len(at.get("image")) >= 4 and reencoded == []
