"""Second-stage fragments stay cheap (issue #15): a display widget reuses the cached figures and stages, and
the faster paths (prebuilt figure dicts, bytes sent as encoded) show exactly what the plain plotly calls show."""

from __future__ import annotations

import json

import numpy as np
import plotly.io as pio
import pytest

import core.panorama as PN
from core.images import fit_working_size, load_sample
from tests.app.conftest import app_test, no_exception

P = "thresholding"


def _spec(at, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def _vega(at, index: int = 0) -> tuple[dict, dict]:
    """A Vega-Lite chart as the browser receives it: its spec and its named datasets (Arrow → DataFrame)."""
    import pyarrow as pa

    chart = at.get("vega_lite_chart")[index].proto
    return json.loads(chart.spec), {d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas()
                                    for d in chart.datasets}


def test_thresholding_manual_moves_only_the_lines_data_and_log_scale_only_the_axis():
    """The manual slider sends the chart unchanged with a new ``manual`` dataset (Vega updates the line in
    place, no new chart); the log toggle changes the counts' axis and nothing else the page drew."""
    at = app_test(f"pages/{P}.py")
    no_exception(at)
    first, first_data = _vega(at)
    manual = int(at.session_state[f"{P}:manual"])
    for step in (1, 2, 3):
        at.slider(key=f"{P}:manual").set_value(manual + step).run()
        no_exception(at)
        spec, data = _vega(at)
        assert spec == first  # the same chart: only its data moved
        assert data["manual"].to_dict("records") == [{"x": manual + step, "label": f"manual {manual + step}"}]
        for name in ("hist", "thresholds", "variance"):
            assert data[name].equals(first_data[name])
    at.toggle(key=f"{P}:log_counts").set_value(True).run()
    no_exception(at)
    spec, data = _vega(at)
    counts = spec["layer"][0]["layer"][0]["layer"][0]["encoding"]["y"]
    was = first["layer"][0]["layer"][0]["layer"][0]["encoding"]["y"]
    assert counts["scale"]["type"] == "log" and was["scale"]["type"] == "linear"
    assert counts["title"] == "pixels (log scale)" and was["title"] == "pixels"
    # a log axis has no 0: the empty gray levels are left out of the bars, every other one is drawn
    hist = first_data["hist"]
    assert data["hist"].reset_index(drop=True).equals(hist[hist["count"] > 0].reset_index(drop=True))
    assert data["variance"].equals(first_data["variance"]) and data["thresholds"].equals(first_data["thresholds"])
    assert data["manual"]["x"].tolist() == [manual + 3]


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


def test_objects_scatter_plots_the_table_the_page_shows_and_rings_the_outlined_object():
    """The scatter (a Vega-Lite chart: half a plotly scatter's redraw in the browser) holds, for every object of
    the page's own property table, its label, the two chosen measurements and its cluster; the outlined object
    is ringed at its own point; choosing another axis sends that column."""
    at = app_test("pages/objects.py", query={"highlight": "3"})
    no_exception(at)
    table = at.dataframe(key="objects:table").value
    spec, data = _vega(at)
    x, y = at.selectbox(key="objects:x").value, at.selectbox(key="objects:y").value
    points = data["points"]
    assert points["label"].tolist() == table["label"].tolist()
    np.testing.assert_array_equal(points["x"], table[x])
    np.testing.assert_array_equal(points["y"], table[y])
    assert points["cluster"].tolist() == table["cluster"].astype(str).tolist()
    row = table.index[table["label"] == 3][0]
    assert data["outline"].to_dict("records") == [{"x": float(table.at[row, x]), "y": float(table.at[row, y])}]
    other = next(o for o in at.selectbox(key="objects:x").options if o != str(x))
    at.selectbox(key="objects:x").select(other).run()
    no_exception(at)
    _, data = _vega(at)
    np.testing.assert_array_equal(data["points"]["x"], table[at.selectbox(key="objects:x").value])


def test_panorama_reuses_the_panorama_when_ransac_finds_the_same_transforms():
    """Warp + blend is keyed on the transforms: more max_trials that find the same ones (core says so) reuse the
    panorama ('cached'), a residual threshold that changes them recomputes it; the size is core's either way."""
    from core.images import fit_working_size, load_sample
    from core.keypoints import orb_features
    from core.panorama import RegistrationParams, orb_params, register_features

    at = app_test("pages/panorama.py", working_size=256)
    no_exception(at)
    views = [fit_working_size(load_sample(n), 256) for n in PN.ARCHES]

    def transforms(values):
        orb, params = orb_params(values), RegistrationParams.from_values(values)
        feats = [orb_features(v, **orb.kwargs()) for v in views]
        return [register_features(feats[i], feats[1], params).matrix for i in (0, 2)]

    def warp_delta():
        return next(m.delta for m in at.metric if m.label == "Warp + blend time")

    values = {name: at.session_state[f"panorama:{name}"] for name in PN.SCHEMA.fields}
    before, seen = transforms(values), []
    for name, value in (("max_trials", values["max_trials"] + 50), ("residual_threshold", 2.0)):
        at.slider(key=f"panorama:{name}").set_value(value).run()
        no_exception(at)
        values = {**values, name: value}
        now = transforms(values)
        same = all(np.array_equal(a, b) for a, b in zip(now, before, strict=True))
        assert warp_delta() == ("cached" if same else "computed now"), name
        out = PN.batch_outputs(views, values)
        h, w = out["panorama"].shape[:2]
        assert [m.value for m in at.metric if m.label == "Panorama"] == [f"{w}×{h} px"]
        before = now
        seen.append(same)
    assert seen == [True, False]  # 50 more trials: the same transforms; a wider threshold: new ones


def test_shown_labels_shrink_by_nearest_neighbour_and_keep_ids():
    """``ui.display.shown_labels``: ids stay ids (no blending), the shape is what ``show`` would send, and a
    small label image comes back as it is."""
    from ui.cache import Keyed
    from ui.display import shown_image, shown_labels

    rng = np.random.default_rng(0)
    labels = np.kron(rng.integers(0, 50, (30, 50)), np.ones((20, 20), np.int32))  # 600 × 1000, blocks of 20 px
    small = shown_labels(Keyed(labels), 640).array
    assert small.shape == (384, 640) and small.dtype == labels.dtype
    assert set(np.unique(small)) <= set(np.unique(labels))
    centres = (np.arange(30) * 12.8 + 6.4).astype(int), (np.arange(50) * 12.8 + 6.4).astype(int)
    np.testing.assert_array_equal(small[np.ix_(*centres)], labels[10::20, 10::20])  # each block keeps its id
    tiny = Keyed(labels[:100, :100])
    assert shown_labels(tiny, 640) is tiny
    photo = rng.integers(0, 256, (600, 1000, 3), dtype=np.uint8)
    assert shown_image(Keyed(photo), 640).array.shape[:2] == small.shape  # drawn on together, pixel for pixel


def test_shown_image_is_the_image_show_sends():
    """Drawing on ``shown_image`` then sending it unresized = sending the full image shrunk by ``show``."""
    import io

    from PIL import Image

    from ui.cache import Keyed
    from ui.display import encoded, shown_image

    photo = np.random.default_rng(1).integers(0, 256, (300, 500, 3), dtype=np.uint8)
    sent = np.asarray(Image.open(io.BytesIO(encoded(Keyed(photo), 200, photo=False))))
    np.testing.assert_array_equal(shown_image(Keyed(photo), 200).array, sent)


def test_encoded_sends_a_photo_as_jpeg_when_asked_and_by_size_otherwise():
    from ui.display import encoded

    small = np.random.default_rng(2).integers(0, 256, (100, 100, 3), dtype=np.uint8)
    assert encoded(small, photo=True)[:2] == b"\xff\xd8"  # JPEG
    assert encoded(small)[:8] == b"\x89PNG\r\n\x1a\n"  # small: PNG by default
    big = np.zeros((800, 800, 3), np.uint8)
    assert encoded(big)[:2] == b"\xff\xd8" and encoded(big, photo=False)[:4] == b"\x89PNG"


def test_keyed_table_digest_follows_values_index_and_column_names():
    import pandas as pd

    from ui.cache import keyed_table

    table = pd.DataFrame({"label": [1, 2, 3], "area": [10.0, 20.0, 30.0]})
    digest = keyed_table(table).digest
    assert keyed_table(table.copy()).digest == digest and keyed_table(table).array is table
    assert keyed_table(table.assign(area=[10.0, 20.0, 31.0])).digest != digest
    assert keyed_table(table.rename(columns={"area": "perimeter"})).digest != digest
    assert keyed_table(table.set_axis([0, 1, 5])).digest != digest
