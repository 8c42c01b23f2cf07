"""AppTest of the Keypoints page (pages/keypoints.py): Harris corners and ORB, compared with core and the script."""

import numpy as np

from core import keypoints as K
from tests.app.conftest import app_test, metric, no_exception, texts

PAGE = "pages/keypoints.py"
P = "keypoints"


def count(at, label: str) -> int:
    return int(metric(at, label).replace(",", ""))


def image_captions(at) -> str:
    """The captions of every st.image of the last run."""
    return "\n".join(img.caption for element in at.get("image") for img in element.proto.imgs)


def page_values(at) -> dict:
    """The values the page used, read from its session state."""
    return {name: at.session_state[f"{P}:{name}"] for name in K.SCHEMA.fields}


def test_a_harris_slider_reruns_only_its_stage_and_the_footer():
    at = app_test(PAGE)
    strong = count(at, "Corners")
    at.slider(key=f"{P}:min_distance").set_value(1).run()
    no_exception(at)
    labels = [m.label for m in at.metric]
    assert "Corners" in labels and "ORB keypoints" not in labels  # the ORB fragment did not rerun
    assert count(at, "Corners") > strong
    assert any("min_distance = 1" in c.value for c in at.code)  # the footer's script follows the change
    assert at.query_params["min_distance"] in ("1", ["1"])  # and the link


def test_presets_and_orb_sliders_change_the_keypoints():
    at = app_test(PAGE)
    strong = count(at, "Corners")
    at.button(key=f"{P}:preset:Today's corner_peaks").click().run()
    no_exception(at)
    assert at.slider(key=f"{P}:min_distance").value == 1
    assert count(at, "Corners") > 5 * strong  # every local maximum counts now
    at.slider(key=f"{P}:n_keypoints").set_value(100).run()
    no_exception(at)
    assert count(at, "ORB keypoints") == 100
    at.slider(key=f"{P}:n_scales").set_value(1).run()
    assert metric(at, "Pyramid levels used") == "1 of 1"
    assert "cached" in metric(at, "ORB time") or at.metric  # a time metric is shown on every run
    at.run()  # a full rerun: everything from the cache, and the time metric says so
    orb_time = next(m for m in at.metric if m.label == "ORB time")
    assert "cached" in str(orb_time.proto.delta)


def test_eps_method_and_heat_map_run():
    at = app_test(PAGE, query={"method": "eps", "show": "response"})
    no_exception(at)
    assert at.radio(key=f"{P}:method").value == "eps"
    assert count(at, "Corners") > 0
    assert "method = 'eps'" in "".join(c.value for c in at.code)
    assert "The Harris measure of camera" in image_captions(at)
    assert "**Red**" in texts(at) and "**blue**" in texts(at)  # the heat map's colours are explained


def test_link_with_values_and_garbage():
    at = app_test(PAGE, query={"image": "coins", "sigma": "2.5", "n_keypoints": "250", "fast_threshold": "0.05",
                               "min_distance": "5"})
    no_exception(at)
    assert at.selectbox(key=f"{P}:image").value == "coins"
    assert at.slider(key=f"{P}:sigma").value == 2.5
    assert at.slider(key=f"{P}:n_keypoints").value == 250
    assert image_captions(at).startswith("The Harris measure of coins") or "coins (" in image_captions(at)
    bad = app_test(PAGE, query={"n_keypoints": "-3", "method": "harris?", "sigma": "nan"})
    no_exception(bad)
    assert bad.slider(key=f"{P}:n_keypoints").value == 400
    assert bad.radio(key=f"{P}:method").value == "k"
    warning = " ".join(w.value for w in bad.warning)
    assert "could not be used" in warning and "The 'n\\_keypoints' parameter must be an int" in warning


def test_flat_upload_says_why_there_are_no_keypoints():
    flat = np.full((200, 200), 128, np.uint8)
    at = app_test(PAGE, session_state={"_upload": {"name": "flat.png", "image": flat, "original_shape": flat.shape,
                                                   "id": "flat-test"},
                                       f"{P}:image": "upload"})
    no_exception(at)
    assert any("No ORB keypoints" in e.value for e in at.error)
    assert count(at, "Corners") == 0
    assert "No corner passes the threshold" in texts(at)
