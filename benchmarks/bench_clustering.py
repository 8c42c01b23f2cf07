"""Benchmark: colour k-means and average colours (core.clustering vs the tutorial's code).

The *coffee* photo (the page's default, standing in for the tutorial's chapel
floor) resized to the requested size.

* ``color_kmeans k=4 (a,b)``: "core" = :func:`core.clustering.color_kmeans_fit`
  (Lab conversion, fit on 10,000 sampled pixels, predict all); "tutorial" =
  the tutorial's cell ``KMeans(n_clusters=4, random_state=0).fit(data.T)`` on
  every pixel's a, b. Quality: inertia over all pixels ÷ the best of 3
  full-data fits (seeds 0, 1, 2) — lower is better, the target is ≤ 1.01. The
  core row also reports ``lab_seconds`` (the Lab conversion, common to both)
  and ``beyond_lab_seconds`` (target ≤ 0.05 s at 1 MP).
* ``average colour (Felzenszwalb)``: "core" = :func:`core.clustering.average_colors`
  (bincount); "tutorial" = ``color.label2rgb(labels, im, kind='avg')`` as the
  tutorial calls it (bg_label=0 then, label 0 painted black: the default of
  scikit-image ≥ 0.19), on ``felzenszwalb(scale=100)`` labels. Quality: number
  of pixels that differ from ``label2rgb(kind='avg', bg_label=-1)`` (0 = equal).
"""

from __future__ import annotations

import numpy as np

from benchmarks._harness import inertia, measure, photo, row

K = 4


def run(megapixels: float, repeat: int = 3) -> list[dict]:
    from skimage import color, segmentation
    from sklearn.cluster import KMeans

    from core.clustering import average_colors, color_kmeans_fit

    im = photo(megapixels, "coffee")
    mp = im.shape[0] * im.shape[1] / 1e6
    rows = []

    # ------------------------------------------------------------------ k-means
    lab_s, _, lab = measure(lambda: color.rgb2lab(im), repeat)
    X = lab[..., 1:].reshape(-1, 2)
    best = min(KMeans(n_clusters=K, random_state=s).fit(X).inertia_ for s in range(3))

    core_s, core_mb, res = measure(lambda: color_kmeans_fit(im, K, channels="ab"), repeat)
    rows.append(row(f"color_kmeans k={K} (a,b)", "core", mp, core_s, core_mb,
                    "inertia/best-of-3-full", inertia(X, res.labels.ravel()) / best,
                    lab_seconds=lab_s, beyond_lab_seconds=core_s - lab_s))

    def tutorial_kmeans():
        im_lab = color.rgb2lab(im)
        data = np.array([im_lab[..., 1].ravel(), im_lab[..., 2].ravel()])
        kmeans = KMeans(n_clusters=K, random_state=0).fit(data.T)
        return kmeans.labels_.reshape(im.shape[:-1])

    tut_s, tut_mb, seg = measure(tutorial_kmeans, repeat)
    rows.append(row(f"color_kmeans k={K} (a,b)", "tutorial", mp, tut_s, tut_mb,
                    "inertia/best-of-3-full", inertia(X, seg.ravel()) / best))

    # ------------------------------------------------------------------ average colours
    labels = segmentation.felzenszwalb(im, scale=100)
    reference = color.label2rgb(labels, im, kind="avg", bg_label=-1)

    def differing(out):
        return int(np.any(out != reference, axis=-1).sum())

    core_s, core_mb, out = measure(lambda: average_colors(im, labels), repeat)
    rows.append(row("average colour (Felzenszwalb)", "core", mp, core_s, core_mb, "pixels != label2rgb", differing(out),
                    n_labels=int(labels.max() + 1)))
    slow_repeat = 1 if mp > 1.5 else repeat  # label2rgb(kind='avg') loops over labels: seconds per run
    tut_s, tut_mb, out = measure(lambda: color.label2rgb(labels, im, kind="avg"), slow_repeat)
    rows.append(row("average colour (Felzenszwalb)", "tutorial", mp, tut_s, tut_mb, "pixels != label2rgb",
                    differing(out), n_labels=int(labels.max() + 1)))
    return rows
