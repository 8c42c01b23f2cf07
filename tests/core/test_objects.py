"""Unit tests of core.objects (label → measure → scaled k-means)."""

from __future__ import annotations

import inspect
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
    with pytest.raises(ValueError, match=r"The 'scaling' parameter must be one of \{'none', 'area_max'"):
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
    with pytest.raises(ValueError, match=r"The 'k' parameter must be an int in the range \[1, 14\] \(at most the number of objects"):
        O.cluster_objects(table, ["area"], 15)
    with pytest.raises(ValueError, match="at least one feature"):
        O.cluster_objects(table, [], 2)
    with pytest.raises(ValueError, match="not in the table"):
        O.cluster_objects(table[["label", "area"]], ["solidity"], 2)
    with pytest.raises(ValueError, match=r"The 'k' parameter must be an int ≥ 1; got 0"):
        O.cluster_objects(table, ["area"], 0)


def test_one_object_and_identical_objects():
    labels = np.zeros((20, 20), dtype=np.int32)
    labels[2:8, 2:8] = 1
    table = O.measure_objects(labels)
    np.testing.assert_array_equal(O.cluster_objects(table, ["area"], 1), [0])
    with pytest.raises(ValueError, match=r"range \[1, 1\] \(at most the number of objects, 1\); got 2\.$"):
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
    assert np.unique(kept).tolist() == [0, 3] and (kept == 3).sum() == 16  # removed objects leave gaps in the ids
    assert np.unique(O.label_objects(mask, max_size=2)).tolist() == [0, 1, 3]  # the 2 px pair is ≤ 2: removed
    assert O.label_objects(mask, max_size=16).max() == 0  # everything is ≤ 16 px


def test_read_upload_mask_gray_and_rgb_labels():
    binary = np.zeros((10, 10), dtype=np.uint8)
    binary[2:5, 2:5] = 255
    read = O.read_upload(binary)
    assert read.kind == "mask" and read.array.sum() == 9 and read.file_ids is None
    gray = np.zeros((10, 10), dtype=np.uint8)
    gray[0:2, 0:2] = 4
    gray[5:7, 5:7] = 9
    read = O.read_upload(gray)
    assert read.kind == "labels" and set(np.unique(read.array)) == {0, 1, 2}
    assert read.file_ids.tolist() == [4, 9] and read.renumbered
    rgb = np.zeros((10, 10, 3), dtype=np.uint8)
    rgb[0:2, 0:2] = (255, 0, 0)
    rgb[5:7, 5:7] = (0, 255, 0)
    rgb[8:10, 8:10] = (0, 0, 255)
    read = O.read_upload(rgb)
    assert read.kind == "labels" and read.array.max() == 3 and (read.array == 0).sum() == 88
    assert read.file_ids.tolist() == ["#0000ff", "#00ff00", "#ff0000"]  # ids follow the colours' order
    with pytest.raises(ValueError, match=r"The 'upload_as' parameter must be one of"):
        O.read_upload(gray, kind="photo")


def test_an_uploaded_mask_is_never_thresholded_or_inverted():
    """#18.7: the bright level of a two-level mask is the objects, whatever the page's thresholding side says."""
    mask = np.full((40, 40), 30, dtype=np.uint8)  # a mask whose background is not 0
    mask[5:15, 5:15] = 200
    read = O.read_upload(mask, kind="mask")
    assert read.array.sum() == 100 and read.array[10, 10]
    assert "objects" not in inspect.signature(O.read_upload).parameters  # there is no side to choose
    noisy = mask.astype(np.int16) + np.random.default_rng(0).integers(-20, 20, mask.shape)  # a JPEG-like mask
    assert O.read_upload(np.clip(noisy, 0, 255).astype(np.uint8), kind="mask").array.sum() == 100
    colour = np.zeros((40, 40, 3), dtype=np.uint8)
    colour[20:30, 20:25] = (0, 0, 255)  # blue objects on black
    assert O.read_upload(colour).array.sum() == 50


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
    assert O.threshold_mask(img)[0].sum() == 25
    mask, t = O.threshold_mask(img, objects="dark")
    assert mask.sum() == 375 and 0 < t < 200 / 255
    with pytest.raises(ValueError, match=r"The 'objects' parameter must be one of \{'bright', 'dark'\}; got 'light'"):
        O.threshold_mask(img, objects="light")
    with pytest.raises(ValueError, match="uniform"):
        O.threshold_mask(np.full((20, 20), 7, dtype=np.uint8))


def test_make_blobs_is_seeded_and_checked():
    a = O.make_blobs(64, 0.1, 0.3, seed=3)
    assert a.dtype == bool and a.shape == (64, 64)
    np.testing.assert_array_equal(a, O.make_blobs(64, 0.1, 0.3, seed=3))
    with pytest.raises(ValueError, match=r"The 'volume_fraction' parameter must be a finite float in the range \(0, 1\)"):
        O.make_blobs(64, 0.1, 1.5)
    with pytest.raises(ValueError, match=r"The 'length' parameter must be an int in the range \[16, 4096\]; got 5"):
        O.make_blobs(5)


def test_summary_and_colors_and_highlight():
    labels, _ = disks_and_stars()
    table = O.measure_objects(labels)
    clusters = O.cluster_objects(table, ["solidity", "perimeter2_over_area"], 2)
    summary = O.cluster_summary(table, clusters, ["area", "solidity"])
    assert summary["objects"].tolist() == [8, 6]
    assert summary.loc[1, "area"] > summary.loc[0, "area"]
    rgb = O.color_clusters(O.paint_clusters(labels, table, clusters))
    assert tuple(rgb[labels == 1][0]) == (0x63, 0x6E, 0xFA)  # cluster 0 (the disks) in PALETTE[0]
    assert rgb.dtype == np.uint8 and rgb.shape == labels.shape + (3,)
    assert tuple(rgb[0, 0]) == (0, 0, 0)
    first = O.color_labels(labels)
    lit = O.highlight_object(first, labels, 9)
    assert (lit[labels == 9] == first[labels == 9]).all()
    assert (lit == (255, 230, 0)).all(axis=-1).any()  # the outline is drawn
    with pytest.raises(ValueError, match="no object with id"):
        O.highlight_object(first, labels, 99)


