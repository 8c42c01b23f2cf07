"""The tutorial's trainable-segmentation cells, as written: the one reference copy for tests and benchmarks.

Copied from the tutorial's notebook (``_compute_features`` and ``trainable_segmentation``; the forest seeded, as
the app's Tutorial preset is). ``tests/core/test_trainable_tutorial.py``, ``benchmarks/bench_gabor.py`` and
``benchmarks/bench_trainable.py`` compare the app with it.
"""

import numpy as np
from skimage import filters, img_as_float
from sklearn.ensemble import RandomForestClassifier


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


def trainable_segmentation(im, mask, n_jobs=None):
    im_gabor = _compute_features(im)
    nb_ch, nb_fq, sh_1, sh2 = im_gabor.shape
    training_data = im_gabor[:, :, mask > 0]
    training_data = training_data.reshape((nb_ch * nb_fq, (mask > 0).sum())).T
    training_labels = mask[mask > 0].ravel()
    data = im_gabor[:, :, mask == 0].reshape((nb_ch * nb_fq, (mask == 0).sum())).T
    clf = RandomForestClassifier(random_state=0, n_jobs=n_jobs)  # the tutorial's, seeded; n_jobs changes nothing
    clf.fit(training_data, training_labels)
    labels = clf.predict(data)
    result = np.copy(mask)
    result[mask == 0] = labels
    return result
