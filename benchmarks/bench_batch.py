"""Benchmark: ``python -m imlab`` — images per second, tiled-segment memory, tile-seam margin.

``python -m benchmarks.bench_batch`` (the full measurement, several minutes; figures in
``benchmarks/BATCH.md``):

* **throughput** at 1 MP: ``run superpixels?merge=kmeans`` (SLIC 200 + k-means 5, the page's
  defaults) on bundled photos resized to 1 MP, and ``segment`` with a segmenter trained on a
  texture mosaic, on 1 MP mosaics; in process vs ``--workers 2`` (a LocalCluster of two worker
  processes). Throughput = images / wall time of the processing; the cluster's start-up is
  reported apart (it is paid once per command).
* **peak memory** of ``python -m imlab segment`` on a 25 MP image (5000 × 5000, default tile
  1024), measured as the ``ru_maxrss`` of the command run as a child process (``os.wait4``).
* **seam margin**: a 1536 × 1536 mosaic segmented whole and in 512-pixel tiles (the default
  overlap, and a small 32 px one): pixels whose label differs, largest probability difference,
  and how far from a seam the differences lie.

``python -m benchmarks`` calls :func:`run` (in process only, per image at the given size).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._harness import measure, photo, row  # noqa: E402

PHOTOS = ("astronaut", "coffee", "chelsea", "immunohistochemistry", "retina", "china", "flower", "spices")
LINK = "superpixels?merge=kmeans"


def _save_png(path: Path, image: np.ndarray) -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(path, compress_level=1)
    return path


def _mosaic(side: int, seed: int):
    from benchmarks.texture_mosaic import texture_mosaic

    return texture_mosaic((side, side), seed=seed)


def train_model(side: int = 512) -> bytes:
    """A segmenter trained on a brick / grass / gravel mosaic's scribbles (the page's defaults)."""
    from core.trainable import fit_segmenter, save_segmenter

    m = _mosaic(side, 0)
    return save_segmenter(fit_segmenter(m.image, m.scribbles, class_names=["brick", "grass", "gravel"]))


def _timed_run(task, folder: Path, out: Path, workers: int, model: bytes | None) -> tuple[float, float, list]:
    """(start-up s, processing s, rows) of one imlab run through its own runner."""
    from imlab.inputs import expand, image_jobs
    from imlab.runner import Backend, run_jobs

    jobs = image_jobs(expand([str(folder)]))
    backend = Backend(workers=workers)
    t0 = time.perf_counter()
    with backend.started():  # run_jobs finds it started: the start-up is timed apart
        startup = time.perf_counter() - t0
        cpu0 = _cpu(backend)
        t1 = time.perf_counter()
        rows = run_jobs(task, jobs, out, backend=backend, model=model, progress=False)
        seconds = time.perf_counter() - t1
        cpu = _cpu(backend) - cpu0
    return startup, seconds, cpu, rows


def _cpu(backend) -> float:
    """CPU seconds used so far by the processes doing the work (this one, or every worker)."""
    if backend.client is None:
        return time.process_time()
    return sum(backend.client.run(time.process_time).values())


def throughput(n_images: int, workers: int, tmp: Path) -> list[str]:
    from core.images import SAMPLES
    from imlab.jobs import Task
    from imlab.settings import load_settings

    lines = []
    photos = tmp / "photos"
    for i in range(n_images):
        name = PHOTOS[i % len(PHOTOS)]
        _save_png(photos / f"{i:02d}_{name}.png", photo(1.0, name if name in SAMPLES else "astronaut"))
    tech, values = load_settings(LINK)
    task = Task("run", page=tech.page, module=tech.module, values={k: v for k, v in values.items() if k != "image"})
    mosaics = tmp / "mosaics"
    for i in range(n_images):
        _save_png(mosaics / f"m{i:02d}.png", _mosaic(1000, 10 + i).image)
    model = train_model()
    seg_task = Task("segment", page="segment")
    for label, t, folder, m in (("run superpixels+k-means", task, photos, None),
                                ("segment (default features)", seg_task, mosaics, model)):
        results = {}
        for w in (0, workers):
            startup, seconds, cpu, rows = _timed_run(t, folder, tmp / f"out_{w}_{label[:3]}", w, m)
            bad = [r for r in rows if r["status"] != "ok"]
            assert not bad, bad
            results[w] = seconds
            where = "in process" if w == 0 else f"--workers {w}"
            lines.append(f"| {label} | {where} | {n_images} | {seconds:.1f} | {n_images / seconds:.2f} | "
                         f"{cpu / n_images:.1f} | {startup:.1f} |")
            print(lines[-1], flush=True)
        lines.append(f"| {label} | speed-up | | | {results[0] / results[workers]:.2f}× | | |")
        print(lines[-1], flush=True)
    return lines


def peak_memory(tmp: Path, megapixels: float = 25.0) -> list[str]:
    side = int(round((megapixels * 1e6) ** 0.5))
    base = _mosaic(1024, 3).image
    reps = -(-side // 1024)
    big = np.tile(base, (reps, reps))[:side, :side]
    image = _save_png(tmp / "big" / "big.png", big)
    model = tmp / "model.seg"
    model.write_bytes(train_model())
    lines = []
    for extra in ([], ["--probabilities"]):
        out = tmp / f"big_out{len(extra)}"
        cmd = [sys.executable, "-m", "imlab", "segment", "--model", str(model), str(image), "--out", str(out),
               "--quiet", *extra]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        assert status == 0, f"segment failed ({status})"
        rss_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
        what = "labels + overlay" + (" + probabilities" if extra else "")
        lines.append(f"| {side}×{side} ({side * side / 1e6:.0f} MP) | {what} | {seconds:.0f} | {rss_mb:.0f} |")
        print(lines[-1], flush=True)
    return lines


def seam_margin(side: int = 1536, tile: int = 512) -> list[str]:
    from core.trainable import load_segmenter
    from imlab.jobs import segment_outputs, tile_overlap

    seg = load_segmenter(train_model())
    image = _mosaic(side, 5).image
    whole = seg.predict_proba(image)
    whole_labels = np.argmax(whole, axis=-1) + 1
    seams = np.arange(tile, side, tile)
    to_seam = np.abs(np.arange(side)[:, None] - seams[None, :]).min(axis=1)  # rows (and columns)
    dist = np.minimum(to_seam[:, None], to_seam[None, :])
    lines = []
    for overlap in (None, 32):
        t = segment_outputs(seg, image, tile=tile, overlap=overlap, probabilities=True)
        differ = t["labels"] != whole_labels
        dp = np.abs(t["probabilities"] - whole).max(axis=-1)
        far = dist[differ].max() if differ.any() else 0
        used = tile_overlap(seg, overlap)
        lines.append(f"| {tile} | {used} | {differ.mean() * 100:.4f} % | {dp.max():.2e} | "
                     f"{dp[dist >= 32].max():.2e} | {far} |")
        print(lines[-1], flush=True)
    return lines


def run(megapixels: float, repeat: int = 3) -> list[dict]:
    """For ``python -m benchmarks``: one image through ``imlab.jobs.compute`` in process."""
    from imlab.jobs import Task, compute
    from imlab.settings import load_settings

    tech, values = load_settings(LINK)
    task = Task("run", page=tech.page, module=tech.module, values={k: v for k, v in values.items() if k != "image"})
    with tempfile.TemporaryDirectory() as tmp:
        data = _save_png(Path(tmp) / "a.png", photo(megapixels, "coffee")).read_bytes()
    seconds, peak, result = measure(lambda: compute(task, [("a.png", data)]), repeat)
    assert result["row"]["status"] == "ok", result["row"]
    return [row("imlab run superpixels+k-means", "core", megapixels, seconds, peak,
                "images/s", 1 / seconds)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=8, help="images per throughput run (default 8)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--megapixels", type=float, default=25.0, help="size of the peak-memory image")
    parser.add_argument("--only", nargs="*", choices=["throughput", "memory", "seams"],
                        default=["throughput", "memory", "seams"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if "throughput" in args.only:
            print("| work | where | images | seconds | images/s | CPU s per image | cluster start-up s |\n"
                  "|---|---|---:|---:|---:|---:|---:|")
            throughput(args.images, args.workers, tmp)
        if "memory" in args.only:
            print("\n| image | outputs | seconds | peak RSS MB |\n|---|---|---:|---:|")
            peak_memory(tmp, args.megapixels)
        if "seams" in args.only:
            print("\n| tile | overlap | labels differing | max Δp | max Δp ≥ 32 px from a seam | farthest "
                  "differing pixel from a seam (px) |\n|---:|---:|---:|---:|---:|---:|")
            seam_margin()


if __name__ == "__main__":
    main()
