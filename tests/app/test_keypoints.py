"""AppTest of the Keypoints page (pages/keypoints.py): Harris corners and ORB."""

from tests.app.conftest import app_test, no_exception, texts

PAGE = "pages/keypoints.py"
P = "keypoints"


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def count(at, label: str) -> int:
    return int(metric(at, label).replace(",", ""))


def test_default_is_the_tutorial_and_its_orb_exercise():
    at = app_test(PAGE)
    no_exception(at)
    assert at.selectbox(key=f"{P}:image").value == "camera"
    assert at.slider(key=f"{P}:n_keypoints").value == 400
    assert at.slider(key=f"{P}:fast_threshold").value == 0.02
    assert at.slider(key=f"{P}:min_distance").value == 1
    assert count(at, "Corners") > 50
    assert 100 < count(at, "ORB keypoints") <= 400
    code = "".join(c.value for c in at.code)
    assert "feature.corner_harris(gray" in code and "feature.ORB(n_keypoints=400, fast_threshold=0.02" in code
    assert not at.error
