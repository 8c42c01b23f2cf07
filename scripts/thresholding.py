"""Threshold a gray image: the tutorial's Otsu cells, other methods, multi-Otsu (numpy and scikit-image only)."""
# Matches the page: the same thresholds and the same classes on every pixel.

import numpy as np
from skimage import color, data, exposure, filters, io, segmentation, util

# --- parameters: the page writes its values here ---
image = data.camera()  # the 'camera' sample
method = "otsu"  # otsu, li, yen, triangle, isodata, mean, minimum or multiotsu
classes = 3  # multi-Otsu only: classes - 1 thresholds
manual = 128  # your own threshold, for comparison
# --- end of parameters ---
if image.ndim == 3:  # a colour image: gray levels 0…255, as the page shows them
    image = util.img_as_ubyte(color.rgb2gray(image[..., :3]))

hi = exposure.histogram(image)  # (counts, bin centres): the page's histogram
if method == "multiotsu":
    thresholds = filters.threshold_multiotsu(image, classes=classes)
else:
    thresholds = [getattr(filters, f"threshold_{method}")(image)]  # e.g. filters.threshold_otsu(camera)
val = thresholds[0]
labels = np.digitize(image, bins=thresholds, right=True).astype(np.uint8)  # one threshold: labels = image > val
print(method, "threshold(s):", ", ".join(f"{t:g}" for t in thresholds), f"— {np.mean(labels > 0):.1%} above")

if method == "otsu":  # Otsu's criterion: the between-class variance of each candidate threshold peaks at val
    counts, centers = hi
    w0, m0 = np.cumsum(counts), np.cumsum(counts * centers)
    w1, m1 = w0[-1] - w0, m0[-1] - m0
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = w0 * w1 * (m0 / w0 - m1 / w1) ** 2 / w0[-1] ** 2
    print("the between-class variance peaks at", centers[np.nanargmax(variance[:-1])])

mine = image > manual
print(f"manual {manual}: {mine.mean():.1%} above; differs from the automatic result on "
      f"{np.mean(mine != (labels > 0)):.1%} of the pixels")

contour = np.stack([image] * 3, axis=-1)  # the tutorial's yellow contour, drawn into the picture
contour[segmentation.find_boundaries(labels, mode="thick")] = (255, 255, 0)
io.imsave("thresholding_contour.png", contour)
io.imsave("thresholding_classes.png", (labels * (255 // max(len(thresholds), 1))).astype(np.uint8))
io.imsave("thresholding_manual.png", mine.astype(np.uint8) * 255)
result = labels
