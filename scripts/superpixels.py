"""Superpixels, then join them by colour — the tutorial's SLIC → k-means cells.

Run it as it is (`python superpixels.py`): it needs numpy, scikit-image and scikit-learn only.
"""
# Matches the page: the same superpixels (identical labels); the merged regions agree on ≥ 99 % of pixels.

import numpy as np
from skimage import color, data, filters, graph, io, segmentation
from sklearn.cluster import KMeans

# --- parameters: the page writes its values here ---
image = data.coffee()  # the 'coffee' sample
method = "slic"  # slic, felzenszwalb, quickshift or watershed
n_segments = 200
compactness = 20.0
sigma = 0.0
slic_zero = False
scale = 100.0
fz_sigma = 0.8
min_size = 20
kernel_size = 3.0
max_dist = 6.0
ratio = 0.5
markers = 250
ws_compactness = 0.001
merge = "kmeans"  # none, kmeans or rag
k = 5
channels = ["a", "b"]  # the Lab channels k-means sees
threshold = 29.0
# --- end of parameters ---

if image.ndim == 2:  # a gray image: three equal channels
    image = np.stack([image] * 3, axis=-1)

# 1. Superpixels: regions of neighbouring pixels of similar colour
if method == "slic":
    segments = segmentation.slic(image, n_segments=n_segments, compactness=compactness, sigma=sigma,
                                 slic_zero=slic_zero, start_label=1)
elif method == "felzenszwalb":
    segments = segmentation.felzenszwalb(image, scale=scale, sigma=fz_sigma, min_size=min_size)
elif method == "quickshift":
    segments = segmentation.quickshift(image, kernel_size=kernel_size, max_dist=max_dist, ratio=ratio)
else:
    segments = segmentation.watershed(filters.sobel(color.rgb2gray(image)), markers=markers,
                                      compactness=ws_compactness)
average = color.label2rgb(segments, image, kind="avg", bg_label=-1)  # each superpixel in its mean colour
print(len(np.unique(segments)), "superpixels")

# 2. Join superpixels of the same kind
if merge == "kmeans" and channels:
    # The tutorial clusters every pixel of `average`; one sample per superpixel weighted by its size
    # minimises the same objective with a few hundred samples instead of every pixel.
    ids, first, sizes = np.unique(segments.ravel(), return_index=True, return_counts=True)
    lab = color.rgb2lab(average.reshape(-1, 3)[first][:, None, :])[:, 0]
    X = lab[:, ["Lab".index(c) for c in channels]]
    kmeans = KMeans(n_clusters=min(k, len(ids)), n_init=10, random_state=0).fit(X, sample_weight=sizes)
    labels = kmeans.labels_[np.searchsorted(ids, segments)]
elif merge == "rag":
    rag = graph.rag_mean_color(image, segments)  # neighbours joined by their mean-colour distance
    labels = graph.cut_threshold(segments, rag, threshold)
else:
    labels = segments
print(len(np.unique(labels)), "regions after joining")

io.imsave("superpixels_boundaries.png", (segmentation.mark_boundaries(image, labels) * 255).astype(np.uint8))
io.imsave("superpixels_regions.png", color.label2rgb(labels, image, kind="avg", bg_label=-1).astype(np.uint8))
result = labels
