"""Unit tests of core.objects (label → measure → scaled k-means)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from skimage.draw import disk, polygon

from core import objects as O


def _star(cy, cx, r_out, r_in, points=6, phase=0.0):
    angles = np.arange(2 * points) * np.pi / points + phase
    radii = np.where(np.arange(2 * points) % 2 == 0, r_out, r_in)
    return polygon(cy + radii * np.sin(angles), cx + radii * np.cos(angles))


def disks_and_stars(shape=(240, 320)):
    """A scene of 8 small disks (truth 0) and 6 large stars (truth 1); returns (mask, truth by label)."""
    labels = np.zeros(shape, dtype=np.int32)
    truth = {}
    lab = 0
    rng = np.random.default_rng(1)
    for i in range(8):
        lab += 1
        rr, cc = disk((30 + 60 * (i % 4), 25 + 60 * (i // 4)), 5 + (i % 3), shape=shape)
        labels[rr, cc] = lab
        truth[lab] = 0
    for j in range(6):
        lab += 1
        rr, cc = _star(45 + 75 * (j % 3), 170 + 90 * (j // 3), 30 + 3 * (j % 2), 12, phase=rng.uniform(0, 1))
        labels[rr, cc] = lab
        truth[lab] = 1
    return labels, truth


def test_area_of_drawn_square_is_100():
    labels = np.zeros((30, 30), dtype=np.uint8)
    labels[5:15, 8:18] = 1
    table = O.measure_objects(labels)
    assert list(table.columns) == ["label", *O.PROPERTIES]
    assert len(table) == 1
    assert table.loc[0, "area"] == 100
    assert table.loc[0, "perimeter2_over_area"] == pytest.approx(table.loc[0, "perimeter"] ** 2 / 100)
    assert table.loc[0, "solidity"] == pytest.approx(1.0)
    assert table.loc[0, "euler_number"] == 1


def test_measure_any_dtype_and_bool_mask():
    mask = np.zeros((20, 20), dtype=bool)
    mask[2:6, 2:6] = True
    mask[10:18, 10:12] = True
    from_bool = O.measure_objects(mask, properties=["area"])
    from_float = O.measure_objects(O.label_objects(mask).astype(np.float32), properties=["area"])
    assert from_bool["area"].tolist() == [16, 16]
    pd.testing.assert_frame_equal(from_bool, from_float)


def test_measure_keeps_ids_with_gaps():
    labels = np.zeros((20, 20), dtype=np.uint16)
    labels[1:4, 1:4] = 3
    labels[10:15, 10:15] = 7
    table = O.measure_objects(labels, properties=["area", "perimeter2_over_area"])
    assert table["label"].tolist() == [3, 7]
    assert table["area"].tolist() == [9, 25]
    assert O.label_gaps(labels) == [1, 2, 4, 5, 6]
    assert O.label_gaps(O.label_objects(labels > 0)) == []


def test_clustering_separates_disks_from_stars():
    labels, truth = disks_and_stars()
    table = O.measure_objects(labels)
    clusters = O.cluster_objects(table, ["solidity", "perimeter2_over_area"], 2, scaling="standard")
    expected = np.array([truth[i] for i in table["label"]])
    # perfect separation up to a renaming of the two clusters
    assert set(clusters) == {0, 1}
    assert len(set(zip(clusters, expected, strict=True))) == 2
    # cluster 0 is the biggest cluster: the 8 disks
    assert (clusters == 0).sum() == 8


def test_scaling_max_divides_each_column_by_its_own_max_only():
    X = np.array([[100.0, 2.0, 0.0, -4.0], [50.0, 1.0, 0.0, 2.0]])
    before = X.copy()
    out = O.scale_features(X, "max")
    np.testing.assert_allclose(out, [[1.0, 1.0, 0.0, -1.0], [0.5, 0.5, 0.0, 0.5]])
    np.testing.assert_array_equal(X, before)  # the input is left alone
    assert np.isfinite(out).all()  # an all-zero column is not divided


def test_scaling_area_max_divides_only_the_area_like_the_tutorial():
    X = np.array([[400.0, 20.0, 0.9], [100.0, 14.0, 0.5]])
    out = O.scale_features(X, "area_max", names=["perimeter2_over_area", "area", "solidity"])
    np.testing.assert_allclose(out, [[400.0, 1.0, 0.9], [100.0, 0.7, 0.5]])  # only the "area" column
    with pytest.raises(ValueError, match="area is not among the chosen features"):
        O.scale_features(X, "area_max", names=["a", "b", "c"])
    labels, _ = disks_and_stars()
    table = O.measure_objects(labels)
    feats = ["area", "perimeter2_over_area", "solidity"]
    data = table[feats].to_numpy(dtype=float)
    data[:, 0] /= data[:, 0].max()  # the tutorial's line
    from sklearn.cluster import KMeans

    tutorial = KMeans(n_clusters=2, n_init=10, random_state=0).fit(data).labels_
    ours = O.cluster_objects(table, feats, 2, scaling="area_max")
    assert len(set(zip(tutorial, ours, strict=True))) == 2  # the same partition


def test_scaling_standard_and_robust():
    X = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 1000.0]])
    std = O.scale_features(X, "standard")
    np.testing.assert_allclose(std.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(std.std(axis=0), 1)
    rob = O.scale_features(X, "robust")
    np.testing.assert_allclose(np.median(rob, axis=0), 0, atol=1e-12)
    np.testing.assert_array_equal(O.scale_features(X, "none"), X)
    with pytest.raises(ValueError, match="scaling must be one of"):
        O.scale_features(X, "minmax")


def test_raw_features_split_on_area_alone():
    labels, truth = disks_and_stars()
    table = O.measure_objects(labels)
    feats = ["area", "perimeter2_over_area", "solidity"]
    raw = O.cluster_objects(table, feats, 2, scaling="none")
    X = table[feats].to_numpy()
    # raw k-means splits on area alone: each cluster's area range does not overlap the other's
    a0, a1 = X[raw == 0, 0], X[raw == 1, 0]
    assert a0.max() < a1.min() or a1.max() < a0.min()


def test_cluster_errors_are_clear():
    labels, _ = disks_and_stars()
    table = O.measure_objects(labels)
    with pytest.raises(ValueError, match="larger than the number of objects"):
        O.cluster_objects(table, ["area"], 15)
    with pytest.raises(ValueError, match="at least one feature"):
        O.cluster_objects(table, [], 2)
    with pytest.raises(ValueError, match="not in the table"):
        O.cluster_objects(table[["label", "area"]], ["solidity"], 2)
    with pytest.raises(ValueError, match="at least 1"):
        O.cluster_objects(table, ["area"], 0)


def test_one_object_and_identical_objects():
    labels = np.zeros((20, 20), dtype=np.int32)
    labels[2:8, 2:8] = 1
    table = O.measure_objects(labels)
    np.testing.assert_array_equal(O.cluster_objects(table, ["area"], 1), [0])
    with pytest.raises(ValueError, match="lower k to 1"):
        O.cluster_objects(table, ["area"], 2)
    labels[12:18, 12:18] = 2  # two identical squares, k=2 still returns one id per row
    out = O.cluster_objects(O.measure_objects(labels), ["area", "solidity"], 2)
    assert out.shape == (2,)


def test_empty_mask_message():
    with pytest.raises(ValueError, match="no objects"):
        O.measure_objects(np.zeros((16, 16), dtype=np.int32))


def test_bad_labels_messages():
    with pytest.raises(ValueError, match="negative"):
        O.measure_objects(-np.ones((8, 8), dtype=np.int32))
    with pytest.raises(ValueError, match="whole numbers"):
        O.measure_objects(np.full((8, 8), 0.5))
    with pytest.raises(ValueError, match="Unknown properties"):
        O.measure_objects(np.ones((8, 8), dtype=np.int32), properties=["roundness"])


def test_paint_clusters_background_and_ids():
    labels = np.zeros((10, 10), dtype=np.int32)
    labels[0:2, 0:2] = 2
    labels[5:7, 5:7] = 5
    labels[8:10, 0:2] = 9  # not in the table → background
    table = pd.DataFrame({"label": [2, 5]})
    painted = O.paint_clusters(labels, table, np.array([1, 0]))
    assert painted.dtype.kind == "i" and painted.shape == labels.shape
    assert painted[0, 0] == 2 and painted[5, 5] == 1
    assert painted[9, 0] == 0 and painted[4, 4] == 0


def test_label_objects_connectivity_border_and_small():
    mask = np.zeros((12, 12), dtype=np.uint8)
    mask[1, 1] = mask[2, 2] = 255  # diagonal pair
    mask[0:3, 8:11] = 1  # touches the border
    mask[6:10, 4:8] = 1  # 16 px, inside
    assert O.label_objects(mask, connectivity=2).max() == 3
    assert O.label_objects(mask, connectivity=1).max() == 4
    kept = O.label_objects(mask, exclude_border=True, max_size=2)
    assert kept.max() == 1 and (kept == 1).sum() == 16
    assert O.label_objects(mask, max_size=2).max() == 2  # the 2 px pair is ≤ 2: removed
    assert O.label_objects(mask, max_size=16).max() == 0  # everything is ≤ 16 px


def test_labels_from_image_mask_gray_and_rgb_labels():
    binary = np.zeros((10, 10), dtype=np.uint8)
    binary[2:5, 2:5] = 255
    mask, kind = O.labels_from_image(binary)
    assert kind == "mask" and mask.sum() == 9
    dark, _ = O.labels_from_image(binary, objects="dark")
    assert dark.sum() == 91
    gray = np.zeros((10, 10), dtype=np.uint8)
    gray[0:2, 0:2] = 4
    gray[5:7, 5:7] = 9
    labels, kind = O.labels_from_image(gray)
    assert kind == "labels" and set(np.unique(labels)) == {0, 4, 9}
    rgb = np.zeros((10, 10, 3), dtype=np.uint8)
    rgb[0:2, 0:2] = (255, 0, 0)
    rgb[5:7, 5:7] = (0, 255, 0)
    rgb[8:10, 8:10] = (0, 0, 255)
    labels, kind = O.labels_from_image(rgb)
    assert kind == "labels" and labels.max() == 3 and (labels == 0).sum() == 88


def test_read_label_file_keeps_16_bit_ids():
    labels = np.zeros((20, 20), dtype=np.uint16)
    labels[1:5, 1:5] = 300
    labels[10:15, 10:15] = 301
    buf = io.BytesIO()
    Image.fromarray(labels).save(buf, format="PNG")
    out = O.read_label_file(buf.getvalue())
    assert set(np.unique(out)) == {0, 300, 301}
    with pytest.raises(ValueError, match="empty"):
        O.read_label_file(b"")


def test_threshold_mask_and_uniform_image():
    img = np.zeros((20, 20), dtype=np.uint8)
    img[5:10, 5:10] = 200
    assert O.threshold_mask(img).sum() == 25
    assert O.threshold_mask(img, objects="dark").sum() == 375
    with pytest.raises(ValueError, match="uniform"):
        O.threshold_mask(np.full((20, 20), 7, dtype=np.uint8))


def test_make_blobs_is_seeded_and_checked():
    a = O.make_blobs(64, 0.1, 0.3, seed=3)
    assert a.dtype == bool and a.shape == (64, 64)
    np.testing.assert_array_equal(a, O.make_blobs(64, 0.1, 0.3, seed=3))
    with pytest.raises(ValueError, match="volume_fraction"):
        O.make_blobs(64, 0.1, 1.5)


def test_summary_and_colors_and_highlight():
    labels, _ = disks_and_stars()
    table = O.measure_objects(labels)
    clusters = O.cluster_objects(table, ["solidity", "perimeter2_over_area"], 2)
    summary = O.cluster_summary(table, clusters, ["area", "solidity"])
    assert summary["objects"].tolist() == [8, 6]
    assert summary.loc[1, "area"] > summary.loc[0, "area"]
    rgb = O.color_clusters(O.paint_clusters(labels, table, clusters))
    assert rgb.dtype == np.uint8 and rgb.shape == labels.shape + (3,)
    assert tuple(rgb[0, 0]) == (0, 0, 0)
    first = O.color_labels(labels)
    lit = O.highlight_object(first, labels, 9)
    assert (lit[labels == 9] == first[labels == 9]).all()
    assert (lit == (255, 230, 0)).all(axis=-1).any()  # the outline is drawn
    with pytest.raises(ValueError, match="no object with id"):
        O.highlight_object(first, labels, 99)


# --------------------------------------------------------------------------- recipe: subprocess vs core
RECIPE_CASES = {
    "blobs": dict(source="blobs", length=256, blob_size=0.06, volume=0.3, seed=3, image="coins", objects="bright",
                  upload_as="auto", connectivity=2, exclude_border=True, max_size=20,
                  features=["area", "perimeter2_over_area", "solidity"], scaling="standard", k=3),
    "coins": dict(source="image", length=1024, blob_size=0.05, volume=0.2, seed=0, image="coins", objects="dark",
                  upload_as="auto", connectivity=1, exclude_border=False, max_size=0,
                  features=["eccentricity", "extent", "euler_number"], scaling="robust", k=4, working_size=1024),
    "blobs_none": dict(source="blobs", length=128, blob_size=0.1, volume=0.4, seed=5, image="coins",
                       objects="bright", upload_as="auto", connectivity=2, exclude_border=False, max_size=0,
                       features=["area", "perimeter2_over_area", "solidity"], scaling="none", k=2),
    "blobs_area_max": dict(source="blobs", length=128, blob_size=0.1, volume=0.4, seed=5, image="coins",
                           objects="bright", upload_as="auto", connectivity=2, exclude_border=False, max_size=0,
                           features=["solidity", "area", "orientation"], scaling="area_max", k=3),
    "china_resized": dict(source="image", length=1024, blob_size=0.05, volume=0.2, seed=0, image="china",
                          objects="bright", upload_as="auto", connectivity=2, exclude_border=False, max_size=10,
                          features=["area", "solidity"], scaling="max", k=2, working_size=256),
}


def _core_table(v: dict) -> pd.DataFrame:
    """What the page computes for these values, through core only."""
    from core.images import fit_working_size, load_sample

    if v["source"] == "blobs":
        mask = O.make_blobs(v["length"], v["blob_size"], v["volume"], v["seed"])
    else:
        image = fit_working_size(load_sample(v["image"]), v["working_size"])
        mask = O.threshold_mask(image, objects=v["objects"])
    labels = O.label_objects(mask, connectivity=v["connectivity"], exclude_border=v["exclude_border"],
                             max_size=v["max_size"])
    table = O.measure_objects(labels)
    table["cluster"] = O.cluster_objects(table, v["features"], v["k"], scaling=v["scaling"])
    return table


def test_recipe_reproduces_core_in_a_fresh_subprocess(tmp_path):
    """Each case's script runs in one fresh interpreter (own namespace per script), outside the project."""
    from core.recipes.objects import script
    from tests.recipes import run_recipes

    results, _ = run_recipes({case: script(values) for case, values in RECIPE_CASES.items()}, tmp_path)
    for case, values in RECIPE_CASES.items():
        got, expected = results[case]["result"], _core_table(values)
        assert len(expected) >= values["k"]
        # The script makes the same scikit-image / scikit-learn calls in the same order as core, so the table
        # and the cluster ids must be equal; floats get a 1e-12 relative tolerance only for summation order.
        pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False, rtol=1e-12, obj=case)


def test_recipe_tracks_every_parameter():
    from core.recipes.objects import REQUIRED, script

    base = RECIPE_CASES["blobs"]
    with pytest.raises(KeyError, match="k"):
        script({key: val for key, val in base.items() if key != "k"})
    changed = {
        "length": 300, "blob_size": 0.07, "volume": 0.25, "seed": 9, "connectivity": 1, "exclude_border": False,
        "max_size": 55, "features": ["extent"], "scaling": "robust", "k": 5,
    }
    for key, val in changed.items():
        assert script({**base, key: val}) != script(base), f"{key} does not change the script"
    upload = script({**base, "source": "upload", "upload_kind": "labels"})
    assert "io.imread" in upload and "measure.label(" not in upload
    photo = script({**RECIPE_CASES["coins"], "image": "upload"})
    assert "io.imread" in photo and "data.upload" not in photo
    compile(photo, "recipe", "exec")
    assert set(REQUIRED) <= set(base)
