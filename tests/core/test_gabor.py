"""Unit tests of core.gabor: FFT Gabor filtering equals direct convolution."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi
from skimage import data, filters, img_as_float

from core.gabor import (
    CORRECTED_TUTORIAL_FREQUENCIES,
    TUTORIAL_FREQUENCIES,
    gabor_bank,
    gabor_filter,
    gabor_kernel,
    normalized_power,
    power_responses,
)


@pytest.fixture(scope="module")
def brick():
    return img_as_float(data.brick())[100:164, 200:280]  # 64×80 crop


@pytest.mark.parametrize("frequency,theta", [(0.05, 0.0), (0.1, np.pi / 4), (0.25, np.pi / 2), (0.5, 1.0)])
def test_fft_equals_direct_convolution(brick, frequency, theta):
    real, imag = filters.gabor(brick, frequency, theta=theta)  # scipy.ndimage.convolve, mode='reflect'
    fr, fi = gabor_filter(brick, frequency, theta=theta)
    assert fr.dtype == np.float32 and fr.shape == brick.shape
    # whole image (same boundary handling), and a fortiori the interior
    np.testing.assert_allclose(fr, real, atol=1e-5)
    np.testing.assert_allclose(fi, imag, atol=1e-5)


def test_kernel_larger_than_image_still_matches():
    img = img_as_float(data.grass())[:20, :24]
    real, _ = filters.gabor(img, 0.04)  # kernel ~160 px, far larger than the image
    fr, _ = gabor_filter(img, 0.04, dtype=np.float64)
    np.testing.assert_allclose(fr, real, atol=1e-9)


def test_bank_order_and_magnitude(brick):
    freqs, thetas = (0.1, 0.3), (0.0, np.pi / 2)
    bank = gabor_bank(brick, freqs, thetas)
    assert bank.shape == brick.shape + (4,) and bank.dtype == np.float32 and bank.flags.c_contiguous
    r, i = filters.gabor(brick, 0.3, theta=np.pi / 2)  # index 1 * 2 + 1
    np.testing.assert_allclose(bank[..., 3], np.hypot(r, i), atol=1e-5)
    cplx = gabor_bank(brick, freqs, thetas, output="complex")
    np.testing.assert_allclose(np.abs(cplx), bank, atol=1e-6)


def test_uint8_input_is_scaled():
    u8 = data.brick()[:40, :40]
    a = gabor_filter(u8, 0.2)[0]
    b = gabor_filter(u8 / 255.0, 0.2)[0]
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_kernel_matches_skimage():
    k = gabor_kernel(0.2, 0.3, bandwidth=1.5)
    ref = filters.gabor_kernel(0.2, theta=0.3, bandwidth=1.5)
    assert k.dtype == np.complex64 and k.shape == ref.shape
    np.testing.assert_allclose(k, ref, atol=1e-7)


def test_aliasing_frequency_is_refused_with_advice():
    with pytest.raises(ValueError, match="Nyquist.*≤ 0.5"):
        gabor_kernel(1.0)
    with pytest.raises(ValueError, match="positive"):
        gabor_filter(np.zeros((16, 16)), -0.1)
    assert gabor_kernel(1.0, allow_alias=True).shape[0] >= 1


def test_tutorial_frequencies_corrected():
    assert max(TUTORIAL_FREQUENCIES) == 2.0  # the tutorial's two aliased frequencies
    assert max(CORRECTED_TUTORIAL_FREQUENCIES) == 0.5 and len(CORRECTED_TUTORIAL_FREQUENCIES) == 5
    ratios = np.diff(np.log2(CORRECTED_TUTORIAL_FREQUENCIES))
    np.testing.assert_allclose(ratios, 1.0)  # still one octave apart


def test_normalized_power_equals_tutorial(brick):
    kernel = filters.gabor_kernel(0.2, theta=0)
    image = (brick - brick.mean()) / brick.std()
    ref = np.sqrt(ndi.convolve(image, np.real(kernel), mode="wrap") ** 2
                  + ndi.convolve(image, np.imag(kernel), mode="wrap") ** 2)
    np.testing.assert_allclose(normalized_power(brick, kernel), ref, atol=1e-5)


def test_bad_input_messages():
    with pytest.raises(ValueError, match="constant"):
        normalized_power(np.ones((16, 16)), gabor_kernel(0.2))
    with pytest.raises(ValueError, match="2-D grayscale"):
        gabor_filter(np.zeros((4, 4, 4, 4)), 0.2)
    with pytest.raises(ValueError, match="NaN"):
        gabor_filter(np.full((8, 8), np.nan), 0.2)


# --------------------------------------------------------------------------- recipe (Reproduce in Python)
@pytest.mark.parametrize("values", [
    dict(image="coins", frequency=0.1, frequency2=0.4, theta=0, bandwidth=1.0, mode="wrap", shrink=3,
         working_size=256),
    dict(image="chelsea", frequency=0.7, frequency2=0.15, theta=45, bandwidth=1.5, mode="reflect", shrink=2,
         working_size=200),
], ids=["coins-tutorial", "chelsea-alias-reflect"])
def test_recipe_reproduces_core(values, tmp_path):
    """The script uses numpy.fft in float64, the app scipy.fft in float32: both compute the same
    circular convolution of the same padded image, so they agree to float32 rounding (rtol 1e-4
    of the largest response)."""
    from core.gabor import power_responses
    from core.images import fit_working_size, load_sample
    from core.recipes.gabor import script
    from tests.recipes import run_recipe
    code = script(values)
    assert "scipy" not in code
    got = run_recipe(code, tmp_path)["result"]
    image = fit_working_size(load_sample(values["image"]), values["working_size"])
    expected = power_responses(image, (values["frequency"], values["frequency2"]), np.deg2rad(values["theta"]),
                               bandwidth=values["bandwidth"], mode=values["mode"], shrink=values["shrink"])
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-4 * float(expected.max()))


def test_power_responses_shrink_and_errors():
    img = data.camera()
    p = power_responses(img, (0.1, 0.2), shrink=3)
    assert p.shape == (2, 171, 171) and p.dtype == np.float32
    with pytest.raises(ValueError, match="smaller shrink"):
        power_responses(img[:10, :10], (0.1,), shrink=4)
