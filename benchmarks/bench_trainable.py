"""Benchmark: trainable segmentation — speed on texture mosaics, the tutorial's beach, tile seams.

``run(megapixels)`` (for ``python -m benchmarks``): :func:`benchmarks.texture_mosaic.texture_mosaic` (brick /
grass / gravel, one shared histogram, ~1.5 % scribbled), mean IoU over seeds 0…3:

* "tutorial": the tutorial's ``trainable_segmentation`` as written (``filters.gabor`` at
  ``np.logspace(-3, 1, 5, base=2)`` × θ ∈ {0, π/2}, ``RandomForestClassifier()``); skipped above 1.1 MP;
* "core": ``FeatureSpec()`` features + ``fit_segmenter`` defaults (the improved classifier) + predict;
* "core", retrain + predict with cached features: what a new stroke costs on the page.

``python -m benchmarks.bench_trainable tutorial|seams`` prints the numbers of ``benchmarks/TRAINABLE.md``:
the Tutorial preset vs the tutorial's code on the full 960×1280 beach photo (and what the corrected
frequencies change), and the label disagreement of :func:`core.trainable.predict_tiled` at tile seams.
"""
from __future__ import annotations

import sys
import time

import numpy as np

from benchmarks._harness import measure, row, square_side

TUTORIAL_MAX_MP = 1.1
QUALITY_SEEDS = (0, 1, 2, 3)


def mean_iou(pred, truth, classes=(1, 2, 3)):
    """Mean over classes of |pred ∩ truth| / |pred ∪ truth|."""
    return float(np.mean([((pred == k) & (truth == k)).sum() / max(1, ((pred == k) | (truth == k)).sum())
                          for k in classes]))


def tutorial_segmentation(im, mask):
    """The tutorial's trainable_segmentation (and _compute_features), as written (seeded forest)."""
    from tests.tutorial_code import trainable_segmentation

    return trainable_segmentation(im, mask, n_jobs=-1)


def core_segmentation(image, scribbles):
    from core.trainable import FeatureSpec, fit_segmenter
    f = FeatureSpec()(image)
    return fit_segmenter(image, scribbles, feature_array=f).predict(feature_array=f)


def core_retrain(features, scribbles):
    from core.trainable import fit_segmenter
    return fit_segmenter(None, scribbles, feature_array=features).predict(feature_array=features)


def run(megapixels: float, repeat: int = 3) -> list[dict]:
    """Time the variants on a mosaic of about ``megapixels``; one dict per (technique, variant)."""
    from benchmarks.texture_mosaic import texture_mosaic
    from core.trainable.features import FeatureSpec
    side = square_side(megapixels)
    mosaics = [texture_mosaic((side, side), seed=s) for s in QUALITY_SEEDS]
    m = mosaics[0]
    mp = side * side / 1e6
    rows = []
    s, peak, _ = measure(lambda: core_segmentation(m.image, m.scribbles), repeat)
    q = np.mean([mean_iou(core_segmentation(x.image, x.scribbles), x.truth) for x in mosaics])
    rows.append(row("trainable: scribbles → segmentation", "core", mp, s, peak, "mean IoU", float(q)))
    feats = FeatureSpec()(m.image)
    s, peak, _ = measure(lambda: core_retrain(feats, m.scribbles), repeat)
    rows.append(row("trainable: retrain + predict (features cached)", "core", mp, s, peak, "mean IoU", float(q)))
    if mp <= TUTORIAL_MAX_MP:
        s, peak, _ = measure(lambda: tutorial_segmentation(m.image, m.scribbles), repeat)
        q = np.mean([mean_iou(tutorial_segmentation(x.image, x.scribbles), x.truth) for x in mosaics])
        rows.append(row("trainable: scribbles → segmentation", "tutorial", mp, s, peak, "mean IoU", float(q)))
    return rows


def _preset(image, mask, name):
    from core import trainable as T
    from core.trainable.schema import PRESETS, SCHEMA, fit_kwargs
    seg = T.fit_segmenter(image, mask, **fit_kwargs(SCHEMA.parse(PRESETS[name])))
    result = seg.predict(image)
    result[mask > 0] = mask[mask > 0]
    return result


def tutorial(scale: int = 1):
    """The Tutorial preset vs the tutorial's code on the beach photo at 1/``scale`` of its size."""
    from skimage import transform

    from core.images import load_sample
    from core.trainable.schema import tutorial_mask
    beach = load_sample("bells_beach")
    if scale > 1:
        beach = (transform.resize(beach, (960 // scale, 1280 // scale), anti_aliasing=True) * 255).round()
        beach = beach.astype(np.uint8)
    mask = tutorial_mask(beach.shape)
    start = time.perf_counter()
    ref = tutorial_segmentation(beach, mask)
    t_ref = time.perf_counter() - start
    start = time.perf_counter()
    ours = _preset(beach, mask, "tutorial")
    t_ours = time.perf_counter() - start
    corrected = _preset(beach, mask, "tutorial_corrected")
    shares = lambda r: " / ".join(f"{100 * (r == k).mean():.1f}" for k in (1, 2, 3))  # noqa: E731
    print(f"beach {beach.shape[1]}×{beach.shape[0]}: tutorial's code {t_ref:.0f} s, Tutorial preset {t_ours:.0f} s")
    print(f"  agreement with the tutorial's code: {100 * (ours == ref).mean():.2f} % of pixels "
          f"({100 * (ours == ref)[mask == 0].mean():.2f} % of the unlabelled ones)")
    print(f"  class shares vegetation / sea+sky / sand: tutorial {shares(ref)}, preset {shares(ours)}, "
          f"corrected frequencies {shares(corrected)}")
    print(f"  corrected frequencies vs the tutorial's: {100 * (corrected == ref).mean():.2f} % of pixels agree "
          f"({100 * (corrected == ref)[mask == 0].mean():.2f} % of the unlabelled ones)")


def seams(side: int = 1024, tile: int = 256):
    """Label disagreement of predict_tiled with the untiled run, over all pixels and near the seams."""
    from benchmarks.texture_mosaic import texture_mosaic
    from core import trainable as T
    m = texture_mosaic((side, side), seed=0)
    seg = T.fit_segmenter(m.image, m.scribbles)
    whole = seg.predict(m.image)
    for overlap in (0, 64, T.default_overlap(seg)):
        start = time.perf_counter()
        tiled, _ = T.predict_tiled(seg, m.image, tile=tile, overlap=overlap)
        seconds = time.perf_counter() - start
        diff = tiled != whole
        near = np.zeros_like(diff)
        for s in range(tile, side, tile):
            near[max(0, s - 16):s + 16] = True
            near[:, max(0, s - 16):s + 16] = True
        print(f"tile {tile}, overlap {overlap:3d}: {100 * diff.mean():.3f} % of pixels differ "
              f"({100 * diff[near].mean():.3f} % within 16 px of a seam), {seconds:.1f} s; bound "
              f"{T.tiled_peak_bytes(seg, tile=tile, overlap=overlap) / 2**20:.0f} MiB besides labels")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "tutorial"
    {"tutorial": lambda: tutorial(int(sys.argv[2]) if len(sys.argv) > 2 else 1), "seams": seams}[what]()
