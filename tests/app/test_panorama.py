"""AppTest of the Panorama page (pages/panorama.py): the tutorial's photos, presets, sources, bad inputs."""

import numpy as np
import pytest

import core.panorama as PN
from tests.app.conftest import app_test, no_exception, texts

PAGE = "pages/panorama.py"
P = "panorama"
FAST = {"source": "demo", "n_views": "2", "n_keypoints": "500"}  # a light input for tests not about the default


def metric_values(at, label: str) -> list[str]:
    return [m.value for m in at.metric if m.label == label]


def number(text: str) -> float:
    return float(text.split()[0].replace(",", ""))


def page_values(at) -> dict:
    return {name: at.session_state[f"{P}:{name}"] for name in PN.SCHEMA.fields}


def textured(shape, seed):
    from scipy import ndimage as ndi

    rng = np.random.default_rng(seed)
    image = ndi.gaussian_filter(rng.random(shape), 2.0)
    image = (image - image.min()) / (image.max() - image.min())
    return np.stack([(image * 255).astype(np.uint8)] * 3, axis=-1)


def uploads(*images):
    names = [f"photo{k + 1}.png" for k in range(len(images))]
    return {f"{P}:source": "upload", f"{P}:decoded": {"images": list(images), "names": names, "errors": []}}


def test_opens_on_the_tutorials_arches_and_shows_what_core_computes():
    at = app_test(PAGE, working_size=384)  # the Arches photos at 384 px keep the test short
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    values = page_values(at)
    assert {k: values[k] for k in PN.TUTORIAL} == PN.TUTORIAL
    from core.images import fit_working_size, load_sample

    out = PN.batch_outputs([fit_working_size(load_sample(n), 384) for n in PN.ARCHES], values)
    matches = [int(number(v)) for v in metric_values(at, "Matches")]
    inliers = [int(number(v)) for v in metric_values(at, "Inliers")]
    assert matches == [out["summary"]["matches_1"], out["summary"]["matches_3"]]
    assert inliers == [out["summary"]["inliers_1"], out["summary"]["inliers_3"]]
    h, w = out["panorama"].shape[:2]
    assert metric_values(at, "Panorama") == [f"{w}×{h} px"]
    code = "".join(c.value for c in at.code)
    assert 'io.imread("JDW_0302.jpg")' in code and "n_keypoints = 800" in code and "refine = False" in code
    assert "20.1 px" in texts(at)  # the improved pipeline's measured difference, one click away


def test_improved_preset_sets_every_value_and_drops_the_stereo_input():
    at = app_test(PAGE, query={"source": "stereo", "n_keypoints": "500"}, working_size=256)
    no_exception(at)
    assert "stereo_motorcycle" in texts(at)
    at.button(key=f"{P}:preset:Improved pipeline").click().run()
    no_exception(at)
    values = page_values(at)
    assert {k: values[k] for k in PN.IMPROVED} == PN.IMPROVED and values["source"] == "arches"


def test_known_truth_presets_show_the_measured_errors():
    at = app_test(PAGE)
    at.button(key=f"{P}:preset:Known truth: improved").click().run()
    no_exception(at)
    errors = [number(v) for v in metric_values(at, "Ground-truth error")]
    np.testing.assert_allclose(errors, PN.TRUTH_ERRORS["improved"], atol=0.006)
    at.button(key=f"{P}:preset:Known truth: tutorial").click().run()
    errors = [number(v) for v in metric_values(at, "Ground-truth error")]
    np.testing.assert_allclose(errors, PN.TRUTH_ERRORS["tutorial"], atol=0.006)


def test_a_blend_change_reruns_only_the_warp_stage_and_the_footer():
    at = app_test(PAGE, query=FAST)
    no_exception(at)
    at.radio(key=f"{P}:blend").set_value("average").run()
    no_exception(at)
    labels = {m.label for m in at.metric}
    assert "Panorama" in labels and "Matches" not in labels  # the matches fragment did not rerun
    assert any("blend = 'average'" in c.value for c in at.code)
    at.run()  # a full rerun (AppTest keeps only the rerun fragments' elements)
    at.slider(key=f"{P}:max_ratio").set_value(0.6).run()  # a matching change reruns matches, warp, footer
    assert {"Matches", "Panorama"} <= {m.label for m in at.metric}


@pytest.mark.parametrize("model", ["affine", "similarity", "euclidean"])
def test_each_model_runs(model):
    at = app_test(PAGE, query={**FAST, "model": model, "refine": "1"})
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert number(metric_values(at, "Inliers")[0]) >= 12
    assert number(metric_values(at, "Ground-truth error")[0]) < 25.0  # no perspective: close, not exact
    assert f"model = {model!r}" in "".join(c.value for c in at.code)


def test_upload_pair_stitches_and_says_link_cannot_carry_it():
    from tests.panorama_data import synthetic_pair

    base = textured((240, 240), 1)
    moving, fixed, _ = synthetic_pair(base, seed=2, rotation=5, shift=0.1, perspective=0.01)
    to8 = lambda a: (np.clip(a, 0, 1) * 255).astype(np.uint8)  # noqa: E731
    at = app_test(PAGE, session_state=uploads(to8(moving), to8(fixed)), query={"n_keypoints": "800"})
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert number(metric_values(at, "Inliers")[0]) >= 12
    assert "cannot travel in a link" in texts(at)
    assert "Image.open('photo1.png')" in "".join(c.value for c in at.code)


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
    at = app_test(PAGE, query={"source": "demo", "n_views": "2", "photo": "coffee", "n_keypoints": "700",
                               "max_ratio": "0.7", "model": "affine", "cross_check": "0"})
    no_exception(at)
    assert at.selectbox(key=f"{P}:photo").value == "coffee"
    assert at.slider(key=f"{P}:n_keypoints").value == 700
    assert at.selectbox(key=f"{P}:model").value == "affine"
    assert at.toggle(key=f"{P}:cross_check").value is False
    bad = app_test(PAGE, query={**FAST, "n_keypoints": "lots", "model": "banana"})
    no_exception(bad)
    assert bad.slider(key=f"{P}:n_keypoints").value == 800
    assert bad.selectbox(key=f"{P}:model").value == "projective"
    warning = " ".join(w.value for w in bad.warning)
    assert "could not be used" in warning and "The 'model' parameter must be one of" in warning
