"""AppTest of the Superpixels page (pages/superpixels.py): what it shows against the stages, the script and the
tutorial's own code."""

import numpy as np
import pytest
from skimage import color, segmentation
from sklearn.cluster import KMeans

from core import superpixels as S
from core.images import fit_working_size, load_sample
from tests.app.conftest import app_test, metric, no_exception
from tests.scripts import run_script

PAGE = "pages/superpixels.py"
P = "superpixels"


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def number(at, label: str) -> int:
    return int(metric(at, label).replace(",", ""))


def page_values(at) -> dict:
    return {name: at.session_state[f"{P}:{name}"] for name in S.SCHEMA.fields}


def test_opens_on_the_tutorial_cells_with_the_tutorials_numbers():
    """The tutorial's cells 40-44 on its spices photo, run here as the tutorial wrote them."""
    at = app_test(PAGE, working_size=1024)
    no_exception(at)
    values = page_values(at)
    assert values == S.PRESETS["Tutorial: SLIC → k-means"]
    spices = load_sample("spices")
    segments = segmentation.slic(spices, n_segments=200, compactness=20)  # the tutorial's cell
    assert number(at, "Superpixels") == len(np.unique(segments))
    assert number(at, "Clusters after merging") == 5
    page_labels = S.merge(spices, segments, **S.merge_kwargs(values))
    assert number(at, "Connected regions") == S.connected_regions(page_labels)
    at.toggle(key=f"{P}:tutorial_check").set_value(True).run()
    no_exception(at)
    result = color.label2rgb(segments, spices, kind="avg", bg_label=-1)  # cells 42, 44 (kind="mean" was renamed)
    im_lab = color.rgb2lab(result)
    data = np.array([im_lab[..., 1].ravel(), im_lab[..., 2].ravel()])
    tutorial = KMeans(n_clusters=5, random_state=0).fit(data.T).labels_.reshape(spices.shape[:-1])
    agreement = S.label_agreement(page_labels, tutorial)
    assert metric(at, "Pixels in agreement") == f"{100 * agreement:.1f} %"
    ours, theirs = (float(metric(at, m)) for m in ("Objective, this page", "Objective, tutorial's run"))
    assert ours == pytest.approx(S.kmeans_objective(spices, segments, page_labels), abs=0.01)
    assert theirs == pytest.approx(S.kmeans_objective(spices, segments, tutorial), abs=0.01)
    assert ours <= theirs
    print(f"\nspices, SLIC 200/20 → k-means 5: page objective {ours}, tutorial's {theirs}, agreement "
          f"{100 * agreement:.1f} %, {number(at, 'Connected regions')} connected regions")


def test_felzenszwalb_preset_is_the_tutorials_cell():
    at = app_test(PAGE, working_size=1024)
    at.button(key=f"{P}:preset:Tutorial: Felzenszwalb").click().run()
    no_exception(at)
    assert page_values(at) == S.PRESETS["Tutorial: Felzenszwalb"]
    result = segmentation.felzenszwalb(load_sample("spices"), scale=100)  # the tutorial's cell 46
    assert number(at, "Superpixels") == len(np.unique(result))
    assert "Clusters after merging" not in metrics(at)


def test_the_shown_script_reproduces_what_the_page_shows(tmp_path):
    at = app_test(PAGE, query={"image": "astronaut", "method": "watershed", "markers": "120", "k": "4",
                               "channels": "L,a,b", "compare": "1"})
    no_exception(at)
    values = page_values(at)
    image = fit_working_size(load_sample("astronaut"), 256)
    ns = run_script(P, values, tmp_path, image="astronaut", shape=load_sample("astronaut").shape, working_size=256)
    assert len(np.unique(ns["segments"])) == number(at, "Superpixels")
    segments = S.segment(image, values["method"], **S.segment_kwargs(values))
    np.testing.assert_array_equal(ns["segments"], segments)
    np.testing.assert_array_equal(ns["result"], S.merge(image, segments, **S.merge_kwargs(values)))
    assert f"{number(at, 'Connected regions')} connected regions" in ns["__stdout__"]
    assert len([c for c in at.caption if " segments, " in c.value]) == 4  # the gallery is shown...
    assert (tmp_path / "gallery_quickshift_boundaries.png").exists()  # ...and the script saves it
    code = "".join(c.value for c in at.code)
    assert "method = 'watershed'" in code and "compare = True" in code and "data.astronaut()" in code


def test_second_stage_changes_output_without_recomputing_superpixels(monkeypatch):
    at = app_test(PAGE)
    calls = []
    real = S.segment
    monkeypatch.setattr(S, "segment", lambda *a, **kw: calls.append(a[1:]) or real(*a, **kw))
    at.slider(key=f"{P}:k").set_value(3).run()
    no_exception(at)
    assert metric(at, "Clusters after merging") == "3"
    assert "k = 3" in "".join(c.value for c in at.code)
    at.radio(key=f"{P}:merge").set_value("rag").run()
    no_exception(at)
    low = number(at, "Clusters after merging")
    at.slider(key=f"{P}:threshold").set_value(80.0).run()
    assert number(at, "Clusters after merging") < low  # a higher colour threshold merges more
    assert calls == []  # the first stage came from the cache every time
    assert next(m for m in at.metric if m.label == "Compute time").proto.delta == "cached: reused"
    at.slider(key=f"{P}:n_segments").set_value(300).run()
    assert len(calls) == 1  # ...but a first-stage slider does recompute


@pytest.mark.parametrize("method", ["felzenszwalb", "quickshift", "watershed"])
def test_each_method_runs(method):
    at = app_test(PAGE)
    before = metric(at, "Superpixels")
    at.selectbox(key=f"{P}:method").set_value(method).run()
    no_exception(at)
    assert metric(at, "Superpixels") != before
    assert f"method = '{method}'" in "".join(c.value for c in at.code)


def test_presets_set_every_value():
    at = app_test(PAGE)
    at.button(key=f"{P}:preset:Gallery: all four").click().run()
    no_exception(at)
    assert len([c.value for c in at.caption if " segments, " in c.value]) == 4
    at.button(key=f"{P}:preset:Exercise: astronaut").click().run()
    no_exception(at)
    assert page_values(at) == S.PRESETS["Exercise: astronaut"]  # no gallery leftovers (fz_sigma, compare…)
    assert metric(at, "Clusters after merging") == "8"
    at.button(key=f"{P}:preset:Tutorial: SLIC → k-means").click().run()
    assert page_values(at) == S.PRESETS["Tutorial: SLIC → k-means"]


def test_a_slow_choice_asks_first_and_offers_a_smaller_size(monkeypatch):
    from core.superpixels import compare

    monkeypatch.setitem(compare.SECONDS_PER_PIXEL, "quickshift", 5e-5)  # as if this server were slower
    at = app_test(PAGE, query={"method": "quickshift", "image": "chelsea"}, working_size=1024)
    no_exception(at)
    assert "Superpixels" not in metrics(at)
    assert any("Quickshift at 451×300** takes about **7 s" in w.value for w in at.warning), [w.value for w in at.warning]
    at.button(key=f"{P}:run_slow_button:main").click().run()
    no_exception(at)
    assert "Superpixels" in metrics(at)
    at.slider(key=f"{P}:ratio").set_value(0.7).run()  # new settings: ask again
    assert "Superpixels" not in metrics(at)
    at.button(key=f"{P}:smaller:main").click().run()  # 256 px: about 2 s
    assert at.session_state["working_size"] == 256
    assert "Superpixels" in metrics(at)
    at.toggle(key=f"{P}:compare").set_value(True).run()  # the gallery's quickshift column is the same choice
    no_exception(at)
    assert len([c for c in at.caption if " segments, " in c.value]) == 4


def test_a_slow_choice_in_the_gallery_asks_in_its_column_too(monkeypatch):
    from core.superpixels import compare

    monkeypatch.setitem(compare.SECONDS_PER_PIXEL, "quickshift", 5e-5)
    at = app_test(PAGE, query={"method": "quickshift", "image": "chelsea", "compare": "1"}, working_size=1024)
    no_exception(at)
    assert len([w for w in at.warning if "takes about" in w.value]) == 2  # the main stage and the gallery column
    assert len([c for c in at.caption if " segments, " in c.value]) == 3  # the three other methods run
    at.button(key=f"{P}:run_slow_button:gallery").click().run()  # one answer for the same choice
    assert not [w for w in at.warning if "takes about" in w.value]


def test_k_larger_than_the_number_of_superpixels_is_a_message():
    at = app_test(PAGE, query={"method": "felzenszwalb", "scale": "1000", "min_size": "1000", "k": "20"})
    no_exception(at)
    assert any("The 'k' parameter must be at most the number of superpixels" in e.value for e in at.error)
    assert "Superpixels" in metrics(at)  # the first stage is still shown


def test_a_shared_link_opens_the_same_settings():
    query = {"image": "astronaut", "method": "felzenszwalb", "scale": "50", "fz_sigma": "1.2", "min_size": "40",
             "merge": "rag", "threshold": "40"}
    at = app_test(PAGE, query=query)
    no_exception(at)
    assert page_values(at) == S.SCHEMA.parse(query)
    assert not at.warning
    assert "threshold = 40.0" in "".join(c.value for c in at.code)


def test_a_garbage_link_falls_back_to_defaults_with_a_notice():
    at = app_test(PAGE, query={"method": "kmeans", "n_segments": "-3", "compactness": "abc", "k": "1e9"})
    no_exception(at)
    assert at.selectbox(key=f"{P}:method").value == "slic"
    assert at.slider(key=f"{P}:n_segments").value == 200
    notice = "".join(w.value for w in at.warning)
    assert "could not be used" in notice and "The 'n\\_segments' parameter must be an int" in notice


def _with_upload(image, **state):
    """The page after an upload of ``image`` (injected the way ui.images stores a decoded upload)."""
    upload = {"_upload": {"name": "tiny.png", "image": image, "original_shape": image.shape, "id": 1, "page": P},
              f"{P}:image": "upload"}
    return app_test(PAGE, session_state={**upload, **{f"{P}:{k}": v for k, v in state.items()}})


def test_bad_uploads_are_messages_and_downloads_are_named_once(monkeypatch):
    from ui import share

    names, real = set(), share.download_bytes
    monkeypatch.setattr(share, "download_bytes", lambda label, data, filename, *a, **kw: names.add(filename)
                        or real(label, data, filename, *a, **kw))
    small = np.random.default_rng(0).integers(0, 255, (30, 40, 3), dtype=np.uint8)  # 1 200 pixels
    at = _with_upload(small, n_segments=2000)
    no_exception(at)
    assert any("The 'n_segments' parameter must be an int in the range [1, 1200]" in e.value for e in at.error)
    flat = np.full((64, 64, 3), 128, np.uint8)  # one colour
    at = _with_upload(flat, method="felzenszwalb")
    no_exception(at)
    assert metric(at, "Superpixels") == "1"
    assert any("single colour" in i.value for i in at.info)
    assert any("at most the number of superpixels (1)" in e.value for e in at.error)
    assert any("cannot travel in a link" in c.value for c in at.caption)
    assert {"tiny_felzenszwalb_labels.png", "tiny_felzenszwalb_average.png"} <= names, names
    assert 'Image.open("your_image.png")' in "".join(c.value for c in at.code)
