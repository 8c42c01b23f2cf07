"""'Reproduce in Python' for the Gabor filters page.

:func:`script` writes a runnable script (numpy, scikit-image — no import of this project)
that computes the tutorial's ``power`` — the Gabor magnitude of the contrast-normalised
image, with wrap-around (or mirror) boundaries — by FFT, for the two filters of the page,
on brick, grass, gravel and the chosen image, and binds the chosen image's two responses
``(2, H, W)`` to ``result``.
"""
from __future__ import annotations

from core.recipes import header, image_block, require, working_size

__all__ = ["script", "REQUIRED"]

#: the page parameters the script depends on
REQUIRED = ("image", "frequency", "frequency2", "theta", "bandwidth", "mode", "shrink")

_PAD = {"wrap": "wrap", "reflect": "symmetric"}


def script(values: dict) -> str:
    """The runnable script for these page values (``result`` = the chosen image's two responses).

    Parameters
    ----------
    values : dict
        The page's ``ps.values()`` (``image``, ``frequency``, ``frequency2``, ``theta`` in
        degrees, ``bandwidth``, ``mode``, ``shrink``) plus ``working_size`` (longest side of
        sample images, default 1024).

    Returns
    -------
    code : str
    """
    require(values, REQUIRED)
    f1, f2 = float(values["frequency"]), float(values["frequency2"])
    theta, bw = float(values["theta"]), float(values["bandwidth"])
    mode, s = values["mode"], int(values["shrink"])
    image_code, modules, extra = image_block(values["image"], working_size(values), convert="gray")
    alias = max(f1, f2) > 0.5
    head = header(modules | {"data", "util"}, "from skimage.filters import gabor_kernel", *extra,
                  docstring="Gabor filter responses (Image ML Lab), as in the scikit-image tutorial, computed by FFT.\n"
                            "Requires numpy and scikit-image.")
    body = f'''

def power(image, kernel):
    """The tutorial's power: |image ⊛ kernel| of the normalised image, boundary mode '{mode}'.

    Equal to np.sqrt(ndi.convolve(image, kernel.real, mode='{mode}')**2 + ...imag**2), by FFT.
    """
    image = (image - image.mean()) / image.std()  # normalise images for better comparison
    p = max(kernel.shape) // 2
    x = np.pad(image, p, mode="{_PAD[mode]}")
    big = np.zeros(x.shape, complex)
    big[:kernel.shape[0], :kernel.shape[1]] = kernel
    big = np.roll(big, (-(kernel.shape[0] // 2), -(kernel.shape[1] // 2)), axis=(0, 1))  # centre at (0, 0)
    response = np.fft.ifft2(np.fft.fft2(x) * np.fft.fft2(big))[p:p + image.shape[0], p:p + image.shape[1]]
    return np.abs(response)


shrink = (slice(0, None, {s}), slice(0, None, {s}))
textures = {{name: util.img_as_float(getattr(data, name)())[shrink] for name in ("brick", "grass", "gravel")}}

{image_code}image = gray[shrink]

theta = np.deg2rad({theta:g})
kernels = [gabor_kernel(frequency, theta=theta, bandwidth={bw:g}) for frequency in ({f1:g}, {f2:g})]
'''
    if alias:
        body += "# note: a frequency above 0.5 cycles/pixel aliases to a lower one (1 − f)\n"
    body += '''
# responses of the three textures to each kernel; the page shows each row with one contrast
# range (vmin, vmax = min, max over the row), as the tutorial does
results = [[power(t, k) for t in textures.values()] for k in kernels]
result = np.stack([power(image, k) for k in kernels])  # (2, H, W): the chosen image
'''
    return head + body
