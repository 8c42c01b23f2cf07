"""Benchmark: label + measure + cluster objects (core.objects vs the tutorial's code).

Two scenes at the requested size:

* ``blobs``: the tutorial's ``binary_blobs(blob_size_fraction=0.05,
  volume_fraction=0.2)``, side ``sqrt(megapixels) * 1000`` (the issue's target:
  1024×1024 in ≤ 0.5 s). Quality: number of objects found.
* ``disks+stars``: a grid of small disks and large 6-pointed stars with known
  kinds. Quality: adjusted Rand index of the 2-cluster result against the truth.

"core" measures all ten page properties (what the page does) and clusters on
area, perimeter²/area and solidity with standard scaling; "tutorial" is the
tutorial's last code cell (``regionprops`` list comprehension, StandardScaler,
``KMeans(n_clusters=2)``), with ``rng=`` for the seed.
"""

from __future__ import annotations

import numpy as np

from benchmarks._harness import measure, row, square_side

FEATURES = ["area", "perimeter2_over_area", "solidity"]


def disks_and_stars(side: int, seed: int = 0) -> tuple[np.ndarray, dict[int, int]]:
    """Binary scene of 64-px cells holding a small disk (kind 0) or a large star (kind 1)."""
    from skimage.draw import disk, polygon
    from skimage.measure import label

    rng = np.random.default_rng(seed)
    mask = np.zeros((side, side), dtype=bool)
    kinds = np.zeros((side, side), dtype=np.int8)
    cell = 64
    for r in range(cell // 2, side - cell // 2 + 1, cell):
        for c in range(cell // 2, side - cell // 2 + 1, cell):
            if rng.random() < 0.5:
                rr, cc = disk((r, c), rng.uniform(5, 9), shape=mask.shape)
                kind = 0
            else:
                angles = np.arange(12) * np.pi / 6 + rng.uniform(0, np.pi)
                radii = np.where(np.arange(12) % 2 == 0, rng.uniform(24, 29), 11)
                rr, cc = polygon(r + radii * np.sin(angles), c + radii * np.cos(angles), shape=mask.shape)
                kind = 1
            mask[rr, cc] = True
            kinds[rr, cc] = kind
    ids, first = np.unique(label(mask).ravel(), return_index=True)  # first pixel of each object (0: background)
    truth = {int(i): int(k) for i, k in zip(ids[1:], kinds.ravel()[first[1:]])}
    return mask, truth


def _core(mask):
    from core.objects import PROPERTIES, cluster_objects, label_objects, measure_objects

    labels = label_objects(mask)
    table = measure_objects(labels, PROPERTIES)
    return labels, table["label"].to_numpy(), cluster_objects(table, FEATURES, 2, scaling="standard")


def _tutorial(im):
    # The tutorial's code, as written (last step: StandardScaler), for an existing binary image `im`.
    from skimage import measure
    from sklearn import preprocessing
    from sklearn.cluster import KMeans

    labels = measure.label(im)
    props = measure.regionprops(labels)
    data = np.array([(prop.area, prop.perimeter**2 / prop.area, prop.solidity) for prop in props])
    min_max_scaler = preprocessing.StandardScaler()
    data_scaled = min_max_scaler.fit_transform(data)
    clf = KMeans(n_clusters=2)
    clf.fit(data_scaled)
    return labels, np.array([p.label for p in props]), clf.labels_


def run(megapixels: float, repeat: int = 3) -> list[dict]:
    """Time both variants on both scenes; one dict per (scene, variant)."""
    from sklearn.metrics import adjusted_rand_score

    from core.objects import make_blobs

    side = square_side(megapixels)
    mp = side * side / 1e6
    rows = []
    blobs = make_blobs(side, 0.05, 0.2, seed=0)
    stars, truth = disks_and_stars(side)
    for variant, fn in (("core", _core), ("tutorial", _tutorial)):
        seconds, peak, (labels, ids, clusters) = measure(lambda fn=fn: fn(blobs), repeat)
        rows.append(row("objects (blobs)", variant, mp, seconds, peak, "objects found", float(len(ids))))
        seconds, peak, (labels, ids, clusters) = measure(lambda fn=fn: fn(stars), repeat)
        expected = [truth[int(i)] for i in ids]
        rows.append(row("objects (disks+stars)", variant, mp, seconds, peak, "ARI vs truth",
                        float(adjusted_rand_score(expected, clusters))))
    return rows
