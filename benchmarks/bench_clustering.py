"""Benchmark: colour k-means (core.clustering vs the tutorial's code) and average colours.

The tutorial's own images resized to the requested size, with their tutorial settings: round_pill
(a, b, k = 2) and spices (a, b, k = 10); coffee (a, b, k = 4) as a photo with many colours.

* ``tutorial``: the tutorial's cell as written — ``color.rgb2lab(im)``, ``np.array([...].ravel())``,
  ``KMeans(n_clusters=k, random_state=0).fit(data.T)``. Quality: 1.0 (the reference labels).
* ``core all``: :func:`core.clustering.color_kmeans_fit` with ``fit="all"`` (the page's default): the same
  call on every pixel, on exact Lab values from a 256-entry transfer-curve table. Quality: share of pixels
  with the tutorial's label (1.0 = identical labels).
* ``core sample``: ``fit="sample"``: 10,000 random pixels, 3 restarts, then each *distinct colour* is
  converted and labelled once. Quality: share of pixels with the label of the plain path (``plain sample``:
  rgb2lab of every pixel, the same sampled fit, predict every pixel — what the script does); 1.0 = identical.
  ``speedup`` = tutorial seconds / these seconds; ``inertia_ratio`` = inertia / the tutorial's inertia.
* ``average colour``: :func:`core.clustering.average_colors` (bincount) vs ``label2rgb(kind='avg')``.
"""

from __future__ import annotations

import numpy as np

from benchmarks._harness import measure, photo, row

CASES = (("round_pill", 2), ("spices", 10), ("coffee", 4))


def _tutorial(im, k):
    from skimage import color
    from sklearn.cluster import KMeans

    im_lab = color.rgb2lab(im)
    data = np.array([im_lab[..., 1].ravel(), im_lab[..., 2].ravel()])
    kmeans = KMeans(n_clusters=k, random_state=0).fit(data.T)
    return kmeans.labels_.reshape(im.shape[:-1]), kmeans.inertia_


def _plain_sample(im, k, n=10_000):
    from skimage import color
    from sklearn.cluster import KMeans

    lab = color.rgb2lab(im)
    X = lab[..., 1:].reshape(-1, 2)
    idx = np.sort(np.random.default_rng(0).choice(len(X), size=min(n, len(X)), replace=False))
    return KMeans(n_clusters=k, random_state=0, n_init=3).fit(X[idx]).predict(X).reshape(im.shape[:2])


def run(megapixels: float, repeat: int = 3) -> list[dict]:
    from skimage import color, segmentation

    from core.clustering import average_colors, color_kmeans_fit

    rows = []
    for name, k in CASES:
        im = photo(megapixels, name)
        mp = im.shape[0] * im.shape[1] / 1e6
        technique = f"colour k-means {name} k={k} (a,b)"
        tut_s, tut_mb, (tut_labels, tut_inertia) = measure(lambda im=im, k=k: _tutorial(im, k), repeat)
        rows.append(row(technique, "tutorial", mp, tut_s, tut_mb, "labels = tutorial's", 1.0))
        all_s, all_mb, res = measure(lambda im=im, k=k: color_kmeans_fit(im, k, max_samples=None, n_init="auto"),
                                     repeat)
        rows.append(row(technique, "core all", mp, all_s, all_mb, "labels = tutorial's",
                        float(np.mean(res.labels == tut_labels)), speedup=tut_s / all_s,
                        inertia_ratio=res.inertia / tut_inertia))
        plain_s, plain_mb, plain = measure(lambda im=im, k=k: _plain_sample(im, k), repeat)
        rows.append(row(technique, "plain sample", mp, plain_s, plain_mb, "labels = plain sample path", 1.0,
                        speedup=tut_s / plain_s))
        core_s, core_mb, res = measure(lambda im=im, k=k: color_kmeans_fit(im, k), repeat)
        rows.append(row(technique, "core sample", mp, core_s, core_mb, "labels = plain sample path",
                        float(np.mean(res.labels == plain)), speedup=tut_s / core_s,
                        inertia_ratio=res.inertia / tut_inertia))

    im = photo(megapixels, "coffee")
    mp = im.shape[0] * im.shape[1] / 1e6
    labels = segmentation.felzenszwalb(im, scale=100)
    reference = color.label2rgb(labels, im, kind="avg", bg_label=-1)

    def differing(out):
        return int(np.any(out != reference, axis=-1).sum())

    core_s, core_mb, out = measure(lambda: average_colors(im, labels), repeat)
    rows.append(row("average colour (Felzenszwalb)", "core", mp, core_s, core_mb, "pixels != label2rgb",
                    differing(out), n_labels=int(labels.max() + 1)))
    slow_repeat = 1 if mp > 1.5 else repeat  # label2rgb(kind='avg') loops over labels: seconds per run
    tut_s, tut_mb, out = measure(lambda: color.label2rgb(labels, im, kind="avg"), slow_repeat)
    rows.append(row("average colour (Felzenszwalb)", "tutorial", mp, tut_s, tut_mb, "pixels != label2rgb",
                    differing(out), n_labels=int(labels.max() + 1)))
    return rows


if __name__ == "__main__":
    import sys

    for r in run(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0, int(sys.argv[2]) if len(sys.argv) > 2 else 3):
        extra = {key: round(v, 3) for key, v in r.items() if key in ("speedup", "inertia_ratio")}
        print(f"{r['technique']:36s} {r['variant']:13s} {r['megapixels']:.2f} MP {r['seconds']:7.3f} s "
              f"{r['peak_mb']:7.1f} MB  {r['quality_name']}: {r['quality']:.4f} {extra}")
