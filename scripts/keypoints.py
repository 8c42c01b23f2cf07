"""Harris corners and ORB keypoints — the tutorial's "mid-level features" cell and its exercise.

Run it as it is (`python keypoints.py`): it needs numpy, pandas and scikit-image only.
"""
# Matches the page: the same corners and keypoints (identical positions and scales; responses and orientations to 1e-9).

import numpy as np
import pandas as pd
from skimage import color, data, draw, feature, io, util

# --- parameters: the page writes its values here ---
image = data.camera()  # the 'camera' sample
method = "k"  # k or eps
k = 0.05
eps = 1e-06
sigma = 1.0
min_distance = 10  # corner_peaks' default when the tutorial was written (today: 1)
threshold_rel = 0.1  # corner_peaks' default before scikit-image 0.18 (today: None, i.e. 0)
n_keypoints = 400
fast_threshold = 0.02
fast_n = 9
downscale = 1.2
n_scales = 8
harris_k = 0.04
# --- end of parameters ---

gray = util.img_as_float(image) if image.ndim == 2 else color.rgb2gray(image[..., :3])

# 1. Harris: a corner measure from the structure tensor, then its local maxima (the tutorial's cell)
response = feature.corner_harris(gray, method=method, k=k, eps=eps, sigma=sigma)
coords = feature.corner_peaks(response, min_distance=min_distance, threshold_rel=threshold_rel or None)
coords = coords[np.argsort(-response[coords[:, 0], coords[:, 1]], kind="stable")]  # strongest first
print(len(coords), "Harris corners")

# 2. ORB: FAST corners on an image pyramid, ranked by Harris, oriented, described by rBRIEF (the exercise)
orb = feature.ORB(n_keypoints=n_keypoints, fast_threshold=fast_threshold, fast_n=fast_n, downscale=downscale,
                  n_scales=n_scales, harris_k=harris_k)
orb.detect_and_extract(gray)
print(len(orb.keypoints), "ORB keypoints on", len(np.unique(orb.scales)), "pyramid levels")

# 3. One table: (row, col) of every corner and keypoint; the pictures the page shows
harris = pd.DataFrame({"detector": "harris", "row": coords[:, 0].astype(float), "col": coords[:, 1].astype(float),
                       "scale": 1.0, "orientation": np.nan, "response": response[coords[:, 0], coords[:, 1]]})
keypoints = pd.DataFrame({"detector": "orb", "row": orb.keypoints[:, 0], "col": orb.keypoints[:, 1],
                          "scale": orb.scales, "orientation": orb.orientations, "response": orb.responses})
result = pd.concat([harris, keypoints], ignore_index=True)
result.to_csv("keypoints.csv", index=False)
overlay = util.img_as_ubyte(color.gray2rgb(gray))
for r, c in coords:
    overlay[draw.circle_perimeter(r, c, max(4, min(gray.shape) // 80), shape=gray.shape)] = (255, 59, 48)
io.imsave("harris_corners.png", overlay)
print(result.head())
