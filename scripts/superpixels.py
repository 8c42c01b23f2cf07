"""Superpixels, then join them by colour: the tutorial's SLIC → k-means cells (numpy, scikit-image, scikit-learn)."""
# Matches the page: identical superpixels and identical merged labels (k-means) or the same regions (RAG cut).

import numpy as np
from skimage import color, data, filters, graph, io, measure, segmentation  # noqa: F401 - data: a page sample
from sklearn.cluster import KMeans

# --- parameters: the page writes its values here ---
image = io.imread("spices.jpg")  # samples/spices.jpg in the app's repository
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
compare = False  # also save scikit-image's four-method gallery
# --- end of parameters ---
image = np.stack([image] * 3, axis=-1) if image.ndim == 2 else image  # a gray image: three equal channels


def superpixels(method):  # 1. regions of neighbouring pixels of similar colour
    if method == "slic":
        return segmentation.slic(image, n_segments=n_segments, compactness=compactness, sigma=sigma,
                                 slic_zero=slic_zero, start_label=1)
    if method == "felzenszwalb":
        return segmentation.felzenszwalb(image, scale=scale, sigma=fz_sigma, min_size=min_size)
    if method == "quickshift":
        return segmentation.quickshift(image, kernel_size=kernel_size, max_dist=max_dist, ratio=ratio)
    return segmentation.watershed(filters.sobel(color.rgb2gray(image)), markers=markers, compactness=ws_compactness)


segments = superpixels(method)
average = color.label2rgb(segments, image, kind="avg", bg_label=-1)  # each superpixel in its mean colour
labels = segments  # 2. join superpixels of the same kind
if merge == "kmeans" and channels:  # the tutorial clusters every pixel of `average`; one sample per superpixel,
    ids, first, sizes = np.unique(segments.ravel(), return_index=True, return_counts=True)  # weighted by its size,
    X = color.rgb2lab(average.reshape(-1, 3)[first][:, None, :])[:, 0, ["Lab".index(c) for c in channels]]
    kmeans = KMeans(n_clusters=min(k, len(ids)), n_init=10, random_state=0).fit(X, sample_weight=sizes)
    labels = kmeans.labels_[np.searchsorted(ids, segments)]  # minimises the same objective
elif merge == "rag":  # neighbours joined by their mean-colour distance, edges ≥ threshold cut
    labels = graph.cut_threshold(segments, graph.rag_mean_color(image, segments), threshold)
print(len(np.unique(segments)), "superpixels;", len(np.unique(labels)), "clusters;",
      measure.label(labels, background=-1).max(), "connected regions")
for name, lab in [("superpixels", segments), ("regions", labels)] + [(f"gallery_{m}", superpixels(m)) for m in
                  ("slic", "felzenszwalb", "quickshift", "watershed") if compare]:
    io.imsave(f"{name}_boundaries.png", (segmentation.mark_boundaries(image, lab) * 255).astype(np.uint8))
io.imsave("superpixels_average.png", average.astype(np.uint8))
io.imsave("regions_average.png", color.label2rgb(labels, image, kind="avg", bg_label=-1).astype(np.uint8))
result = labels
