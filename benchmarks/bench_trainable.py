"""Benchmark: trainable segmentation on texture mosaics (core.trainable vs the tutorial's code).

Data: :func:`core.texture_mosaic.texture_mosaic` — brick / grass / gravel in 8 random regions,
rank-mapped to one shared histogram (intensity alone cannot separate them), ~1.5 % of the pixels
scribbled with human-like strokes (5 px brush, kept 10 px from borders). Quality: mean IoU of
the three classes against the truth, averaged over mosaics with seeds 0…3 (the timed run uses
seed 0). At sizes above 512×512 the textures are mirror-tiled (their scale is kept).

* "tutorial": the tutorial's ``trainable_segmentation`` as written — ``filters.gabor`` at
  ``np.logspace(-3, 1, 5, base=2)`` × θ ∈ {0, π/2}, ``RandomForestClassifier()`` (100 trees,
  unlimited depth), predicting the unlabelled pixels (labelled ones keep their label).
  Skipped above 1.1 MP (minutes per run).
* "core", scribbles → segmentation: ``pixel_features`` (default kind) + ``fit_segmenter``
  (defaults) + ``predict``, from scratch.
* "core", retrain + predict with cached features: what a new stroke costs on the page.
"""
from __future__ import annotations

import numpy as np

from benchmarks._harness import measure, row, square_side

TUTORIAL_MAX_MP = 1.1
QUALITY_SEEDS = (0, 1, 2, 3)


def mean_iou(pred, truth, classes=(1, 2, 3)):
    """Mean over classes of |pred ∩ truth| / |pred ∪ truth|."""
    return float(np.mean([((pred == k) & (truth == k)).sum() / max(1, ((pred == k) | (truth == k)).sum())
                          for k in classes]))


def tutorial_segmentation(im, mask):
    """The tutorial's trainable_segmentation (and _compute_features), as written."""
    from sklearn.ensemble import RandomForestClassifier

    from benchmarks.bench_gabor import _tutorial_features
    im_gabor = _tutorial_features(im)
    nb_ch, nb_fq, sh_1, sh2 = im_gabor.shape
    training_data = im_gabor[:, :, mask > 0]
    training_data = training_data.reshape((nb_ch * nb_fq, (mask > 0).sum())).T
    training_labels = mask[mask > 0].ravel()
    data = im_gabor[:, :, mask == 0].reshape((nb_ch * nb_fq, (mask == 0).sum())).T
    clf = RandomForestClassifier()
    clf.fit(training_data, training_labels)
    labels = clf.predict(data)
    result = np.copy(mask)
    result[mask == 0] = labels
    return result


def core_segmentation(image, scribbles):
    from core.features import pixel_features
    from core.trainable import fit_segmenter
    f = pixel_features(image)
    return fit_segmenter(image, scribbles, feature_array=f).predict(feature_array=f)


def core_retrain(features, scribbles):
    from core.trainable import fit_segmenter
    return fit_segmenter(None, scribbles, feature_array=features).predict(feature_array=features)


def run(megapixels: float, repeat: int = 3) -> list[dict]:
    """Time the variants on a mosaic of about ``megapixels``; one dict per (technique, variant)."""
    from core.features import pixel_features
    from core.texture_mosaic import texture_mosaic
    side = square_side(megapixels)
    mosaics = [texture_mosaic((side, side), seed=s) for s in QUALITY_SEEDS]
    m = mosaics[0]
    mp = side * side / 1e6
    rows = []
    s, peak, _ = measure(lambda: core_segmentation(m.image, m.scribbles), repeat)
    q = np.mean([mean_iou(core_segmentation(x.image, x.scribbles), x.truth) for x in mosaics])
    rows.append(row("trainable: scribbles → segmentation", "core", mp, s, peak, "mean IoU", float(q)))
    feats = pixel_features(m.image)
    s, peak, _ = measure(lambda: core_retrain(feats, m.scribbles), repeat)
    rows.append(row("trainable: retrain + predict (features cached)", "core", mp, s, peak, "mean IoU",
                    float(q)))
    if mp <= TUTORIAL_MAX_MP:
        s, peak, _ = measure(lambda: tutorial_segmentation(m.image, m.scribbles), repeat)
        q = np.mean([mean_iou(tutorial_segmentation(x.image, x.scribbles), x.truth) for x in mosaics])
        rows.append(row("trainable: scribbles → segmentation", "tutorial", mp, s, peak, "mean IoU", float(q)))
    return rows
