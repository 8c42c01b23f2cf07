"""Panorama stitching — the tutorial's "longer example" (the panorama-stitching notebook) with the page's settings.

Run it as it is (`python panorama.py`): it needs numpy, scipy and scikit-image only.
"""
# Matches the page: with the tutorial's settings, the same transforms and panorama (every pixel within 2 grey levels); with the refit on, transforms within 0.3 px (the page uses a faster RANSAC).

import numpy as np
from scipy import ndimage as ndi
from skimage import color, feature, graph, io, measure, transform

# --- parameters: the page writes its values here ---
images: list = [io.imread(f"JDW_030{k}.jpg") for k in (2, 3, 4)]  # the tutorial's Arches photos (samples/)
n_keypoints = 800
fast_threshold = 0.05
n_scales = 8
downscale = 1.2
cross_check = True
max_ratio = 1.0
model = "projective"  # projective, affine, similarity or euclidean
residual_threshold = 1.0
max_trials = 300
seed = 0
refine = False  # True: least-squares refit on the inliers (the page's improved pipeline)
blend = "seam"  # seam, feather or average
# --- end of parameters ---

images = [color.gray2rgb(im) if im.ndim == 2 else im[..., :3] for im in images]
Model = getattr(transform, model.capitalize() + "Transform")
min_samples = {"projective": 4, "affine": 3}.get(model, 2)

# 1. ORB keypoints of every image (on its gray version)
orb = feature.ORB(n_keypoints=n_keypoints, fast_threshold=fast_threshold, n_scales=n_scales, downscale=downscale)
keypoints, descriptors, scales = [], [], []
for im in images:
    orb.detect_and_extract(color.rgb2gray(im))
    keypoints.append(orb.keypoints), descriptors.append(orb.descriptors), scales.append(orb.scales)

# 2-3. Match each image to the middle one (the anchor) and fit a transform with RANSAC
anchor = len(images) // 2
tforms = {anchor: transform.ProjectiveTransform()}  # the identity
for i in sorted(set(range(len(images))) - {anchor}):
    matches = feature.match_descriptors(descriptors[i], descriptors[anchor], cross_check=cross_check,
                                        max_ratio=max_ratio)
    src = keypoints[i][matches[:, 0]][:, ::-1]  # (row, col) -> (x, y): transforms take (x, y)
    dst = keypoints[anchor][matches[:, 1]][:, ::-1]
    tform, inliers = measure.ransac((src, dst), Model, min_samples=min_samples, residual_threshold=residual_threshold,
                                    max_trials=max_trials, rng=seed)
    if refine:  # refit on the inliers, fine-scale keypoints weighted more; re-select the inliers
        weights = 1 / (scales[i][matches[:, 0]] ** 2 + scales[anchor][matches[:, 1]] ** 2) ** 2
        for _ in range(3):
            tform = Model.from_estimate(src[inliers], dst[inliers], weights=weights[inliers])
            inliers = np.linalg.norm(tform(src) - dst, axis=1) < residual_threshold
    print(f"image {i + 1} -> image {anchor + 1}: {len(matches)} matches, {inliers.sum()} inliers")
    tforms[i] = tform

# 4. Warp every image into the anchor's plane, on a canvas that holds them all ("warp" takes the inverse map)
outline = [np.array([[0, 0], [im.shape[1], 0], [im.shape[1], im.shape[0]], [0, im.shape[0]]]) - 0.5 for im in images]
corners = np.vstack([tforms[i](outline[i]) for i in range(len(images))])
lo, hi = np.floor(corners.min(axis=0) + 0.5), np.ceil(corners.max(axis=0) + 0.5)
shape = (int(hi[1] - lo[1]), int(hi[0] - lo[0]))
offset = transform.SimilarityTransform(translation=-lo)
warped, masks = [], []
for i, im in enumerate(images):
    inverse = (tforms[i] + offset).inverse
    warped.append(transform.warp(im / 255.0, inverse, output_shape=shape, order=1))
    masks.append(transform.warp(np.ones(im.shape[:2]), inverse, output_shape=shape, order=1) > 0.999)

# 5. Blend: average (the tutorial's "easy (and bad) way"), feathered, or cut along minimum-cost seams
order = [anchor] + sorted(set(range(len(images))) - {anchor}, key=lambda i: abs(i - anchor))
if blend == "seam":  # the images run left to right: each new one takes its side of a top-to-bottom path
    pano, covered = warped[anchor].copy(), masks[anchor].copy()
    for i in order[1:]:
        overlap, take = covered & masks[i], masks[i] & ~covered
        if overlap.any():
            rows, cols = np.flatnonzero(overlap.any(axis=1)), np.flatnonzero(overlap.any(axis=0))
            box = np.s_[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
            cost = np.abs(pano - warped[i]).mean(axis=2)
            costs = np.where(overlap[box], cost[box], cost.max() + 1.0)
            costs[[0, -1], :] = 0  # let the path slide along the top and bottom edges
            mid = costs.shape[1] // 2
            path = np.array(graph.route_through_array(costs, (0, mid), (len(costs) - 1, mid), fully_connected=True,
                                                      geometric=True)[0])
            seam = np.array([path[path[:, 0] == r, 1].mean() for r in range(len(costs))])
            right_of_seam = np.zeros_like(overlap)
            right_of_seam[box] = np.arange(costs.shape[1])[None, :] > seam[:, None]
            new_is_right = np.nonzero(take)[1].mean() > np.nonzero(covered & ~masks[i])[1].mean()
            take |= overlap & (right_of_seam if new_is_right else ~right_of_seam)
        pano[take], covered = warped[i][take], covered | masks[i]
else:
    weights = [ndi.distance_transform_edt(np.pad(m, 1))[1:-1, 1:-1] if blend == "feather" else m * 1.0 for m in masks]
    total = np.sum(weights, axis=0)
    pano = np.sum([w[..., None] * im for w, im in zip(weights, warped, strict=True)], axis=0)
    pano /= np.maximum(total, 1e-12)[..., None]
result = np.clip(np.rint(pano * 255), 0, 255).astype(np.uint8)
result[~np.any(masks, axis=0)] = 0
print(f"panorama: {result.shape[1]}×{result.shape[0]} px")
io.imsave("panorama.png", result)
