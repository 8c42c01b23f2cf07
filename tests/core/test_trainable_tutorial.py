"""The "Tutorial" preset reproduces the tutorial's trainable segmentation (its code is copied below as the
reference) on its own beach photo and mask: ≥ 99 % of pixels agree.

Run at 1/8 of the photo's size (120×160) to keep the test short; ``benchmarks/bench_trainable.py`` measures the
full 960×1280 photo (``benchmarks/TRAINABLE.md``).
"""

from __future__ import annotations

import numpy as np
from skimage import filters, img_as_float, transform
from sklearn.ensemble import RandomForestClassifier

from core import trainable as T
from core.images import load_sample
from core.trainable_schema import PRESETS, SCHEMA, fit_kwargs, tutorial_mask


# ----------------------------------------------------------------- the tutorial's cells, as written
def _compute_features(im):
    gabor_frequencies = np.logspace(-3, 1, num=5, base=2)
    thetas = [0, np.pi / 2]
    nb_fq = len(gabor_frequencies) * len(thetas)
    im = np.atleast_3d(im)
    im_gabor = np.empty((im.shape[-1], nb_fq) + im.shape[:2])
    for ch in range(im.shape[-1]):
        img = img_as_float(im[..., ch])
        for i_fq, fq in enumerate(gabor_frequencies):
            for i_th, theta in enumerate(thetas):
                tmp = filters.gabor(img, fq, theta=theta)
                im_gabor[ch, len(thetas) * i_fq + i_th] = np.abs(tmp[0] + 1j * tmp[1])
    return im_gabor


def trainable_segmentation(im, mask):
    im_gabor = _compute_features(im)
    nb_ch, nb_fq, sh_1, sh2 = im_gabor.shape
    training_data = im_gabor[:, :, mask > 0]
    training_data = training_data.reshape((nb_ch * nb_fq, (mask > 0).sum())).T
    training_labels = mask[mask > 0].ravel()
    data = im_gabor[:, :, mask == 0].reshape((nb_ch * nb_fq, (mask == 0).sum())).T
    clf = RandomForestClassifier(random_state=0)  # the tutorial's RandomForestClassifier(), seeded
    clf.fit(training_data, training_labels)
    labels = clf.predict(data)
    result = np.copy(mask)
    result[mask == 0] = labels
    return result
# -----------------------------------------------------------------


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
