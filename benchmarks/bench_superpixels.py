"""Benchmark: superpixels and their merging (core.superpixels vs the tutorial's code).

The tutorial's *spices* photo (the page's default) resized to the requested size.

* ``slic 200/20`` and ``felzenszwalb 100`` (first stage): "core" =
  :func:`core.superpixels.segment`; "tutorial" = the tutorial's direct
  ``segmentation.slic(im, n_segments=200, compactness=20)`` /
  ``segmentation.felzenszwalb(im, scale=100)``, timed in alternation. Target: core ≤ 1.1 × direct.
  Quality: 1 if the labels are identical.
* ``average colour (SLIC 200)``: bincount (:func:`core.clustering.average_colors`)
  vs ``color.label2rgb(segments, im, kind='avg')``. Quality: differing pixels
  vs ``bg_label=-1``.
* ``k-means 5 on superpixels``: "core" = :func:`core.superpixels.merge_kmeans`
  (one weighted sample per superpixel); "tutorial" = the tutorial's cell
  (``label2rgb`` average image → ``rgb2lab`` → ``KMeans(5, random_state=0)``
  on every pixel's a, b). Both start from the same SLIC superpixels. Quality:
  the per-pixel k-means objective (inertia over all pixels of the average
  image's a, b) ÷ the tutorial's — ≤ 1 means as good or better; ``agreement`` = the share of pixels in
  the same cluster after matching the cluster ids (:func:`core.superpixels.label_agreement`). Target ≤ 0.05 s.
* ``RAG cut 29``: "core" = :func:`core.superpixels.merge_rag` (numpy + scipy
  connected components); "tutorial" = scikit-image's gallery code
  ``graph.cut_threshold(segments, graph.rag_mean_color(im, segments), 29)``
  (the tutorial itself has no RAG). Quality: adjusted Rand index between the
  two partitions (1 = the same regions).
"""

from __future__ import annotations

import numpy as np

from benchmarks._harness import inertia, measure, photo, row


def _paired(fn_core, fn_direct, repeat: int):
    """Time two functions in alternation (so a busy machine slows both alike); medians + peaks + results."""
    import statistics
    import time

    times = ([], [])
    results = [None, None]
    for _ in range(max(1, repeat)):
        for i, fn in enumerate((fn_core, fn_direct)):
            start = time.perf_counter()
            results[i] = fn()
            times[i].append(time.perf_counter() - start)
    peaks = [measure(fn, 1)[1] for fn in (fn_core, fn_direct)]  # one traced run each for the peak
    return [(statistics.median(times[i]), peaks[i], results[i]) for i in range(2)]


def run(megapixels: float, repeat: int = 3) -> list[dict]:
    from skimage import color, graph, segmentation
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    from core.clustering import average_colors
    from core.superpixels import label_agreement, merge_kmeans, merge_rag, segment

    im = photo(megapixels, "spices")
    mp = im.shape[0] * im.shape[1] / 1e6
    rows = []

    # ------------------------------------------------------------------ first stage
    (core_s, core_mb, segs), (tut_s, tut_mb, ref) = _paired(
        lambda: segment(im, "slic", n_segments=200, compactness=20.0),
        lambda: segmentation.slic(im, n_segments=200, compactness=20), repeat)
    same = float(np.array_equal(segs, ref))
    rows.append(row("slic 200/20", "core", mp, core_s, core_mb, "identical", same, n_segments=int(np.unique(segs).size)))
    rows.append(row("slic 200/20", "tutorial", mp, tut_s, tut_mb, "identical", same))

    (core_s, core_mb, fz), (tut_s, tut_mb, fz_ref) = _paired(
        lambda: segment(im, "felzenszwalb", scale=100.0),
        lambda: segmentation.felzenszwalb(im, scale=100), repeat)
    same = float(np.array_equal(fz, fz_ref))
    rows.append(row("felzenszwalb 100", "core", mp, core_s, core_mb, "identical", same, n_segments=int(fz.max() + 1)))
    rows.append(row("felzenszwalb 100", "tutorial", mp, tut_s, tut_mb, "identical", same))

    # ------------------------------------------------------------------ average colour
    reference = color.label2rgb(segs, im, kind="avg", bg_label=-1)
    core_s, core_mb, out = measure(lambda: average_colors(im, segs), repeat)
    rows.append(row("average colour (SLIC 200)", "core", mp, core_s, core_mb, "pixels != label2rgb",
                    int(np.any(out != reference, axis=-1).sum())))
    tut_s, tut_mb, out = measure(lambda: color.label2rgb(segs, im, kind="avg"), repeat)
    rows.append(row("average colour (SLIC 200)", "tutorial", mp, tut_s, tut_mb, "pixels != label2rgb",
                    int(np.any(out != reference, axis=-1).sum())))

    # ------------------------------------------------------------------ second stage: k-means
    X = color.rgb2lab(reference)[..., 1:].reshape(-1, 2)  # the per-pixel objective's features

    def tutorial_merge():
        result = color.label2rgb(segs, im, kind="avg")
        im_lab = color.rgb2lab(result)
        data = np.array([im_lab[..., 1].ravel(), im_lab[..., 2].ravel()])
        kmeans = KMeans(n_clusters=5, random_state=0).fit(data.T)
        return kmeans.labels_.reshape(im.shape[:-1])

    tut_s, tut_mb, tut_labels = measure(tutorial_merge, repeat)
    core_s, core_mb, core_labels = measure(lambda: merge_kmeans(im, segs, 5), repeat)
    tut_inertia = inertia(X, tut_labels.ravel())
    rows.append(row("k-means 5 on superpixels", "core", mp, core_s, core_mb, "inertia/tutorial's",
                    inertia(X, core_labels.ravel()) / tut_inertia,
                    agreement=round(label_agreement(core_labels, tut_labels), 4)))
    rows.append(row("k-means 5 on superpixels", "tutorial", mp, tut_s, tut_mb, "inertia/tutorial's", 1.0))

    # ------------------------------------------------------------------ second stage: RAG
    core_s, core_mb, rag_core = measure(lambda: merge_rag(im, segs, 29), repeat)
    tut_s, tut_mb, rag_ref = measure(lambda: graph.cut_threshold(segs, graph.rag_mean_color(im, segs), 29), repeat)
    ari = float(adjusted_rand_score(rag_ref.ravel(), rag_core.ravel()))
    rows.append(row("RAG cut 29", "core", mp, core_s, core_mb, "ARI vs skimage", ari,
                    n_regions=int(np.unique(rag_core).size)))
    rows.append(row("RAG cut 29", "tutorial", mp, tut_s, tut_mb, "ARI vs skimage", ari))
    return rows
