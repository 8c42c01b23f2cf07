"""AppTest of the Keypoints page (pages/keypoints.py): Harris corners and ORB."""

from tests.app.conftest import app_test, metric, no_exception, texts

PAGE = "pages/keypoints.py"
P = "keypoints"


def count(at, label: str) -> int:
    return int(metric(at, label).replace(",", ""))


def test_default_is_the_tutorial_and_its_orb_exercise():
    at = app_test(PAGE)
    no_exception(at)
    assert at.selectbox(key=f"{P}:image").value == "camera"
    assert at.slider(key=f"{P}:n_keypoints").value == 400
    assert at.slider(key=f"{P}:fast_threshold").value == 0.02
    assert at.slider(key=f"{P}:min_distance").value == 10  # corner_peaks' defaults when the tutorial was written
    assert at.slider(key=f"{P}:threshold_rel").value == 0.1
    assert 10 < count(at, "Corners") < 200
    assert 100 < count(at, "ORB keypoints") <= 400
    code = "".join(c.value for c in at.code)
    assert "feature.corner_harris(gray" in code and "feature.ORB(n_keypoints=400, fast_threshold=0.02" in code
    assert not at.error


def test_sliders_change_the_corners_and_keypoints():
    at = app_test(PAGE)
    strong = count(at, "Corners")
    at.button(key=f"{P}:preset:corner_peaks: today's defaults").click().run()
    no_exception(at)
    assert at.slider(key=f"{P}:min_distance").value == 1
    assert count(at, "Corners") > 5 * strong  # every local maximum counts now
    at.slider(key=f"{P}:n_keypoints").set_value(100).run()
    no_exception(at)
    assert count(at, "ORB keypoints") == 100
    at.slider(key=f"{P}:n_scales").set_value(1).run()
    assert metric(at, "Pyramid levels used") == "1 of 1"


def test_eps_method_and_heat_map_run():
    at = app_test(PAGE, query={"method": "eps", "show": "response"})
    no_exception(at)
    assert at.radio(key=f"{P}:method").value == "eps"
    assert count(at, "Corners") > 0
    assert "method='eps'" in "".join(c.value for c in at.code)
    assert "red" in texts(at) and "blue" in texts(at)  # the heat map's caption explains its colours


def test_link_with_values_and_garbage():
    at = app_test(PAGE, query={"image": "coins", "sigma": "2.5", "n_keypoints": "250", "fast_threshold": "0.05",
                               "min_distance": "5"})
    no_exception(at)
    assert at.selectbox(key=f"{P}:image").value == "coins"
    assert at.slider(key=f"{P}:sigma").value == 2.5
    assert at.slider(key=f"{P}:n_keypoints").value == 250
    assert at.slider(key=f"{P}:fast_threshold").value == 0.05
    assert at.slider(key=f"{P}:min_distance").value == 5
    bad = app_test(PAGE, query={"n_keypoints": "-3", "method": "harris?", "sigma": "nan"})
    no_exception(bad)
    assert bad.slider(key=f"{P}:n_keypoints").value == 400
    assert bad.radio(key=f"{P}:method").value == "k"
    assert any("could not be used" in w.value for w in bad.warning)


def test_flat_upload_says_why_there_are_no_keypoints():
    import numpy as np

    flat = np.full((200, 200), 128, np.uint8)
    at = app_test(PAGE, session_state={"_upload": {"name": "flat.png", "image": flat, "original_shape": flat.shape},
                                       f"{P}:image": "upload"})
    no_exception(at)
    assert any("No ORB keypoints" in e.value for e in at.error)
    assert count(at, "Corners") == 0
    assert "No corner passes the threshold" in texts(at)
