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

Label images (#17.2), once per run at the first size only: a 64×64 file holding one object id 2³¹−1
(renumbered, then measured: time and peak), the page's cap (``MAX_OBJECTS`` one-pixel-apart 3×3
objects: the slowest accepted label image) and 1 M distinct ids (refused: time to the message).
The first stage of the page at the tutorial's size (blobs → label → measure) is timed stage by stage.
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


def _label_file_rows(repeat: int) -> list[dict]:
    from core import objects as O

    rows = []
    huge = np.zeros((64, 64), dtype=np.int64)
    huge[10:20, 10:30] = 2**31 - 1

    def read_and_measure(labels):
        read = O.read_upload(labels, kind="labels")
        return O.measure_objects(O.clean_labels(read.array))

    seconds, peak, table = measure(lambda: read_and_measure(huge), repeat)
    rows.append(row("objects (label id 2³¹−1)", "core", huge.size / 1e6, seconds, peak, "objects", float(len(table))))
    side = int(np.ceil(np.sqrt(O.MAX_OBJECTS)))
    cap = np.zeros((4 * side, 4 * side), dtype=np.int64)
    for dy in range(3):
        for dx in range(3):
            cap[dy::4, dx::4] = np.arange(1, side * side + 1).reshape(side, side)
    cap[cap > O.MAX_OBJECTS] = 0
    seconds, peak, table = measure(lambda: read_and_measure(cap), 1)
    rows.append(row(f"objects (label image, {O.MAX_OBJECTS:,} ids = the cap)", "core", cap.size / 1e6, seconds, peak,
                    "objects", float(len(table))))
    million = np.arange(1, 1_000_001, dtype=np.int64).reshape(1000, 1000)

    def refused():
        try:
            O.read_upload(million, kind="labels")
        except ValueError:
            return 1.0
        return 0.0

    seconds, peak, ok = measure(refused, repeat)
    rows.append(row("objects (label image, 1 M ids: refused)", "core", million.size / 1e6, seconds, peak,
                    "refused", ok))
    for stage, fn in (("blobs", lambda: O.make_blobs(1024, 0.05, 0.2, 0)),
                      ("label", lambda m=O.make_blobs(1024, 0.05, 0.2, 0): O.label_objects(m)),
                      ("measure", lambda lab=O.label_objects(O.make_blobs(1024, 0.05, 0.2, 0)): O.measure_objects(lab))):
        seconds, peak, _ = measure(fn, repeat)
        rows.append(row(f"objects (first stage: {stage}, 1024²)", "core", 1024 * 1024 / 1e6, seconds, peak))
    return rows


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
    if megapixels == 0.26:  # the label-image and first-stage rows do not depend on the size: once
        rows += _label_file_rows(repeat)
    return rows
