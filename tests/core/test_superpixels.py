"""Unit tests of core.superpixels on small synthetic images."""

import numpy as np
import pytest
from skimage import color, graph, segmentation
from sklearn.metrics import adjusted_rand_score

from core.clustering import average_colors
from core.superpixels import METHODS, merge_kmeans, merge_rag, segment, segment_count

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
    with pytest.raises(ValueError, match=r"n_segments must be ≤ the number of pixels \(256\)"):
        segment(img, "slic", n_segments=1000)
    with pytest.raises(ValueError, match="Unknown method"):
        segment(img, "kmeans")
    with pytest.raises(ValueError, match="Unknown parameter"):
        segment(img, "slic", scale=3)
    with pytest.raises(ValueError, match="ratio must be ≤ 1"):
        segment(img, "quickshift", ratio=2.0)
    segs = segment(img, "slic", n_segments=4, compactness=10.0)
    n = segment_count(segs)
    with pytest.raises(ValueError, match=rf"larger than the number of superpixels \({n}\)"):
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
    with pytest.raises(ValueError, match="only 1 distinct superpixel colours"):
        merge_kmeans(flat, segs, 2, color_space="rgb")
    assert np.unique(merge_rag(flat, segs, 1.0)).size == 1


# --------------------------------------------------------------------------- recipe (Reproduce in Python)
PAGE_DEFAULTS = dict(
    image="coffee", method="slic", n_segments=200, compactness=20.0, sigma=0.0, slic_zero=False, scale=100.0,
    fz_sigma=0.8, min_size=20, kernel_size=3.0, max_dist=6.0, ratio=0.5, markers=250, ws_compactness=0.001,
    merge="kmeans", k=5, channels=["a", "b"], threshold=29.0, compare=False,
)


@pytest.mark.parametrize(
    "changes",
    [
        dict(working_size=256),  # the tutorial's cells: SLIC 200 / 20, k-means 5 on a, b
        dict(image="astronaut", method="felzenszwalb", scale=60.0, merge="rag", threshold=20.0, working_size=160),
        dict(image="chelsea", method="watershed", markers=120, merge="kmeans", k=3, channels=["L", "a"],
             working_size=160),
    ],
    ids=["tutorial-slic-kmeans", "astronaut-felzenszwalb-rag", "chelsea-watershed-kmeans-La"],
)
def test_recipe_reproduces_core(changes, tmp_path):
    """The script's final labels equal core's: exactly for k-means (same weighted fit), and as the same
    partition for the RAG cut (scikit-image numbers the merged regions in graph order, core by first
    appearance — the regions are identical, only their ids differ)."""
    from core.images import fit_working_size, load_sample
    from core.recipes.superpixels import script, segment_params
    from tests.recipes import run_recipe

    values = {**PAGE_DEFAULTS, **changes}
    out = run_recipe(script(values), tmp_path)["result"]
    image = fit_working_size(load_sample(values["image"]), values["working_size"])
    segs = segment(image, values["method"], **segment_params(values))
    if values["merge"] == "kmeans":
        expected = merge_kmeans(image, segs, values["k"], channels=values["channels"])
        np.testing.assert_array_equal(out, expected)
    else:
        expected = merge_rag(image, segs, values["threshold"])
        assert out.shape == expected.shape
        assert adjusted_rand_score(expected.ravel(), out.ravel()) == 1.0
        assert np.unique(out).size == np.unique(expected).size > 1
