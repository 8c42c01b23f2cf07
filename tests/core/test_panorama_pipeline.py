"""core.panorama's page-level pieces: schema and presets against the tutorial's own code, the script, batch outputs."""

import numpy as np
import pytest

import core.panorama as PN
from core.images import fit_working_size, load_sample
from core.keypoints import orb_features

PIPELINE = ("source", "n_keypoints", "fast_threshold", "n_scales", "downscale", "cross_check", "max_ratio", "model",
            "residual_threshold", "max_trials", "seed", "refine", "blend")


@pytest.fixture(scope="module")
def arches():
    return [load_sample(name) for name in PN.ARCHES]


@pytest.fixture(scope="module")
def tutorial_features(arches):
    """The tutorial's step 1 as written: ORB(n_keypoints=800, fast_threshold=0.05) on rgb2gray of each photo."""
    from skimage.color import rgb2gray
    from skimage.feature import ORB

    orb = ORB(n_keypoints=800, fast_threshold=0.05)
    out = []
    for image in arches:
        orb.detect_and_extract(rgb2gray(image))
        out.append((orb.keypoints.copy(), orb.descriptors.copy()))
    return out


@pytest.fixture(scope="module")
def page_features(arches):
    """The page's step 1 with the tutorial's settings (core.keypoints.orb_features)."""
    orb = PN.orb_params(values_of("Tutorial: Arches"))
    return [orb_features(image, **orb.kwargs()) for image in arches]


def values_of(preset: str, **extra) -> dict:
    return PN.SCHEMA.parse(extra, base={**PN.SCHEMA.defaults(), **PN.PRESETS[preset]})


def test_schema_opens_on_the_tutorial_and_presets_set_everything_they_depend_on():
    defaults = PN.SCHEMA.defaults()
    assert {k: defaults[k] for k in PN.TUTORIAL} == PN.TUTORIAL and defaults["source"] == "arches"
    assert all(f.help for f in PN.SCHEMA.fields.values())
    for name, preset in PN.PRESETS.items():
        assert set(PIPELINE) <= set(preset), name  # e.g. "Improved" no longer keeps the stereo input
        if preset["source"] == "demo":
            assert {"photo", "n_views", "view_seed"} <= set(preset)
        assert PN.SCHEMA.parse(preset) and name in PN.PRESET_HELP
    assert PN.PRESETS["Improved pipeline"]["source"] == "arches"
    with pytest.raises(ValueError, match=r"The 'residual_threshold' parameter must be a finite float in the range "
                                         r"\[0\.5, 10\]; got '99'\."):
        PN.SCHEMA.parse_link("panorama?residual_threshold=99")


def test_tutorial_preset_is_the_tutorials_code(arches, tutorial_features, page_features):
    """adv3_panorama-stitching's steps 1–2 as written (seeded: rng=0) against the page's stages."""
    from skimage.feature import match_descriptors
    from skimage.measure import ransac
    from skimage.transform import ProjectiveTransform

    params = PN.RegistrationParams.from_values(values_of("Tutorial: Arches"))
    feats = page_features
    for (kp, desc), f in zip(tutorial_features, feats, strict=True):
        np.testing.assert_array_equal(f.keypoints, kp)
        np.testing.assert_array_equal(f.descriptors, desc)
    (kp0, d0), (kp1, d1), (kp2, d2) = tutorial_features
    matches01 = match_descriptors(d0, d1, cross_check=True)
    model01, inliers01 = ransac((kp0[matches01[:, 0]][:, ::-1], kp1[matches01[:, 1]][:, ::-1]), ProjectiveTransform,
                                min_samples=4, residual_threshold=1, max_trials=300, rng=0)
    matches12 = match_descriptors(d1, d2, cross_check=True)
    model12, _ = ransac((kp2[matches12[:, 1]][:, ::-1], kp1[matches12[:, 0]][:, ::-1]), ProjectiveTransform,
                        min_samples=4, residual_threshold=1, max_trials=300, rng=0)
    reg0 = PN.register_features(feats[0], feats[1], params)
    reg2 = PN.register_features(feats[2], feats[1], params)
    np.testing.assert_array_equal(reg0.matches, matches01)  # the same 425 matches
    np.testing.assert_allclose(reg0.matrix, model01.params / model01.params[2, 2], atol=1e-9)  # the same fit
    np.testing.assert_array_equal(reg0.inliers, inliers01)  # and the same inliers (263 of 425)
    assert len(reg2.matches) == len(matches12)  # cross-checked matching is symmetric: the same 456 pairs
    # the tutorial matches 1 → 2, so RANSAC samples the pairs in another order: 1.84 px apart, the spread the
    # tutorial warns of ("everyone will have a slightly different path") for 300 trials at 1 px
    assert PN.corner_error(reg2.matrix, model12.params, arches[2].shape) < 2.5


def test_example_pano_preset_is_the_first_notebooks_code(arches):
    """example_pano.ipynb: ORB(1000, 0.05), match_descriptors(cross_check=True), ransac(residual_threshold=2).

    The notebook works on photos rescaled to a quarter; here the Arches photos at 360 px (its Petra photos are not
    bundled)."""
    from skimage.color import rgb2gray
    from skimage.feature import ORB, match_descriptors
    from skimage.measure import ransac
    from skimage.transform import ProjectiveTransform

    image0, image1 = (fit_working_size(a, 360) for a in arches[:2])
    orb = ORB(n_keypoints=1000, fast_threshold=0.05)
    orb.detect_and_extract(rgb2gray(image0))
    keypoints1, descriptors1 = orb.keypoints, orb.descriptors
    orb.detect_and_extract(rgb2gray(image1))
    keypoints2, descriptors2 = orb.keypoints, orb.descriptors
    matches12 = match_descriptors(descriptors1, descriptors2, cross_check=True)
    model, _ = ransac((keypoints1[matches12[:, 0]][:, ::-1], keypoints2[matches12[:, 1]][:, ::-1]),
                      ProjectiveTransform, min_samples=4, residual_threshold=2, rng=0)
    values = values_of("example_pano notebook")
    assert values["blend"] == "average" and values["max_trials"] == 100  # ransac's default number of trials
    orb_p = PN.orb_params(values)
    reg = PN.register_features(orb_features(image0, **orb_p.kwargs()), orb_features(image1, **orb_p.kwargs()),
                               PN.RegistrationParams.from_values(values))
    np.testing.assert_allclose(reg.matrix, model.params / model.params[2, 2], atol=1e-9)


def test_truth_errors_the_page_states_are_measured():
    demo = PN.demo_views(load_sample("china"), n_views=3, seed=0)
    for pipeline, preset in (("tutorial", "Known truth: tutorial"), ("improved", "Known truth: improved")):
        values = values_of(preset)
        assert (values["photo"], values["n_views"], values["view_seed"]) == ("china", 3, 0)
        orb, params = PN.orb_params(values), PN.RegistrationParams.from_values(values)
        feats = [orb_features(v, **orb.kwargs()) for v in demo.views]
        errors = [PN.corner_error(PN.register_features(feats[i], feats[1], params).matrix, demo.true_matrix(i, 1),
                                  demo.views[i].shape) for i in (0, 2)]
        np.testing.assert_allclose(errors, PN.TRUTH_ERRORS[pipeline], atol=0.006)
    assert "20.1 px" in PN.TRUTH_NOTE


def test_batch_outputs_take_one_set_of_images(arches):
    values = values_of("Improved pipeline", n_keypoints="500")
    views = [fit_working_size(a, 240) for a in arches]
    out = PN.batch_outputs(views, values)
    assert set(out) == {"panorama", "transforms", "matches_1", "matches_3", "summary"}
    assert out["panorama"].dtype == np.uint8 and out["summary"]["width"] == out["panorama"].shape[1]
    assert list(out["transforms"]["image"]) == ["image 1", "image 2", "image 3"]
    assert out["summary"]["inliers_1"] <= out["summary"]["matches_1"]
    with pytest.raises(PN.RegistrationError, match="at least 2"):
        PN.batch_outputs(views[:1], values)


def test_pick_uploads_uses_what_was_dropped_last():
    files = [("a", "1.jpg"), ("b", "2.jpg"), ("c", "3.jpg")]
    assert PN.pick_uploads([], files)[0] == [0, 1, 2]
    # a new pair dropped onto three earlier files: the pair, in name order
    more = files + [("e", "z.jpg"), ("d", "y.jpg")]
    used, note = PN.pick_uploads(["a", "b", "c"], more)
    assert used == [4, 3] and "y.jpg, z.jpg" in note and "3 other uploaded files are ignored" in note
    # one more file: the last three uploaded
    assert PN.pick_uploads(["a", "b", "c"], files + [("f", "4.jpg")])[0] == [1, 2, 3]


@pytest.mark.parametrize("source", ["arches", "demo", "stereo", "upload"])
def test_script_images_load_each_source_in_one_line_each(source):
    values = {**PN.SCHEMA.defaults(), "source": source}
    lines = PN.script_images(values, shapes=[(600, 900, 3)] * 2, names=["left.jpg", "right.jpg"], working_size=1024)
    compile("\n".join(lines), "block", "exec")
    assert lines[-1].startswith("images: list = [")
    text = "\n".join(lines)
    assert {"arches": "JDW_0302.jpg", "demo": "Download the views", "stereo": "stereo_motorcycle()",
            "upload": "'left.jpg'"}[source] in text
