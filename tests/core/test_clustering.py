"""Unit tests of core.clustering on small synthetic images."""

import numpy as np
import pytest
from skimage import color, segmentation
from sklearn.metrics import adjusted_rand_score

from core.clustering import (
    EXERCISES,
    PRESETS,
    SCHEMA,
    average_colors,
    batch_outputs,
    cluster_palette,
    color_features,
    color_kmeans,
    color_kmeans_fit,
    iris_kmeans,
    kmeans_kwargs,
    parse_channels,
    rgb2lab_uint8,
    unique_colors,
)
from tests.scripts import run_script


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
    with pytest.raises(ValueError, match=r"^The 'channels' parameter must be .* at least one channel; got \[\]\.$"):
        parse_channels([])
    with pytest.raises(ValueError, match=r"The 'channels' parameter must be a subset of \{L, a, b\}; got 'ax'"):
        parse_channels("ax")
    with pytest.raises(ValueError, match=r"The 'color_space' parameter must be one of \{'lab', 'rgb'\}; got 'hsv'"):
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
    with pytest.raises(ValueError, match=r"The 'n_clusters' parameter must be an int in the range \[1, 150\]; got 0"):
        iris_kmeans(0)


# --------------------------------------------------------------------------- exact fast paths
def test_rgb2lab_uint8_is_bit_identical_to_rgb2lab():
    rng = np.random.default_rng(3)
    colours = np.concatenate([rng.integers(0, 256, (50_000, 3)), np.repeat(np.arange(256)[:, None], 3, 1)])
    colours = colours.astype(np.uint8)
    np.testing.assert_array_equal(rgb2lab_uint8(colours), color.rgb2lab(colours[None])[0])
    img, _ = two_blobs()
    np.testing.assert_array_equal(rgb2lab_uint8(img), color.rgb2lab(img))
    with pytest.raises(ValueError, match="uint8"):
        rgb2lab_uint8(img.astype(float))


def test_unique_colors_counts_every_pixel():
    img = np.zeros((4, 5, 3), np.uint8)
    img[0, :2] = (255, 0, 7)
    colours, counts, codes = unique_colors(img)
    assert colours.tolist() == [[0, 0, 0], [255, 0, 7]] and counts.tolist() == [18, 2]
    assert codes[0] == (255 << 16) + 7 and codes.shape == (20,)


def _plain_sample_fit(img, k, channels, seed, n=10_000):
    """The plain path: rgb2lab of every pixel, fit on the seeded sample, predict every pixel."""
    from sklearn.cluster import KMeans

    lab = color.rgb2lab(img)
    X = np.stack([lab[..., "Lab".index(c)].ravel() for c in channels], axis=1)
    idx = np.sort(np.random.default_rng(seed).choice(len(X), size=n, replace=False))
    km = KMeans(n_clusters=k, random_state=seed, n_init=3).fit(X[idx])
    labels = km.predict(X)
    return labels.reshape(img.shape[:2]), float(((X - km.cluster_centers_[labels]) ** 2).sum())


@pytest.mark.parametrize("k,channels", [(2, "ab"), (5, "Lab")])
def test_sample_fit_labels_equal_the_plain_path(k, channels):
    """Distinct colours converted and labelled once, looked up per pixel: the same labels as every pixel."""
    img, _ = two_blobs(noise=25)
    img = np.tile(img, (3, 2, 1))  # 28 800 pixels > the 10 000-pixel sample
    res = color_kmeans_fit(img, k, channels=channels, random_state=4)
    labels, inertia = _plain_sample_fit(img, k, tuple(channels), 4)
    np.testing.assert_array_equal(res.labels, labels)
    assert res.inertia == pytest.approx(inertia, rel=1e-9) and res.n_fit == 10_000


def test_fit_all_is_the_tutorial_cell_exactly():
    from sklearn.cluster import KMeans

    img, _ = two_blobs(noise=30)
    im_lab = color.rgb2lab(img)
    data = np.array([im_lab[..., 0].ravel(), im_lab[..., 1].ravel(), im_lab[..., 2].ravel()])
    kmeans = KMeans(n_clusters=4, random_state=0).fit(data.T)
    res = color_kmeans_fit(img, **kmeans_kwargs(SCHEMA.parse({"k": 4, "channels": "L,a,b", "fit": "all"})))
    np.testing.assert_array_equal(res.labels, kmeans.labels_.reshape(img.shape[:2]))
    assert res.inertia == pytest.approx(kmeans.inertia_, rel=1e-6)


# --------------------------------------------------------------------------- schema, presets, batch, script
def test_schema_defaults_are_the_tutorials_first_cell_and_bad_values_say_so():
    values = SCHEMA.defaults()
    assert values["image"] == "round_pill" and values["channels"] == ["a", "b"] and values["k"] == 2
    assert kmeans_kwargs(values) == dict(n_clusters=2, channels=("a", "b"), color_space="lab", random_state=0,
                                         max_samples=None, n_init="auto")
    assert kmeans_kwargs({**values, "fit": "sample"})["max_samples"] == 10_000
    with pytest.raises(ValueError, match=r"^The 'k' parameter must be an int in the range \[2, 12\]; got '99'\.$"):
        SCHEMA.parse({"k": "99"})


def test_every_preset_sets_every_value_its_result_depends_on():
    depends = {"image", "color_space", "channels", "k", "seed", "fit", "view"}
    for name, preset in PRESETS.items():
        assert depends <= set(preset), (name, depends - set(preset))
        SCHEMA.parse(preset)  # valid values
    assert set(EXERCISES) <= set(PRESETS)


def test_batch_outputs_are_what_the_page_shows():
    img, disk = two_blobs()
    out = batch_outputs(img, SCHEMA.parse({"k": 2}))
    assert set(out) == {"labels", "average", "clusters", "summary"}
    assert adjusted_rand_score(disk.ravel(), out["labels"].ravel()) == 1.0
    np.testing.assert_array_equal(out["average"], average_colors(img, out["labels"]))
    assert out["summary"]["clusters"] == 2 and out["summary"]["features"] == "a, b"
    assert out["clusters"]["pixels"].sum() == disk.size


@pytest.mark.parametrize("fit,space,channels,k", [("all", "lab", ["L", "a", "b"], 4), ("sample", "lab", ["a", "b"], 3),
                                                  ("all", "rgb", ["a", "b"], 3)])
def test_script_gives_the_labels_core_gives(fit, space, channels, k, tmp_path):
    from core.images import load_sample

    values = SCHEMA.parse({"image": "chapel_floor", "fit": fit, "color_space": space, "channels": channels, "k": k})
    out = run_script("colour_clustering", values, tmp_path, image="chapel_floor", shape=(277, 376, 3))
    res = color_kmeans_fit(load_sample("chapel_floor"), **kmeans_kwargs(values))
    np.testing.assert_array_equal(out["result"], res.labels)
    assert f"inertia (all pixels): {res.inertia:,.0f}" in out["__stdout__"]
    assert (tmp_path / "colour_kmeans_average.png").exists() and (tmp_path / "colour_kmeans_boundaries.png").exists()
    np.testing.assert_array_equal(out["iris_labels"], iris_kmeans(3).frame["cluster"].to_numpy())
