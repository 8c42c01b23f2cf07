"""Cluster objects by their shape, the tutorial's regionprops → KMeans cells (numpy, scikit-image, scikit-learn)."""
# Matches the page: the same objects, measurements and clusters (identical table, every preset).

import numpy as np
from skimage import color, data, filters, io, measure, morphology, segmentation, util
from sklearn.cluster import KMeans
from sklearn.preprocessing import RobustScaler, StandardScaler

# --- parameters: the page writes its values here ---
image = data.coins()  # the 'coins' sample
source = "blobs"  # blobs, image (Otsu-thresholded) or upload (your mask or label image)
length = 1024
blob_size = 0.05
volume = 0.2
seed = 0
objects = "bright"  # image: are the objects the bright or the dark side of Otsu's threshold?
upload_as = "auto"  # upload: mask (brighter than half the brightest value) or labels; the page fills in what it found
connectivity = 2  # 1 = sides, 2 = sides and corners
exclude_border = False
max_size = 0
features = ["area", "perimeter2_over_area", "solidity"]
scaling = "none"  # none, area_max, max, standard or robust
k = 2
# --- end of parameters ---
# 1. A binary image `im` whose connected parts are the objects (or labels read from your file)
if source == "blobs":
    im = data.binary_blobs(length=length, blob_size_fraction=blob_size, volume_fraction=volume, rng=seed)
elif source == "image":
    gray = color.rgb2gray(image) if image.ndim == 3 else util.img_as_float(image)
    im = gray > filters.threshold_otsu(gray) if objects == "bright" else gray <= filters.threshold_otsu(gray)
elif upload_as == "labels":  # one object per gray value (or colour), 0 = background, renumbered 1 … N
    flat = image[..., :3].reshape(-1, 3) if image.ndim == 3 else image.reshape(-1, 1)
    ids, inverse = np.unique(flat, axis=0, return_inverse=True)
    labels = inverse.reshape(image.shape[:2]) + int(ids[0].any())
else:  # a mask: never thresholded with Otsu, never inverted
    gray = image[..., :3].max(axis=-1) if image.ndim == 3 else image
    im = gray > gray.max() / 2
labels = labels if source == "upload" and upload_as == "labels" else measure.label(im, connectivity=connectivity)
labels = segmentation.clear_border(labels) if exclude_border else labels  # cut objects are measured wrongly
labels = morphology.remove_small_objects(labels, max_size=max_size) if max_size > 0 else labels
# 2. Measure every object: the tutorial's regionprops list (perimeter² / area: 4π for a disk)
props = measure.regionprops(labels)
data = np.array([[p.perimeter**2 / p.area if f == "perimeter2_over_area" else getattr(p, f) for f in features]
                 for p in props], dtype=float)
# 3. Scale the features (the tutorial's steps: raw, area ÷ max, standardised), then k-means
if scaling == "area_max":
    data[:, features.index("area")] /= data[:, features.index("area")].max()
elif scaling == "max":
    data = data / np.where(np.abs(data).max(axis=0) > 0, np.abs(data).max(axis=0), 1)
elif scaling in ("standard", "robust"):
    data = (StandardScaler() if scaling == "standard" else RobustScaler()).fit_transform(data)
clusters = KMeans(n_clusters=k, n_init=10, random_state=0).fit(data).labels_
clusters = np.argsort(np.argsort(-np.bincount(clusters, minlength=k), kind="stable"))[clusters]  # 0 = largest
print(len(props), "objects; per cluster:", np.bincount(clusters, minlength=k))
# The tutorial's reshape_cluster_labels: an image of cluster ids + 1 (0 = background)
lut = np.zeros(labels.max() + 1, dtype=int)
lut[[p.label for p in props]] = clusters + 1
result = object_clusters = lut[labels]
io.imsave("objects_labels.png", util.img_as_ubyte(color.label2rgb(labels, bg_label=0)))
io.imsave("objects_clusters.png", util.img_as_ubyte(color.label2rgb(object_clusters, bg_label=0)))
