"""The pages of the app: one place that app.py (navigation) and Home (cards) both read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageInfo:
    path: str  # file under pages/
    title: str
    icon: str
    section: str
    blurb: str  # one line for the Home card
    #: for a page that does not take the shared image: what it works on (shown in the sidebar when an upload waits)
    uses: str = ""


PAGES: list[PageInfo] = [
    PageInfo("pages/digits.py", "Digits (SVC)", ":material/pin:", "Samples are images",
             "Train a support-vector classifier on 8×8 digits, study its mistakes, draw your own digit.",
             uses="This page works on scikit-learn's 8×8 digits and on the digit you draw."),
    PageInfo("pages/thresholding.py", "Thresholding", ":material/contrast:", "Samples are pixels",
             "Otsu and six other automatic thresholds on the histogram, multi-Otsu, and a manual comparison."),
    PageInfo("pages/colour_clustering.py", "Colour k-means", ":material/palette:", "Samples are pixels",
             "Cluster pixel colours in Lab space with k-means; plus the iris k-means example in 3-D."),
    PageInfo("pages/superpixels.py", "Superpixels", ":material/grid_view:", "Samples are pixels",
             "SLIC, Felzenszwalb, quickshift and watershed superpixels, merged by k-means or a region graph."),
    PageInfo("pages/gabor.py", "Gabor filters", ":material/waves:", "Texture features",
             "A Gabor filter bank: kernels, texture responses on brick, grass and gravel, computed by FFT."),
    PageInfo("pages/trainable_segmentation.py", "Trainable segmentation", ":material/brush:", "Texture features",
             "Scribble a few strokes per class; a random forest on per-pixel features segments the image live."),
    PageInfo("pages/keypoints.py", "Corners & ORB", ":material/location_on:", "Mid-level features",
             "Harris corners with their response map, and ORB keypoints with scale and orientation."),
    PageInfo("pages/panorama.py", "Panorama stitching", ":material/panorama:", "Mid-level features",
             "Match ORB keypoints, fit a homography with RANSAC, warp and blend views into a panorama.",
             uses="This page stitches several views: the Arches photos, demo views, or 2–3 photos of its own "
                  "uploader."),
    PageInfo("pages/objects.py", "Object clustering", ":material/bubble_chart:", "Samples are objects",
             "Label objects, measure them with regionprops, scale the features and cluster with k-means."),
]
