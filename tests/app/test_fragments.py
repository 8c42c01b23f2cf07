"""Second-stage fragments stay cheap (issue #15): a display widget reuses the cached figures and stages, and
the faster paths (prebuilt figure dicts, bytes sent as encoded) show exactly what the plain plotly calls show."""

from __future__ import annotations

import json

import numpy as np
import plotly.io as pio
import plotly.subplots
import pytest

from core.images import fit_working_size, load_sample
from tests.app.conftest import app_test, no_exception

P = "thresholding"


def _spec(at, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def test_thresholding_manual_and_log_scale_never_rebuild_the_histogram_figure(monkeypatch):
    at = app_test(f"pages/{P}.py")
    no_exception(at)
    first = _spec(at)
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
    now = _spec(at)
    assert now["layout"]["yaxis"]["type"] == "log" and first["layout"]["yaxis"]["type"] == "linear"
    assert now["layout"]["annotations"][-1]["text"] == f"manual {manual + 3}"
    assert now["layout"]["shapes"][-1]["x0"] == now["layout"]["shapes"][-1]["x1"] == manual + 3
    # everything else is the figure the page drew first: the bars, the variance curve, the method's lines
    assert now["data"] == first["data"]
    assert now["layout"]["shapes"][:-1] == first["layout"]["shapes"][:-1]
    assert now["layout"]["annotations"][:-1] == first["layout"]["annotations"][:-1]


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


def test_colour_palette_chart_is_the_figure_plotly_express_builds():
    import plotly.express as px

    from core import clustering as C

    at = app_test("pages/colour_clustering.py")
    no_exception(at)
    values = {name: at.session_state[f"colour_clustering:{name}"] for name in C.SCHEMA.fields}
    image = fit_working_size(load_sample(values["image"]), 256)
    labels = C.color_kmeans_fit(image, **C.kmeans_kwargs(values)).labels
    palette = C.cluster_views(image, labels)["palette"]
    names = [f"{h} (cluster {c})" for h, c in zip(palette["hex"], palette["cluster"], strict=True)]
    fig = px.bar(palette.assign(name=names), x="share", y="name", orientation="h", color="name",
                 color_discrete_sequence=list(palette["hex"]), text=palette["share"].map(lambda s: f"{s:.1%}"),
                 labels={"share": "share of the pixels", "name": ""})
    fig.update_layout(showlegend=False, height=80 + 30 * len(palette), margin=dict(l=10, r=10, t=10, b=10),
                      xaxis_tickformat=".0%")
    fig.update_yaxes(categoryorder="array", categoryarray=names[::-1])
    assert _spec(at) == json.loads(pio.to_json(fig, validate=False))


@pytest.mark.parametrize("clustered", [True, False])
def test_express_without_the_template_gives_the_plain_figure(clustered):
    """``ui.display.express`` + ``figure_spec`` = plotly.express's own figure (the Objects scatter's call)."""
    import pandas as pd
    import plotly.express as px

    from ui import display

    rng = np.random.default_rng(0)
    table = pd.DataFrame({"label": np.arange(1, 41), "area": rng.integers(5, 500, 40), "solidity": rng.random(40),
                          "cluster": rng.integers(0, 3, 40).astype(str)})
    kwargs = dict(x="area", y="solidity", color="cluster" if clustered else None, custom_data=["label"],
                  hover_data={"label": True, "area": ":.3g", "solidity": ":.3g"},
                  color_discrete_map={str(c): f"#{c}0{c}0{c}0" for c in range(10)},
                  category_orders={"cluster": [str(c) for c in range(10)]}, labels={"area": "Area (px)"})
    plain = px.scatter(table, **kwargs)
    fast = display.express(px.scatter, table, **kwargs)
    for fig in (plain, fast):
        fig.add_scatter(x=[1], y=[2], mode="markers", hoverinfo="skip", name="object 1")
        fig.update_layout(height=420, margin=dict(l=10, r=10, t=30, b=10), legend_title_text="cluster")
    assert json.loads(pio.to_json(display.figure_spec(fast), validate=False)) == \
        json.loads(pio.to_json(plain, validate=False))


def test_objects_scatter_axes_revisited_reuse_the_built_figure(monkeypatch):
    import plotly.express as px

    at = app_test("pages/objects.py")
    no_exception(at)
    first, options = at.selectbox(key="objects:x").value, at.selectbox(key="objects:x").options
    other = next(o for o in options if o != str(first))
    at.selectbox(key="objects:x").select(other).run()
    no_exception(at)
    built = []
    original = px.scatter
    monkeypatch.setattr(px, "scatter", lambda *a, **k: built.append(1) or original(*a, **k))
    for value in (first, other, first):
        at.selectbox(key="objects:x").select(value).run()
        no_exception(at)
    assert built == []  # both axes' figures were built once, then reused
