"""Unit tests of core.superpixels on small synthetic images."""

import re

import numpy as np
import pytest
from skimage import color, graph, segmentation
from sklearn.metrics import adjusted_rand_score

from core import superpixels as S
from core.clustering import average_colors
from core.superpixels import METHODS, merge_kmeans, merge_rag, segment, segment_count
from tests.scripts import run_script

COLOURS = np.array([[220, 30, 30], [30, 180, 40], [40, 60, 220], [230, 210, 40]], np.uint8)


def quadrants(side: int = 48, noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Four flat colour quadrants; returns (uint8 image, truth labels 0…3)."""
    h = side // 2
    truth = np.zeros((side, side), int)
    truth[:h, h:] = 1
    truth[h:, :h] = 2
    truth[h:, h:] = 3
    img = COLOURS[truth].astype(float)
    if noise:
        img += np.random.default_rng(0).normal(0, noise, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8), truth


SMALL = {
    "slic": {"n_segments": 16, "compactness": 10.0},
    "felzenszwalb": {"scale": 100.0},
    "quickshift": {"kernel_size": 3.0, "max_dist": 6.0, "ratio": 0.5},
    "watershed": {"markers": 16, "compactness": 0.001},
}


@pytest.mark.parametrize("method", list(METHODS))
def test_each_method_puts_boundaries_on_the_quadrant_edges(method):
    img, truth = quadrants()
    labels = segment(img, method, **SMALL[method])
    assert labels.shape == truth.shape and labels.dtype == np.int64
    # superpixels do not straddle quadrants: all but a few pixels along the edges (where
    # the pre-smoothing blends colours) lie in their superpixel's majority quadrant
    misplaced = 0
    for lab in np.unique(labels):
        counts = np.bincount(truth[labels == lab], minlength=4)
        misplaced += counts.sum() - counts.max()
    assert misplaced <= 0.02 * truth.size, f"{method}: {misplaced} pixels across quadrant edges"
    assert segment_count(labels) >= 4
    # and each quadrant edge is a superpixel boundary: the labels change across it
    h = truth.shape[0] // 2
    assert np.mean(labels[:, h - 1] != labels[:, h]) > 0.9
    assert np.mean(labels[h - 1, :] != labels[h, :]) > 0.9


def test_segment_equals_scikit_image():
    img, _ = quadrants(noise=10)
    np.testing.assert_array_equal(
        segment(img, "slic", n_segments=30, compactness=20.0), segmentation.slic(img, n_segments=30, compactness=20)
    )
    np.testing.assert_array_equal(segment(img, "felzenszwalb"), segmentation.felzenszwalb(img, scale=100))


def test_merge_kmeans_returns_the_quadrants():
    img, truth = quadrants()
    for method in METHODS:
        segs = segment(img, method, **SMALL[method])
        merged = merge_kmeans(img, segs, 4)
        assert adjusted_rand_score(truth.ravel(), merged.ravel()) > 0.95, method
    segs = segment(img, "slic", n_segments=36, compactness=10.0)
    merged = merge_kmeans(img, segs, 4)
    assert set(np.unique(merged)) == {0, 1, 2, 3}
    assert adjusted_rand_score(truth.ravel(), merged.ravel()) == 1.0


def test_merge_kmeans_is_constant_inside_superpixels():
    img, _ = quadrants(side=40, noise=40)
    segs = segment(img, "slic", n_segments=40, compactness=20.0)
    assert segment_count(segs) > 10
    merged = merge_kmeans(img, segs, 5, channels="Lab")
    for lab in np.unique(segs):
        assert np.unique(merged[segs == lab]).size == 1
    assert merged.min() >= 0 and merged.max() <= 4


def test_merge_kmeans_same_objective_as_tutorial_per_pixel_kmeans():
    """Weighted k-means on superpixel means reaches at most the tutorial's per-pixel inertia."""
    from sklearn.cluster import KMeans

    img, _ = quadrants(side=64, noise=25)
    segs = segment(img, "slic", n_segments=60, compactness=20.0)
    X = color.rgb2lab(color.label2rgb(segs, img, kind="avg", bg_label=-1))[..., 1:].reshape(-1, 2)

    def inertia(lab):
        return sum(((X[lab == k] - X[lab == k].mean(0)) ** 2).sum() for k in np.unique(lab))

    tutorial = KMeans(n_clusters=4, random_state=0, n_init=10).fit(X).labels_
    ours = merge_kmeans(img, segs, 4).ravel()
    assert inertia(ours) <= inertia(tutorial) * (1 + 1e-9)


def test_merge_rag_same_partition_as_scikit_image():
    img, _ = quadrants(noise=15)
    segs = segment(img, "slic", n_segments=40, compactness=10.0)
    for thresh in (5, 30, 500):
        ours = merge_rag(img, segs, thresh)
        theirs = graph.cut_threshold(segs, graph.rag_mean_color(img, segs), thresh)
        assert adjusted_rand_score(theirs.ravel(), ours.ravel()) == 1.0
        assert ours.min() == 0 and ours.max() == np.unique(ours).size - 1
    assert np.unique(merge_rag(img, segs, 500)).size == 1


def test_average_colour_of_superpixels_equals_label2rgb():
    img, _ = quadrants(noise=20)
    segs = segment(img, "felzenszwalb", scale=50.0)
    np.testing.assert_array_equal(average_colors(img, segs), color.label2rgb(segs, img, kind="avg", bg_label=-1))


def test_bad_input_messages():
    img, _ = quadrants(side=16)
    with pytest.raises(ValueError, match=re.escape("The 'n_segments' parameter must be an int in the range "
                                                   "[1, 256]; got 1000.")):
        segment(img, "slic", n_segments=1000)
    with pytest.raises(ValueError, match=re.escape("The 'method' parameter must be one of {'slic', 'felzenszwalb', "
                                                   "'quickshift', 'watershed'}; got 'kmeans'.")):
        segment(img, "kmeans")
    with pytest.raises(ValueError, match="'scale': not a parameter of slic; it takes n_segments"):
        segment(img, "slic", scale=3)
    with pytest.raises(ValueError, match=re.escape("The 'ratio' parameter must be a finite float in the range "
                                                   "[0, 1]; got 2.0.")):
        segment(img, "quickshift", ratio=2.0)
    segs = segment(img, "slic", n_segments=4, compactness=10.0)
    n = segment_count(segs)
    with pytest.raises(ValueError, match=re.escape(f"The 'k' parameter must be at most the number of superpixels "
                                                   f"({n}): lower k or ask for more superpixels; got {n + 1}.")):
        merge_kmeans(img, segs, n + 1)


def test_gray_image_with_a_b_is_a_clear_error_and_L_works():
    gray = np.repeat(np.linspace(0, 255, 48, dtype=np.uint8)[None, :], 48, axis=0)
    segs = segment(gray, "slic", n_segments=16, compactness=10.0)
    with pytest.raises(ValueError, match=r"do not vary in the chosen Lab channels \(a, b\) \(a gray image"):
        merge_kmeans(gray, segs, 3)
    merged = merge_kmeans(gray, segs, 3, channels="L")
    assert np.unique(merged).size == 3
    assert np.count_nonzero(np.diff(merged[0])) == 2  # three contiguous bands of lightness


def test_one_colour_image():
    flat = np.full((32, 32, 3), 128, np.uint8)
    segs = segment(flat, "slic", n_segments=16, compactness=10.0)
    assert segment_count(segs) >= 1
    with pytest.raises(ValueError, match="do not vary in the chosen Lab channels"):
        merge_kmeans(flat, segs, 2)
    with pytest.raises(ValueError, match="only 1 distinct superpixel colours in the chosen channels; lower k"):
        merge_kmeans(flat, segs, 2, color_space="rgb")
    assert np.unique(merge_rag(flat, segs, 1.0)).size == 1


# --------------------------------------------------------------------------- measures
def test_connected_regions_counts_pieces_not_labels():
    labels = np.zeros((10, 10), int)
    labels[:, 5:] = 1
    labels[2:4, 1:3] = 1  # a second piece of cluster 1, inside cluster 0
    assert segment_count(labels) == 2
    assert S.connected_regions(labels) == 3
    assert S.connected_regions(labels + 7) == 3


def test_objective_and_agreement_against_a_direct_computation():
    img, truth = quadrants(side=48, noise=30)
    segs = segment(img, "slic", n_segments=40, compactness=20.0)
    ours = merge_kmeans(img, segs, 4)
    theirs = S.tutorial_kmeans(img, segs, 4)
    X = color.rgb2lab(color.label2rgb(segs, img, kind="avg", bg_label=-1))[..., 1:].reshape(-1, 2)
    for lab in (ours, theirs):
        lab = lab.ravel()
        direct = sum(((X[lab == c] - X[lab == c].mean(0)) ** 2).sum() for c in np.unique(lab)) / lab.size
        assert S.kmeans_objective(img, segs, lab.reshape(segs.shape)) == pytest.approx(direct, rel=1e-9)
    assert S.kmeans_objective(img, segs, ours) <= S.kmeans_objective(img, segs, theirs) * (1 + 1e-9)
    assert S.label_agreement(truth, (truth + 1) % 4) == 1.0  # a renumbering agrees everywhere
    half = truth.copy()
    half[:, :24] = 0
    assert S.label_agreement(truth, half) == pytest.approx(0.75)


def test_estimate_grows_with_pixels_and_kernel():
    small = S.estimate_seconds("quickshift", (100, 100), kernel_size=3.0)
    assert S.estimate_seconds("quickshift", (1000, 1000), kernel_size=3.0) == pytest.approx(100 * small)
    assert S.estimate_seconds("quickshift", (100, 100), kernel_size=6.0) == pytest.approx(4 * small)
    assert S.estimate_seconds("slic", (1000, 1000)) < S.estimate_seconds("quickshift", (1000, 1000))


# --------------------------------------------------------------------------- schema, presets, batch
def test_schema_parses_links_with_the_one_message_form():
    values = S.SCHEMA.parse_link("superpixels?method=felzenszwalb&fz_sigma=1.2&k=7")
    assert values["method"] == "felzenszwalb" and values["k"] == 7 and values["image"] == "spices"
    assert S.segment_kwargs(values) == {"scale": 100.0, "sigma": 1.2, "min_size": 20}
    with pytest.raises(ValueError, match=re.escape("The 'k' parameter must be an int in the range [2, 20]; got '99'.")):
        S.SCHEMA.parse({"k": "99"})
    assert all(f.help for f in S.SCHEMA.fields.values())


def test_presets_set_every_value():
    for name, preset in S.PRESETS.items():
        assert set(preset) == set(S.SCHEMA.fields), name
        assert S.SCHEMA.parse(preset) == preset, name
    slic = S.PRESETS["Tutorial: SLIC → k-means"]
    assert (slic["image"], slic["n_segments"], slic["compactness"], slic["k"]) == ("spices", 200, 20.0, 5)
    gallery = S.PRESETS["Gallery: all four"]
    assert slic["fz_sigma"] != gallery["fz_sigma"] and slic["compare"] is False  # no leftovers of the gallery
    assert S.PRESETS["Tutorial: Felzenszwalb"]["image"] == "spices"


def test_batch_outputs_are_the_stages():
    img, _ = quadrants(side=40, noise=10)
    values = S.SCHEMA.parse({"n_segments": "20", "k": "4", "compare": "1"})
    out = S.batch_outputs(img, values)
    segs = segment(img, "slic", **S.segment_kwargs(values))
    np.testing.assert_array_equal(out["superpixels"], segs)
    np.testing.assert_array_equal(out["regions"], merge_kmeans(img, segs, 4))
    np.testing.assert_array_equal(out["average"], average_colors(img, segs))
    assert {f"gallery_{m}" for m in METHODS} <= set(out)
    assert out["summary"]["clusters"] == 4 and out["summary"]["connected_regions"] >= 4
    assert out["boundaries"].dtype == np.uint8 and out["boundaries"].shape == img.shape
    none = S.batch_outputs(img, {**values, "merge": "none", "compare": False})
    assert "regions" not in none and "gallery_slic" not in none


# --------------------------------------------------------------------------- the script (Reproduce in Python)
@pytest.mark.parametrize(
    "changes",
    [
        {},  # the tutorial's cells: SLIC 200 / 20, k-means 5 on a, b
        dict(method="felzenszwalb", scale=60.0, merge="rag", threshold=20.0),
        dict(method="watershed", markers=40, merge="kmeans", k=3, channels=["L", "a"], compare=True),
        dict(method="quickshift", merge="none"),
    ],
    ids=["slic-kmeans", "felzenszwalb-rag", "watershed-kmeans-La-gallery", "quickshift-none"],
)
def test_script_reproduces_the_stages(changes, tmp_path):
    """The script's labels equal the stages': exactly for k-means and none; as the same partition for the RAG
    cut (scikit-image numbers the regions in graph order, core by first appearance)."""
    from skimage import io

    img, _ = quadrants(side=48, noise=25)
    io.imsave(tmp_path / "your_image.png", img)
    values = {**S.SCHEMA.defaults(), **changes}
    ns = run_script("superpixels", values, tmp_path, image="upload")
    segs = segment(img, values["method"], **S.segment_kwargs(values))
    np.testing.assert_array_equal(ns["segments"], segs)
    expected = S.merge(img, segs, **S.merge_kwargs(values))
    if values["merge"] == "rag":
        assert adjusted_rand_score(expected.ravel(), ns["result"].ravel()) == 1.0
    else:
        np.testing.assert_array_equal(ns["result"], expected)
    assert f"{S.connected_regions(expected)} connected regions" in ns["__stdout__"]
    assert (tmp_path / "regions_boundaries.png").exists()
    assert (tmp_path / "gallery_watershed_boundaries.png").exists() == bool(values["compare"])
