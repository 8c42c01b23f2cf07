"""Unit tests of core.features.pixel_features."""
from __future__ import annotations

import numpy as np
import pytest
from skimage import data, filters

from core.features import FEATURE_KINDS, default_params, feature_names, pixel_features


@pytest.fixture(scope="module")
def rgb():
    return data.astronaut()[::8, ::8]  # 64×64×3 uint8


@pytest.mark.parametrize("kind", list(FEATURE_KINDS))
@pytest.mark.parametrize("color", [False, True])
def test_shape_dtype_names(kind, color, rgb):
    img = rgb if color else rgb[..., 0]
    f = pixel_features(img, kind)
    assert f.shape[:2] == img.shape[:2] and f.ndim == 3
    assert f.dtype == np.float32 and f.flags.c_contiguous
    assert np.all(np.isfinite(f))
    assert f.shape[-1] == len(feature_names(kind, color=color))
    # no dead feature: every channel varies over the image
    assert np.all(f.reshape(-1, f.shape[-1]).std(axis=0) > 0)


def test_dtype_invariance(rgb):
    gray = rgb[..., 1]
    a = pixel_features(gray, "default")
    b = pixel_features(gray / 255.0, "default")
    c = pixel_features(gray.astype(np.uint16) * 257, "default")
    np.testing.assert_allclose(a, b, atol=1e-4)
    np.testing.assert_allclose(a, c, atol=1e-4)


def test_tutorial_kind_is_gabor_magnitude_per_channel(rgb):
    f = pixel_features(rgb, "tutorial", frequencies=(0.25, 0.5))
    assert f.shape[-1] == 3 * 2 * 2  # channels × frequencies × orientations
    g = rgb[..., 2] / 255.0  # blue channel, frequency 0.5, theta = π/2: index 2*4 + 1*2 + 1
    r, i = filters.gabor(g, 0.5, theta=np.pi / 2)
    np.testing.assert_allclose(f[..., 11], np.hypot(r, i), atol=1e-5)


def test_default_frequencies_all_below_nyquist():
    for kind in ("tutorial", "gabor_energy", "default"):
        assert max(default_params(kind)["frequencies"]) <= 0.5


def test_gabor_energy_tells_orientations_apart():
    yy, xx = np.mgrid[0:64, 0:128]
    img = np.where(xx < 64, np.sin(2 * np.pi * 0.1 * yy), np.sin(2 * np.pi * 0.1 * xx)) * 0.5 + 0.5
    f = pixel_features(img, "gabor_energy", frequencies=(0.1,), n_orientations=2, normalize=0)
    # channel 0: theta 0 (wave along x → responds to vertical stripes, the right half)
    left, right = f[16:48, 8:40], f[16:48, 88:120]
    assert right[..., 0].mean() > 2 * left[..., 0].mean()
    assert left[..., 1].mean() > 2 * right[..., 1].mean()


def test_bad_input_messages(rgb):
    with pytest.raises(ValueError, match="unknown feature kind 'sift'"):
        pixel_features(rgb, "sift")
    with pytest.raises(ValueError, match="unknown parameter.*'sigma'"):
        pixel_features(rgb, "tutorial", sigma=2)
    with pytest.raises(ValueError, match="Nyquist"):
        pixel_features(rgb, "gabor_energy", frequencies=(0.1, 0.8))
    with pytest.raises(ValueError, match="at least 8 pixels"):
        pixel_features(np.zeros((4, 40)), "default")
    with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
        pixel_features(np.zeros((16, 16, 5)), "default")
