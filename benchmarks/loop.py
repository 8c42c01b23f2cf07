"""The interactive loop, measured: scribble, look at the hint, add a stroke there, repeat.

``python -m benchmarks.loop [--size 256] [--rounds 3] [--set tuning|held_out|both] [--model improved|tutorial]``

A simulated person first scribbles as ``benchmarks.texture_mosaic`` does (every visible region gets
1–2 smooth 5 px strokes, 1.5 % of the pixels in all, 10 px inside the region), then for ``rounds``
rounds looks at the "scribble here next" window (:func:`core.trainable.suggest_region`, never
twice the same) and draws one stroke of the true class across it: the class with the most
wrongly labelled pixels in the window, a straight 5 px line through its pixels there along
their longest direction, kept 3 px inside the class. Reported per set (tuning: what the
defaults were tuned on; held-out: other textures, photos, layouts, never tuned on): mean IoU
after the first strokes and after each hint, and the seconds per refit + predict with the
features cached; then the same refit + predict timed at 512².
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import ndimage as ndi

from benchmarks._loop_data import cases


def mean_iou(pred, truth):
    ks = np.unique(truth)
    return float(np.mean([((pred == k) & (truth == k)).sum() / max(1, ((pred == k) | (truth == k)).sum())
                          for k in ks]))


def walk_stroke(mask, rng, length, width=5):
    """A smooth random-walk stroke of about ``length`` px inside ``mask`` (bool), ``width`` px wide."""
    h, w = mask.shape
    pts = np.argwhere(mask)
    if not len(pts):
        return np.zeros_like(mask)
    y, x = pts[rng.integers(len(pts))].astype(float)
    ang, painted, n, steps = rng.uniform(0, 2 * np.pi), np.zeros_like(mask), 0, 0
    while n < length and steps < 20 * length:
        steps += 1
        ang += rng.normal(0, 0.08)
        ny, nx = y + np.sin(ang), x + np.cos(ang)
        iy, ix = int(round(ny)), int(round(nx))
        if not (0 <= iy < h and 0 <= ix < w) or not mask[iy, ix]:
            ang += np.pi * rng.uniform(0.5, 1.5)
            continue
        y, x = ny, nx
        painted[iy, ix] = True
        n += 1
    r = width // 2
    return ndi.binary_dilation(painted, structure=np.ones((2 * r + 1, 2 * r + 1), bool)) & mask


def first_strokes(truth, rng, width=5, margin=10, fraction=0.015):
    """A person's first scribbles (the protocol of ``benchmarks.texture_mosaic``): every visible region
    (a connected part of one class, ≥ 1 % of the image) gets 1–2 smooth strokes, 1.5 % of the
    pixels in all, in proportion to the regions' areas, kept ``margin`` px inside them."""
    labels = np.zeros(truth.shape, np.int32)
    parts = []
    for k in np.unique(truth):
        cc, n = ndi.label(truth == k)
        parts += [(k, cc == i) for i in range(1, n + 1) if (cc == i).mean() >= 0.01]
    area = sum(m.sum() for _, m in parts)
    for k, m in parts:
        inner = ndi.binary_erosion(m, iterations=margin, border_value=1)
        if inner.sum() < 20:
            inner = ndi.binary_erosion(m, iterations=max(1, margin // 3), border_value=1)
        if not inner.any():
            continue
        budget = fraction * truth.size * m.sum() / area
        n_strokes = int(rng.integers(1, 3))
        for _ in range(n_strokes):
            labels[walk_stroke(inner, rng, budget / n_strokes / (1.2 * width), width)] = k
    return labels


def hint_stroke(truth, pred, region, width=5):
    """One stroke of the true class across the window: ``(class, bool mask)``."""
    rows, cols = region.slices()
    t, p = truth[rows, cols], pred[rows, cols]
    wrong = np.bincount(t[t != p].ravel(), minlength=truth.max() + 1)
    k = int(np.argmax(wrong)) if wrong.sum() else int(np.argmax(np.bincount(t.ravel())))
    inside = ndi.binary_erosion(truth == k, iterations=3, border_value=1)[rows, cols]
    if inside.sum() < 5:
        inside = t == k
    yy, xx = np.nonzero(inside)
    cy, cx = yy.mean(), xx.mean()
    cov = np.cov(np.stack([yy - cy, xx - cx])) if len(yy) > 2 else np.eye(2)
    vy, vx = np.linalg.eigh(cov)[1][:, -1]
    j = int(np.argmin((yy - cy) ** 2 + (xx - cx) ** 2))  # the class pixel nearest the centroid
    gy, gx = np.mgrid[0:t.shape[0], 0:t.shape[1]]
    dist = np.abs((gy - yy[j]) * vx - (gx - xx[j]) * vy)  # distance to the line through it
    stroke = np.zeros(truth.shape, bool)
    stroke[rows, cols] = (dist <= width / 2) & inside
    return k, stroke


def run_case(case, fit, predict, rounds=3, seed=0, hint=None):
    """mIoU after the first strokes and after each hint; seconds of each refit + predict."""
    from core import trainable as T

    rng = np.random.default_rng(seed)
    labels = first_strokes(case.truth, rng)
    features = fit.features_of(case.image)
    scores, seconds, boxes = [], [], []
    for r in range(rounds + 1):
        start = time.perf_counter()
        seg = fit(labels, features, case)
        proba = predict(seg, features, case.image)
        seconds.append(time.perf_counter() - start)
        pred = T.proba_to_labels(proba)
        scores.append(mean_iou(pred, case.truth))
        if r == rounds:
            break
        box = (hint or T.suggest_region)(proba, labels=labels, exclude=boxes)
        boxes.append(box)
        k, stroke = hint_stroke(case.truth, pred, box)
        labels[stroke] = k
    return scores, seconds


class Model:
    """A fit function with its cached feature step (the page caches features per image)."""

    def __init__(self, name):
        from core.trainable.schema import PRESETS, SCHEMA, fit_kwargs
        self.name = name
        self.kwargs = fit_kwargs(SCHEMA.parse({**PRESETS[name], "strokes": "none"}))
        self.kwargs.pop("n_classes")
        self.kwargs.pop("class_names")
        self.kwargs.pop("class_colors")
        if name.startswith("tutorial"):
            self.kwargs["n_estimators"] = 100

    def features_of(self, image):
        return self.kwargs["features"](image)

    def __call__(self, labels, features, case):
        from core.trainable import fit_segmenter
        return fit_segmenter(case.image, labels, feature_array=features, n_classes=case.n_classes, **self.kwargs)


def predict(seg, features, image=None):
    """The page's call: the image with its cached features (a colour image's superpixels are cached too)."""
    return seg.predict_proba(image, feature_array=features)


def run(which="both", size=256, rounds=3, model="improved"):
    fit = Model(model)
    results = {}
    for name in (["tuning", "held_out"] if which == "both" else [which]):
        table = []
        for case in cases(name, (size, size)):
            scores, secs = run_case(case, fit, predict, rounds)
            table.append((case.name, scores, secs))
            print(f"  {name:8s} {case.name:38s} " + " ".join(f"{s:.3f}" for s in scores)
                  + f"   refit+predict {np.mean(secs):.2f} s", flush=True)
        mean = np.mean([s for _, s, _ in table], axis=0)
        print(f"{name}: mIoU first strokes {mean[0]:.3f}, after hints " + ", ".join(f"{m:.3f}" for m in mean[1:])
              + f"; refit+predict {np.mean([np.mean(t) for *_, t in table]):.2f} s at {size}²", flush=True)
        results[name] = (mean, table)
    return results


def time_512(model="improved", repeat=3, index=3):
    """Seconds of one refit + predict at 512² with the features cached (a loop round on the page), and of
    computing the features, on held-out mosaic ``index`` (3: a colour photo mosaic, 0: a gray texture one)."""
    from core.trainable import fit_segmenter
    case = cases("held_out", (512, 512))[index]
    fit = Model(model)
    feats = fit.features_of(case.image)
    labels = first_strokes(case.truth, np.random.default_rng(0))
    from core.trainable.propagate import superpixels
    if case.image.ndim == 3:
        superpixels(case.image)  # computed once per image, like the features (the page keeps both)
    best = []
    for _ in range(repeat):
        start = time.perf_counter()
        seg = fit_segmenter(case.image, labels, feature_array=feats, n_classes=case.n_classes, **fit.kwargs)
        seg.predict_proba(case.image, feature_array=feats)
        best.append(time.perf_counter() - start)
    start = time.perf_counter()
    fit.features_of(case.image)
    return float(np.median(best)), time.perf_counter() - start


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--set", default="both", choices=["tuning", "held_out", "both"])
    ap.add_argument("--model", default="improved")
    ap.add_argument("--no-timing", action="store_true")
    args = ap.parse_args(argv)
    run(args.set, args.size, args.rounds, args.model)
    if not args.no_timing:
        refit, feats = time_512(args.model)
        print(f"512²: refit + predict {refit:.2f} s (features cached; computing them: {feats:.2f} s)")
        refit, feats = time_512(args.model, index=0)
        print(f"512², gray textures: refit + predict {refit:.2f} s (features cached; computing them: {feats:.2f} s)")


if __name__ == "__main__":
    main()
