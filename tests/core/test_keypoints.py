"""Unit tests of core.keypoints (Harris corners, ORB) on small synthetic images."""

import numpy as np
import pytest

from core.keypoints import harris_corners, harris_response, keypoint_glyphs, orb_features


def white_square(size=64, lo=20, hi=44):
    image = np.zeros((size, size))
    image[lo:hi, lo:hi] = 1.0
    return image


def textured(size=128, seed=0):
    from scipy import ndimage as ndi

    rng = np.random.default_rng(seed)
    image = ndi.gaussian_filter(rng.random((size, size)), 2.0)
    return (image - image.min()) / (image.max() - image.min())


def test_harris_finds_the_four_corners_of_a_white_square():
    corners = harris_corners(white_square(), min_distance=3, threshold_rel=0.1)
    assert corners.shape == (4, 2)
    expected = np.array([[20, 20], [20, 43], [43, 20], [43, 43]])
    found = sorted(map(tuple, corners))
    assert np.abs(np.array(found) - expected).max() <= 1


def test_harris_corners_strongest_first_and_num_peaks():
    image = white_square()
    image[5:12, 50:60] = 0.4  # a weaker rectangle: weaker corners
    response = harris_response(image)
    corners = harris_corners(image, min_distance=2, threshold_rel=0.01)
    values = response[corners[:, 0], corners[:, 1]]
    assert np.all(np.diff(values) <= 0)
    top4 = harris_corners(image, min_distance=2, threshold_rel=0.01, num_peaks=4)
    assert len(top4) == 4
    assert sorted(map(tuple, top4)) == sorted(map(tuple, corners[:4]))


def test_harris_any_dtype_and_colour_same_result():
    square = white_square()
    as_uint8 = (square * 255).astype(np.uint8)
    rgb = np.dstack([as_uint8] * 3)
    ref = harris_response(square)
    assert harris_response(as_uint8).shape == (64, 64)
    np.testing.assert_allclose(harris_response(as_uint8), ref, atol=1e-12)
    np.testing.assert_allclose(harris_response(rgb), ref, atol=1e-6)


def test_harris_eps_method_and_precomputed_response():
    image = white_square()
    r_eps = harris_response(image, method="eps", eps=1e-6)
    assert r_eps.max() > 0
    corners = harris_corners(image, method="eps", min_distance=3, threshold_rel=0.1)
    assert len(corners) == 4
    same = harris_corners(image, response=r_eps, min_distance=3, threshold_rel=0.1)
    np.testing.assert_array_equal(same, corners)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(method="x"), r"The 'method' parameter must be one of \{'k', 'eps'\}; got 'x'\."),
        (dict(k=0.5), r"The 'k' parameter must be a finite float in the range \[0, 0\.25\]; got 0\.5\."),
        (dict(sigma=0), r"The 'sigma' parameter must be a finite float > 0; got 0\."),
        (dict(min_distance=0), r"The 'min_distance' parameter must be an int ≥ 1; got 0\."),
        (dict(threshold_rel=2.0), r"The 'threshold_rel' parameter must be a finite float in the range \[0, 1\]"),
    ],
)
def test_harris_bad_parameters_say_what_to_fix(kwargs, words):
    with pytest.raises(ValueError, match=words):
        harris_corners(white_square(), **kwargs)


def test_harris_rejects_tiny_image():
    with pytest.raises(ValueError, match="too small"):
        harris_corners(np.zeros((4, 4)))


def test_orb_shapes_are_consistent():
    feats = orb_features(textured(), n_keypoints=100, fast_threshold=0.02)
    n = len(feats)
    assert 10 <= n <= 100
    keypoints, scales, orientations, descriptors = feats
    assert keypoints.shape == (n, 2) and scales.shape == (n,) and orientations.shape == (n,)
    assert descriptors.shape == (n, 256) and descriptors.dtype == bool
    assert feats.responses.shape == (n,)
    assert feats.shape == (128, 128)
    assert np.all(keypoints >= 0) and np.all(keypoints < 128)
    assert np.all(scales >= 1) and np.all(np.abs(orientations) <= np.pi + 1e-9)


def test_orb_tutorial_exercise_on_camera_gives_400_keypoints():
    from skimage import data

    feats = orb_features(data.camera(), n_keypoints=400, fast_threshold=0.02)
    assert len(feats) == 400
    assert len(np.unique(feats.scales)) > 1  # several pyramid levels


def test_orb_n_keypoints_caps_and_rotation_turns_orientations():
    image = textured(160, seed=3)
    feats = orb_features(image, n_keypoints=30, fast_threshold=0.02, n_scales=1)
    assert len(feats) == 30
    rotated = orb_features(np.rot90(image), n_keypoints=30, fast_threshold=0.02, n_scales=1)
    # the strongest keypoint moves with the image: (r, c) -> (W-1-c, r)
    r, c = feats.keypoints[0]
    moved = np.array([160 - 1 - c, r])
    assert np.min(np.linalg.norm(rotated.keypoints - moved, axis=1)) < 1.5


def test_orb_flat_image_says_no_keypoints():
    with pytest.raises(ValueError, match="No ORB keypoints"):
        orb_features(np.full((100, 100), 0.5))


def test_orb_small_image_and_bad_parameters():
    with pytest.raises(ValueError, match="at least 64"):
        orb_features(np.zeros((40, 40)))
    with pytest.raises(ValueError, match="fast_threshold"):
        orb_features(textured(), fast_threshold=0)
    with pytest.raises(ValueError, match="downscale"):
        orb_features(textured(), downscale=1.0)
    with pytest.raises(ValueError, match="n_keypoints"):
        orb_features(textured(), n_keypoints=0)


def test_keypoint_glyphs_circle_radius_and_tick_direction():
    kp = np.array([[10.0, 20.0], [50.0, 60.0]])
    cx, cy, tx, ty = keypoint_glyphs(kp, np.array([1.0, 2.0]), np.array([0.0, np.pi / 2]), base_radius=4, n_vertices=8)
    assert cx.shape == cy.shape == (2 * 10,)
    assert np.isnan(cx[9]) and np.isnan(cx[19])
    r0 = np.hypot(cx[:9] - 20, cy[:9] - 10)
    r1 = np.hypot(cx[10:19] - 60, cy[10:19] - 50)
    np.testing.assert_allclose(r0, 4)
    np.testing.assert_allclose(r1, 8)
    # tick of the first keypoint points along +x (columns), the second along +y (rows)
    np.testing.assert_allclose([tx[1], ty[1]], [24, 10], atol=1e-12)
    np.testing.assert_allclose([tx[4], ty[4]], [60, 58], atol=1e-12)
    with pytest.raises(ValueError, match="same length"):
        keypoint_glyphs(kp, np.ones(3), np.zeros(2))




def test_bad_orb_parameters_use_the_one_message_form():
    with pytest.raises(ValueError, match=r"^The 'fast_threshold' parameter must be a finite float in the range "
                                         r"\(0, 1\); got 1\.5\.$"):
        orb_features(textured(), fast_threshold=1.5)
    with pytest.raises(ValueError, match=r"^The 'downscale' parameter must be a finite float in the range \(1, 4\]"):
        orb_features(textured(), downscale=1)


# --------------------------------------------------------------------------- schema, drawing, batch outputs
def test_schema_defaults_are_the_tutorial_and_parse_checks_ranges():
    from core.keypoints import SCHEMA, TUTORIAL

    defaults = SCHEMA.defaults()
    assert {k: defaults[k] for k in TUTORIAL} == TUTORIAL
    assert all(f.help for f in SCHEMA.fields.values())
    assert SCHEMA.parse_link("keypoints?sigma=2.5&method=eps")["sigma"] == 2.5
    with pytest.raises(ValueError, match=r"The 'n_keypoints' parameter must be an int in the range \[10, 3000\]"):
        SCHEMA.parse({"n_keypoints": "5"})


def test_params_dataclasses_read_page_values():
    from core.keypoints import SCHEMA, HarrisParams, ORBParams

    values = SCHEMA.parse({"sigma": "2", "fast_n": "12"})
    assert HarrisParams.from_values(values).sigma == 2.0
    assert HarrisParams.from_values(values).response_kwargs() == {"method": "k", "k": 0.05, "eps": 1e-6, "sigma": 2.0}
    assert ORBParams.from_values(values).kwargs()["fast_n"] == 12
    assert ORBParams.from_values({"n_keypoints": 800}) == ORBParams(n_keypoints=800)  # others: skimage's defaults


def test_drawings_mark_the_corners_and_keypoints():
    from core.keypoints import CORNER_COLOUR, draw_corners, draw_keypoints, response_image

    image = white_square(96, 30, 66)
    corners = harris_corners(image, min_distance=3, threshold_rel=0.1)
    overlay = draw_corners(image, corners, radius=4)
    assert overlay.shape == (96, 96, 3) and overlay.dtype == np.uint8
    r, c = corners[0]
    assert tuple(overlay[r, c + 4]) == CORNER_COLOUR and tuple(overlay[r, c]) != CORNER_COLOUR
    feats = orb_features(textured(), n_keypoints=50, fast_threshold=0.02)
    drawn = draw_keypoints(textured(), feats)
    assert drawn.shape == (128, 128, 3)
    assert np.any(drawn[..., 0] != drawn[..., 1])  # coloured glyphs on a gray image
    heat = response_image(np.array([[-1.0, 0.0, 1.0]]))
    assert heat[0, 1].tolist() == [255, 255, 255] and heat[0, 2, 0] > heat[0, 2, 2] and heat[0, 0, 2] > heat[0, 0, 0]


def test_batch_outputs_are_what_the_stages_give():
    from core.keypoints import SCHEMA, batch_outputs, features_table

    image = textured(160, seed=4)
    values = SCHEMA.parse({"min_distance": "3", "threshold_rel": "0.05", "n_keypoints": "60"})
    out = batch_outputs(image, values)
    corners = harris_corners(image, min_distance=3, threshold_rel=0.05)
    response = harris_response(image)
    table = features_table(corners, response, orb_features(image, n_keypoints=60, fast_threshold=0.02))
    import pandas as pd

    pd.testing.assert_frame_equal(out["keypoints"], table)
    assert out["summary"]["corners"] == len(corners) and out["summary"]["orb_keypoints"] == 60
    assert out["corners"].shape == out["orb"].shape == out["response"].shape == (160, 160, 3)
    flat = batch_outputs(np.full((100, 100), 0.5), values)
    assert flat["summary"]["orb_keypoints"] == 0 and "No ORB keypoints" in flat["summary"]["orb_error"]


def test_tutorial_cell_and_exercise_match_the_tutorials_code():
    """The tutorial's cell, run as written but with corner_peaks' defaults of its time, gives 31 corners."""
    from skimage import data, feature

    from core.keypoints import SCHEMA, TUTORIAL, batch_outputs

    camera = data.camera()
    out = batch_outputs(camera, SCHEMA.parse({}))
    coords = feature.corner_peaks(feature.corner_harris(camera), min_distance=10, threshold_rel=0.1)
    orb = feature.ORB(n_keypoints=400, fast_threshold=0.02)
    orb.detect_and_extract(camera)
    table = out["keypoints"]
    harris = table[table.detector == "harris"]
    assert len(harris) == len(coords) == 31
    assert sorted(map(tuple, harris[["row", "col"]].to_numpy().astype(int))) == sorted(map(tuple, coords))
    np.testing.assert_array_equal(table[table.detector == "orb"][["row", "col"]].to_numpy(), orb.keypoints)
    assert TUTORIAL["image"] == "camera"


def test_script_reproduces_the_stages_exactly(tmp_path):
    import pandas as pd

    from core.images import fit_working_size, load_sample
    from core.keypoints import SCHEMA, batch_outputs
    from tests.scripts import run_script

    values = SCHEMA.parse({"image": "chelsea", "method": "eps", "eps": "1e-4", "sigma": "2", "min_distance": "7",
                           "threshold_rel": "0.02", "n_keypoints": "150", "fast_threshold": "0.05",
                           "fast_n": "12", "downscale": "1.5", "n_scales": "4", "harris_k": "0.06"})
    shape = load_sample("chelsea").shape
    ns = run_script("keypoints", values, tmp_path, image="chelsea", shape=shape, working_size=200)
    image = fit_working_size(load_sample("chelsea"), 200)
    expected = batch_outputs(image, values)["keypoints"]
    got = ns["result"]
    # the stated agreement: the same corners and keypoints; float columns equal to rounding (rgb2gray of uint8
    # vs of floats in [0, 1])
    pd.testing.assert_frame_equal(got[["detector", "row", "col", "scale"]], expected[["detector", "row", "col", "scale"]],
                                  check_exact=True)
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-9, atol=1e-12)
    assert (tmp_path / "harris_corners.png").exists() and "ORB keypoints" in ns["__stdout__"]
