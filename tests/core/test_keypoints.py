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
        (dict(method="x"), "method must be"),
        (dict(k=0.5), "k must lie"),
        (dict(sigma=0), "sigma must be positive"),
        (dict(min_distance=0), "min_distance"),
        (dict(threshold_rel=2.0), "threshold_rel"),
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


# --------------------------------------------------------------------------- recipe: subprocess vs core
RECIPE_VALUES = [
    # the tutorial's cell + its ORB exercise, on the camera-man at a 256-px working size
    dict(image="camera", method="k", k=0.05, eps=1e-6, sigma=1.0, min_distance=1, threshold_rel=0.0,
         n_keypoints=400, fast_threshold=0.02, fast_n=9, downscale=1.2, n_scales=8, harris_k=0.04, working_size=256),
    # non-defaults everywhere, a colour sklearn sample
    dict(image="china", method="eps", k=0.04, eps=1e-4, sigma=2.0, min_distance=7, threshold_rel=0.02,
         n_keypoints=150, fast_threshold=0.05, fast_n=12, downscale=1.5, n_scales=4, harris_k=0.06, working_size=300),
]


@pytest.fixture(scope="module")
def recipe_results(tmp_path_factory):
    """Run both recipes in one fresh interpreter (each in its own namespace), outside the project."""
    from core.recipes.keypoints import script
    from tests.recipes import run_recipes

    out, _ = run_recipes({f"recipe{k}": script(values) for k, values in enumerate(RECIPE_VALUES)},
                         tmp_path_factory.mktemp("kp_recipe"))
    return [out[f"recipe{k}"]["result"] for k in range(len(RECIPE_VALUES))]


@pytest.mark.parametrize("index", [0, 1], ids=["tutorial", "custom"])
def test_recipe_reproduces_core_exactly(index, recipe_results):
    import pandas as pd

    from core.images import fit_working_size, load_sample
    from core.keypoints import features_table
    from core.recipes.keypoints import harris_params, orb_params

    values = RECIPE_VALUES[index]
    got = recipe_results[index]
    image = fit_working_size(load_sample(values["image"]), values["working_size"])
    response = harris_response(image, **{k: v for k, v in harris_params(values).items()
                                         if k in ("method", "k", "eps", "sigma")})
    corners = harris_corners(image, response=response, **harris_params(values))
    expected = features_table(corners, response, orb_features(image, **orb_params(values)))
    assert len(got) == len(expected) > 0
    # same libraries, same inputs, same order: identical tables
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_exact=True)


def test_recipe_needs_every_page_parameter():
    from core.recipes.keypoints import REQUIRED, script

    values = dict(RECIPE_VALUES[0])
    for name in REQUIRED:
        partial = {k: v for k, v in values.items() if k != name}
        with pytest.raises(KeyError, match=name):
            script(partial)
    code = script(values)
    assert "n_keypoints=400" in code and "fast_threshold=0.02" in code and "import core" not in code
