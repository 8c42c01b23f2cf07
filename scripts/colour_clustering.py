"""Colour k-means: every pixel is a sample, its Lab colour the features — the tutorial's cells.

Run it as it is (`python colour_clustering.py`): it needs numpy, scikit-image and scikit-learn only.
"""
# Matches the page: the same cluster of every pixel (identical labels), the same inertia and iris agreement.

import numpy as np
from skimage import color, io, segmentation
from sklearn.cluster import KMeans
from sklearn.datasets import load_iris
from sklearn.metrics import adjusted_rand_score

# --- parameters: the page writes its values here ---
image = io.imread("round_pill.jpg")  # samples/round_pill.jpg in the app's repository
color_space = "lab"  # lab or rgb
channels = ["a", "b"]  # the Lab channels used as features
k = 2
seed = 0
fit = "all"  # all: every pixel (the tutorial's fit); sample: 10,000 random pixels, then every pixel labelled
iris_k = 3
# --- end of parameters ---

if image.ndim == 2:  # a gray image: three equal channels
    image = np.stack([image] * 3, axis=-1)

# 1. One sample per pixel; its features are its colour
if color_space == "lab":
    im_lab = color.rgb2lab(image)
    data = np.array([im_lab[..., "Lab".index(c)].ravel() for c in channels])
else:
    data = np.array([image[..., c].ravel() / 255.0 for c in range(3)])
X = data.T

# 2. k-means
if fit == "all":  # the tutorial's cell
    kmeans = KMeans(n_clusters=k, random_state=seed).fit(X)
else:  # fit on a random sample of pixels (faster, often a lower objective), then label every pixel
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(len(X), size=min(10_000, len(X)), replace=False))
    kmeans = KMeans(n_clusters=k, random_state=seed, n_init=3).fit(X[sample])
labels = kmeans.predict(X).reshape(image.shape[:2])
inertia = ((X - kmeans.cluster_centers_[labels.ravel()]) ** 2).sum()
print(f"inertia (all pixels): {inertia:,.0f}")
print("pixel share per cluster:", np.round(np.bincount(labels.ravel(), minlength=k) / labels.size, 3))

# 3. The pictures the page shows: each cluster in its mean colour, and the cluster boundaries
average = color.label2rgb(labels, image, kind="avg", bg_label=-1).astype(np.uint8)
io.imsave("colour_kmeans_average.png", average)
boundaries = segmentation.mark_boundaries(image, labels, color=(1, 1, 0))
io.imsave("colour_kmeans_boundaries.png", (boundaries * 255).astype(np.uint8))

# The iris tab: the tutorial's k-means on the four iris measurements
iris = load_iris()
iris_labels = KMeans(n_clusters=iris_k, random_state=5, n_init=10).fit(iris.data).labels_
print("iris: adjusted Rand index vs species =", round(adjusted_rand_score(iris.target, iris_labels), 3))
result = labels
