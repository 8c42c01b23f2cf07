"""core.trainable.features.FeatureSpec (and the filter stages of core.trainable._filters it is built from)."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import filters

from core.trainable.features import FAMILIES, FREQUENCY_SETS, FeatureSpec, feature_bytes, n_channels

ONLY = {name: FeatureSpec(**{f: f == name for f in FAMILIES}) for name in FAMILIES}


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("name", [*FAMILIES, "all"])
def test_shapes_names_and_families_agree(name, channels):
    spec = FeatureSpec(gabor=True) if name == "all" else ONLY[name]
    if name in ("color", "palette") and channels == 1:
        return  # colour of a gray image: no features (tested below)
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (40, 48, 3) if channels == 3 else (40, 48), dtype=np.uint8)
    f = spec(img)
    assert f.dtype == np.float32 and f.flags.c_contiguous and np.all(np.isfinite(f))
    assert f.shape == (40, 48, spec.n_features(channels)) == (40, 48, len(spec.names(channels)))
    assert len(spec.families(channels)) == f.shape[-1] and set(spec.families(channels)) <= set(FAMILIES)
    assert n_channels(img) == channels


def test_any_dtype_gives_the_same_features():
    rng = np.random.default_rng(1)
    gray = rng.integers(0, 256, (32, 32)).astype(np.uint8)
    a = FeatureSpec()(gray)
    np.testing.assert_allclose(FeatureSpec()(gray / 255.0), a, atol=1e-4)
    np.testing.assert_allclose(FeatureSpec()(gray.astype(np.uint16) * 257), a, atol=1e-4)


def test_gabor_family_is_the_tutorials_compute_features():
    rng = np.random.default_rng(2)
    img = rng.integers(0, 256, (48, 56, 3)).astype(np.uint8)
    f = FeatureSpec(gabor=True, texture=False, edges=False, intensity=False, color=False, frequencies="tutorial")(img)
    assert f.shape[-1] == 30
    i = 0
    for ch in range(3):  # the tutorial's order: channel, frequency, orientation
        for fq in np.logspace(-3, 1, num=5, base=2):
            for theta in (0, np.pi / 2):
                real, imag = filters.gabor(img[..., ch] / 255.0, fq, theta=theta)
                np.testing.assert_allclose(f[..., i], np.hypot(real, imag), atol=2e-4)
                i += 1
    assert max(FREQUENCY_SETS["corrected"]) == 0.5 and max(FREQUENCY_SETS["tutorial"]) == 2.0


def test_colour_family_needs_a_colour_image():
    assert ONLY["color"].n_features(1) == 0 and ONLY["color"].n_features(3) == 6
    assert ONLY["palette"].n_features(1) == 0 and ONLY["palette"].n_features(3) == 15


def test_palette_shares_are_local_colour_histograms():
    img = np.zeros((48, 64, 3), np.uint8)
    img[:, :32] = (200, 40, 40)  # red: nearest to (L 50, a +30, b 0)
    img[:, 32:] = (250, 250, 250)  # white: nearest to (L 80, neutral)
    spec = FeatureSpec(texture=False, edges=False, intensity=False, color=False, palette=True, sigma_max=4.0)
    f = spec(img)
    names = spec.names(3)
    np.testing.assert_allclose(f.sum(-1), 1, atol=1e-4)  # shares of the 15 colours
    red, white = names.index("share_L50a30b0_s4"), names.index("share_L80a0b0_s4")
    assert f[24, 4, red] > 0.5 > f[24, 4, white] and f[24, 60, white] > 0.9 > 0.1 > f[24, 60, red]
    assert 0.2 < f[24, 32, white] < 0.8  # the window mixes both sides at the border


def test_bad_settings_say_how_to_fix():
    with pytest.raises(ValueError, match="at least one feature family"):
        FeatureSpec(**{f: False for f in FAMILIES})
    with pytest.raises(ValueError, match="'sigma_max' parameter must be a finite float in the range"):
        FeatureSpec(sigma_max=1000)
    with pytest.raises(ValueError, match="'frequencies' parameter must be one of"):
        FeatureSpec(frequencies="high")
    with pytest.raises(ValueError, match="Unknown feature setting"):
        FeatureSpec.from_dict({"gabor": True, "sift": True})
    with pytest.raises(ValueError, match="at least 8"):
        FeatureSpec()(np.zeros((4, 40)))
    with pytest.raises(ValueError, match="NaN"):
        FeatureSpec()(np.full((16, 16), np.nan))
    assert FeatureSpec.from_dict(FeatureSpec(sigma_max=32.0).to_dict()) == FeatureSpec(sigma_max=32.0)


def test_feature_bytes_bounds_the_measured_peak():
    import tracemalloc
    img = np.random.default_rng(3).integers(0, 256, (128, 128, 3)).astype(np.uint8)
    tracemalloc.start()
    FeatureSpec()(img)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    estimate = feature_bytes(img.shape)
    assert 0.5 * peak < estimate < 3 * peak, (estimate, peak)
