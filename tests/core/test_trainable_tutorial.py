"""The "Tutorial" preset reproduces the tutorial's trainable segmentation (its code is copied below as the
reference, tests/tutorial_code.py) on its own beach photo and mask: ≥ 99 % of pixels agree.

Run at 1/8 of the photo's size (120×160) to keep the test short; ``benchmarks/bench_trainable.py`` measures the
full 960×1280 photo (``benchmarks/TRAINABLE.md``).
"""

from __future__ import annotations

import numpy as np
from skimage import transform

from core import trainable as T
from core.images import load_sample
from core.trainable.schema import PRESETS, SCHEMA, fit_kwargs, tutorial_mask
from tests.tutorial_code import trainable_segmentation  # the tutorial's cells, as written


def tutorial_preset_result(image, mask):
    """What the page computes for the Tutorial preset (scribbled pixels keep their class, as in the tutorial)."""
    seg = T.fit_segmenter(image, mask, **fit_kwargs(SCHEMA.parse(PRESETS["tutorial"])))
    result = seg.predict(image)
    result[mask > 0] = mask[mask > 0]
    return result


def test_tutorial_preset_agrees_with_the_tutorials_code():
    beach = load_sample("bells_beach")
    assert beach.shape == (960, 1280, 3)
    small = (transform.resize(beach, (120, 160), anti_aliasing=True) * 255).round().astype(np.uint8)
    mask = tutorial_mask(small.shape)
    reference = trainable_segmentation(small, mask)
    ours = tutorial_preset_result(small, mask)
    agreement = (ours == reference).mean()
    assert agreement >= 0.99, agreement
    unlabelled = (ours == reference)[mask == 0].mean()
    assert unlabelled >= 0.98, unlabelled
    for k in (1, 2, 3):  # every class keeps its share (the sand class does not vanish)
        assert abs((ours == k).mean() - (reference == k).mean()) < 0.01
