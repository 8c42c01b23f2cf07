"""Unit tests of core.panorama's stages: matching, robust estimation, compositing, demo views, synthetic data."""

import numpy as np
import pytest

from core.keypoints import ORBParams, orb_features
from core.panorama import (
    BLENDS,
    OVERLAP,
    RegistrationError,
    RegistrationParams,
    compose,
    corner_error,
    demo_views,
    estimate_transform,
    match_features,
    register,
    stitch,
)
from tests.panorama_data import random_homography, synthetic_pair


def textured(shape=(300, 300), seed=0, sigma=2.0):
    """Smoothed noise: corners everywhere, no repeated pattern."""
    from scipy import ndimage as ndi

    rng = np.random.default_rng(seed)
    image = ndi.gaussian_filter(rng.random(shape), sigma)
    return (image - image.min()) / (image.max() - image.min())


@pytest.fixture(scope="module")
def photo():
    from skimage.transform import resize

    from core.images import load_sample, to_gray

    return resize(to_gray(load_sample("astronaut")), (320, 320), anti_aliasing=True)


@pytest.mark.parametrize("cross_check, max_ratio", [(True, 1.0), (False, 1.0), (True, 0.8), (False, 0.7)])
def test_match_features_equals_skimage_match_descriptors(cross_check, max_ratio):
    from skimage.feature import match_descriptors

    rng = np.random.default_rng(1)
    d0 = rng.random((150, 256)) < 0.5
    d1 = np.vstack([d0[:60] ^ (rng.random((60, 256)) < 0.1), rng.random((90, 256)) < 0.5])
    ours = match_features(d0, d1, cross_check=cross_check, max_ratio=max_ratio)
    ref = match_descriptors(d0, d1, cross_check=cross_check, max_ratio=max_ratio)
    np.testing.assert_array_equal(ours, ref)
    if cross_check:
        assert len(ours) >= 60  # the 60 noisy copies are found


def test_match_features_bad_input():
    with pytest.raises(ValueError, match="same length"):
        match_features(np.zeros((3, 256), bool), np.zeros((3, 128), bool))
    assert match_features(np.zeros((0, 256), bool), np.zeros((3, 256), bool)).shape == (0, 2)


def test_pure_translation_recovered_to_a_tenth_of_a_pixel():
    big = textured((300, 300), seed=2)
    dy, dx = 13, -21
    fixed = big[30:270, 30:270]
    moving = big[30 + dy : 270 + dy, 30 + dx : 270 + dx]  # moving (x, y) is fixed (x + dx, y + dy)
    reg = register(moving, fixed, orb=ORBParams(n_keypoints=1000, fast_threshold=0.04, n_scales=3))
    truth = np.array([[1, 0, dx], [0, 1, dy], [0, 0, 1]], dtype=float)
    assert corner_error(reg.matrix, truth, moving.shape) < 0.1
    assert reg.n_inliers >= 50
    assert reg.matches.shape == (len(reg.inliers), 2)
    np.testing.assert_allclose(reg(np.array([[0.0, 0.0]])), [[dx, dy]], atol=0.1)


def test_known_homography_recovered_to_half_a_pixel(photo):
    moving, fixed, truth = synthetic_pair(photo, seed=4)
    reg = register(moving, fixed)
    assert corner_error(reg.matrix, truth, moving.shape) < 0.5
    assert reg.rms < 2.0


@pytest.mark.parametrize("model", ["affine", "similarity", "euclidean"])
def test_other_models_recover_a_rotation(model):
    from skimage.transform import EuclideanTransform, warp

    fixed = textured((200, 200), seed=5)
    truth = EuclideanTransform(rotation=np.deg2rad(7), translation=(-12, 20)).params
    moving = warp(fixed, EuclideanTransform(truth), order=3)
    reg = register(moving, fixed, orb=ORBParams(n_keypoints=800, fast_threshold=0.04, n_scales=3),
                   params=RegistrationParams(model=model))
    assert reg.model == model
    # corners of the moving image that left the fixed one still count: a few tenths of a pixel at most
    assert corner_error(reg.matrix, truth, moving.shape) < 1.0


def test_refine_does_not_hurt_and_seed_makes_it_deterministic(photo):
    from core.panorama import register_features

    moving, fixed, truth = synthetic_pair(photo, seed=7)
    fm, ff = (orb_features(im, n_keypoints=1000, fast_threshold=0.04, n_scales=3) for im in (moving, fixed))
    a = register_features(fm, ff, RegistrationParams(seed=3))
    b = register_features(fm, ff, RegistrationParams(seed=3))
    np.testing.assert_array_equal(a.matrix, b.matrix)
    raw = register_features(fm, ff, RegistrationParams(seed=3, refine=False))
    assert corner_error(a.matrix, truth, moving.shape) <= corner_error(raw.matrix, truth, moving.shape) + 0.05


def test_unrelated_images_are_refused_with_a_reason():
    with pytest.raises(RegistrationError, match="overlap|same scene"):
        register(textured((200, 200), seed=10), textured((200, 200), seed=11), orb=ORBParams(n_keypoints=800))


def test_flat_image_is_refused():
    with pytest.raises(ValueError, match="No ORB keypoints"):
        register(np.full((300, 300), 0.5), textured())


def test_very_different_sizes_are_refused():
    with pytest.raises(RegistrationError, match="very different sizes"):
        register(textured((300, 300)), textured((100, 100)))


def test_too_few_matches_message():
    src = np.arange(10.0).reshape(5, 2)
    with pytest.raises(RegistrationError, match="Only 5 matches"):
        estimate_transform(src, src + 1)


def test_estimate_transform_flags_outliers():
    rng = np.random.default_rng(0)
    src = rng.uniform(0, 300, (80, 2))
    truth = random_homography((300, 300), 1, perspective=0.02)
    h = np.column_stack([src, np.ones(80)]) @ truth.T
    dst = h[:, :2] / h[:, 2:]
    dst[:20] += rng.uniform(20, 60, (20, 2))  # 20 gross outliers
    matrix, inliers, residuals = estimate_transform(src, dst, residual_threshold=1.0)
    assert not inliers[:20].any() and inliers[20:].all()
    assert residuals[20:].max() < 1e-6
    np.testing.assert_allclose(matrix, truth / truth[2, 2], atol=1e-6)


def test_degenerate_model_check():
    from core.panorama.geometry import check_matrix

    flip = np.diag([-1.0, 1.0, 1.0])
    with pytest.raises(RegistrationError, match="mirrors"):
        check_matrix(flip, (100, 100))
    shrink = np.diag([0.1, 0.1, 1.0])
    with pytest.raises(RegistrationError, match="scales the image area"):
        check_matrix(shrink, (100, 100))


def test_compose_identity_gives_back_the_image():
    image = (textured((80, 90)) * 255).astype(np.uint8)
    for blend in BLENDS:
        pano = compose([image, image], [np.eye(3), np.eye(3)], blend=blend)
        assert pano.image.shape == (80, 90, 3)
        assert np.abs(pano.image[..., 0].astype(int) - image).max() <= 1
        assert pano.coverage.all()


def test_compose_places_a_shifted_image_and_seam_takes_each_pixel_from_one_image():
    left = np.zeros((60, 80, 3), np.uint8)
    left[..., 0] = 200
    right = np.zeros((60, 80, 3), np.uint8)
    right[..., 2] = 200
    shift = np.array([[1, 0, 40], [0, 1, 0], [0, 0, 1]], dtype=float)
    seam = compose([left, right], [np.eye(3), shift], blend="seam")
    assert seam.image.shape == (60, 120, 3)
    assert np.all(seam.image[:, :40, 0] == 200)  # only the left image there
    assert np.all(seam.image[:, 80:, 2] == 200)  # only the right image there
    pure = np.all(seam.image[..., 1] == 0) and np.all((seam.image[..., 0] == 0) | (seam.image[..., 2] == 0))
    assert pure  # no mixing anywhere
    feather = compose([left, right], [np.eye(3), shift], blend="feather")
    middle = feather.image[30, 40:80]
    assert middle[0, 0] > middle[-1, 0] and middle[0, 2] < middle[-1, 2]  # smooth hand-over
    avg = compose([left, right], [np.eye(3), shift], blend="average")
    assert abs(int(avg.image[30, 60, 0]) - 100) <= 1 and abs(int(avg.image[30, 60, 2]) - 100) <= 1
    with pytest.raises(ValueError, match=r"^The 'blend' parameter must be one of \{'feather', 'seam', 'average'\}; "
                                         r"got 'nope'\.$"):
        compose([left, right], [np.eye(3), shift], blend="nope")


def test_compose_refuses_absurd_canvas():
    image = np.zeros((50, 50), np.uint8)
    huge = np.diag([500.0, 500.0, 1.0])
    with pytest.raises(RegistrationError, match="panorama"):
        compose([image, image], [np.eye(3), huge])


def test_demo_views_ground_truth_is_consistent():
    from core.images import load_sample

    demo = demo_views(load_sample("chelsea"), n_views=3, seed=1)
    assert len(demo.views) == 3 and all(v.dtype == np.uint8 and v.ndim == 3 for v in demo.views)
    # a pixel of view 0 inside the overlap has the colour of view 1 at the true mapped position
    m = demo.true_matrix(0, 1)
    h, w = demo.views[0].shape[:2]
    x, y = 0.85 * w, 0.5 * h
    p = m @ [x, y, 1]
    x1, y1 = p[0] / p[2], p[1] / p[2]
    a = demo.views[0][int(round(y)), int(round(x))].astype(int)
    b = demo.views[1][int(round(y1)), int(round(x1))].astype(int)
    assert np.abs(a - b).max() < 40
    np.testing.assert_allclose(demo.true_matrix(1, 1), np.eye(3), atol=1e-12)
    with pytest.raises(ValueError, match="n_views"):
        demo_views(load_sample("chelsea"), n_views=1)


def test_stitch_demo_recovers_ground_truth_and_anchor_is_a_translation():
    from core.images import load_sample

    demo = demo_views(load_sample("coffee"), n_views=3, seed=0)
    assert OVERLAP == 0.6  # one constant for the page, the tests and the benchmark
    features = [orb_features(v, n_keypoints=2000, fast_threshold=0.04, n_scales=3) for v in demo.views]
    pano = stitch(demo.views, features=features, blend="seam")
    assert pano.anchor == 1 and len(pano.matrices) == 3
    anchor = pano.matrices[1]
    np.testing.assert_allclose(anchor[:2, :2], np.eye(2))
    for i in (0, 2):
        est = np.linalg.inv(anchor) @ pano.matrices[i]
        assert corner_error(est, demo.true_matrix(i, 1), demo.views[i].shape) < 2.0
    h, w = demo.views[1].shape[:2]
    assert pano.image.shape[1] > 1.5 * w and pano.image.shape[0] >= h
    assert 0.6 < pano.coverage.mean() <= 1.0
    assert set(np.unique(pano.owner)) <= {-1, 0, 1, 2} and {0, 1, 2} <= set(np.unique(pano.owner))


def test_stitch_bad_inputs_each_get_a_message():
    with pytest.raises(RegistrationError, match="at least 2"):
        stitch([textured()])
    with pytest.raises(RegistrationError, match="at least 2"):
        stitch(textured())
    with pytest.raises(RegistrationError, match="very different sizes"):
        stitch([textured((300, 300)), textured((90, 90))])
    with pytest.raises(RegistrationError, match="Image 2"):
        stitch([textured((200, 200), seed=1), np.full((200, 200), 0.3)], orb=ORBParams(n_keypoints=500))
    with pytest.raises(RegistrationError, match="could not be registered"):
        stitch([textured((200, 200), seed=1), textured((200, 200), seed=2)], orb=ORBParams(n_keypoints=800))


def test_seam_follows_the_cheapest_column_inside_the_overlap():
    """A regression: the seam's columns are relative to the overlap (they were compared with absolute columns)."""
    left = np.zeros((40, 100, 3), np.uint8)
    right = np.zeros((40, 100, 3), np.uint8)
    left[:, :, 0] = right[:, :, 0] = 100
    left[:, 60:, 1] = 255  # the images differ everywhere in the overlap (x 50…99) except in columns 50…59
    shift = np.array([[1, 0, 50], [0, 1, 0], [0, 0, 1]], dtype=float)
    pano = compose([left, right], [np.eye(3), shift], blend="seam")
    owner = pano.owner[20]
    switch = np.flatnonzero(owner == 1)[0]
    assert 50 <= switch <= 60  # the cut lies where the two images agree


def test_synthetic_pair_is_reproducible_and_warps_by_the_truth(photo):
    m1, f1, t1 = synthetic_pair(photo, seed=3, noise=0.0, brightness=0.0)
    m2, _, t2 = synthetic_pair(photo, seed=3, noise=0.0, brightness=0.0)
    np.testing.assert_array_equal(m1, m2)
    np.testing.assert_array_equal(t1, t2)
    # moving pixel (x, y) shows the fixed image at truth(x, y)
    p = t1 @ [160.0, 160.0, 1.0]
    x, y = p[0] / p[2], p[1] / p[2]
    assert abs(m1[160, 160] - f1[int(round(y)), int(round(x))]) < 0.1


def test_estimation_settings_use_the_one_message_form():
    src = np.random.default_rng(0).uniform(0, 100, (30, 2))
    with pytest.raises(ValueError, match=r"^The 'residual_threshold' parameter must be a finite float in the range "
                                         r"\(0, 1000\]; got 0\.$"):
        estimate_transform(src, src, residual_threshold=0)
    with pytest.raises(ValueError, match=r"^The 'max_trials' parameter must be an int in the range \[1, 100000\]"):
        estimate_transform(src, src, max_trials=0)
    with pytest.raises(ValueError, match=r"^The 'model' parameter must be one of \{'projective', 'affine'"):
        estimate_transform(src, src, model="homography")


def test_tutorial_estimation_is_skimage_ransac_as_called_in_the_tutorial():
    """refine=False runs skimage.measure.ransac itself (seeded): the same transform and inliers."""
    from skimage.measure import ransac
    from skimage.transform import ProjectiveTransform

    rng = np.random.default_rng(1)
    src = rng.uniform(0, 300, (120, 2))
    truth = random_homography((300, 300), 2, perspective=0.02)
    h = np.column_stack([src, np.ones(len(src))]) @ truth.T
    dst = h[:, :2] / h[:, 2:] + rng.normal(0, 0.3, (len(src), 2))
    dst[:30] += rng.uniform(20, 60, (30, 2))
    matrix, inliers, _ = estimate_transform(src, dst, residual_threshold=1.0, max_trials=300, seed=4, refine=False)
    model, ref_inliers = ransac((src, dst), ProjectiveTransform, min_samples=4, residual_threshold=1.0,
                                max_trials=300, rng=4)
    np.testing.assert_allclose(matrix, model.params / model.params[2, 2], atol=1e-12)
    np.testing.assert_array_equal(inliers, ref_inliers)
