"""Unit tests of core.gabor: FFT Gabor filtering equals direct convolution."""
from __future__ import annotations

import re

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
    with pytest.raises(ValueError, match=re.escape("The 'frequency' parameter must be ≤ 0.5 cycles/pixel, the "
                                                   "Nyquist limit (a finer wave aliases")):
        gabor_kernel(1.0)
    with pytest.raises(ValueError, match=re.escape("The 'frequency' parameter must be a finite float ≥ 0")):
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


def test_power_responses_shrink_and_errors():
    img = data.camera()
    p = power_responses(img, (0.1, 0.2), shrink=3)
    assert p.shape == (2, 171, 171) and p.dtype == np.float32
    with pytest.raises(ValueError, match="smaller shrink"):
        power_responses(img[:10, :10], (0.1,), shrink=4)
    with pytest.raises(ValueError, match=re.escape("The 'shrink' parameter must be an int ≥ 1; got 0.")):
        power_responses(img, (0.1,), shrink=0)


# --------------------------------------------------------------------------- schema, presets, batch, script
def test_schema_presets_and_translation():
    from core import gabor as G

    assert all(f.help for f in G.SCHEMA.fields.values())
    for name, preset in G.PRESETS.items():
        assert set(preset) == set(G.SCHEMA.fields) and G.SCHEMA.parse(preset) == preset, name
    tutorial = G.PRESETS["Tutorial (0.1 and 0.4)"]
    assert G.response_kwargs(tutorial) == {"frequencies": (0.1, 0.4), "theta": 0.0, "bandwidth": 1.0,
                                           "mode": "wrap", "shrink": 3}
    assert G.bank_kwargs({**tutorial, "bank_freqs": ["0.2"], "bank_orient": 2})["frequencies"] == (0.2,)
    with pytest.raises(ValueError, match=re.escape("The 'theta' parameter must be an int in the range [0, 180]")):
        G.SCHEMA.parse({"theta": "999"})


def test_bank_responses_equal_skimage_gabor_per_kernel():
    from core import gabor as G

    img = data.camera()[100:180, 150:250]
    out = G.bank_responses(img, (0.1, 0.25), 2, bandwidth=1.2, shrink=2)
    g = img_as_float(img)[::2, ::2]
    assert out.shape == g.shape + (4,)
    for i, (f, t) in enumerate([(0.1, 0), (0.1, np.pi / 2), (0.25, 0), (0.25, np.pi / 2)]):
        ref = np.hypot(*filters.gabor(g, f, theta=t, bandwidth=1.2))
        np.testing.assert_allclose(out[..., i], ref, atol=1e-4 * ref.max())


def test_batch_outputs_are_the_stages():
    from core import gabor as G

    img = data.camera()[::8, ::8]
    textures = {"brick": data.brick()[::8, ::8]}
    values = G.SCHEMA.parse({"shrink": "1", "bank_freqs": "0.1,0.2", "bank_orient": "2"})
    out = G.batch_outputs(img, values, textures=textures)
    mine = power_responses(img, (0.1, 0.4), 0.0, mode="wrap", shrink=1)
    np.testing.assert_array_equal(out["response_1"], G.gray_u8(mine[0]))
    assert sorted(k for k in out if k.startswith("bank_")) == ["bank_01", "bank_02", "bank_03", "bank_04"]
    assert list(out["means"].columns) == ["frequency", "brick", "image"]
    assert out["summary"]["response_2_mean"] == pytest.approx(float(mine[1].mean()), abs=1e-4)


@pytest.mark.parametrize("changes", [{}, {"frequency": 0.7, "frequency2": 0.15, "theta": 45, "bandwidth": 1.5,
                                          "mode": "reflect", "shrink": 4, "bank_freqs": ["0.2"], "bank_orient": 3}],
                         ids=["tutorial", "alias-reflect"])
def test_script_reproduces_the_stages(changes, tmp_path):
    """The script convolves directly (ndi.convolve, float64), the page by FFT (float32): same circular / mirrored
    convolution, so they agree to float32 rounding (1e-4 of the largest response)."""
    from skimage import io

    from core import gabor as G
    from tests.scripts import run_script

    upload = data.astronaut()[::6, ::6]
    io.imsave(tmp_path / "your_image.png", upload)
    values = {**G.SCHEMA.defaults(), "bank_freqs": ["0.1", "0.4"], "bank_orient": 2, **changes}
    ns = run_script("gabor", values, tmp_path, image="upload")
    kw = G.response_kwargs(values)
    expected = power_responses(upload, **kw)
    np.testing.assert_allclose(ns["result"], expected, atol=1e-4 * float(expected.max()))
    brick = power_responses(data.brick(), **kw)
    for row in range(2):
        np.testing.assert_allclose(ns["results"][row][1][0], brick[row], atol=1e-4 * float(brick.max()))
    bank = G.bank_responses(upload, **G.bank_kwargs(values))
    np.testing.assert_allclose(ns["bank"], bank, atol=1e-4 * float(bank.max()))
    assert f"= {bank.shape[-1]} features per pixel" in ns["__stdout__"]
    assert f"yours {expected[0].mean():.2f}" in ns["__stdout__"]
    assert (tmp_path / f"gabor_{kw['frequencies'][0]:g}_wall.png").exists()
