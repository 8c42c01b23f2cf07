"""AppTest of the Panorama page (pages/panorama.py): every input mode, every model, bad inputs."""

import numpy as np
import pytest

from tests.app.conftest import app_test, no_exception, texts

PAGE = "pages/panorama.py"
P = "panorama"
FAST = {"n_views": "2", "n_keypoints": "800"}  # a lighter demo for the tests that are not about the default


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def metric_values(at, label: str) -> list[str]:
    return [m.value for m in at.metric if m.label == label]


def textured(shape, seed):
    from scipy import ndimage as ndi

    rng = np.random.default_rng(seed)
    image = ndi.gaussian_filter(rng.random(shape), 2.0)
    image = (image - image.min()) / (image.max() - image.min())
    return np.stack([(image * 255).astype(np.uint8)] * 3, axis=-1)


def uploads(*images):
    names = [f"photo{k + 1}.png" for k in range(len(images))]
    return {f"{P}:source": "upload", f"{P}:decoded": {"images": list(images), "names": names, "errors": []}}


def test_default_demo_recovers_the_truth_and_stitches():
    at = app_test(PAGE)
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert at.slider(key=f"{P}:n_keypoints").value == 2000
    assert at.selectbox(key=f"{P}:model").value == "projective"
    errors = [float(v.split()[0]) for v in metric_values(at, "Ground-truth error")]
    assert len(errors) == 2 and max(errors) < 2.0  # both side views placed within 2 px of the truth
    inliers = [int(v.replace(",", "")) for v in metric_values(at, "Inliers")]
    assert min(inliers) > 50
    width, height = map(int, metrics(at)["Panorama"].split()[0].split("×"))
    assert width > 1.5 * height  # three views side by side make a wide panorama
    code = "".join(c.value for c in at.code)
    assert "feature.ORB(n_keypoints=2000" in code and "result = panorama" in code


@pytest.mark.parametrize("model", ["projective", "affine", "similarity", "euclidean"])
def test_each_model_runs(model):
    at = app_test(PAGE, query={**FAST, "model": model, "blend": "seam"})
    no_exception(at)
    assert at.selectbox(key=f"{P}:model").value == model
    assert at.radio(key=f"{P}:blend").value == "seam"
    assert not at.error, [e.value for e in at.error]
    assert int(metric_values(at, "Inliers")[0].replace(",", "")) >= 12
    error = float(metric_values(at, "Ground-truth error")[0].split()[0])
    # 8 degrees of freedom recover the views' mild perspective; the restricted models cannot, but stay close
    assert error < (2.0 if model == "projective" else 25.0)
    assert "Panorama" in metrics(at)
    assert f"_ransac(src, dst, {model!r}" in "".join(c.value for c in at.code)


def test_tutorial_preset_and_a_slider_change_the_result():
    at = app_test(PAGE, query=FAST)
    before = metric_values(at, "Matches")
    at.button(key=f"{P}:preset:Tutorial pipeline").click().run()
    no_exception(at)
    assert at.slider(key=f"{P}:n_keypoints").value == 800
    assert at.slider(key=f"{P}:residual_threshold").value == 1.0
    assert at.toggle(key=f"{P}:refine").value is False
    at.slider(key=f"{P}:max_ratio").set_value(0.6).run()
    no_exception(at)
    after = metric_values(at, "Matches")
    assert int(after[0].replace(",", "")) < int(before[0].replace(",", ""))  # a stricter ratio test keeps fewer


def test_stereo_pair_runs():
    at = app_test(PAGE, query={"source": "stereo", "n_keypoints": "800"})
    no_exception(at)
    assert "stereo_motorcycle" in texts(at)
    assert int(metric_values(at, "Inliers")[0].replace(",", "")) >= 12
    assert "data.stereo_motorcycle()" in "".join(c.value for c in at.code)


def test_upload_without_files_asks_for_photos():
    at = app_test(PAGE, query={"source": "upload"})
    no_exception(at)
    assert "Upload 2–3 overlapping photos" in texts(at)


def test_upload_pair_stitches_and_says_link_cannot_carry_it():
    from core.panorama import synthetic_pair

    base = textured((240, 240), 1)
    moving, fixed, _ = synthetic_pair(base, seed=2, rotation=5, shift=0.1, perspective=0.01)
    to8 = lambda a: (np.clip(a, 0, 1) * 255).astype(np.uint8)  # noqa: E731
    at = app_test(PAGE, session_state=uploads(to8(moving), to8(fixed)), query={"n_keypoints": "800"})
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert int(metric_values(at, "Inliers")[0].replace(",", "")) >= 12
    assert "cannot travel in a link" in texts(at)


@pytest.mark.parametrize(
    "images, words",
    [
        ((np.full((240, 240, 3), 128, np.uint8), textured((240, 240), 1)), "No ORB keypoints"),
        ((textured((240, 240), 1), textured((240, 240), 2)), "overlap"),
        ((textured((240, 240), 1),), "at least 2"),
        ((textured((256, 256), 1), textured((90, 90), 1)), "very different sizes"),
    ],
    ids=["flat", "unrelated", "one-image", "sizes"],
)
def test_bad_uploads_get_a_clear_message(images, words):
    at = app_test(PAGE, session_state=uploads(*images), query={"n_keypoints": "500"})
    no_exception(at)
    assert any(words in e.value for e in at.error), [e.value for e in at.error]


def test_link_with_values_and_garbage():
    at = app_test(PAGE, query={"n_views": "2", "photo": "coffee", "n_keypoints": "700", "max_ratio": "0.7",
                               "model": "affine", "cross_check": "0"})
    no_exception(at)
    assert at.selectbox(key=f"{P}:photo").value == "coffee"
    assert at.slider(key=f"{P}:n_views").value == 2
    assert at.slider(key=f"{P}:n_keypoints").value == 700
    assert at.slider(key=f"{P}:max_ratio").value == 0.7
    assert at.selectbox(key=f"{P}:model").value == "affine"
    assert at.toggle(key=f"{P}:cross_check").value is False
    bad = app_test(PAGE, query={**FAST, "n_keypoints": "lots", "model": "banana"})
    no_exception(bad)
    assert bad.slider(key=f"{P}:n_keypoints").value == 2000
    assert bad.selectbox(key=f"{P}:model").value == "projective"
    assert any("could not be used" in w.value for w in bad.warning)
