"""AppTest of the Superpixels page (pages/superpixels.py)."""

import pytest

from core import superpixels as S
from tests.app.conftest import app_test, metric, no_exception

PAGE = "pages/superpixels.py"
P = "superpixels"


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def test_default_is_the_tutorial_setting():
    at = app_test(PAGE)
    no_exception(at)
    assert at.selectbox(key=f"{P}:method").value == "slic"
    assert at.slider(key=f"{P}:n_segments").value == 200
    assert at.select_slider(key=f"{P}:compactness").value == 20.0
    assert at.radio(key=f"{P}:merge").value == "kmeans"
    assert at.slider(key=f"{P}:k").value == 5
    assert int(metric(at, "Superpixels").replace(",", "")) > 50
    assert metric(at, "Regions after merging") == "5"
    code = "".join(c.value for c in at.code)
    assert "segmentation.slic(image, n_segments=200, compactness=20" in code


def test_second_stage_changes_output_without_recomputing_superpixels(monkeypatch):
    at = app_test(PAGE)
    calls = []
    real = S.segment
    monkeypatch.setattr(S, "segment", lambda *a, **kw: calls.append(a[1:]) or real(*a, **kw))
    at.slider(key=f"{P}:k").set_value(3).run()
    no_exception(at)
    assert metric(at, "Regions after merging") == "3"
    at.radio(key=f"{P}:merge").set_value("rag").run()
    no_exception(at)
    low = int(metric(at, "Regions after merging").replace(",", ""))
    at.slider(key=f"{P}:threshold").set_value(80.0).run()
    high = int(metric(at, "Regions after merging").replace(",", ""))
    assert high < low  # a higher colour threshold merges more
    assert calls == []  # the first stage came from the cache every time
    at.slider(key=f"{P}:n_segments").set_value(300).run()
    assert len(calls) == 1  # ...but a first-stage slider does recompute


@pytest.mark.parametrize("method", ["felzenszwalb", "quickshift", "watershed"])
def test_each_method_runs(method):
    at = app_test(PAGE)
    before = metric(at, "Superpixels")
    at.selectbox(key=f"{P}:method").set_value(method).run()
    no_exception(at)
    assert metric(at, "Superpixels") != before
    assert f"segmentation.{method}(" in "".join(c.value for c in at.code)


def test_presets_run():
    at = app_test(PAGE)
    at.button(key=f"{P}:preset:Exercise: astronaut").click().run()
    no_exception(at)
    assert at.sidebar.selectbox(key=f"{P}:image").value == "astronaut"
    assert at.slider(key=f"{P}:n_segments").value == 500
    assert metric(at, "Regions after merging") == "8"
    at.button(key=f"{P}:preset:Tutorial: Felzenszwalb").click().run()
    no_exception(at)
    assert at.selectbox(key=f"{P}:method").value == "felzenszwalb"
    assert at.radio(key=f"{P}:merge").value == "none"
    assert "Regions after merging" not in metrics(at)
    at.button(key=f"{P}:preset:Gallery: all four").click().run()
    no_exception(at)
    shown = [c.value for c in at.caption if " segments, " in c.value]
    assert len(shown) == 4, shown
    at.button(key=f"{P}:preset:Tutorial: SLIC → k-means").click().run()
    no_exception(at)
    assert at.sidebar.selectbox(key=f"{P}:image").value == "coffee"
    assert metric(at, "Regions after merging") == "5"


def test_k_larger_than_the_number_of_superpixels_is_a_message():
    at = app_test(PAGE, query={"method": "felzenszwalb", "scale": "1000", "min_size": "1000", "k": "20"})
    no_exception(at)
    assert any("larger than the number of superpixels" in e.value for e in at.error), [e.value for e in at.error]
    assert "Superpixels" in metrics(at)  # the first stage is still shown


def test_a_shared_link_opens_the_same_settings():
    query = {"image": "astronaut", "method": "felzenszwalb", "scale": "50", "fz_sigma": "1.2", "min_size": "40",
             "merge": "rag", "threshold": "40"}
    at = app_test(PAGE, query=query)
    no_exception(at)
    assert at.sidebar.selectbox(key=f"{P}:image").value == "astronaut"
    assert at.selectbox(key=f"{P}:method").value == "felzenszwalb"
    assert at.select_slider(key=f"{P}:scale").value == 50.0
    assert at.slider(key=f"{P}:fz_sigma").value == pytest.approx(1.2)
    assert at.slider(key=f"{P}:min_size").value == 40
    assert at.radio(key=f"{P}:merge").value == "rag"
    assert at.slider(key=f"{P}:threshold").value == 40.0
    assert not at.warning
    assert "cut_threshold(segments, rag, 40)" in "".join(c.value for c in at.code)


def test_a_garbage_link_falls_back_to_defaults_with_a_notice():
    at = app_test(PAGE, query={"method": "kmeans", "n_segments": "-3", "compactness": "abc", "k": "1e9"})
    no_exception(at)
    assert at.selectbox(key=f"{P}:method").value == "slic"
    assert at.slider(key=f"{P}:n_segments").value == 200
    assert at.slider(key=f"{P}:k").value == 5
    assert any("could not be used" in w.value for w in at.warning)


def _with_upload(image, **state):
    """The page after an upload of ``image`` (injected the way ui.images stores a decoded upload)."""
    upload = {"_upload": {"name": "tiny.png", "image": image, "original_shape": image.shape}, f"{P}:image": "upload"}
    return app_test(PAGE, session_state={**upload, **{f"{P}:{k}": v for k, v in state.items()}})


def test_bad_uploads_are_messages_not_tracebacks():
    import numpy as np

    small = np.random.default_rng(0).integers(0, 255, (30, 40, 3), dtype=np.uint8)  # 1 200 pixels
    at = _with_upload(small, n_segments=2000)
    no_exception(at)
    assert any("n_segments must be ≤ the number of pixels (1200)" in e.value for e in at.error)
    flat = np.full((64, 64, 3), 128, np.uint8)  # one colour
    at = _with_upload(flat, method="felzenszwalb")
    no_exception(at)
    assert metric(at, "Superpixels") == "1"
    assert any("single colour" in i.value for i in at.info)
    assert any("larger than the number of superpixels (1)" in e.value for e in at.error)
    assert any("cannot travel in a link" in c.value for c in at.caption)


def test_downloads_are_offered():
    at = app_test(PAGE)
    labels = [b.label for b in at.get("download_button")]
    assert {"Superpixel labels (PNG)", "Average-colour image (PNG)", "Merged labels (PNG)",
            "Download the script (.py)"} <= set(labels)
