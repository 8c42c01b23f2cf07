"""Unit tests of core.clustering on small synthetic images."""

import numpy as np
import pytest
from skimage import color, segmentation
from sklearn.metrics import adjusted_rand_score

from core.clustering import (
    average_colors,
    cluster_palette,
    color_features,
    color_kmeans,
    color_kmeans_fit,
    iris_kmeans,
    parse_channels,
)
from tests.recipes import run_recipe


def two_blobs(noise: float = 6.0, seed: int = 0):
    """A red disk on a blue ground, with noise; returns (uint8 image, truth mask)."""
    rng = np.random.default_rng(seed)
    rr, cc = np.mgrid[:60, :80]
    disk = (rr - 30) ** 2 + (cc - 40) ** 2 < 18**2
    img = np.where(disk[..., None], [200, 40, 40], [40, 60, 200]).astype(float)
    img += rng.normal(0, noise, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8), disk


def test_two_colour_blobs_give_two_matching_clusters():
    img, disk = two_blobs()
    labels = color_kmeans(img, 2)
    assert labels.shape == disk.shape
    assert set(np.unique(labels)) == {0, 1}
    assert adjusted_rand_score(disk.ravel(), labels.ravel()) == 1.0


@pytest.mark.parametrize("space,channels", [("lab", "ab"), ("lab", "Lab"), ("lab", ["L"]), ("rgb", None)])
def test_labels_in_range_for_every_space(space, channels):
    img, disk = two_blobs()
    labels = color_kmeans(img, 3, channels=channels, color_space=space)
    assert labels.dtype.kind == "i"
    assert labels.min() >= 0 and labels.max() <= 2


def test_any_dtype_gives_the_same_clusters():
    img, _ = two_blobs()
    a = color_kmeans(img, 2)
    b = color_kmeans(img.astype(np.float64) / 255.0, 2)
    assert adjusted_rand_score(a.ravel(), b.ravel()) == 1.0


def test_sampled_fit_is_close_to_full_fit():
    img, _ = two_blobs(noise=20)
    img = np.tile(img, (2, 2, 1))  # 19 200 pixels > 10 000 sample
    sampled = color_kmeans_fit(img, 4)
    full = color_kmeans_fit(img, 4, max_samples=None)
    assert sampled.n_fit == 10_000 and full.n_fit == img.shape[0] * img.shape[1]
    assert sampled.inertia <= 1.02 * full.inertia


def test_color_features_match_rgb2lab():
    img, _ = two_blobs()
    lab = color.rgb2lab(img)
    np.testing.assert_array_equal(color_features(img, "ab"), lab[..., 1:].reshape(-1, 2))
    np.testing.assert_array_equal(color_features(img, ["L", "b"]), lab[..., [0, 2]].reshape(-1, 2))
    assert color_features(img, color_space="rgb").max() <= 1.0


def test_parse_channels():
    assert parse_channels("ab") == ("a", "b")
    assert parse_channels(["b", "L"]) == ("L", "b")
    assert parse_channels("anything", "rgb") == ("R", "G", "B")
    with pytest.raises(ValueError, match="at least one channel"):
        parse_channels([])
    with pytest.raises(ValueError, match="Unknown channel 'x'"):
        parse_channels("ax")
    with pytest.raises(ValueError, match="color_space must be one of"):
        parse_channels("ab", "hsv")


def test_k_larger_than_distinct_colours_is_a_clear_error():
    img = np.zeros((20, 20, 3), np.uint8)
    img[:, 10:] = [255, 0, 0]
    with pytest.raises(ValueError, match=r"only 2 distinct colours.*at most 2"):
        color_kmeans(img, 3)
    with pytest.raises(ValueError, match="only 1 distinct"):
        color_kmeans(np.full((16, 16, 3), 90, np.uint8), 2, color_space="rgb")
    with pytest.raises(ValueError, match="no colour variation"):
        color_kmeans(np.full((16, 16, 3), 90, np.uint8), 2, channels="Lab")
    with pytest.raises(ValueError, match=r"no colour variation in the chosen Lab channels \(a, b\) \(a gray"):
        color_kmeans(np.arange(256, dtype=np.uint8).reshape(16, 16), 2)  # gray: a, b ≈ 0 (not exactly)
    assert np.unique(color_kmeans(np.arange(256, dtype=np.uint8).reshape(16, 16), 2, channels="L")).size == 2


def test_rare_colours_missed_by_the_sample_are_still_found():
    img = np.zeros((120, 120, 3), np.uint8)  # 14 400 pixels, sample is 10 000
    img[0, 0] = [255, 255, 0]
    img[5:60, 5:60] = [0, 0, 255]
    labels = color_kmeans(img, 3)
    assert np.unique(labels).size == 3
    assert np.sum(labels == labels[0, 0]) == 1


def test_average_colors_equals_label2rgb_avg_exactly():
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
    labels = segmentation.slic(img, n_segments=30, compactness=10, start_label=0)
    ours = average_colors(img, labels)
    theirs = color.label2rgb(labels, img, kind="avg", bg_label=-1)
    assert ours.dtype == theirs.dtype == np.uint8
    np.testing.assert_array_equal(ours, theirs)
    # negative and sparse labels work too
    np.testing.assert_array_equal(
        average_colors(img, labels * 1000 - 7), color.label2rgb(labels * 1000 - 7, img, kind="avg", bg_label=-10**9)
    )


def test_average_colors_float_and_gray():
    img = np.zeros((4, 4, 3))
    img[:, 2:] = 1.0
    labels = np.zeros((4, 4), int)
    out = average_colors(img, labels)
    np.testing.assert_allclose(out, 0.5)
    gray = np.arange(16, dtype=np.uint8).reshape(4, 4)
    out = average_colors(gray, (np.arange(16) // 8).reshape(4, 4))
    assert out.shape == (4, 4)
    assert out[0, 0] == 3 and out[3, 3] == 11  # truncated means 3.5 and 11.5


def test_average_colors_rejects_bad_shapes():
    with pytest.raises(ValueError, match="same height and width"):
        average_colors(np.zeros((4, 4, 3)), np.zeros((4, 5), int))
    with pytest.raises(ValueError, match="integer"):
        average_colors(np.zeros((4, 4, 3)), np.zeros((4, 4)))


def test_cluster_palette_shares_and_colours():
    img, disk = two_blobs(noise=0)
    pal = cluster_palette(img, disk.astype(int))
    assert list(pal["pixels"]) == [int((~disk).sum()), int(disk.sum())]
    assert pal["share"].sum() == pytest.approx(1.0)
    assert pal.loc[pal.cluster == 1, "hex"].item() == "#c82828"


def test_iris_kmeans_matches_species_reasonably():
    res = iris_kmeans(3)
    assert res.frame.shape == (150, 6)
    assert set(res.frame["cluster"]) == {0, 1, 2}
    assert 0.6 < res.ari < 0.9  # k-means on iris: setosa separates, the other two overlap
    assert iris_kmeans(1).ari == 0.0
    with pytest.raises(ValueError, match="between 1 and 150"):
        iris_kmeans(0)


# --------------------------------------------------------------------------- recipe (Reproduce in Python)
@pytest.mark.parametrize(
    "values",
    [
        dict(image="coffee", color_space="lab", channels=["a", "b"], k=2, seed=0, iris_k=3, working_size=256),
        dict(image="flower", color_space="rgb", channels=["L"], k=5, seed=3, iris_k=4, working_size=160),
    ],
    ids=["coffee-lab-ab-k2", "flower-rgb-k5"],
)
def test_recipe_reproduces_core_exactly(values, tmp_path):
    """The script's labels equal core's exactly: same sample, same features, same seeded sample and k-means."""
    from core.images import fit_working_size, load_sample
    from core.recipes.colour_clustering import script

    out = run_recipe(script({**values, "view": "average"}), tmp_path, names=("result", "iris_labels"))
    image = fit_working_size(load_sample(values["image"]), values["working_size"])
    expected = color_kmeans(image, values["k"], channels=values["channels"], color_space=values["color_space"],
                            random_state=values["seed"])
    assert out["result"].shape == expected.shape
    np.testing.assert_array_equal(out["result"], expected)
    np.testing.assert_array_equal(out["iris_labels"], iris_kmeans(values["iris_k"]).frame["cluster"].to_numpy())


def test_recipe_names_every_page_parameter():
    from core.recipes.colour_clustering import REQUIRED, script

    values = dict(image="coffee", color_space="lab", channels=["a", "b"], k=2, seed=0, iris_k=3)
    for name in REQUIRED:
        with pytest.raises(KeyError, match=name):
            script({k: v for k, v in values.items() if k != name})
