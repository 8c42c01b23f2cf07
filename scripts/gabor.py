"""Gabor filter responses: the tutorial's texture cell, your image and a small bank (numpy, SciPy, scikit-image)."""
# Matches the page: to 1e-4 of the largest response (the page filters by FFT in float32, this by ndi.convolve).

import numpy as np
import scipy.ndimage as ndi
from skimage import color, data, filters, img_as_float, io

# --- parameters: the page writes its values here ---
image = data.astronaut()  # the 'astronaut' sample
frequency = 0.1  # cycles per pixel; above 0.5 a wave aliases
frequency2 = 0.4
theta = 0  # degrees
bandwidth = 1.0  # octaves
mode = "wrap"  # how images are extended beyond their border
shrink = 3  # keep every n-th pixel, as the tutorial does
bank_freqs = ["0.05", "0.1", "0.2", "0.4"]
bank_orient = 4
# --- end of parameters ---
step = (slice(0, None, shrink), slice(0, None, shrink))
brick = img_as_float(data.brick())[step]
grass = img_as_float(data.grass())[step]
wall = img_as_float(data.gravel())[step]  # the tutorial's rough-wall.png is no longer shipped: gravel stands in
yours = img_as_float(color.rgb2gray(image[..., :3]) if image.ndim == 3 else image)[step]
image_names = ("brick", "grass", "wall", "yours")
images = (brick, grass, wall, yours)


def power(image, kernel):
    # Normalize images for better comparison.
    image = (image - image.mean()) / image.std()
    return np.sqrt(ndi.convolve(image, np.real(kernel), mode=mode) ** 2 +
                   ndi.convolve(image, np.imag(kernel), mode=mode) ** 2)


results = []
for f in (frequency, frequency2):
    kernel = filters.gabor_kernel(f, theta=np.deg2rad(theta), bandwidth=bandwidth)
    powers = [power(img, kernel) for img in images]
    results.append((kernel, powers))
    print(f"frequency {f:g} ({kernel.shape[1]}×{kernel.shape[0]} px kernel): mean response",
          ", ".join(f"{name} {p.mean():.2f}" for name, p in zip(image_names, powers)))
    vmin, vmax = min(p.min() for p in powers[:3]), max(p.max() for p in powers[:3])  # one scale per row
    for name, p in zip(image_names, powers):
        lo, hi = (vmin, vmax) if name != "yours" else (p.min(), p.max())
        io.imsave(f"gabor_{f:g}_{name}.png", (np.clip((p - lo) / (hi - lo), 0, 1) * 255).astype(np.uint8))

# A bank: every frequency at bank_orient orientations, as features per pixel (the trainable page's idea)
thetas = np.pi * np.arange(bank_orient) / bank_orient
bank = np.stack([np.hypot(*filters.gabor(yours, float(f), theta=t, bandwidth=bandwidth))
                 for f in bank_freqs for t in thetas], axis=-1)
print(f"bank: {len(bank_freqs)} frequencies × {bank_orient} orientations = {bank.shape[-1]} features per pixel")
result = np.stack(results[0][1][3:] + results[1][1][3:])  # (2, H, W): your image's two responses
